"""The one module that writes the bright_spot table.

A visit's write hands over its bright spots (replace_visit_bright_spots); a deleted visit takes them along
(remove_visit_bright_spots). Functions only execute and flush; the calling service commits. Bright spots have
no triage, so unlike pain points they are rewritten or deleted outright, never kept behind for managers.
"""

import uuid
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from api.bright_spots.models import BRIGHT
from api.bulk import bulk_insert

CONTENT = ("text", "department_id", "recognise", "value_id", "position", "site_id", "visit_kind", "occurred_at")


def visits_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Which visit each of these bright spot ids already belongs to (ids not stored yet are left out)."""
    if not ids:
        return {}
    return dict(session.execute(select(BRIGHT.c.id, BRIGHT.c.visit_id).where(BRIGHT.c.id.in_(ids))).all())


def replace_visit_bright_spots(session: Session, *, visit_ids: list[uuid.UUID], rows: list[dict],
                               author_id: uuid.UUID, now: datetime) -> None:
    """The bright spots of the visits written (`visit_ids`) become exactly `rows` (each with id, visit_id and
    CONTENT): new ones inserted, changed ones updated, left-out ones deleted; unchanged ones stay as they were."""
    old = {r.id: r for r in session.execute(select(BRIGHT).where(BRIGHT.c.visit_id.in_(visit_ids)))} \
        if visit_ids else {}
    new, changed = [], []
    for row in rows:
        before = old.pop(row["id"], None)
        if before is None:
            new.append(row)
        elif any(getattr(before, k) != row[k] for k in CONTENT):
            changed.append({**{k: row[k] for k in CONTENT}, "b_id": row["id"]})
    if old:
        session.execute(delete(BRIGHT).where(BRIGHT.c.id.in_(list(old))))
    if changed:
        session.execute(update(BRIGHT).where(BRIGHT.c.id == bindparam("b_id"))
                        .values({**{k: bindparam(k) for k in CONTENT}, "updated_at": now}), changed)
    bulk_insert(session, BRIGHT, new, {"author_id": author_id, "created_at": now, "updated_at": now})


def remove_visit_bright_spots(session: Session, visit_id: uuid.UUID) -> None:
    """A withdrawn visit's bright spots leave the feed with it."""
    session.execute(delete(BRIGHT).where(BRIGHT.c.visit_id == visit_id))
