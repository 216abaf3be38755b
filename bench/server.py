"""Start a real Undercover server for a benchmark: a fresh database, a free loopback port.

The process itself is the tests' harness (tests/server_process.py, which imports neither pytest nor api).
"""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a benchmark runs as a plain script; `tests` is not an installed package

from tests.server_process import ServerProcess  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_ENV = {"UNDERCOVER_SECRET_KEY": "bench-secret", "UNDERCOVER_ENV": "bench"}


def fresh_database(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='undercover-bench-')}/bench.db"
    import psycopg

    admin_url = os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG)
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(kind: str, name: str) -> None:
    """Drop a PostgreSQL database fresh_database made (SQLite's temporary file is left to the OS)."""
    if kind != "postgresql":
        return
    import psycopg

    with psycopg.connect(os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG).replace("+psycopg", ""),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli(database_url: str, *args: str, stdin: str | None = None) -> str:
    """`python -m api <args>` on the benchmark's database, with the benchmark's settings."""
    return ServerProcess(database_url, workdir=ROOT, env=BENCH_ENV).cli(*args, stdin=stdin, timeout=None)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(database: str) -> float | None:
    """CPU time so far of the local PostgreSQL backends connected to `database` (None: none found here)."""
    total, found = 0.0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres:") and f" {database} " in title:
                total += cpu_seconds(int(entry.name))
                found = True
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total if found else None


def cpu_of(server: ServerProcess) -> float:
    """CPU time so far of the server's process (and of its workers once they have exited)."""
    return cpu_seconds(server.process.pid)


@contextmanager
def running_server(database_url: str, workers: int = 1, theme_worker: bool = False, env: dict | None = None):
    env = {**BENCH_ENV, "UNDERCOVER_LOG_LEVEL": "WARNING", "UNDERCOVER_LOGIN_MAX_FAILURES": "1000",
           # Embedding new pain points competes for the same 2 cores; measured separately on request.
           "UNDERCOVER_THEMES_WORKER": "true" if theme_worker else "false", **(env or {})}
    workdir = Path(tempfile.mkdtemp(prefix="undercover-bench-"))
    with ServerProcess(database_url, workdir=workdir, env=env, serve_args=["--workers", str(workers)]) as server:
        yield server
