"""The values API's request and response bodies (the table is in models.py)."""

import uuid

from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from api.validation import no_nul
from api.values.models import CompanyValueBase


class CompanyValueCreate(CompanyValueBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Own it", "meaning": "Whoever hears a problem sees it through"}]},
    )

    _no_nul = field_validator("name", "meaning")(no_nul)


class CompanyValueUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=80)
    meaning: str | None = Field(default=None, max_length=300)
    archived: bool | None = None

    _no_nul = field_validator("name", "meaning")(no_nul)


class CompanyValuePublic(CompanyValueBase):
    id: uuid.UUID
    archived: bool
