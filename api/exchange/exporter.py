"""Export every live pain point with its theme, as CSV or JSON lines."""

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from sqlmodel import Session, select

from api.exchange.csv_format import COLUMNS
from api.org.models import Department, Site
from api.pain_points.models import PainPoint
from api.privacy.redaction import redact, redaction_enabled
from api.themes.models import Theme
from api.users.models import User

BATCH = 2000


def export_rows(*, session: Session) -> Iterator[dict]:
    sites = {s.id: s.name for s in session.exec(select(Site)).all()}
    departments = {d.id: d.name for d in session.exec(select(Department)).all()}
    themes = theme_labels(session)
    authors = {u.id: u.email for u in session.exec(select(User)).all()}
    mask = redact if redaction_enabled() else (lambda text: text)
    stmt = (
        select(PainPoint)
        .where(PainPoint.deleted_at.is_(None))
        .order_by(PainPoint.occurred_at, PainPoint.id)
        .execution_options(yield_per=BATCH)
    )
    for pp in session.exec(stmt):
        yield {
            "ref": pp.ref or str(pp.id),
            "text": mask(pp.text),
            "severity": pp.severity,
            "felt_by": pp.felt_by,
            "visit_kind": pp.visit_kind,
            "site": sites.get(pp.site_id, ""),
            "department": departments.get(pp.department_id, ""),
            "occurred_at": pp.occurred_at.isoformat(),
            "theme_id": str(pp.theme_id) if pp.theme_id else "",
            "theme_label": themes.get(pp.theme_id, "") if pp.theme_id else "",
            "id": str(pp.id),
            "visit_id": str(pp.visit_id),
            "status": pp.status,
            "author_email": authors.get(pp.author_id, ""),
        }


def theme_labels(session: Session) -> dict:
    """Theme id → label, retired themes included (a pain point may still point at one mid-rebuild)."""
    return dict(session.execute(select(Theme.id, Theme.label)).all())


def write_export(*, session: Session, out: TextIO, fmt: str = "csv") -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in export_rows(session=session):
            writer.writerow(row)
            count += 1
    else:
        for row in export_rows(session=session):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
