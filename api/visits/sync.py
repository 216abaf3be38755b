"""The phone's batch push and pull: POST /api/sync."""

import base64
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.errors import Invalid, field_errors
from api.users.models import User
from api.visits.changes import safe_cursor
from api.visits.models import VisitPublic, VisitWrite
from api.visits.service import publish
from api.visits.writes import VISIT, write_visits

BATCH_MAX = 200
PULL_MAX = 500


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visits: list[dict[str, Any]] = Field(
        default_factory=list, max_length=BATCH_MAX,
        description="Visit writes (see VisitWrite), each with its `id`; each is judged on its own",
    )
    cursor: str | None = Field(default=None, max_length=100, description="From the previous response; null = all")


class Rejected(BaseModel):
    id: str | None
    errors: list[dict[str, Any]]


class ConflictItem(BaseModel):
    id: uuid.UUID
    server: VisitPublic


class SyncResponse(BaseModel):
    accepted: list[uuid.UUID]
    rejected: list[Rejected]
    conflicts: list[ConflictItem]
    changes: list[VisitPublic]
    cursor: str
    more: bool = Field(False, description="True when more changes wait: call again with the new cursor")


def encode_cursor(stamp: int, after_id: uuid.UUID | None = None) -> str:
    """Caught up: the stamp from which changes are new. Mid-pagination: also the last visit sent."""
    return base64.urlsafe_b64encode(f"v1|{stamp}|{after_id or ''}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, uuid.UUID | None]:
    try:
        tag, stamp, after = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        if tag != "v1":
            raise ValueError(tag)
        return int(stamp), (uuid.UUID(after) if after else None)
    except (ValueError, UnicodeDecodeError):
        raise Invalid([{"loc": ["cursor"], "msg": "not a cursor this server issued", "type": "value_error"}]) from None


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
            result.rejected.append(Rejected(id=None, errors=[{"loc": ["id"], "msg": "Field required",
                                                              "type": "missing"}]))
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
            {"loc": ["id"], "msg": "this visit belongs to someone else", "type": "value_error"}]))
    if outcome.conflicts:
        rows = session.execute(select(VISIT).where(VISIT.c.id.in_(outcome.conflicts))).all()
        result.conflicts.extend(ConflictItem(id=v.id, server=v) for v in publish(session, rows, user))


def sync(*, session: Session, user: User, request: SyncRequest) -> SyncResponse:
    since = decode_cursor(request.cursor) if request.cursor else (0, None)
    result = SyncResponse(accepted=[], rejected=[], conflicts=[], changes=[], cursor="")
    _push(session, user, request.visits, result)

    stamp, after_id = since
    safe = safe_cursor(session, user.id)
    stmt = select(VISIT).where(VISIT.c.author_id == user.id)
    if after_id is None:
        stmt = stmt.where(VISIT.c.txid >= stamp)
    else:
        stmt = stmt.where(or_(VISIT.c.txid > stamp, and_(VISIT.c.txid == stamp, VISIT.c.id > after_id)))
    rows = session.execute(stmt.order_by(VISIT.c.txid, VISIT.c.id).limit(PULL_MAX + 1)).all()
    result.more = len(rows) > PULL_MAX
    rows = rows[:PULL_MAX]
    result.changes = publish(session, rows, user)
    result.cursor = encode_cursor(rows[-1].txid, rows[-1].id) if result.more else encode_cursor(safe)
    session.rollback()  # end the read transaction
    return result
