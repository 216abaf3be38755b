"""Organisation settings that admins change at run time (environment settings live in api/config.py)."""

import uuid
from datetime import datetime

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel

from api.core.types import UTCDateTime

DEFAULT_FIELD_HOURS_TARGET = 16.0
DEFAULT_PULSE_MIN_RESPONSES = 3


class OrgSettingsBase(SQLModel):
    field_hours_target: float = Field(
        default=DEFAULT_FIELD_HOURS_TARGET,
        ge=0,
        le=744,
        description="Target hours in the field per executive per month (the dashboard compares against it)",
    )
    executives_see_feed: bool = Field(
        default=False,
        description="Executives may read the whole pain-point feed, not only their own pain points",
    )
    pulse_min_responses: int = Field(
        default=DEFAULT_PULSE_MIN_RESPONSES,
        ge=1,
        le=1000,
        description="Pulse results for a month show scores and answers only when at least this many executives "
        "answered that month (below it, counts only), so no one's answers can be told apart",
    )
    executives_see_all_kpis: bool = Field(
        default=False,
        description="Executives may read every department's KPI values, not only their own departments' and the "
        "organisation-wide or site-wide ones",
    )
    time_zone: str = Field(
        default="UTC",
        max_length=64,
        description="The organisation's IANA time zone (e.g. Europe/London): the weekly digest goes out on Monday "
        "08:00 there",
    )


class OrgSetting(OrgSettingsBase, table=True):
    """A single row (id 1); absent until an admin first saves, and then the defaults apply."""

    __tablename__ = "org_setting"

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True, autoincrement=False))
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
