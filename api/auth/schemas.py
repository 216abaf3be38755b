"""Request and response bodies of sign-in, the caller's own account and the users admin API (the tables
are in models.py)."""

import uuid
from datetime import datetime

from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from api.auth.models import EMAIL_MAX_LENGTH, Role, normalise_email
from api.auth.passwords import MAX_LENGTH, SCHEMA, strong_password
from api.validation import no_nul


class UserPublic(SQLModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    is_active: bool = True
    department_ids: list[uuid.UUID] = []


class TokenResponse(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    user: UserPublic


class PasswordChange(SQLModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=MAX_LENGTH)
    new_password: str = Field(schema_extra={"json_schema_extra": SCHEMA})

    _strong = strong_password("new_password")


class PersonCreate(SQLModel):
    """Who a new person is: shared by an admin's direct creation and an invitation."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    display_name: str = Field(min_length=1, max_length=120)
    role: Role
    department_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)

    _no_nul = field_validator("display_name", "email")(no_nul)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class UserCreate(PersonCreate):
    password: str = Field(schema_extra={"json_schema_extra": SCHEMA})

    _strong = strong_password("password", "email", "display_name")


class InvitationCreate(PersonCreate):
    """The person sets their own password from the link."""


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
    password: str = _optional(SCHEMA)
    department_ids: list[uuid.UUID] = _optional(max_length=100)

    _no_nul = field_validator("display_name")(no_nul)

    @field_validator("display_name", "role", "is_active", "password", "department_ids", mode="before")
    @classmethod
    def _not_null(cls, value, info: ValidationInfo):
        if value is None:
            raise PydanticCustomError(
                "null_not_allowed", "{field} cannot be null: leave it out to keep the current value",
                {"field": info.field_name})
        return value

    _strong = strong_password("password", "display_name")


class InvitationPublic(SQLModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    department_ids: list[uuid.UUID]
    created_at: datetime
    expires_at: datetime
    link: str | None = Field(
        default=None, description="The one-time link, shown only when no SMTP server is configured: hand it over")


class LinkUse(SQLModel):
    """An invitation accepted or a password reset confirmed: the token from the link and the new password."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    password: str = Field(schema_extra={"json_schema_extra": SCHEMA})

    _strong = strong_password("password")


class PasswordResetRequest(SQLModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=EMAIL_MAX_LENGTH)

    _no_nul = field_validator("email")(no_nul)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)
