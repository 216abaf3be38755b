"""Change stamps and snapshots for sync: which visits a phone has not seen yet.

Every write stamps its visits with a number (`txid`):
- PostgreSQL: the writing transaction's id. A pull reads in one REPEATABLE READ snapshot and remembers
  it as (xmax, transactions still in progress); the next pull asks for stamps at or above that xmax or
  belonging to those in-progress transactions: exactly the writes the previous pull could not see.
- SQLite: writers are serialised (BEGIN IMMEDIATE), so a per-author counter orders commits exactly; the
  snapshot is (the next counter value, nothing in progress).
"""

import uuid
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, ColumnElement, Text, cast, func, literal_column, or_, select
from sqlmodel import Session

from api.visits.models import Visit

PG_STAMP = literal_column("pg_current_xact_id()::text::bigint", BigInteger)


@dataclass(frozen=True)
class Snapshot:
    """Stamps at or above `xmax`, or in `in_progress`, were not visible when it was taken."""

    xmax: int
    in_progress: tuple[int, ...] = field(default=())

    def unseen(self, column):
        """A condition: the row was written after this snapshot (or by a transaction then running)."""
        return or_(column >= self.xmax, column.in_(self.in_progress)) if self.in_progress else column >= self.xmax


def _next_for_author(session: Session, author_id: uuid.UUID) -> int:
    return session.execute(
        select(func.coalesce(func.max(Visit.txid), 0) + 1).where(Visit.author_id == author_id)
    ).scalar_one()


def write_stamp(session: Session, author_id: uuid.UUID) -> int | ColumnElement[int]:
    """The stamp for the author's visits written in the current transaction, to use as the value of `txid`
    in an INSERT or UPDATE. On PostgreSQL an SQL expression: the server fills it in, no round trip."""
    if session.get_bind().dialect.name == "postgresql":
        return PG_STAMP
    return _next_for_author(session, author_id)


PG_SNAPSHOT = cast(func.pg_current_snapshot(), Text).label("snapshot")


def parse_snapshot(value: str) -> Snapshot:
    """A Snapshot from PostgreSQL's text form of pg_current_snapshot(): xmin:xmax:xip,..."""
    _xmin, xmax, xip = value.split(":")
    return Snapshot(int(xmax), tuple(int(x) for x in xip.split(",") if x))


def begin_read(session: Session) -> None:
    """End whatever transaction the session has open (writes must be committed first) and start the pull's
    read transaction: on PostgreSQL REPEATABLE READ, so that all its statements read the same snapshot."""
    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def begin_snapshot(session: Session, author_id: uuid.UUID) -> Snapshot:
    """Start the pull's read transaction (see begin_read) and describe what it can see."""
    begin_read(session)
    if session.get_bind().dialect.name != "postgresql":
        return Snapshot(_next_for_author(session, author_id))
    return parse_snapshot(session.execute(select(PG_SNAPSHOT)).scalar_one())
