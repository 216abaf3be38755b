"""The sign-in rate limit: growing delays per account + client address pair, a generous ceiling per address.

Pair (one e-mail from one address): the first `login_max_failures` failures cost nothing; the failure that
reaches that number starts a delay of FIRST_DELAY seconds and each further one doubles it, up to
`login_window_seconds`. While a delay runs, that e-mail from that address is answered 429 with
Retry-After before any password is checked, even the right one; the same account from any other address
is not delayed, so an attacker hammering an account cannot lock its owner out. A successful sign-in
forgets the pair; so does `login_window_seconds` without a failure after the last delay ended.

Address: at most `login_address_max_failures` failures from one address (over every e-mail) in a window of
`login_window_seconds`; past that, everyone at that address is answered 429 until the window ends. The
ceiling is generous because many people can share an address (an office behind NAT, a proxy that is not
configured to pass on the client's address: see README, "Running behind a proxy"); it stops one address
from trying a few passwords on every account.

Atomic: every attempt counts itself as a failure *before* its password is checked, in a transaction that
holds its two rows (SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions take the write lock up
front, see api/db.py), and gives the count back if the password was right. However many attempts arrive
at once, no more passwords are checked than the limits allow.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from api.auth.models import LoginFailure, LoginThrottle
from api.config import get_settings
from api.core.clock import utcnow
from api.errors import TooMany

FIRST_DELAY = 15  # seconds; then 30, 60, 120 ... up to login_window_seconds
KEEP_FAILURE_LOG = timedelta(days=1)  # LoginFailure rows (operators' figures); the limit does not read them
PRUNE_BATCH = 500


@dataclass(frozen=True)
class Attempt:
    email: str
    client_ip: str
    pair_key: str
    address_key: str


def _key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def delay_seconds(failures: int) -> int:
    """The delay that the pair's `failures`-th failure starts (0 while under the limit)."""
    settings = get_settings()
    over = failures - settings.login_max_failures
    if over < 0:
        return 0
    return min(settings.login_window_seconds, FIRST_DELAY * 2 ** min(over, 32))


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _insert_missing(session: Session, rows: list[dict]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for row in rows:  # one at a time, in key order: concurrent attempts always lock in the same order
        session.exec(insert(LoginThrottle).values(**row).on_conflict_do_nothing(index_elements=["key"]))


def begin(*, session: Session, email: str, client_ip: str) -> Attempt:
    """Count an attempt before its password is checked, or raise TooMany (429, Retry-After) without
    counting it. Commits."""
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    attempt = Attempt(email=email, client_ip=client_ip, pair_key=_key("pair", client_ip, email),
                      address_key=_key("address", client_ip))
    scopes = {attempt.pair_key: "pair", attempt.address_key: "address"}
    now = utcnow()
    _insert_missing(session, [
        {"key": key, "scope": scopes[key], "failures": 0, "window_started_at": now, "expires_at": now + window}
        for key in sorted(scopes)
    ])
    rows = {row.key: row for row in session.exec(
        select(LoginThrottle).where(LoginThrottle.key.in_(sorted(scopes))).order_by(LoginThrottle.key)
        .with_for_update()
    )}
    pair, address = rows[attempt.pair_key], rows[attempt.address_key]
    for row in (pair, address):
        if row.expires_at <= now:  # forgotten: start afresh
            row.failures, row.blocked_until, row.window_started_at = 0, None, now
            row.expires_at = now + window

    if pair.blocked_until is not None and pair.blocked_until > now:
        seconds = _seconds_until(pair.blocked_until, now)
        session.rollback()
        raise TooMany(f"Too many failed sign-ins for this account from this address; try again in {seconds} "
                      "seconds", headers={"Retry-After": str(seconds)})
    if address.failures >= settings.login_address_max_failures:
        seconds = _seconds_until(address.expires_at, now)
        session.rollback()
        raise TooMany(f"Too many failed sign-ins from this address; try again in {seconds} seconds",
                      headers={"Retry-After": str(seconds)})

    pair.failures += 1
    delay = delay_seconds(pair.failures)
    if delay:
        pair.blocked_until = now + timedelta(seconds=delay)
    pair.expires_at = max(now, pair.blocked_until or now) + window
    address.failures += 1
    session.add(pair)
    session.add(address)
    session.commit()
    return attempt


def succeeded(*, session: Session, attempt: Attempt) -> None:
    """The password was right: forget the pair and give the address its count back (in the caller's
    transaction, which the caller commits)."""
    for key in sorted((attempt.pair_key, attempt.address_key)):  # begin()'s lock order: no deadlock with it
        if key == attempt.pair_key:
            session.exec(delete(LoginThrottle).where(LoginThrottle.key == key))
        else:
            session.exec(update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                         .values(failures=LoginThrottle.failures - 1))


def failed(*, session: Session, attempt: Attempt) -> None:
    """The attempt stays counted; log it for the operators' figures and drop expired rows. Commits."""
    session.add(LoginFailure(email=attempt.email[:254], client_ip=attempt.client_ip[:64]))
    session.commit()
    prune(session=session)


def prune(*, session: Session) -> None:
    """Drop rows nobody needs any more, a bounded batch at a time, skipping rows other attempts hold."""
    now = utcnow()
    expired = (select(LoginThrottle.key).where(LoginThrottle.expires_at <= now).limit(PRUNE_BATCH)
               .with_for_update(skip_locked=True))
    session.exec(delete(LoginThrottle).where(LoginThrottle.key.in_(expired.scalar_subquery())))
    old = (select(LoginFailure.id).where(LoginFailure.created_at < now - KEEP_FAILURE_LOG).limit(PRUNE_BATCH)
           .with_for_update(skip_locked=True))
    session.exec(delete(LoginFailure).where(LoginFailure.id.in_(old.scalar_subquery())))
    session.commit()


def spend(*, session: Session, scope: str, subject: str, limit: int, window_seconds: int, what: str) -> None:
    """A fixed-window count of `scope` requests for `subject` (an address, a requester): counts this one, or
    raises TooMany (429, Retry-After) without counting once `limit` were made in the window. Shares the
    sign-in limit's table and locking; the caller commits."""
    now = utcnow()
    key = _key(scope, subject)
    _insert_missing(session, [{"key": key, "scope": scope, "failures": 0, "window_started_at": now,
                               "expires_at": now + timedelta(seconds=window_seconds)}])
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).one()
    if row.expires_at <= now:
        row.failures, row.window_started_at = 0, now
        row.expires_at = now + timedelta(seconds=window_seconds)
    if row.failures >= limit:
        seconds = _seconds_until(row.expires_at, now)
        session.rollback()
        raise TooMany(f"Too many {what}; try again in {seconds} seconds", headers={"Retry-After": str(seconds)})
    row.failures += 1
    session.add(row)
