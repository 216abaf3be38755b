import re
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.auth.passwords import SCHEMA as PASSWORD_SCHEMA
from api.auth.passwords import check_password
from api.db import UTCDateTime, new_id, utcnow
from api.validation import no_nul

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX_LENGTH = 254


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
    email: str = Field(max_length=EMAIL_MAX_LENGTH, description="Stored lower-case; unique")
    display_name: str = Field(max_length=120)
    role: Role = Field(sa_type=String(16))


class User(UserBase, table=True):
    __tablename__ = "user"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, unique=True, index=True)
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

    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    display_name: str = Field(min_length=1, max_length=120)
    role: Role
    password: str = Field(schema_extra={"json_schema_extra": PASSWORD_SCHEMA})

    _no_nul = field_validator("display_name", "email")(no_nul)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str, info: ValidationInfo) -> str:
        return check_password(value, [info.data.get("email"), info.data.get("display_name")])


def _optional(schema_extra: dict | None = None, **kwargs):
    """A field that may be left out (keeping the stored value) but is never null: the columns are NOT NULL.
    The schema shows the field's own type, without a null default."""

    def schema(field_schema: dict) -> None:
        field_schema.pop("default", None)
        field_schema.update(schema_extra or {})

    return Field(default=None, schema_extra={"json_schema_extra": schema}, **kwargs)


class UserUpdate(SQLModel):
    """Only the fields sent change; a field sent as null is refused (422), never stored."""

    model_config = ConfigDict(extra="forbid")

    display_name: str = _optional(min_length=1, max_length=120)
    role: Role = _optional()
    is_active: bool = _optional()
    password: str = _optional(PASSWORD_SCHEMA)

    _no_nul = field_validator("display_name")(no_nul)

    @field_validator("display_name", "role", "is_active", "password", mode="before")
    @classmethod
    def _not_null(cls, value, info: ValidationInfo):
        if value is None:
            raise PydanticCustomError(
                "null_not_allowed", "{field} cannot be null: leave it out to keep the current value",
                {"field": info.field_name})
        return value

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str, info: ValidationInfo) -> str:
        return check_password(value, [info.data.get("display_name")])
