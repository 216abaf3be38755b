"""Old delivered events and finished deliveries (with their log) are deleted after UNDERCOVER_MESSAGES_KEEP_DAYS;
waiting deliveries, once-only (keyed) events and anything recent stay, and the webhook's log still shows them."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from api.config import get_settings
from api.core.clock import utcnow
from api.db import get_engine
from api.events.models import Event
from api.messages.deliver import prune
from api.messages.models import Delivery, DeliveryAttempt
from api.messages.worker import MessagesWorker
from tests.messages.helpers import deliver_all, deliveries
from tests.messages.receiver import Receiver
from tests.messages.test_webhooks import log_point, subscribe


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def count(model) -> int:
    with Session(get_engine()) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def age(model, ids, days: int, **columns) -> None:
    then = utcnow() - timedelta(days=days)
    with Session(get_engine()) as session:
        session.execute(update(model).where(model.id.in_(ids)).values({c: then for c in columns}))
        session.commit()


def test_old_delivered_rows_are_pruned_and_the_rest_kept(client, admin, executive, receiver):
    assert get_settings().messages_keep_days == 30  # the documented default
    hook = subscribe(client, admin, receiver.url, events=["pain_point.created"])
    for i in range(4):
        log_point(client, executive, text=f"Queue number {i}")
    deliver_all()
    sent = deliveries(channel="webhook")
    assert len(sent) == 4 and {d.status for d in sent} == {"sent"}
    old, recent = sent[:2], sent[2:]
    age(Delivery, [d.id for d in old], 31, created_at=True, sent_at=True)
    age(Event, [d.event_id for d in old], 31, occurred_at=True, dispatched_at=True)
    receiver.answers = [500]  # one more, old but still waiting for its retry: never pruned
    waiting_point = log_point(client, executive, text="Still waiting")
    deliver_all()
    [waiting] = [d for d in deliveries(channel="webhook") if d.status == "pending"]
    age(Delivery, [waiting.id], 40, created_at=True)
    age(Event, [waiting.event_id], 40, occurred_at=True, dispatched_at=True)
    with Session(get_engine()) as session:  # a once-only event (keyed), long delivered: kept
        session.add(Event(name="pain_point.overdue", key=f"overdue:{waiting_point}:2026-01-01",
                          data={"pain_point_id": waiting_point}, dispatched_at=utcnow() - timedelta(days=90)))
        session.commit()
    events_before, attempts_before = count(Event), count(DeliveryAttempt)

    with Session(get_engine()) as session:
        assert prune(session, chunk=1) == (3, 2)  # chunks of one: the loop goes on until all are gone

    assert {d.id for d in deliveries(channel="webhook")} == {d.id for d in recent} | {waiting.id}
    assert count(Event) == events_before - 3
    assert count(DeliveryAttempt) == attempts_before - 2
    res = client.get(f"/api/webhooks/{hook}/deliveries", headers=admin.headers)
    assert res.status_code == 200
    assert {d["id"] for d in res.json()} == {str(d.id) for d in recent} | {str(waiting.id)}
    with Session(get_engine()) as session:
        assert prune(session) == (0, 0)  # nothing more


def test_the_worker_prunes_at_most_once_an_hour(client, monkeypatch):
    calls = []
    monkeypatch.setattr("api.messages.worker.prune", lambda session: calls.append(1) or (0, 0))
    monkeypatch.setattr("api.messages.worker.run_step", lambda *a, **k: 0)
    worker = MessagesWorker()
    worker.step()
    worker.step()
    assert calls == [1]
    worker.last_prune -= 3601
    worker.step()
    assert calls == [1, 1]
    worker.sender.close()
