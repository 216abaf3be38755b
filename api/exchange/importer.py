"""Bulk import of pain points from CSV: every good row lands, every bad row is reported."""

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from pydantic import ValidationError
from sqlmodel import Session

from api.auth.models import User
from api.core.kinds import VisitKind
from api.errors import field_error, field_errors
from api.org.models import Department, Site
from api.org.service import get_or_create_by_name
from api.pain_points import store
from api.pain_points.csv_format import from_csv_cell
from api.pain_points.models import PainPoint
from api.visits.schemas import VisitWrite
from api.visits.writes import write_visits

NAMESPACE = uuid.UUID("6f1c2b8e-5d0a-4c7e-9a53-2b1d9e8f4a71")
MAX_ROWS = 200_000


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0  # already imported earlier
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _occurred_at(value: str) -> datetime:
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = datetime.combine(date.fromisoformat(value), time(12, 0))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    """Our own export writes a pain point's id as its ref; importing it back keeps that id."""
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _row_key(author: User, row: dict[str, str]) -> str:
    """Rows are keyed by `ref` when present, else by their content, so re-imports add nothing."""
    if row.get("ref"):
        return f"{author.id}|ref|{row['ref']}"
    content = "|".join(row.get(c, "") for c in ("text", "severity", "felt_by", "visit_kind", "site",
                                                 "department", "occurred_at"))
    return f"{author.id}|content|{hashlib.sha256(content.encode()).hexdigest()}"


def _import_row(session: Session, author: User, row: dict[str, str]) -> bool:
    """One row becomes one visit with one pain point. Returns False when it was already there."""
    key = _row_key(author, row)
    visit_id = uuid.uuid5(NAMESPACE, key + "|visit")
    pain_point_id = _uuid_or_none(row.get("ref", "")) or uuid.uuid5(NAMESPACE, key)
    if session.get(PainPoint, pain_point_id) is not None:
        return False
    problems = []
    try:
        occurred = _occurred_at((row.get("occurred_at") or "").strip())
    except ValueError:
        problems.append("occurred_at: not an ISO 8601 date or datetime")
        occurred = datetime.now(UTC)
    site = department = None
    if (row.get("site") or "").strip():
        site = get_or_create_by_name(session=session, model=Site, name=row["site"][:120])
    if (row.get("department") or "").strip():
        department = get_or_create_by_name(session=session, model=Department, name=row["department"][:120])
    try:
        data = VisitWrite.model_validate({
            "id": visit_id,
            "kind": (row.get("visit_kind") or VisitKind.shop_floor_shift).strip(),
            "site_id": site.id if site else None,
            "started_at": occurred,
            "ended_at": occurred,
            "pain_points": [{
                "id": pain_point_id,
                "text": row.get("text") or "",
                "severity": (row.get("severity") or "3").strip(),
                "felt_by": (row.get("felt_by") or "customer").strip(),
                "department_id": department.id if department else None,
            }],
        })
    except ValidationError as exc:
        problems.append(_describe(exc))
    if problems:
        raise ValueError("; ".join(problems))
    outcome = write_visits(session=session, author=author, writes=[data], source="import")
    if outcome.rejected or outcome.conflicts or outcome.forbidden:
        errors = outcome.rejected.get(visit_id) or [field_error("ref", "clashes with an existing visit")]
        raise ValueError("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors))
    if row.get("ref"):
        store.set_import_ref(session, pain_point_id, row["ref"])
    return True


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in field_errors(exc.errors()):
            loc = [p for p in err["loc"] if not isinstance(p, int) and p != "pain_points"]
            name = {"kind": "visit_kind"}.get(loc[-1] if loc else "", loc[-1] if loc else "row")
            parts.append(f"{name}: {err['msg']}")
        return "; ".join(parts)
    return str(exc)


def import_pain_points(*, session: Session, author: User, stream: io.TextIOBase) -> ImportReport:
    report = ImportReport()
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "text" not in reader.fieldnames:
        raise ValueError("the file has no header row with a 'text' column")
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        if number > MAX_ROWS + 1:
            report.rejected.append((number, f"more than {MAX_ROWS} rows; the rest was not read"))
            break
        savepoint = session.begin_nested()
        try:
            added = _import_row(session, author, {k: from_csv_cell(v or "") for k, v in row.items() if k})
            savepoint.commit()
        except (ValueError, ValidationError) as exc:  # a bad row is reported, never fatal
            savepoint.rollback()
            report.rejected.append((number, _describe(exc)))
            continue
        if added:
            report.imported += 1
        else:
            report.skipped += 1
    session.commit()
    return report
