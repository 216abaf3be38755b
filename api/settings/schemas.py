"""The settings API's request and response bodies (the table is in models.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from api.settings.models import OrgSettingsBase


class OrgSettingsPublic(OrgSettingsBase):
    updated_at: datetime | None = None


class OrgSettingsUpdate(SQLModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"field_hours_target": 12, "executives_see_feed": True}]},
    )

    field_hours_target: float | None = Field(default=None, ge=0, le=744)
    executives_see_feed: bool | None = None
    pulse_min_responses: int | None = Field(default=None, ge=1, le=1000)
    executives_see_all_kpis: bool | None = None
    time_zone: str | None = Field(default=None, max_length=64, description="An IANA time zone, e.g. Europe/London")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a known IANA time zone (e.g. Europe/London)") from None
        return value
