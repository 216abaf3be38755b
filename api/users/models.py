import re
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, field_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.db import UTCDateTime, new_id, utcnow
from api.validation import no_nul

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(value: str) -> str:
    """Emails are unique case-insensitively, so they are stored lower-case."""
    value = value.strip().lower()
    if not EMAIL_RE.match(value):
        raise ValueError("not a valid email address")
    return value


class Role(StrEnum):
    executive = "executive"
    manager = "manager"
    admin = "admin"


class UserBase(SQLModel):
    email: str = Field(max_length=254, description="Stored lower-case; unique")
    display_name: str = Field(max_length=120)
    role: Role = Field(sa_type=String(16))


class User(UserBase, table=True):
    __tablename__ = "user"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserPublic(SQLModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    is_active: bool = True


class UserCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    display_name: str = Field(min_length=1, max_length=120)
    role: Role
    password: str = Field(min_length=10, max_length=256)

    _no_nul = field_validator("display_name", "email")(no_nul)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class UserUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=256)

    _no_nul = field_validator("display_name")(no_nul)
