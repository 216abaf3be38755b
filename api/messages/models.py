"""The messages tables: the inbox, people's choices, webhooks, deliveries and their log, digest runs.
Only api/messages writes them (api/messages/store.py and the services beside it)."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text, Uuid, text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime


class Kind(StrEnum):
    """What a message is about; people choose per kind and channel."""

    assigned = "assigned"              # a pain point assigned to you
    due_tomorrow = "due_tomorrow"      # a pain point assigned to you is due tomorrow
    overdue = "overdue"                # a pain point assigned to you is past its due date
    severity5 = "severity5"            # a severity-5 pain point logged for your department
    status_changed = "status_changed"  # your pain point's status changed
    resolved = "resolved"              # "you said, we did": your pain point was resolved
    commented = "commented"            # someone commented on your pain point
    digest = "digest"                  # the weekly digest (managers)
    field_reminder = "field_reminder"  # executives: not out in the field yet this month (on the 20th)
    pulse_reminder = "pulse_reminder"  # executives: this month's pulse is not answered yet (on the 20th)
    goal_updated = "goal_updated"      # a shared goal of your department was made, changed or changed status


class Channel(StrEnum):
    inbox = "inbox"
    email = "email"


class Notification(SQLModel, table=True):
    """One message in a person's inbox; the text is masked when written. One per event, person and kind."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(sa_type=String(20))
    event_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    link: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationSetting(SQLModel, table=True):
    """A person's choice for one kind on one channel; no row means the default (on)."""

    __tablename__ = "notification_setting"

    user_id: uuid.UUID = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(max_length=20, primary_key=True)
    channel: str = Field(max_length=10, primary_key=True)
    enabled: bool = True


class WebhookFormat(StrEnum):
    undercover = "undercover"
    slack = "slack"


class Webhook(SQLModel, table=True):
    __tablename__ = "webhook"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    secret: str = Field(max_length=200)
    format: str = Field(default=WebhookFormat.undercover, sa_type=String(12))
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryStatus(StrEnum):
    pending = "pending"   # waiting for its next attempt (or being sent: claimed_until in the future)
    sent = "sent"
    failed = "failed"     # gave up after the retry window, or its webhook was deleted
    skipped = "skipped"   # nothing to send any more (the person unsubscribed or was deactivated)


DUE = "status = 'pending'"


class Delivery(SQLModel, table=True):
    """One e-mail to one person or one webhook call for one event. Its id is the stable delivery id
    (X-Undercover-Delivery, the e-mail's Message-ID): the same on every retry."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_due", "next_attempt_at", postgresql_where=text(DUE), sqlite_where=text(DUE)),
        Index("ix_delivery_webhook", "webhook_id", "created_at"),
        Index("ix_delivery_order", "webhook_id", "subject_id", "occurred_at", postgresql_where=text(DUE),
              sqlite_where=text(DUE)),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    channel: str = Field(sa_type=String(10))
    event_id: uuid.UUID | None = None
    event_name: str = Field(max_length=40)
    kind: str | None = Field(default=None, max_length=20)
    user_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("user.id", ondelete="CASCADE"), nullable=True))
    webhook_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("webhook.id", ondelete="CASCADE"), nullable=True))
    subject_id: uuid.UUID | None = None
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default=DeliveryStatus.pending, sa_type=String(10))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """The delivery log: one line per attempt, with the answer's status code and time."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (Index("ix_delivery_attempt_delivery", "delivery_id", "started_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    delivery_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False))
    started_at: datetime = Field(sa_type=UTCDateTime)
    duration_ms: int = 0
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=500)


class DigestRun(SQLModel, table=True):
    """A digest sent for one week (Monday, in the organisation's time zone): never twice unless forced."""

    __tablename__ = "digest_run"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    key: str = Field(max_length=80, unique=True)  # the week, or the week and this run's id when forced
    week_start: date = Field(index=True)
    forced: bool = False
    recipients: int = 0
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
