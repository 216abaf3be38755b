"""The phone's batch push and pull: POST /api/sync."""

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ARRAY, BigInteger, and_, any_, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.auth.models import User
from api.cursor import from_token, to_token
from api.errors import Invalid, field_error, field_errors
from api.visits.changes import PG_SNAPSHOT, Snapshot, begin_read, begin_snapshot, parse_snapshot
from api.visits.schemas import ConflictItem, Rejected, SyncRequest, SyncResponse, VisitWrite
from api.visits.service import visits_for_reader
from api.visits.writes import VISIT, write_visits

PULL_MAX = 500


@dataclass(frozen=True)
class Cursor:
    """Where a phone is: the snapshot its last complete pull saw, and while paging through a long pull,
    the snapshot of that pull's first page and the last visit sent."""

    seen: Snapshot | None = None  # None: the phone has nothing yet
    paging_from: Snapshot | None = None
    after: tuple[int, uuid.UUID] | None = None


def _snap_text(s: Snapshot | None) -> str:
    return "" if s is None else f"{s.xmax}:{','.join(map(str, s.in_progress))}"


def _snap_parse(text: str) -> Snapshot | None:
    if not text:
        return None
    xmax, _, xip = text.partition(":")
    return Snapshot(int(xmax), tuple(int(x) for x in xip.split(",") if x))


def encode_cursor(cursor: Cursor) -> str:
    after = f"{cursor.after[0]}:{cursor.after[1]}" if cursor.after else ""
    raw = f"v2|{_snap_text(cursor.seen)}|{_snap_text(cursor.paging_from)}|{after}"
    return to_token(raw)


def decode_cursor(value: str) -> Cursor:
    try:
        tag, seen, paging_from, after = from_token(value).split("|")
        if tag != "v2":
            raise ValueError(tag)
        stamp, _, last_id = after.partition(":")
        return Cursor(_snap_parse(seen), _snap_parse(paging_from),
                      (int(stamp), uuid.UUID(last_id)) if after else None)
    except ValueError:
        raise Invalid([field_error("cursor", "not a cursor this server issued; pull again with null")]) from None


def _push(session: Session, user: User, raws: list[dict[str, Any]], result: SyncResponse) -> None:
    writes = []
    for raw in raws:
        raw_id = raw.get("id")
        try:
            data = VisitWrite.model_validate(raw)
        except ValidationError as exc:
            result.rejected.append(Rejected(id=str(raw_id) if raw_id is not None else None,
                                            errors=field_errors(exc.errors())))
            continue
        if data.id is None:
            result.rejected.append(Rejected(id=None, errors=[field_error("id", "Field required", "missing")]))
            continue
        writes.append(data)
    if not writes:
        return
    try:
        outcome = write_visits(session=session, author=user, writes=writes)
        session.commit()
    except IntegrityError:
        # A concurrent request created one of these ids first: judge the batch again against it.
        session.rollback()
        outcome = write_visits(session=session, author=user, writes=writes)
        session.commit()
    result.accepted.extend(outcome.accepted)
    for visit_id, errors in outcome.rejected.items():
        result.rejected.append(Rejected(id=str(visit_id), errors=errors))
    for visit_id in outcome.forbidden:
        result.rejected.append(Rejected(id=str(visit_id), errors=[
            field_error("id", "this visit belongs to someone else")]))
    if outcome.conflicts:
        rows = session.execute(select(VISIT).where(VISIT.c.id.in_(outcome.conflicts))).all()
        result.conflicts.extend(ConflictItem(id=v.id, server=v) for v in visits_for_reader(session, rows, user))


# PostgreSQL: one prepared statement whatever the cursor (same text each time, so it is planned once per
# connection); each row also carries the snapshot its transaction reads in, which saves a query.
UNSEEN_POSTGRESQL = select(VISIT, PG_SNAPSHOT).where(
    VISIT.c.author_id == bindparam("author_id"),
    or_(VISIT.c.txid >= bindparam("xmax"), VISIT.c.txid == any_(bindparam("xip", type_=ARRAY(BigInteger)))),
    or_(VISIT.c.txid > bindparam("after_txid"),
        and_(VISIT.c.txid == bindparam("after_txid"), VISIT.c.id > bindparam("after_id"))),
).order_by(VISIT.c.txid, VISIT.c.id).limit(bindparam("limit"))


def _unseen(session: Session, user: User, cursor: Cursor) -> tuple[list, Snapshot]:
    """Up to PULL_MAX + 1 of the user's visits the phone has not seen, in (txid, id) order, read in a new
    transaction, and that transaction's snapshot."""
    if session.get_bind().dialect.name == "postgresql":
        begin_read(session)
        seen = cursor.seen or Snapshot(0)
        after_txid, after_id = cursor.after or (-1, uuid.UUID(int=0))
        rows = session.execute(UNSEEN_POSTGRESQL, {
            "author_id": user.id, "xmax": seen.xmax, "xip": list(seen.in_progress), "after_txid": after_txid,
            "after_id": after_id, "limit": PULL_MAX + 1}).all()
        # The first statement fixed the snapshot: asking again in the same transaction gives the same one.
        text_form = rows[0].snapshot if rows else session.execute(select(PG_SNAPSHOT)).scalar_one()
        return rows, parse_snapshot(text_form)
    snapshot = begin_snapshot(session, user.id)
    stmt = select(VISIT).where(VISIT.c.author_id == user.id)
    if cursor.seen is not None:
        stmt = stmt.where(cursor.seen.unseen(VISIT.c.txid))
    if cursor.after is not None:
        stamp, last_id = cursor.after
        stmt = stmt.where(or_(VISIT.c.txid > stamp, and_(VISIT.c.txid == stamp, VISIT.c.id > last_id)))
    return session.execute(stmt.order_by(VISIT.c.txid, VISIT.c.id).limit(PULL_MAX + 1)).all(), snapshot


def sync(*, session: Session, user: User, request: SyncRequest) -> SyncResponse:
    cursor = decode_cursor(request.cursor) if request.cursor else Cursor()
    result = SyncResponse(accepted=[], rejected=[], conflicts=[], changes=[], cursor="")
    _push(session, user, request.visits, result)

    rows, snapshot = _unseen(session, user, cursor)
    result.more = len(rows) > PULL_MAX
    rows = rows[:PULL_MAX]
    result.changes = visits_for_reader(session, rows, user)
    # Paging: later pages may see writes made meanwhile; the next pull after the last page starts from the
    # first page's snapshot, so such writes can come twice (phones upsert) but never go missing.
    first = cursor.paging_from or snapshot
    if result.more:
        result.cursor = encode_cursor(Cursor(cursor.seen, first, (rows[-1].txid, rows[-1].id)))
    else:
        result.cursor = encode_cursor(Cursor(first))
    session.rollback()  # end the read transaction
    return result
