"""A real `python -m api serve` process on a free loopback port, for fault, fuzz and log tests.

    with live_database("sqlite", tmp_path) as url, LiveServer(url, tmp_path) as server:
        admin = server.user("admin")             # inserted straight into the database, then signed in
        server.get("/api/me", headers=admin.headers)

The server's stderr goes to a file the test can read (`server.log_text()`); `kill()` sends SIGKILL,
`start()` starts it again on the same port and database.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlmodel import Session

from tests.conftest import require
from tests.factories import PASSWORD, _password_hash

ROOT = Path(__file__).resolve().parents[1]
SECRET = "live-test-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


class LiveServer:
    def __init__(self, database_url: str, workdir: Path, *, port: int | None = None, **env: str):
        self.database_url = database_url
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "UNDERCOVER_SECRET_KEY": SECRET,
            "UNDERCOVER_ENV": "test",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.http = httpx.Client(base_url=self.url, timeout=30)

    # -- process control -------------------------------------------------------------------
    def start(self, timeout: float = 30) -> "LiveServer":
        self.launch()
        return self.wait_ready(timeout)

    def migrate(self) -> None:
        """Migrate before launching several processes on one fresh database (as a deployment would)."""
        subprocess.run([sys.executable, "-m", "api", "migrate"], env=self.env, cwd=self.workdir, check=True,
                       capture_output=True, timeout=120)

    def launch(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, cwd=self.workdir, stdout=log, stderr=log,
        )
        log.close()

    def wait_ready(self, timeout: float = 30) -> "LiveServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/livez", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout} s:\n{self.log_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, like a crash or the OOM killer."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "LiveServer":
        return self if self.process else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self.http.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- data --------------------------------------------------------------------------------
    def user(self, role: str = "executive", *, email: str | None = None) -> LiveActor:
        """A user inserted straight into the database (the server has migrated it), then signed in."""
        from api.users.models import User

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
