import csv
import io
import uuid

from sqlmodel import select

from api.bright_spots.models import BrightSpot
from api.goals.models import Goal
from api.kpis.models import KpiValue
from api.pain_points.models import PainPoint
from api.themes.models import Theme
from api.values.models import CompanyValue
from api.visits.models import Visit
from tests.cli_helpers import run_cli
from tests.factories import count_rows, fetch

HEADER = "ref,text,severity,felt_by,visit_kind,site,department,occurred_at,theme_id,theme_label\n"


def write(tmp_path, body: str, name="points.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_create_user_prints_the_id_and_refuses_duplicates(database_url, session):
    res = run_cli(database_url, "create-user", "Boss@Example.com", "--role", "admin", "--name", "Boss",
                  "--password-stdin", stdin="a long password\n")
    assert res.returncode == 0, res.stderr
    assert uuid.UUID(res.stdout.strip())
    again = run_cli(database_url, "create-user", "boss@example.com", "--role", "admin", "--password-stdin",
                    stdin="a long password\n")
    assert again.returncode != 0
    assert "already exists" in again.stderr
    bad_role = run_cli(database_url, "create-user", "x@example.com", "--role", "king", "--password-stdin",
                       stdin="a long password\n")
    assert bad_role.returncode != 0
    assert "invalid choice" in bad_role.stderr


def test_import_reports_bad_rows_keeps_good_ones_and_is_idempotent(database_url, session, executive, tmp_path):
    path = write(tmp_path,
                 'r1,"Queue at the tills, 20 minutes",4,customer,shop_floor_shift,Leeds,Stores,2026-11-02,,\n'
                 "r2,,3,customer,,,,,,\n"
                 "r3,App logged me out again,9,customer,,,,,,\n"
                 "r4,Hold music for 40 minutes,3,employee,listened_call,Cardiff CC,Contact centre,"
                 "2026-11-03T10:15:00+00:00,,\n"
                 "r5,Refund took three weeks,2,martians,,,,yesterday,,\n"
                 ",Returns desk closed at lunch,,,,,,,,\n")
    res = run_cli(database_url, "import", str(path), "--author", executive.user.email)
    assert res.returncode == 0, res.stderr
    assert "imported 3 rows" in res.stdout
    assert "rejected 3 rows" in res.stdout
    assert "row 3: text" in res.stdout
    assert "row 4: severity" in res.stdout
    assert "row 6:" in res.stdout and "felt_by" in res.stdout and "occurred_at" in res.stdout
    assert count_rows(session, PainPoint) == 3
    again = run_cli(database_url, "import", str(path), "--author", executive.user.email)
    assert "imported 0 rows; 3 already imported" in again.stdout
    assert count_rows(session, PainPoint) == 3
    assert count_rows(session, Visit) == 3
    strict = run_cli(database_url, "import", str(path), "--author", executive.user.email, "--strict")
    assert strict.returncode == 1


def test_import_of_an_unreadable_file_exits_2(database_url, session, executive, tmp_path):
    res = run_cli(database_url, "import", str(tmp_path / "missing.csv"), "--author", executive.user.email)
    assert res.returncode == 2
    assert "cannot read" in res.stderr


def test_export_then_import_round_trips(database_url, session, client, executive, other_executive, tmp_path):
    path = write(tmp_path, "a1,Shelf said in stock; app said none,3,both,journey_walkthrough,Online shop,"
                           "Digital,2026-10-30T08:00:00+00:00,,\n"
                           "a2,Scanner froze twice,2,employee,shop_floor_shift,York,,2026-10-31,,\n")
    run_cli(database_url, "import", str(path), "--author", executive.user.email)
    exported = run_cli(database_url, "export")
    assert exported.returncode == 0
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [r["ref"] for r in rows] == ["a1", "a2"]
    assert rows[0]["site"] == "Online shop" and rows[0]["department"] == "Digital"
    assert rows[0]["felt_by"] == "both" and rows[0]["theme_id"] == ""
    out = tmp_path / "out.csv"
    assert run_cli(database_url, "export", "--out", str(out)).returncode == 0
    # Importing our own export adds nothing; the same texts survive the trip unchanged.
    again = run_cli(database_url, "import", str(out), "--author", executive.user.email)
    assert "imported 0 rows" in again.stdout
    texts = sorted(fetch(select(PainPoint.text)))
    assert texts == ["Scanner froze twice", "Shelf said in stock; app said none"]
    jsonl = run_cli(database_url, "export", "--format", "jsonl")
    assert jsonl.stdout.count("\n") == 2 and '"status": "new"' in jsonl.stdout


def test_demo_is_idempotent(database_url, session):
    first = run_cli(database_url, "demo")
    assert first.returncode == 0, first.stderr
    assert "exec@demo.undercover.example" in first.stdout
    visits, points = count_rows(session, Visit), count_rows(session, PainPoint)
    assert visits >= 50 and points >= 200
    assert "Themes built:" in first.stdout and count_rows(session, Theme) >= 5
    # A year of weekly NPS and CSAT for 8 sites and of monthly eNPS for 6 departments; two goals, four values.
    leadership = count_rows(session, KpiValue), count_rows(session, Goal), count_rows(session, CompanyValue)
    assert leadership == (8 * 52 * 2 + 6 * 12, 2, 4)
    # Its bright spots live those values, so the dashboards' counts per value have something to show.
    tagged = fetch(select(BrightSpot.value_id).where(BrightSpot.value_id.is_not(None)))
    assert len(tagged) == 4 and len(set(tagged)) == 3
    second = run_cli(database_url, "demo")
    assert "already loaded" in second.stdout
    assert (count_rows(session, Visit), count_rows(session, PainPoint)) == (visits, points)
    assert (count_rows(session, KpiValue), count_rows(session, Goal), count_rows(session, CompanyValue)) == leadership


def test_themes_rebuild_then_export_names_each_pain_points_theme(database_url, session, executive, tmp_path):
    rows = "".join(f"q{i},{text},3,customer,shop_floor_shift,Leeds,,2026-11-0{i % 9 + 1},,\n" for i, text in enumerate([
        "Queue at the tills was far too long", "Long queue at checkout again", "Checkout queue out the door",
        "App logged me out while paying", "The app keeps logging me out", "Logged out of the app again",
    ]))
    run_cli(database_url, "import", str(write(tmp_path, rows)), "--author", executive.user.email)
    res = run_cli(database_url, "themes", "rebuild")
    assert res.returncode == 0, res.stderr
    assert "themes from 6 pain points" in res.stdout and " s" in res.stdout
    assert "Theme engine:" in res.stderr
    exported = list(csv.DictReader(io.StringIO(run_cli(database_url, "export").stdout)))
    labels = {r["ref"]: (r["theme_id"], r["theme_label"]) for r in exported}
    assert all(theme_id and label for theme_id, label in labels.values())
    assert labels["q0"] == labels["q1"] == labels["q2"] != labels["q3"] == labels["q4"] == labels["q5"]
