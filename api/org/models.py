"""Where visits happen (sites) and who owns a problem (departments)."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, field_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.db import UTCDateTime, new_id, utcnow
from api.validation import no_nul


class SiteKind(StrEnum):
    store = "store"
    branch = "branch"
    contact_centre = "contact_centre"
    warehouse = "warehouse"
    online = "online"
    office = "office"
    other = "other"


class SiteBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    kind: SiteKind = Field(default=SiteKind.store, sa_type=String(20))
    region: str | None = Field(default=None, max_length=120)


class Site(SiteBase, table=True):
    __tablename__ = "site"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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


class DepartmentBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)


class Department(DepartmentBase, table=True):
    __tablename__ = "department"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
