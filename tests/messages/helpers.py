"""Running the messages worker by hand in tests, and reading what it produced."""

from datetime import timedelta

from sqlmodel import Session, select

from api.core.clock import utcnow
from api.db import get_engine
from api.messages.deliver import Sender
from api.messages.models import Delivery, Notification
from api.messages.worker import run_step
from tests.factories import fetch


def deliver_all(*, checks: bool = False, rounds: int = 20) -> int:
    """Fan out and send everything due now (retries wait for their time, like the worker's)."""
    sender = Sender()
    total = 0
    try:
        for _ in range(rounds):
            with Session(get_engine(), expire_on_commit=False) as session:
                sent = run_step(session, sender, checks=checks)
            total += sent
            checks = False
            if not sent:
                break
    finally:
        sender.close()
    return total


def make_due() -> None:
    """Bring every waiting retry forward to now (as if its delay had passed)."""
    from sqlalchemy import update

    with Session(get_engine()) as session:
        session.execute(update(Delivery).where(Delivery.status == "pending")
                        .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        session.commit()


def inbox_of(user_id) -> list[Notification]:
    return fetch(select(Notification).where(Notification.user_id == user_id).order_by(Notification.created_at))


def kinds_by_user() -> dict:
    out: dict = {}
    for n in fetch(select(Notification)):
        out.setdefault(n.user_id, []).append(n.kind)
    return {k: sorted(v) for k, v in out.items()}


def deliveries(**where) -> list[Delivery]:
    stmt = select(Delivery).order_by(Delivery.occurred_at, Delivery.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Delivery, key) == value)
    return fetch(stmt)
