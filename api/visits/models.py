"""A visit: one shift, listened call or journey walkthrough, with its pain points and bright spots."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.kinds import VisitKind
from api.core.types import UTCDateTime

NOTES_MAX = 10_000
PAIN_POINTS_MAX = 100
BRIGHT_SPOTS_MAX = 100
# The time rules every visit write keeps (the phone checks the same before Finish):
MAX_AHEAD = timedelta(days=1)  # a visit may start at most a day ahead of the server's clock (time zones, skew)
MAX_LENGTH = timedelta(hours=24)  # and last at most 24 hours


class VisitBase(SQLModel):
    kind: VisitKind = Field(sa_type=String(24))
    site_id: uuid.UUID | None = None
    started_at: datetime
    ended_at: datetime | None = None
    incognito: bool = False
    notes: str = Field(default="", max_length=NOTES_MAX)
    private_notes: str = Field(default="", max_length=NOTES_MAX, description="Visible to the author only")
    details: dict[str, Any] = Field(default_factory=dict)


class Visit(VisitBase, table=True):
    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_author_txid", "author_id", "txid"),
        Index("ix_visit_author_started", "author_id", "started_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(max_length=24)  # a VisitKind; plain str because rows come back as str
    author_id: uuid.UUID = Field(foreign_key="user.id")
    site_id: uuid.UUID | None = Field(default=None, foreign_key="site.id", ondelete="SET NULL")
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    txid: int = Field(default=0, sa_type=BigInteger, description="Change stamp for sync (see changes.py)")
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notes: str = Field(default="", sa_type=Text)
    private_notes: str = Field(default="", sa_type=Text)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = 1
    content_hash: str = Field(max_length=64, description="Hash of the last write, to recognise replays")
    source: str = Field(default="app", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
