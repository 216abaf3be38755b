"""What other features send and receive of a bright spot (inside a visit), and the feed's bodies."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.bright_spots.models import BrightSpotBase
from api.pain_points.schemas import Ref
from api.validation import no_nul

FEED_LIMIT_MAX = 200


class BrightSpotWrite(BrightSpotBase):
    """A bright spot as the phone sends it inside a visit."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID

    _no_nul = field_validator("text", "recognise")(no_nul)

    @field_validator("text", mode="before")
    @classmethod
    def _not_blank(cls, value):
        if isinstance(value, str) and not value.strip():
            raise PydanticCustomError("value_error", "Say what went well.")
        return value

    @field_validator("recognise", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


class BrightSpotPublic(BaseModel):
    """Inside a visit. `recognise` is null for readers who may not see names (executives other than the author)."""

    id: uuid.UUID
    text: str
    department_id: uuid.UUID | None
    recognise: str | None
    value_id: uuid.UUID | None


class BrightSpotItem(BaseModel):
    """One bright spot in the managers' feed."""

    id: uuid.UUID
    visit_id: uuid.UUID
    text: str
    recognise: str | None
    visit_kind: str
    occurred_at: datetime
    site: Ref | None
    department: Ref | None
    value: Ref | None
    executive: Ref | None


class BrightSpotPage(BaseModel):
    items: list[BrightSpotItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
