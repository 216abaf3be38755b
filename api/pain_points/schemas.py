"""What other features send and receive of a pain point: inside a visit (write and public) and as a reference
(the tables are in models.py; the review API's bodies are in api/review/schemas.py)."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from api.pain_points.models import FeltBy, PainPointBase, Status
from api.validation import no_nul


class Ref(BaseModel):
    id: uuid.UUID
    name: str

class ThemeRef(BaseModel):
    id: uuid.UUID
    label: str

class PainPointWrite(PainPointBase):
    """A pain point as the phone sends it inside a visit."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID

    _no_nul = field_validator("text", "quote")(no_nul)

    @field_validator("text", mode="before")
    @classmethod
    def _not_blank(cls, value):
        # The same words the phone says before Finish (mobile_pwa/js/views/visit-parts.js).
        if isinstance(value, str) and not value.strip():
            raise PydanticCustomError("value_error", "Say what went wrong: a quote alone is not enough.")
        return value

class PainPointPublic(BaseModel):
    """Plain pydantic, not SQLModel: built hundreds of times per sync response, it must be cheap."""

    id: uuid.UUID
    text: str
    severity: int
    felt_by: FeltBy
    department_id: uuid.UUID | None
    journey_step: int | None
    quote: str | None
    value_id: uuid.UUID | None = None
    status: Status
    theme_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
