"""Recompute the stored summaries this process's users keep reading (see api/summaries/service.py)."""

import time

from sqlmodel import Session

from api.background import BackgroundLoop
from api.db import get_engine
from api.summaries import service

PRUNE_EVERY = 3600.0  # seconds


class SummaryWorker(BackgroundLoop):
    name = "summary-worker"
    pruned_at = float("-inf")

    def step(self) -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            if time.monotonic() - self.pruned_at >= PRUNE_EVERY:
                service.prune(session)
                self.pruned_at = time.monotonic()
            for key in service.due(session):
                if self.stop_event.is_set():
                    break
                service.refresh(session=session, key=key)
