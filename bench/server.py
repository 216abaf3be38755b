"""Start a real Undercover server for a benchmark: a fresh database, a free loopback port."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='undercover-bench-')}/bench.db"
    import psycopg

    admin_url = os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG)
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def cli(database_url: str, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "UNDERCOVER_SECRET_KEY": "bench-secret",
           "UNDERCOVER_ENV": "bench"}
    done = subprocess.run([sys.executable, "-m", "api", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, check=True)
    return done.stdout


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


class Server:
    def __init__(self, base: str, proc: subprocess.Popen):
        self.base, self.proc = base, proc

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)


@contextmanager
def running_server(database_url: str, workers: int = 1, theme_worker: bool = False):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "UNDERCOVER_SECRET_KEY": "bench-secret",
           "UNDERCOVER_ENV": "bench", "UNDERCOVER_LOG_LEVEL": "WARNING",
           "UNDERCOVER_LOGIN_MAX_FAILURES": "1000",
           # Embedding new pain points competes for the same 2 cores; measured separately on request.
           "UNDERCOVER_THEMES_WORKER": "true" if theme_worker else "false"}
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port), "--workers",
                             str(workers)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield Server(base, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
