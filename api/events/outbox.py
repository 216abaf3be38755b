"""Write events into the outbox, inside the caller's transaction (the caller commits)."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from api.core.clock import utcnow
from api.core.ids import new_id
from api.events.models import EVENT_TABLE

# The events people and webhooks may hear about (the contract's names).
PUBLIC = (
    "pain_point.created",
    "pain_point.updated",
    "pain_point.commented",
    "pain_point.overdue",
    "visit.finished",
    "themes.rebuilt",
    "goal.updated",
)
# Events that only ever become a message to one address (never offered to webhooks).
INVITATION = "auth.invitation"
PASSWORD_RESET = "auth.password_reset"  # noqa: S105 - an event name


def _row(name: str, data: dict[str, Any], subject_id, actor_id, key, at: datetime) -> dict:
    return {"id": new_id(), "name": name, "subject_id": subject_id, "actor_id": actor_id,
            "data": _jsonable(data), "key": key, "occurred_at": at, "dispatched_at": None}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record(session: Session, name: str, data: dict[str, Any], *, subject_id: uuid.UUID | None = None,
           actor_id: uuid.UUID | None = None, at: datetime | None = None) -> None:
    """One event, in the caller's transaction."""
    session.execute(insert(EVENT_TABLE), [_row(name, data, subject_id, actor_id, None, at or utcnow())])


def record_many(session: Session, events: Iterable[tuple[str, dict[str, Any], uuid.UUID | None]], *,
                actor_id: uuid.UUID | None = None, at: datetime | None = None) -> None:
    """Several events (name, data, subject id) in one executemany: a sync batch's new pain points."""
    at = at or utcnow()
    rows = [_row(name, data, subject_id, actor_id, None, at) for name, data, subject_id in events]
    if rows:
        session.execute(insert(EVENT_TABLE), rows)


def record_once(session: Session, name: str, data: dict[str, Any], *, key: str,
                subject_id: uuid.UUID | None = None, at: datetime | None = None) -> bool:
    """An event that happens once for `key` (a second call changes nothing); True if it was new."""
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(insert_(EVENT_TABLE).values(**_row(name, data, subject_id, None, key, at or utcnow()))
                             .on_conflict_do_nothing(index_elements=["key"]).returning(EVENT_TABLE.c.id))
    return result.first() is not None  # (rowcount is not reliable for ON CONFLICT across drivers)


def pending(session: Session, *, limit: int) -> list:
    """The oldest events not yet dispatched, locked (rows another dispatcher holds are skipped)."""
    return list(session.execute(
        select(EVENT_TABLE).where(EVENT_TABLE.c.dispatched_at.is_(None))
        .order_by(EVENT_TABLE.c.occurred_at, EVENT_TABLE.c.id).limit(limit).with_for_update(skip_locked=True)
    ).all())


def mark_dispatched(session: Session, ids: list[uuid.UUID], *, at: datetime) -> None:
    if ids:
        session.execute(update(EVENT_TABLE).where(EVENT_TABLE.c.id.in_(ids)).values(dispatched_at=at))


def prune_dispatched(session: Session, *, before: datetime, chunk: int = 5000) -> int:
    """Delete events dispatched before `before`, a chunk per transaction; commits. Keyed events stay: their
    key is what keeps a once-only event (an overdue notice for one due date) from happening again."""
    removed = 0
    while True:
        ids = select(EVENT_TABLE.c.id).where(EVENT_TABLE.c.dispatched_at < before,
                                             EVENT_TABLE.c.key.is_(None)).limit(chunk)
        count = session.execute(delete(EVENT_TABLE).where(EVENT_TABLE.c.id.in_(ids))).rowcount
        session.commit()
        removed += count
        if count < chunk:
            return removed
