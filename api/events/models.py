"""The outbox table (one owner: api/events/outbox.py writes it, api/messages marks rows dispatched)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime

PENDING = "dispatched_at IS NULL"


class Event(SQLModel, table=True):
    """Something that happened. `data` holds ids, enums and numbers only, never free text: messages are
    written (and masked) when they are delivered. `key`, when set, makes the event happen once only
    (a pain point's overdue notice for one due date)."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_pending", "occurred_at", postgresql_where=text(PENDING), sqlite_where=text(PENDING)),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=40)
    subject_id: uuid.UUID | None = Field(default=None, description="The pain point or visit it is about")
    actor_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    key: str | None = Field(default=None, max_length=200, unique=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


EVENT_TABLE = Event.__table__
