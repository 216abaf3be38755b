"""One-time links: invitations (7 days) and password resets (1 hour).

A link's token is the row id and an HMAC of it keyed with the secret key, so the database holds no token
(a copy of it cannot sign anyone in) and the e-mail worker can write the link again from the row id. Single
use is the row's accepted_at / used_at; a reset signs the user out everywhere else.
"""

import base64
import hashlib
import hmac
import uuid
from datetime import timedelta

from sqlalchemy import Uuid, column, table, update
from sqlmodel import Session, select

from api.auth import throttle
from api.auth.models import AuthToken, Invitation, PasswordReset, Role, User, UserDepartment, normalise_email
from api.auth.passwords import password_problem
from api.auth.security import hash_password
from api.auth.service import issue_token, revoke_all_tokens
from api.config import get_settings
from api.core.clock import utcnow
from api.errors import Conflict, Invalid, NotFound, field_error
from api.events import outbox

INVITATION_DAYS = 7
RESET_HOURS = 1
HOUR = 3600
# Departments are the org feature's table, above this one; memberships only need to know an id exists.
_DEPARTMENT = table("department", column("id", Uuid))


def _mac(purpose: str, row_id: uuid.UUID) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"{purpose}:{row_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(purpose: str, row_id: uuid.UUID) -> str:
    return f"{row_id.hex}.{_mac(purpose, row_id)}"


def _read_token(purpose: str, token: str) -> uuid.UUID | None:
    row_hex, _, mac = token.partition(".")
    try:
        row_id = uuid.UUID(hex=row_hex)
    except ValueError:
        return None
    return row_id if hmac.compare_digest(mac, _mac(purpose, row_id)) else None


def link_for(purpose: str, row_id: uuid.UUID) -> str:
    """The address a person opens: the web app's screen for the link, with the token."""
    path = "accept-invitation" if purpose == "invitation" else "reset-password"
    return f"{get_settings().public_url.rstrip('/')}/#/{path}?token={make_token(purpose, row_id)}"


def check_departments(session: Session, ids: list[uuid.UUID]) -> None:
    wanted = set(ids)
    found = set(session.execute(select(_DEPARTMENT.c.id).where(_DEPARTMENT.c.id.in_(wanted))).scalars()) \
        if wanted else set()
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise Invalid([field_error("department_ids", f"no such department: {', '.join(missing)}")])


