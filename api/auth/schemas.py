"""The auth API's request and response bodies (the tables are in models.py)."""

from datetime import datetime

from pydantic import ConfigDict, Field, field_validator
from sqlmodel import SQLModel

from api.auth.passwords import MAX_LENGTH, SCHEMA, check_password
from api.users.models import UserPublic


class TokenResponse(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    user: UserPublic


class PasswordChange(SQLModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=MAX_LENGTH)
    new_password: str = Field(json_schema_extra=SCHEMA)

    @field_validator("new_password")
    @classmethod
    def _strong(cls, value: str) -> str:
        return check_password(value)
