"""Background work in the API process: daemon threads that repeat a step until told to stop (the theme and
summary workers), or run one job to its end (a theme rebuild started over HTTP)."""

import logging
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
