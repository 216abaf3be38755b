"""Where visits happen (sites) and who owns a problem (departments)."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime


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


class DepartmentBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)


class Department(DepartmentBase, table=True):
    __tablename__ = "department"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
