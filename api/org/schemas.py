"""The sites and departments API's request and response bodies (the tables are in models.py)."""

import uuid

from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from api.org.models import DepartmentBase, SiteBase, SiteKind
from api.validation import no_nul


class SiteCreate(SiteBase):
    model_config = ConfigDict(extra="forbid")

    _no_nul = field_validator("name", "region")(no_nul)


class SiteUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    kind: SiteKind | None = None
    region: str | None = Field(default=None, max_length=120)
    is_active: bool | None = None

    _no_nul = field_validator("name", "region")(no_nul)


class SitePublic(SiteBase):
    id: uuid.UUID
    is_active: bool


class DepartmentCreate(DepartmentBase):
    model_config = ConfigDict(extra="forbid")

    _no_nul = field_validator("name")(no_nul)


class DepartmentUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    is_active: bool | None = None

    _no_nul = field_validator("name")(no_nul)


class DepartmentPublic(DepartmentBase):
    id: uuid.UUID
    is_active: bool
