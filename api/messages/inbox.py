"""The in-app inbox and each person's choices (which kinds reach them on which channel)."""

import hmac
import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from api.auth.models import User
from api.core.clock import utcnow
from api.cursor import from_token, to_token
from api.errors import Forbidden, Invalid, field_error
from api.messages.mail import unsubscribe_token
from api.messages.models import Channel, Kind, Notification, NotificationSetting


def page(*, session: Session, user: User, cursor: str | None, limit: int) -> tuple[list[Notification], int, str | None]:
    """Newest first; returns the page, the unread count and the next page's cursor."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if cursor:
        try:
            at, _, last = from_token(cursor).partition("|")
            at_time, last_id = datetime.fromisoformat(at), uuid.UUID(last)
        except ValueError:
            raise Invalid([field_error(["query", "cursor"], "not a cursor this list gave out")]) from None
        stmt = stmt.where(or_(Notification.created_at < at_time,
                              and_(Notification.created_at == at_time, Notification.id < last_id)))
    rows = list(session.execute(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .limit(limit + 1)).scalars())
    unread = session.execute(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()
    session.rollback()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = to_token(f"{rows[-1].created_at.isoformat()}|{rows[-1].id}")
    return rows, unread, next_cursor


def mark_read(*, session: Session, user: User, ids: list[uuid.UUID] | None, everything: bool) -> int:
    """Mark the caller's own messages read (others' ids are ignored); returns the unread count left."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if not everything:
        stmt = stmt.where(Notification.id.in_(ids or []))
    session.execute(stmt.values(read_at=utcnow()))
    session.commit()
    return session.execute(select(func.count()).select_from(Notification)
                           .where(Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def choices(*, session: Session, user: User) -> dict[str, dict[str, bool]]:
    out = {kind.value: {channel.value: True for channel in Channel} for kind in Kind}
    for row in session.execute(select(NotificationSetting).where(NotificationSetting.user_id == user.id)).scalars():
        if row.kind in out and row.channel in out[row.kind]:
            out[row.kind][row.channel] = row.enabled
    session.rollback()
    return out


def _upsert(session: Session, user_id: uuid.UUID, kind: str, channel: str, enabled: bool) -> None:
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert_(NotificationSetting.__table__).values(user_id=user_id, kind=kind, channel=channel, enabled=enabled)
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "kind", "channel"],
                                               set_={"enabled": enabled}))


def change_choices(*, session: Session, user: User, changes: dict[str, dict[str, bool]]) -> dict:
    for kind, channels in changes.items():
        for channel, enabled in channels.items():
            _upsert(session, user.id, kind, channel, enabled)
    session.commit()
    return choices(session=session, user=user)


def unsubscribe(*, session: Session, user_id: uuid.UUID, kind: str, token: str) -> None:
    """The one-click unsubscribe of an e-mail's List-Unsubscribe header: e-mails of that kind stop."""
    if kind not in {k.value for k in Kind} or not hmac.compare_digest(token, unsubscribe_token(user_id, kind)):
        raise Forbidden("This unsubscribe link is not valid")
    if session.get(User, user_id) is None:
        raise Forbidden("This unsubscribe link is not valid")
    _upsert(session, user_id, kind, Channel.email, False)
    session.commit()
