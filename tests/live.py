"""A live server with the tests' data helpers, for fault, fuzz and log tests (the process: tests/server_process.py).

    with live_database("sqlite", tmp_path) as url, LiveServer(url, tmp_path) as server:
        admin = server.user("admin")             # inserted straight into the database, then signed in
        server.http.get("/api/me", headers=admin.headers)

The server's output goes to a file the test can read (`server.log_text()`); `kill()` sends SIGKILL,
`start()` starts it again on the same port and database; `live_database` gives each test a database of its own.
"""

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlmodel import Session

from tests.conftest import require
from tests.factories import PASSWORD, _password_hash
from tests.server_process import ServerProcess


def backends() -> list[str]:
    return ["sqlite", "postgresql"]


@contextmanager
def live_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a fresh database on TEST_DATABASE_URL's server."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL", "")
    require(bool(base), "PostgreSQL tests need TEST_DATABASE_URL")
    name = f"undercover_live_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class LiveActor:
    id: uuid.UUID
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class LiveServer(ServerProcess):
    """The shared harness (tests/server_process.py) plus an HTTP client and the tests' data helpers."""

    def __init__(self, database_url: str, workdir: Path, *, port: int | None = None,
                 serve_args: Sequence[str] = (), **env: str):
        # No message delivery unless a test asks for it, and webhook URLs never resolved: whatever a test
        # (or the fuzzer) subscribes, nothing is sent, and no name is looked up, outside 127.0.0.0/8.
        env = {"UNDERCOVER_MESSAGES_WORKER": "false", "UNDERCOVER_WEBHOOK_ALLOW_PRIVATE": "true", **env}
        super().__init__(database_url, workdir=workdir, port=port, env=env, serve_args=serve_args)
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        self.http.close()

    # -- data --------------------------------------------------------------------------------
    def user(self, role: str = "executive", *, email: str | None = None) -> LiveActor:
        """A user inserted straight into the database (the server has migrated it), then signed in."""
        from api.auth.models import User

        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        engine = create_engine(self.database_url)
        try:
            with Session(engine) as session:
                user = User(email=email, display_name=role.title(), role=role, password_hash=_password_hash())
                session.add(user)
                session.commit()
                user_id = user.id
        finally:
            engine.dispose()
        return LiveActor(id=user_id, email=email, token=self.sign_in(email))

    def token(self, user_id: uuid.UUID) -> str:
        """A fresh token written straight to the database (no argon2 round, no rate limit)."""
        import hashlib
        import hmac
        import secrets
        from datetime import UTC, datetime, timedelta

        from api.auth.models import AuthToken

        token = secrets.token_urlsafe(32)
        digest = hmac.new(self.env["UNDERCOVER_SECRET_KEY"].encode(), token.encode(), hashlib.sha256).hexdigest()
        engine = create_engine(self.database_url)
        try:
            with Session(engine) as session:
                session.add(AuthToken(user_id=user_id, token_hash=digest,
                                      expires_at=datetime.now(UTC) + timedelta(days=1)))
                session.commit()
        finally:
            engine.dispose()
        return token

    def sign_in(self, email: str, password: str = PASSWORD) -> str:
        res = self.http.post("/api/auth/token", data={"username": email, "password": password})
        assert res.status_code == 200, res.text
        return res.json()["access_token"]

    def scalar(self, sql: str, **params):
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def rows(self, sql: str, **params) -> list:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params).all())
        finally:
            engine.dispose()
