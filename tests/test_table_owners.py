"""One owner per table: each table below is written by one module only (its feature's store).

A plain scan of the source under api/ (migrations left out: they change the schema and backfill it once).
It catches, line by line: Core and SQLModel statements on a table (`insert(`, `update(`, `delete(` of its
Core name or its model), a helper so named given one as its first or second argument
(`bulk_insert(session, PAIN, ...)`), new ORM rows (`PainPoint(...)`), raw SQL (`UPDATE pain_point`,
`INSERT INTO theme`, `DELETE FROM pain_point_embedding`) and a second `Model.__table__` outside the module
that names it.
It cannot see: attributes set on an ORM row that a later flush writes (`row.status = ...` after a select),
a table reached through another name (an alias variable, the metadata by name), or SQL assembled from
pieces. Those stay a matter of review; each store's docstring says where writes belong.
"""

import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[1] / "api"
# table: (owning module, where its Core name is defined, Core names and models, SQL names)
OWNERS = {
    "pain_point": ("pain_points/store.py", "pain_points/models.py",
                   ("PAIN", "EVENT", "PainPoint", "PainPointEvent"), ("pain_point", "pain_point_event")),
    "theme": ("themes/store.py", "themes/store.py",
              ("THEME", "BUILD", "EMB", "MERGE", "Theme", "ThemeBuild", "ThemeMerge", "PainPointEmbedding"),
              ("theme", "theme_build", "theme_merge", "pain_point_embedding")),
    "kpi": ("kpis/store.py", "kpis/models.py", ("Kpi", "KpiValue"), ("kpi", "kpi_value")),
    "goal": ("goals/store.py", "goals/store.py", ("GOAL", "Goal", "GoalDepartment"), ("goal", "goal_department")),
    "bright_spot": ("bright_spots/store.py", "bright_spots/models.py", ("BRIGHT", "BrightSpot"), ("bright_spot",)),
    "media": ("media/store.py", "media/models.py", ("MEDIA", "Media"), ("media",)),
}


def patterns(names: tuple[str, ...], tables: tuple[str, ...]) -> list[re.Pattern]:
    names_, tables_ = "|".join(names), "|".join(tables)
    models = "|".join(n for n in names if not n.isupper())
    return [
        re.compile(rf"\b\w*(?:insert|update|delete)\((?:\s*\w+,)?\s*(?:{names_})\b"),
        re.compile(rf"(?<!class )\b(?:{models})\("),
        re.compile(rf"\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+\"?(?:{tables_})\b", re.IGNORECASE),
    ]


def writes_in(path: Path, found: list[re.Pattern]) -> list[str]:
    return [f"{path.relative_to(API.parent)}:{number}: {line.strip()}"
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if any(pattern.search(line) for pattern in found)]


def sources() -> list[Path]:
    return [p for p in sorted(API.rglob("*.py")) if "migrations" not in p.parts]


@pytest.mark.parametrize("table", OWNERS)
def test_only_the_owner_writes(table):
    owner, _, names, tables = OWNERS[table]
    found = [hit for path in sources() if path != API / owner for hit in writes_in(path, patterns(names, tables))]
    assert found == [], f"write {table} through api/{owner}:\n" + "\n".join(found)


@pytest.mark.parametrize(("table", "statements"), [
    ("pain_point", ("update(PAIN)", "insert(EVENT)", "bulk_insert(session, PAIN", "PainPointEvent(")),
    ("theme", ("update(BUILD)", "insert(EMB)", "delete(EMB)", "ThemeBuild(", "Theme(", "ThemeMerge(")),
    ("kpi", ("KpiValue(",)),
    ("goal", ("update(GOAL)", "GoalDepartment(")),
    ("bright_spot", ("delete(BRIGHT)", "update(BRIGHT)", "bulk_insert(session, BRIGHT")),
    ("media", ("insert(MEDIA)", "delete(MEDIA)")),
])
def test_the_scan_sees_the_owners_own_writes(table, statements):
    """Guards the guard: were the patterns to stop matching, the test above would pass on anything."""
    owner, _, names, tables = OWNERS[table]
    hits = "\n".join(writes_in(API / owner, patterns(names, tables)))
    for statement in statements:
        assert statement in hits


@pytest.mark.parametrize("table", OWNERS)
def test_each_table_is_named_once(table):
    _, home, names, _ = OWNERS[table]
    models = "|".join(n for n in names if not n.isupper())
    redefined = re.compile(rf"\b(?:{models})\.__table__")
    found = [f"{path.relative_to(API.parent)}: {line.strip()}" for path in sources() if path != API / home
             for line in path.read_text().splitlines() if redefined.search(line)]
    assert found == [], f"import the Core tables from api/{home}:\n" + "\n".join(found)
