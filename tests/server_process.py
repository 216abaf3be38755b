"""The one live-server harness: `python -m api serve` as a child process on a free loopback port.

Used by the fault, fuzz and log tests (tests/live.py), the browser tests (tests/e2e/conftest.py) and the
benchmarks (bench/server.py). It imports nothing from pytest or from api, so a benchmark run as a plain
script can use it, and a change inside api/ cannot break it.

    with ServerProcess(database_url, workdir=tmp_path, env={"UNDERCOVER_LOG_LEVEL": "DEBUG"}) as server:
        httpx.get(server.url + "/livez")
        server.kill()                      # SIGKILL, like a crash
        server.start()                     # the same port and database
    server.log_text()                      # everything it wrote to stdout and stderr
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET = "live-test-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server on `database_url`, with `env` on top of ours; its log is a file in `workdir` (also its cwd)."""

    def __init__(self, database_url: str, *, workdir: Path, env: dict[str, str] | None = None,
                 port: int | None = None, serve_args: Sequence[str] = ()):
        self.database_url = database_url
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / f"server-{self.port}.log"
        self.serve_args = list(serve_args)  # e.g. ["--workers", "2"]
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "UNDERCOVER_SECRET_KEY": SECRET,
            "UNDERCOVER_ENV": "test",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }

    def cli(self, *args: str, stdin: str | None = None, timeout: float | None = 120) -> str:
        """Run `python -m api <args>` against the same database and settings; returns its stdout."""
        done = subprocess.run([sys.executable, "-m", "api", *args], cwd=self.workdir, env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"api {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def migrate(self) -> None:
        """Migrate before launching several processes on one fresh database (as a deployment would)."""
        self.cli("migrate")

    def start(self, timeout: float = 30) -> "ServerProcess":
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it (see wait_ready)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.serve_args],
            env=self.env, cwd=self.workdir, stdout=log, stderr=log,
        )
        log.close()  # the child holds its own copy

    def wait_ready(self, timeout: float = 30) -> "ServerProcess":
        """Until /livez answers; a process that exits or never answers raises with the log's tail."""
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
        self.process = None

    def stop(self) -> None:
        """SIGTERM and a clean shutdown; SIGKILL if it takes longer than 15 s. `process` is None afterwards."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> "ServerProcess":
        return self if self.process else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
