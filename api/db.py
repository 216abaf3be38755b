"""Engine and the session dependency. Tables register themselves when their feature imports them; the
entry points import `api.models` so that every table is known before the first query."""

import threading
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

_engine: Engine | None = None
BUSY_SECONDS = 30  # how long a SQLite writer waits for another one
CONNECT_TIMEOUT = 5  # seconds, PostgreSQL


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy, not the driver, open transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cur.close()


class _SQLiteWriters:
    """Take the write lock up front: a read-then-write transaction can then never fail with "database is
    locked" half-way. Within one process transactions queue on a lock that wakes the next one as soon as
    the last one ends; SQLite's own busy handler sleeps in steps of up to 100 ms, which made the tail of
    concurrent syncs (bench/sync.py). Other processes on the same file still wait in busy_timeout."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def begin(self, conn) -> None:
        queued = self.lock.acquire(timeout=BUSY_SECONDS)  # on timeout SQLite's busy handler decides
        conn.info["queued"] = queued
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn) -> None:
        if conn.info.pop("queued", False):
            self.lock.release()

    def listen(self, engine: Engine) -> None:
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.end)
        event.listen(engine, "rollback", self.end)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        _SQLiteWriters().listen(engine)
        return engine
    # No pre-ping (a round trip per request): a dropped connection fails one request with 503 and
    # SQLAlchemy then invalidates the pool, so the next request reconnects.
    # hide_parameters: a database error's message (and so a logged traceback) never carries the values
    # written, which can be private notes or token hashes.
    # connect_timeout: an unreachable server fails a request with 503 in seconds instead of hanging for the
    # minutes TCP takes to give up (a `connect_timeout` in the URL wins).
    connect_args = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(url, pool_size=10, max_overflow=20, pool_timeout=10, pool_recycle=1800,
                         hide_parameters=True, connect_args=connect_args)


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        from api.config import get_settings

        _engine = make_engine(get_settings().database_url)
    return _engine


def reset_engine() -> None:
    """Forget the engine (tests and the CLI switch databases)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None


async def get_session() -> AsyncIterator[Session]:
    # No commit here: services commit before the response is built (see CONVENTIONS).
    # async, so that FastAPI does not hop to its thread pool twice per request just to open and close a
    # session: opening one does no I/O, and neither does closing one that holds no transaction, which is
    # the rule, since services commit or roll back. Otherwise closing rolls back: that goes to a thread.
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]