def set_departments(session: Session, user_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """Replace a user's memberships (checked first); the caller commits."""
    check_departments(session, ids)
    session.execute(UserDepartment.__table__.delete().where(UserDepartment.user_id == user_id))
    for department_id in dict.fromkeys(ids):
        session.add(UserDepartment(user_id=user_id, department_id=department_id))
    session.flush()


def _mail_limits(session: Session, scope: str, address: str, requester: str) -> None:
    settings = get_settings()
    throttle.spend(session=session, scope=scope, subject=f"address:{address}",
                   limit=settings.mail_per_address_hour, window_seconds=HOUR, what="e-mails to this address")
    throttle.spend(session=session, scope=scope, subject=f"requester:{requester}",
                   limit=settings.mail_per_requester_hour, window_seconds=HOUR, what="e-mails requested")


# Invitations


def invite(*, session: Session, admin: User, email: str, display_name: str, role: Role,
           department_ids: list[uuid.UUID]) -> Invitation:
    """Record the invitation and queue its e-mail (one transaction); earlier open invitations to the same
    address stop working."""
    if session.exec(select(User.id).where(User.email == email)).first():
        raise Conflict(f"A user with email {email} already exists")
    check_departments(session, department_ids)
    _mail_limits(session, "invite", email, str(admin.id))
    now = utcnow()
    session.execute(update(Invitation).where(Invitation.email == email, Invitation.accepted_at.is_(None),
                                             Invitation.revoked_at.is_(None)).values(revoked_at=now))
    row = Invitation(email=email, display_name=display_name, role=role,
                     department_ids=[str(i) for i in dict.fromkeys(department_ids)], invited_by_id=admin.id,
                     created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(row)
    session.flush()
    outbox.record(session, outbox.INVITATION, {"invitation_id": row.id}, actor_id=admin.id)
    session.commit()
    return row


def resend_invitation(*, session: Session, admin: User, invitation_id: uuid.UUID) -> Invitation:
    old = session.get(Invitation, invitation_id)
    if old is None or old.revoked_at is not None:
        raise NotFound("No such invitation")
    if old.accepted_at is not None:
        raise Conflict("This invitation was accepted already")
    return invite(session=session, admin=admin, email=old.email, display_name=old.display_name, role=old.role,
                  department_ids=[uuid.UUID(i) for i in old.department_ids])


def list_invitations(*, session: Session) -> list[Invitation]:
    return list(session.exec(select(Invitation).where(Invitation.accepted_at.is_(None),
                                                      Invitation.revoked_at.is_(None))
                             .order_by(Invitation.created_at.desc())).all())


def revoke_invitation(*, session: Session, invitation_id: uuid.UUID) -> None:
    row = session.get(Invitation, invitation_id)
    if row is None or row.revoked_at is not None or row.accepted_at is not None:
        raise NotFound("No such invitation")
    row.revoked_at = utcnow()
    session.add(row)
    session.commit()


def _bad_link(what: str) -> Invalid:
    return Invalid([field_error("token", f"This {what} link is invalid, used or expired: ask for a new one",
                                "link_invalid")])


def accept_invitation(*, session: Session, token: str, password: str) -> tuple[str, AuthToken, User]:
    """Create the invited user with this password and sign them in."""
    row_id = _read_token("invitation", token)
    row = session.get(Invitation, row_id, with_for_update=True) if row_id else None
    now = utcnow()
    if row is None or row.accepted_at or row.revoked_at or row.expires_at <= now:
        session.rollback()
        raise _bad_link("invitation")
    problem = password_problem(password, [row.email, row.display_name])
    if problem:
        session.rollback()
        raise Invalid([field_error("password", problem, "weak_password")])
    if session.exec(select(User.id).where(User.email == row.email)).first():
        session.rollback()
        raise Conflict(f"A user with email {row.email} already exists")
    user = User(email=row.email, display_name=row.display_name, role=row.role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    set_departments(session, user.id, [uuid.UUID(i) for i in row.department_ids])
    row.accepted_at, row.user_id = now, user.id
    session.add(row)
    token, auth_row = issue_token(session=session, user=user)
    session.commit()
    return token, auth_row, user


# Password reset


def request_reset(*, session: Session, email: str, client_ip: str) -> None:
    """Queue a reset e-mail if the address is an active account's. The answer is the same either way, and
    the limits count unknown addresses too."""
    email = normalise_email(email)
    _mail_limits(session, "reset", email, client_ip)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None and user.is_active:
        now = utcnow()
        row = PasswordReset(user_id=user.id, created_at=now, expires_at=now + timedelta(hours=RESET_HOURS))
        session.add(row)
        session.flush()
        outbox.record(session, outbox.PASSWORD_RESET, {"reset_id": row.id, "user_id": user.id})
    session.commit()


def confirm_reset(*, session: Session, token: str, password: str) -> tuple[str, AuthToken, User]:
    """Set the new password, spend every open reset link of the user, sign out every session, sign in."""
    row_id = _read_token("password_reset", token)
    row = session.get(PasswordReset, row_id, with_for_update=True) if row_id else None
    now = utcnow()
    user = session.get(User, row.user_id) if row else None
    if row is None or row.used_at or row.expires_at <= now or user is None or not user.is_active:
        session.rollback()
        raise _bad_link("password reset")
    problem = password_problem(password, [user.email, user.display_name])
    if problem:
        session.rollback()
        raise Invalid([field_error("password", problem, "weak_password")])
    user.password_hash, user.updated_at = hash_password(password), now
    session.add(user)
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    session.commit()
    revoke_all_tokens(session=session, user=user)
    token, auth_row = issue_token(session=session, user=user)
    session.commit()
    return token, auth_row, user
