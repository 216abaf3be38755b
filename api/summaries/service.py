"""Serve a costly aggregate from its stored result while a background thread keeps it fresh.

A result is stored only when computing it took at least BUDGET_MS, so a small installation always sees live
figures. A stored result is served while it is younger than MAX_STALE, with the time it was computed (the
"as of" the web app shows); while people keep reading a key, api/summaries/worker.py recomputes it every
`UNDERCOVER_SUMMARY_REFRESH_SECONDS` (or every 5 × the time it takes, if that is longer).
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from api.config import get_settings
from api.core.clock import utcnow
from api.summaries.models import Summary

BUDGET_MS = 50
MAX_STALE = timedelta(hours=1)
READ_WINDOW = 15 * 60  # seconds: keys nobody has read for this long are left to go stale
KEEP = timedelta(days=1)  # results older than this are deleted (never served: see MAX_STALE), e.g. past days'

Compute = Callable[[Session, str], dict]
_computers: dict[str, Compute] = {}
_last_read: dict[str, float] = {}
_asked: set[str] = set()  # keys with no stored result yet that a reader found slow to compute live
_lock = threading.Lock()


def install(computers: dict[str, Compute]) -> None:
    """Declare every summary at once (the app factory does, from api/main.py's SUMMARIES):
    `compute(session, key)` answers every key that starts with its prefix and a colon."""
    _computers.clear()
    _computers.update(computers)


def forget_reads() -> None:
    """Start with no key read or asked for (each start of the app: what an earlier run read is not kept fresh)."""
    with _lock:
        _last_read.clear()
        _asked.clear()


def _computer(key: str) -> Compute:
    return _computers[key.split(":", 1)[0]]


def enabled() -> bool:
    """False when UNDERCOVER_SUMMARY_REFRESH_SECONDS is 0: every figure is computed on every request."""
    return get_settings().summary_refresh_seconds > 0


def served(*, session: Session, key: str) -> tuple[dict, datetime]:
    """The stored result for `key` if fresh enough, else a live one (stored when it was slow)."""
    if not enabled():
        return _computer(key)(session, key), utcnow()
    with _lock:
        _last_read[key] = time.monotonic()
    row = session.execute(select(Summary.payload, Summary.computed_at, Summary.took_ms)
                          .where(Summary.key == key)).first()
    session.rollback()  # end the read: SQLite holds its write lock for the whole transaction
    if row is not None and row.took_ms >= BUDGET_MS and utcnow() - row.computed_at <= MAX_STALE:
        return row.payload, row.computed_at
    return refresh(session=session, key=key)


def stored(*, session: Session, key: str) -> tuple[dict, datetime] | None:
    """The stored result for `key` when there is a fresh one, else None: the reader computes what it needs
    itself, and calls ask_for() when that was slow. Ends the transaction, like served()."""
    if not enabled():
        return None
    with _lock:
        _last_read[key] = time.monotonic()
    row = session.execute(select(Summary.payload, Summary.computed_at).where(Summary.key == key)).first()
    session.rollback()
    if row is not None and utcnow() - row.computed_at <= MAX_STALE:
        return row.payload, row.computed_at
    return None


def ask_for(key: str) -> None:
    """Have the background worker compute and store `key` (a reader computed part of it live, slowly)."""
    if enabled():
        with _lock:
            _asked.add(key)
            _last_read[key] = time.monotonic()


def refresh(*, session: Session, key: str) -> tuple[dict, datetime]:
    computed_at = utcnow()
    started = time.perf_counter()
    payload = _computer(key)(session, key)
    took_ms = int((time.perf_counter() - started) * 1000)
    session.rollback()
    if took_ms >= BUDGET_MS:
        values = {"key": key, "payload": payload, "computed_at": computed_at, "took_ms": took_ms}
        insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(Summary)
        session.execute(insert.values(**values).on_conflict_do_update(
            index_elements=["key"], set_={k: v for k, v in values.items() if k != "key"}))
    else:
        session.execute(delete(Summary).where(Summary.key == key))
    session.commit()
    with _lock:
        _asked.discard(key)
    return payload, computed_at


def due(session: Session) -> list[str]:
    """Keys asked for (ask_for), then stored keys read in this process lately whose result is older than the
    refresh interval."""
    now_mono, now = time.monotonic(), utcnow()
    with _lock:
        asked = sorted(_asked)
        wanted = [k for k, at in _last_read.items() if now_mono - at < READ_WINDOW and k not in _asked]
    if not wanted:
        return asked
    every = get_settings().summary_refresh_seconds
    rows = session.execute(select(Summary.key, Summary.computed_at, Summary.took_ms)
                           .where(Summary.key.in_(wanted))).all()
    session.rollback()
    return asked + [key for key, at, took in rows if now - at >= timedelta(seconds=max(every, 5 * took / 1000))]


def prune(session: Session) -> int:
    """Delete results nobody kept fresh for KEEP (keys of past days and weeks); returns how many."""
    gone = session.execute(delete(Summary).where(Summary.computed_at < utcnow() - KEEP)).rowcount
    session.commit()
    return gone
