"""Sign-in, token checks, logout and the login rate limit."""

import math
from datetime import timedelta

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from api.auth.models import AuthToken, LoginFailure
from api.auth.security import new_token, token_digest, verify_password
from api.config import get_settings
from api.db import utcnow
from api.errors import TooMany, Unauthorized
from api.users.models import User

TOUCH_EVERY = timedelta(minutes=5)


def _check_rate_limit(*, session: Session, email: str, client_ip: str) -> None:
    settings = get_settings()
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    recent = or_(LoginFailure.email == email, LoginFailure.client_ip == client_ip)
    rows = session.exec(
        select(LoginFailure.email, LoginFailure.client_ip, LoginFailure.created_at).where(
            recent, LoginFailure.created_at >= since
        )
    ).all()
    for key, match in (("account", lambda r: r[0] == email), ("address", lambda r: r[1] == client_ip)):
        hits = sorted(r[2] for r in rows if match(r))
        if len(hits) >= settings.login_max_failures:
            oldest = hits[-settings.login_max_failures]
            retry = oldest + timedelta(seconds=settings.login_window_seconds) - utcnow()
            seconds = max(1, math.ceil(retry.total_seconds()))
            raise TooMany(
                f"Too many failed sign-ins for this {key}; try again in {seconds} seconds",
                headers={"Retry-After": str(seconds)},
            )


def sign_in(*, session: Session, email: str, password: str, client_ip: str) -> tuple[str, AuthToken, User]:
    email = email.strip().lower()
    _check_rate_limit(session=session, email=email, client_ip=client_ip)
    user = session.exec(select(User).where(User.email == email)).first()
    if not verify_password(user.password_hash if user else None, password) or not user.is_active:
        session.add(LoginFailure(email=email, client_ip=client_ip))
        session.commit()
        raise Unauthorized("Incorrect email or password", headers={"WWW-Authenticate": "Bearer"})
    session.exec(delete(LoginFailure).where(LoginFailure.email == email))
    token = new_token()
    row = AuthToken(
        user_id=user.id,
        token_hash=token_digest(token),
        expires_at=utcnow() + timedelta(days=get_settings().token_days),
    )
    session.add(row)
    session.commit()
    return token, row, user


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


def count_active_tokens(*, session: Session, user: User) -> int:
    return session.exec(
        select(func.count())
        .select_from(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None), AuthToken.expires_at > utcnow())
    ).one()
