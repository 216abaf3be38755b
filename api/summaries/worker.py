"""Recompute the stored summaries this process's users keep reading (see api/summaries/service.py)."""

from sqlmodel import Session

from api.background import BackgroundLoop
from api.db import get_engine
from api.summaries import service


class SummaryWorker(BackgroundLoop):
    name = "summary-worker"

    def step(self) -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            for key in service.due(session):
                if self.stop_event.is_set():
                    break
                service.refresh(session=session, key=key)
