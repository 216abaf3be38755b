"""A bright spot: what went well on a visit, which department, and who to recognise; written inside a visit."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Text, Uuid
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.types import UTCDateTime
from api.validation import NAME_MAX, TEXT_MAX


class BrightSpotBase(SQLModel):
    text: str = Field(min_length=1, max_length=TEXT_MAX,
                      schema_extra={"examples": ["The greeter walked a lost customer to the right aisle"]})
    department_id: uuid.UUID | None = Field(default=None, description="The department that did well, if known")
    recognise: str | None = Field(
        default=None, max_length=NAME_MAX,
        description="Who to recognise, by name (optional). Shown to the author, managers and admins only",
    )
    value_id: uuid.UUID | None = Field(default=None, description="The company value it lives (GET /api/values)")


class BrightSpot(BrightSpotBase, table=True):
    __tablename__ = "bright_spot"
    __table_args__ = (
        Index("ix_bright_spot_feed", "occurred_at", "id"),
        Index("ix_bright_spot_visit_id", "visit_id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("visit.id", ondelete="CASCADE"), nullable=False))
    text: str = Field(sa_type=Text)
    recognise: str | None = Field(default=None, max_length=NAME_MAX)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id", ondelete="SET NULL",
                                            index=True)
    # Values are archived, never deleted (as on pain_point).
    value_id: uuid.UUID | None = Field(default=None, foreign_key="company_value.id", index=True)
    position: int = Field(default=0, description="Order within the visit")
    # Copied from the visit so the feed filters and sorts without a join.
    author_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    site_id: uuid.UUID | None = Field(default=None, foreign_key="site.id", ondelete="SET NULL", index=True)
    visit_kind: str = Field(max_length=24)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


BRIGHT = BrightSpot.__table__  # for Core reads; only api/bright_spots/store.py writes it
