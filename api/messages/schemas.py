"""Request and response bodies of the inbox, notification settings and webhooks APIs."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, model_validator
from sqlmodel import Field, SQLModel

from api.messages.models import Kind, WebhookFormat


class NotificationPublic(SQLModel):
    id: uuid.UUID
    kind: Kind
    title: str
    body: str = Field(description="Masked text")
    link: str | None
    subject_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(SQLModel):
    items: list[NotificationPublic]
    unread: int
    next_cursor: str | None


class MarkRead(SQLModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"all": True}]})

    ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> "MarkRead":
        if not self.all and not self.ids:
            raise ValueError("send the ids to mark read, or all: true")
        return self


class UnreadCount(SQLModel):
    unread: int


class ChannelChoice(SQLModel):
    model_config = ConfigDict(extra="forbid")

    inbox: bool = True
    email: bool = True


class ChannelChange(SQLModel):
    model_config = ConfigDict(extra="forbid")

    inbox: bool | None = None
    email: bool | None = None


NotificationSettings = dict[Kind, ChannelChoice]
NotificationSettingsChange = dict[Kind, ChannelChange]


class WebhookCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=20)
    secret: str = Field(min_length=16, max_length=200, description="Signs every body (HMAC-SHA256)")
    format: WebhookFormat = WebhookFormat.undercover


class WebhookPublic(SQLModel):
    id: uuid.UUID
    url: str
    events: list[str]
    format: WebhookFormat
    created_at: datetime


class AttemptPublic(SQLModel):
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


class DeliveryPublic(SQLModel):
    id: uuid.UUID = Field(description="The X-Undercover-Delivery header: the same on every retry")
    channel: Literal["email", "webhook"]
    event: str
    status: Literal["pending", "sent", "failed", "skipped"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    log: list[AttemptPublic] = []
