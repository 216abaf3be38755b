"""A daemon thread per API process that repeats one piece of background work until told to stop."""

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("undercover.background")


class BackgroundLoop:
    """Calls `step()` every `interval` seconds; a failed step is logged and retried at the next one."""

    name = "background"

    def __init__(self, interval: float = 5.0):
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)

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
