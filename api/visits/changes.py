"""Change stamps for sync: every write stamps its visits with a number that orders commits.

PostgreSQL: the writing transaction's id. A pull remembers the oldest transaction still running
(`pg_snapshot_xmin`), so a write that commits after the pull is found next time, and only the few
transactions that overlapped the pull are ever sent twice.
SQLite: writers are serialised (BEGIN IMMEDIATE), so a per-author counter orders commits exactly.
"""

import uuid

from sqlalchemy import func, select, text
from sqlmodel import Session

from api.visits.models import Visit


def _next_for_author(session: Session, author_id: uuid.UUID) -> int:
    return session.execute(
        select(func.coalesce(func.max(Visit.txid), 0) + 1).where(Visit.author_id == author_id)
    ).scalar_one()


def write_stamp(session: Session, author_id: uuid.UUID) -> int:
    """The stamp for the author's visits written in the current transaction."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
    return _next_for_author(session, author_id)


def safe_cursor(session: Session, author_id: uuid.UUID) -> int:
    """Every write of the author's with a stamp below this has committed and is visible now."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).scalar_one()
    return _next_for_author(session, author_id)
