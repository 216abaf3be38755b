"""`undercover kpis import`: KPI values from CSV (`kpi,period_start,site,department,value,responses`); every
good row is stored, every bad row reported. Cells are read like the pain-point CSV (one leading `'` before a
formula character is taken off)."""

import csv
import io

from pydantic import ValidationError
from sqlmodel import Session

from api.errors import field_errors
from api.kpis.schemas import KpiValueWrite, UpsertReport
from api.kpis.service import import_values
from api.pain_points.csv_format import from_csv_cell

COLUMNS = ["kpi", "period_start", "site", "department", "value", "responses"]
REQUIRED = ("kpi", "period_start", "value")
MAX_ROWS = 200_000


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{e['loc'][-1] if e['loc'] else 'row'}: {e['msg']}" for e in field_errors(exc.errors()))


def import_kpi_values(*, session: Session, stream: io.TextIOBase) -> tuple[UpsertReport, list[tuple[int, str]]]:
    reader = csv.DictReader(stream)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"the header row has no {', '.join(repr(c) for c in missing)} column "
                         f"(expected {','.join(COLUMNS)})")
    rows, rejected = [], []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        if number > MAX_ROWS + 1:
            rejected.append((number, f"more than {MAX_ROWS} rows; the rest was not read"))
            break
        cells = {name: from_csv_cell((value or "").strip()) for name, value in row.items() if name}
        if not cells.get("kpi"):
            rejected.append((number, "kpi: a KPI key is required"))
            continue
        try:
            item = KpiValueWrite.model_validate({
                "period_start": cells.get("period_start"), "value": cells.get("value"),
                **{name: cells.get(name) or None for name in ("site", "department", "responses")},
            })
        except ValidationError as exc:
            rejected.append((number, _describe(exc)))
            continue
        rows.append((number, cells["kpi"], item))
    report, refused = import_values(session=session, rows=rows)
    return report, sorted(rejected + refused)
