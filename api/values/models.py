"""The company's values: what customers should feel from everyone's work (admins keep the list)."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime


class CompanyValueBase(SQLModel):
    name: str = Field(min_length=1, max_length=80)
    meaning: str = Field(default="", max_length=300, description="One line: what living this value looks like")


class CompanyValue(CompanyValueBase, table=True):
    __tablename__ = "company_value"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    meaning: str = Field(default="", max_length=300)
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
