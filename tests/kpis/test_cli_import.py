"""`undercover kpis import FILE.csv`: good rows stored, bad rows reported by number, a re-import changes nothing."""

from sqlmodel import select

from api.kpis.models import KpiValue
from tests.cli_helpers import run_cli
from tests.factories import count_rows, fetch
from tests.kpis.helpers import make_kpi

HEADER = "kpi,period_start,site,department,value,responses\n"


def write(tmp_path, body: str, name="kpis.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_reports_bad_rows_keeps_good_ones_and_is_idempotent(database_url, client, factory, manager, tmp_path):
    make_kpi(client, manager)
    make_kpi(client, manager, key="enps", name="eNPS", kind="voe", period="month", scale_min=None, scale_max=None)
    factory.site(name="Leeds")
    factory.department(name="Stores")
    path = write(tmp_path,
                 "nps,2026-11-02,Leeds,,41.5,212\n"          # row 2: good
                 "nps,2026-11-02,,Stores,38,\n"              # row 3: good
                 "enps,2026-11-01,,,'-12,40\n"               # row 4: good (an escaped negative number)
                 "nps,2026-11-03,Leeds,,41,\n"               # row 5: a Tuesday
                 "nps,2026-11-09,Atlantis,,141,\n"           # row 6: unknown site, off the scale
                 "csat,2026-11-02,,,4,\n"                    # row 7: no such KPI
                 "pulse,2026-11-01,,,7,\n"                   # row 8: built in
                 "nps,yesterday,,,lots,\n"                   # row 9: not a date, not a number
                 ",2026-11-02,,,1,\n"                        # row 10: no KPI
                 "nps,2026-11-02,LEEDS,,40,\n")              # row 11: the same place and week as row 2
    res = run_cli(database_url, "kpis", "import", str(path))
    assert res.returncode == 0, res.stderr
    assert "imported 3 rows (3 new, 0 changed, 0 unchanged); rejected 7 rows" in res.stdout
    lines = [line.strip() for line in res.stdout.splitlines()[1:]]
    assert lines[0] == "row 5: period_start: must be a Monday: the KPI's values are per ISO week"
    assert lines[1] == "row 6: value: must be at most 100 (the KPI's scale); site: no site named 'Atlantis'"
    assert lines[2].startswith("row 7: kpi: No KPI with the key 'csat'")
    assert lines[3].startswith("row 8: kpi: The 'pulse' KPI is computed")
    assert lines[4].startswith("row 9: period_start: ") and "value: " in lines[4]
    assert lines[5] == "row 10: kpi: a KPI key is required"
    assert lines[6] == "row 11: period_start: the same period and place as row 2"
    assert count_rows(None, KpiValue) == 3
    assert sorted(fetch(select(KpiValue.value))) == [-12, 38, 41.5]
    again = run_cli(database_url, "kpis", "import", str(path), "--strict")
    assert "imported 3 rows (0 new, 0 changed, 3 unchanged); rejected 7 rows" in again.stdout
    assert again.returncode == 1
    assert count_rows(None, KpiValue) == 3


def test_import_of_an_unreadable_file_or_a_wrong_header_exits_2(database_url, client, tmp_path):
    res = run_cli(database_url, "kpis", "import", str(tmp_path / "missing.csv"))
    assert res.returncode == 2 and "cannot read" in res.stderr
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("metric,week,score\nnps,2026-11-02,4\n", encoding="utf-8")
    res = run_cli(database_url, "kpis", "import", str(wrong))
    assert res.returncode == 2 and "'kpi', 'period_start', 'value'" in res.stderr
