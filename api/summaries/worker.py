"""A daemon thread per API process that recomputes the stored summaries its users keep reading."""

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.db import get_engine
from api.summaries import service

log = logging.getLogger("undercover.summaries")


class SummaryWorker:
    def __init__(self, interval: float = 5.0):
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="summary-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                with Session(get_engine(), expire_on_commit=False) as session:
                    for key in service.due(session):
                        if self.stop_event.is_set():
                            break
                        service.refresh(session=session, key=key)
            except SQLAlchemyError as exc:  # database down or busy: the next round retries
                log.info("summary worker will retry: %s", type(exc).__name__)
            except Exception:
                log.exception("summary worker failed; retrying later")
