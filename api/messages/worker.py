"""The messages worker (api/background.py): fan events out, note overdue pain points and goals whose status
changed, send what is due and the weekly digest when its time comes. Started by api/main.py's lifespan unless
UNDERCOVER_MESSAGES_WORKER is false; several processes may run it at once (api/messages/deliver.py says why that
is safe)."""

import logging
import time

from sqlmodel import Session

from api.background import BackgroundLoop
from api.db import get_engine
from api.goals.service import announce_status_changes
from api.messages import digest
from api.messages.deliver import Sender
from api.messages.dispatch import dispatch_pending, scan_overdue

SCAN_EVERY = 300.0  # seconds between overdue and digest checks
SEND_BUDGET = 5.0  # seconds of sending per step, so that fan-out keeps up


def run_step(session: Session, sender: Sender, *, checks: bool = True) -> int:
    """One round: everything dispatched, then sending for up to SEND_BUDGET seconds. Returns the number of
    deliveries claimed."""
    while dispatch_pending(session):
        pass
    if checks:
        scan_overdue(session, digest.org_today(session))
        announce_status_changes(session=session)  # statuses move with the data and the days: goal.updated
        digest.send_if_due(session)
        digest.send_monthly_reminders(session)
        while dispatch_pending(session):
            pass
    sent, started = 0, time.monotonic()
    while time.monotonic() - started < SEND_BUDGET:
        claimed = sender.send_due(session)
        if not claimed:
            break
        sent += claimed
    return sent


class MessagesWorker(BackgroundLoop):
    name = "messages"

    def __init__(self, interval: float = 2.0):
        super().__init__(interval)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a log line per webhook call
        self.sender = Sender()
        self.last_checks = 0.0

    def step(self) -> None:
        checks = time.monotonic() - self.last_checks >= SCAN_EVERY
        with Session(get_engine(), expire_on_commit=False) as session:
            run_step(session, self.sender, checks=checks)
        if checks:
            self.last_checks = time.monotonic()

    def stop(self) -> None:
        super().stop()
        self.sender.close()
