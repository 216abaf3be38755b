"""Sign-in, token checks and logout. The sign-in rate limit is in api/auth/throttle.py."""

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from api.auth import throttle
from api.auth.models import EMAIL_MAX_LENGTH, AuthToken, User
from api.auth.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from api.auth.security import new_token, token_digest, verify_password
from api.config import get_settings
from api.core.clock import utcnow
from api.errors import Invalid, Unauthorized, field_error
from api.validation import has_nul

TOUCH_EVERY = timedelta(minutes=5)


def sign_in(*, session: Session, email: str, password: str, client_ip: str) -> tuple[str, AuthToken, User]:
    email = email.strip().lower()
    if has_nul(email):  # no account's e-mail holds one, and PostgreSQL text cannot
        raise Invalid([field_error("username", "must not contain NUL characters")])
    attempt = throttle.begin(session=session, email=email, client_ip=client_ip)  # 429 while a delay runs
    user = None
    # Input no account can have is refused without an argon2 round, and still counted.
    if len(email) <= EMAIL_MAX_LENGTH and len(password) <= PASSWORD_MAX_LENGTH:
        user = session.exec(select(User).where(User.email == email)).first()
        session.commit()  # end the read before the slow hash: a SQLite transaction holds the write lock
        right = verify_password(user.password_hash if user else None, password)
    else:
        right = False
    if not right or user is None or not user.is_active:
        throttle.failed(session=session, attempt=attempt)
        raise Unauthorized("Incorrect email or password", headers={"WWW-Authenticate": "Bearer"})
    throttle.succeeded(session=session, attempt=attempt)
    token, row = issue_token(session=session, user=user)
    session.commit()
    return token, row, user


def issue_token(*, session: Session, user: User) -> tuple[str, AuthToken]:
    """A new bearer token for `user` (sign-in, an accepted invitation, a password reset); the caller commits."""
    token = new_token()
    row = AuthToken(
        user_id=user.id,
        token_hash=token_digest(token),
        expires_at=utcnow() + timedelta(days=get_settings().token_days),
    )
    session.add(row)
    return token, row


def user_for_token(*, session: Session, token: str) -> User:
    now = utcnow()
    found = session.exec(
        select(AuthToken, User).join(User).where(AuthToken.token_hash == token_digest(token))
    ).first()
    if found is None:
        raise Unauthorized("Invalid token", headers={"WWW-Authenticate": "Bearer"})
    row, user = found
    if row.revoked_at is not None:
        raise Unauthorized("Token revoked; sign in again", headers={"WWW-Authenticate": "Bearer"})
    if row.expires_at <= now:
        raise Unauthorized("Token expired; sign in again", headers={"WWW-Authenticate": "Bearer"})
    if not user.is_active:
        raise Unauthorized("Account disabled", headers={"WWW-Authenticate": "Bearer"})
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        session.exec(update(AuthToken).where(AuthToken.id == row.id).values(last_used_at=now))
        session.commit()
    return user


def revoke_token(*, session: Session, token: str) -> None:
    session.exec(
        update(AuthToken)
        .where(AuthToken.token_hash == token_digest(token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()


def revoke_all_tokens(*, session: Session, user: User, keep_token: str | None = None) -> int:
    """Sign a user out everywhere (optionally except the caller's own token)."""
    stmt = update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
    if keep_token:
        stmt = stmt.where(AuthToken.token_hash != token_digest(keep_token))
    result = session.exec(stmt.values(revoked_at=utcnow()))
    session.commit()
    return result.rowcount

