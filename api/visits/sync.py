"""The phone's batch push and pull: POST /api/sync."""

import base64
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.db import utcnow
from api.errors import AppError, Conflict, Invalid, field_errors
from api.users.models import User
from api.visits.models import Visit, VisitPublic, VisitWrite
from api.visits.service import apply_visit_write, publish

BATCH_MAX = 200
PULL_MAX = 500
# A write stamped just before a pull but committed just after it must not be missed:
# each pull re-reads this much before its cursor (phones upsert, so repeats are harmless).
CURSOR_OVERLAP = timedelta(seconds=5)


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


def encode_cursor(moment: datetime, after_id: uuid.UUID | None = None) -> str:
    """A caught-up cursor is a moment; a mid-pagination one also names the last visit sent."""
    text = f"{moment.isoformat()}|{after_id or ''}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID | None]:
    try:
        stamp, _, after = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = datetime.fromisoformat(stamp)
        after_id = uuid.UUID(after) if after else None
    except (ValueError, UnicodeDecodeError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid([{"loc": ["cursor"], "msg": "not a cursor this server issued", "type": "value_error"}])
    return moment, after_id


def _push_one(session: Session, user: User, raw: dict[str, Any], result: SyncResponse) -> None:
    raw_id = raw.get("id")
    try:
        data = VisitWrite.model_validate(raw)
    except ValidationError as exc:
        result.rejected.append(Rejected(id=str(raw_id) if raw_id is not None else None,
                                        errors=field_errors(exc.errors())))
        return
    if data.id is None:
        result.rejected.append(Rejected(id=None, errors=[{"loc": ["id"], "msg": "Field required",
                                                          "type": "missing"}]))
        return
    savepoint = session.begin_nested()
    try:
        apply_visit_write(session=session, author=user, visit_id=data.id, data=data)
        savepoint.commit()
        result.accepted.append(data.id)
    except Conflict as exc:
        savepoint.rollback()
        result.conflicts.append(ConflictItem(id=data.id, server=exc.extra["server"]))
    except Invalid as exc:
        savepoint.rollback()
        result.rejected.append(Rejected(id=str(data.id), errors=exc.detail))
    except (AppError, IntegrityError) as exc:
        savepoint.rollback()
        message = exc.detail if isinstance(exc, AppError) else "conflicts with another write; retry"
        result.rejected.append(Rejected(id=str(data.id), errors=[{"loc": [], "msg": str(message),
                                                                   "type": "value_error"}]))


def sync(*, session: Session, user: User, request: SyncRequest) -> SyncResponse:
    since = decode_cursor(request.cursor) if request.cursor else None
    result = SyncResponse(accepted=[], rejected=[], conflicts=[], changes=[], cursor="")
    for raw in request.visits:
        _push_one(session, user, raw, result)
    session.commit()

    pulled_at = utcnow()
    stmt = select(Visit).where(Visit.author_id == user.id)
    if since is not None:
        moment, after_id = since
        if after_id is None:
            stmt = stmt.where(Visit.updated_at > moment - CURSOR_OVERLAP)
        else:
            stmt = stmt.where(
                or_(Visit.updated_at > moment, and_(Visit.updated_at == moment, Visit.id > after_id))
            )
    visits = list(session.exec(stmt.order_by(Visit.updated_at, Visit.id).limit(PULL_MAX + 1)).all())
    result.more = len(visits) > PULL_MAX
    visits = visits[:PULL_MAX]
    result.changes = publish(session, visits, user)
    last = visits[-1] if visits else None
    result.cursor = encode_cursor(last.updated_at, last.id) if result.more else encode_cursor(pulled_at)
    return result
