"""The messages worker (api/background.py): fan events out, note overdue pain points and goals whose status
changed, send what is due and the weekly digest when its time comes. Started by api/main.py's lifespan unless
UNDERCOVER_MESSAGES_WORKER is false (then `undercover worker` runs it); several processes may run it at once
(api/messages/deliver.py says why that is safe).

Inside the API it runs as a child process on PostgreSQL, not as a thread, so that fan-out and sending (Python
work) never hold the interpreter lock that request threads need after every database round trip. Whether
that helps sync is not settled: bench/messages.py on a shared 2-core machine was too noisy to tell the two
apart (README, Benchmarks). On SQLite it stays a thread: one process keeps SQLite's single writer queueing
in that process (api/db.py) instead of sleeping in SQLite's busy handler."""

import logging
import time

from sqlmodel import Session

from api.background import BackgroundLoop, ChildProcess
from api.config import Settings
from api.db import get_engine
from api.goals.service import announce_status_changes
from api.messages import digest
from api.messages.deliver import Sender, prune
from api.messages.dispatch import dispatch_pending, scan_overdue

log = logging.getLogger("undercover.messages")
SCAN_EVERY = 300.0  # seconds between overdue and digest checks
PRUNE_EVERY = 3600.0  # seconds between deletions of old delivered events and deliveries
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
        self.last_checks = float("-inf")  # the first step checks (monotonic time may start near 0)
        self.last_prune = float("-inf")

    def step(self) -> None:
        checks = time.monotonic() - self.last_checks >= SCAN_EVERY
        with Session(get_engine(), expire_on_commit=False) as session:
            run_step(session, self.sender, checks=checks)
        if checks:
            self.last_checks = time.monotonic()
        if time.monotonic() - self.last_prune >= PRUNE_EVERY:
            with Session(get_engine(), expire_on_commit=False) as session:
                events, deliveries = prune(session)
            if events or deliveries:
                log.info("pruned %d delivered events and %d finished deliveries", events, deliveries)
            self.last_prune = time.monotonic()

    def stop(self) -> None:
        super().stop()
        self.sender.close()


def for_the_api(settings: Settings) -> MessagesWorker | ChildProcess:
    """The messages worker the API process starts (see the module's docstring for why two kinds)."""
    if settings.database_url.startswith("sqlite"):
        return MessagesWorker(settings.messages_interval)
    return ChildProcess("messages worker", ["worker"])
