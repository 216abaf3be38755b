"""Background work in the API process: daemon threads that repeat a step until told to stop (the theme and
summary workers), run one job to its end (a theme rebuild started over HTTP), or keep a child process
running (the messages worker on PostgreSQL)."""

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("undercover.background")


def _daemon(name: str, target: Callable[[], None]) -> threading.Thread:
    """Daemon threads: a process that is shutting down never waits for background work."""
    return threading.Thread(target=target, name=name, daemon=True)


def run_once(name: str, job: Callable[[], None]) -> None:
    """Start `job` on a thread of its own and return at once. The job records and logs its own outcome, so
    a failure is only noted here at debug level."""

    def _run() -> None:
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - recorded by the job itself
            log.debug("%s ended with %s", name, type(exc).__name__)

    _daemon(name, _run).start()


class BackgroundLoop:
    """Calls `step()` every `interval` seconds; a failed step is logged and retried at the next one."""

    name = "background"

    def __init__(self, interval: float = 5.0):
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = _daemon(self.name, self._run)

    def step(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.step()
            except SQLAlchemyError as exc:  # another process got there first, or the database is down
                log.info("%s will retry: %s", self.name, type(exc).__name__)
            except Exception:
                log.exception("%s failed; retrying later", self.name)
            self.stop_event.wait(self.interval)


class ChildProcess:
    """A command run beside this process for as long as it lives (the messages worker on PostgreSQL): work
    in a process of its own never holds this process's interpreter lock, which requests wait for.

    A child that exits by itself is started again after `restart_after` seconds; stop() asks it to end
    (SIGTERM), then kills it. The child is told this process's id (`--parent PID`) so that it dies with it
    even when this process is killed outright and never runs stop()."""

    def __init__(self, name: str, args: list[str], restart_after: float = 5.0):
        self.name = name
        self.args = args
        self.restart_after = restart_after
        self.stop_event = threading.Event()
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()
        # The child's death signal is tied to the thread that starts it: this one lives as long as we do.
        self.thread = _daemon(name, self._run)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            with self.lock:
                if self.stop_event.is_set():
                    return
                self.process = subprocess.Popen([sys.executable, "-m", "api", *self.args,  # noqa: S603 - our own command
                                                 "--parent", str(os.getpid())])
            code = self.process.wait()
            if not self.stop_event.is_set():
                log.warning("%s exited with %s; starting it again in %.0f s", self.name, code, self.restart_after)
                self.stop_event.wait(self.restart_after)

    def stop(self, timeout: float = 30) -> None:
        with self.lock:
            self.stop_event.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.thread.join(timeout=5)


def die_with_parent(parent: int) -> None:
    """In a child started by ChildProcess: be killed when the parent dies (Linux), and exit at once if it
    has died already. Elsewhere the caller also polls `parent_alive`."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if not parent_alive(parent):
        os._exit(0)


def parent_alive(parent: int) -> bool:
    return os.getppid() == parent


NICE = 10  # a background process's CPU priority below requests' (0); the scheduler serves them first


def lower_priority() -> None:
    """Let the processes that answer requests have the CPU first. Intended so that sending, not sync, slows
    down under load; bench/messages.py did not show it helping sync on a busy shared machine, and it cut the
    worker's throughput there (README, Benchmarks)."""
    if hasattr(os, "nice"):
        os.nice(NICE)
