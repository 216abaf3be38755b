"""A photo or voice note on a pain point: the row says what is stored where; the bytes live in storage."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Uuid
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.types import UTCDateTime


class Media(SQLModel, table=True):
    __tablename__ = "media"
    __table_args__ = (Index("ix_media_pain_point", "pain_point_id", "created_at"),)

    id: uuid.UUID = Field(primary_key=True, description="Client-made, so that a retried upload is the same one")
    # Kept exactly as long as the pain point's row (and removed with it when its visit is deleted, see
    # api/visits/service.py); the stored files go after the commit that removes the row.
    pain_point_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("pain_point.id", ondelete="CASCADE"), nullable=False)
    )
    author_id: uuid.UUID = Field(foreign_key="user.id")
    content_type: str = Field(max_length=32)
    bytes: int = Field(description="Size of the stored file (images: re-encoded without metadata)")
    sha256: str = Field(max_length=64, description="Of the stored file")
    upload_sha256: str = Field(max_length=64, description="Of the bytes sent: the same bytes again change nothing")
    width: int | None = None
    height: int | None = None
    duration_s: float | None = Field(default=None, description="When the audio container says it cheaply")
    key: str = Field(max_length=300, description="Storage key of the file")
    thumb_key: str | None = Field(default=None, max_length=300, description="Storage key of an image's thumbnail")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


MEDIA = Media.__table__  # for Core reads; only api/media/store.py writes it
