"""Who may sign in, as what role, and their sessions: the user, token and sign-in throttle tables."""

import re
import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime

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


class AuthToken(SQLModel, table=True):
    """An opaque bearer token; only its keyed hash is stored."""

    __tablename__ = "auth_token"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for the operators' figures (GET /api/metrics). The rate limit itself counts
    in LoginThrottle. An e-mail too long to be an account's is stored cut short."""

    __tablename__ = "login_failure"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client_ip: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LoginThrottle(SQLModel, table=True):
    """The sign-in rate limit's counter for one account + client address pair, or for one client address.
    Each attempt locks its rows and counts itself before the password is checked, so concurrent attempts
    cannot overtake the limit (api/auth/throttle.py)."""

    __tablename__ = "login_throttle"

    key: str = Field(max_length=64, primary_key=True)  # sha256 of the scope, address and (for pairs) e-mail
    scope: str = Field(max_length=8)  # "pair" or "address"
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)  # forgotten after this


class UserDepartment(SQLModel, table=True):
    """A user's membership of a department (set by admins and in invitations): how "the owning department's
    managers" are found."""

    __tablename__ = "user_department"

    user_id: uuid.UUID = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    department_id: uuid.UUID = Field(foreign_key="department.id", primary_key=True, ondelete="CASCADE",
                                     index=True)


class Invitation(SQLModel, table=True):
    """An admin's invitation: the one-time link (api/auth/links.py) sets a password and creates the user."""

    __tablename__ = "invitation"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, index=True)
    display_name: str = Field(max_length=120)
    role: Role = Field(sa_type=String(16))
    department_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    invited_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class PasswordReset(SQLModel, table=True):
    """A password-reset link sent to a user (single use, short-lived)."""

    __tablename__ = "password_reset"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
