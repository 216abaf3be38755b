"""One owner per table: only api/pain_points/store.py writes pain_point and pain_point_event.

A plain scan of the source under api/ (migrations left out: they change the schema and backfill it once).
It catches, line by line: Core and SQLModel statements on the tables (`insert(`/`update(`/`delete(` of
`PAIN`, `EVENT`, `PainPoint`, `PainPointEvent`), a helper so named given one of them as its first or second
argument (`bulk_insert(session, PAIN, ...)`), new ORM rows
(`PainPoint(...)`, `PainPointEvent(...)`), raw SQL (`UPDATE pain_point`, `INSERT INTO pain_point_event`,
`DELETE FROM pain_point`) and a second `PainPoint.__table__` outside models.py.
It cannot see: attributes set on an ORM row that a later flush writes (`row.status = ...` after a select),
a table reached through another name (an alias variable, the metadata by name), or SQL assembled from
pieces. Those stay a matter of review; the store's docstring says where writes belong.
"""

import re
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
OWNER = API / "pain_points" / "store.py"
TABLES = r"(?:PAIN|EVENT|PainPoint|PainPointEvent)"
WRITES = [
    # insert(PAIN), update(PainPoint), and helpers such as bulk_insert(session, PAIN, ...)
    re.compile(rf"\b\w*(?:insert|update|delete)\((?:\s*\w+,)?\s*{TABLES}\b"),
    re.compile(r"(?<!class )\bPainPoint(?:Event)?\("),
    re.compile(r"\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+\"?pain_point(?:_event)?\b", re.IGNORECASE),
]
REDEFINED = re.compile(r"\bPainPoint(?:Event)?\.__table__")


def writes_in(path: Path) -> list[str]:
    return [f"{path.relative_to(API.parent)}:{number}: {line.strip()}"
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if any(pattern.search(line) for pattern in WRITES)]


def sources() -> list[Path]:
    return [p for p in sorted(API.rglob("*.py")) if "migrations" not in p.parts]


def test_only_the_store_writes_pain_points():
    found = [hit for path in sources() if path != OWNER for hit in writes_in(path)]
    assert found == [], "write pain_point through api/pain_points/store.py:\n" + "\n".join(found)


def test_the_scan_sees_the_stores_own_writes():
    """Guards the guard: were the patterns to stop matching, the test above would pass on anything."""
    hits = "\n".join(writes_in(OWNER))
    for statement in ("update(PAIN)", "insert(EVENT)", "bulk_insert(session, PAIN", "PainPointEvent("):
        assert statement in hits


def test_the_table_is_named_once():
    found = [f"{path.relative_to(API.parent)}: {line.strip()}" for path in sources()
             if path.name != "models.py" or path.parent.name != "pain_points"
             for line in path.read_text().splitlines() if REDEFINED.search(line)]
    assert found == [], "import PAIN from api/pain_points/models.py:\n" + "\n".join(found)
