"""Message delivery against real server processes: SIGKILL mid-delivery loses nothing (the delivery goes out
again, with the same delivery id, once its lease runs out), and two processes never send one delivery twice."""

import time
import uuid

import pytest

from tests.factories import visit_body
from tests.live import LiveServer, backends, live_database
from tests.messages.receiver import Receiver

pytestmark = pytest.mark.slow

WORKER = {"UNDERCOVER_MESSAGES_WORKER": "true", "UNDERCOVER_MESSAGES_INTERVAL": "0.2",
          "UNDERCOVER_WEBHOOK_ALLOW_PRIVATE": "true", "UNDERCOVER_THEMES_WORKER": "false", "UNDERCOVER_SMTP_URL": ""}
SHORT_LEASE = {"UNDERCOVER_MESSAGES_LEASE_SECONDS": "3"}  # so the test need not wait the default two minutes


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def subscribe(server, admin, url) -> None:
    res = server.http.post("/api/webhooks", headers=admin.headers, json={
        "url": url, "events": ["pain_point.created"], "secret": "a-long-enough-webhook-secret"})
    assert res.status_code == 201, res.text


def log_points(server, author, n: int) -> None:
    body = visit_body(pain_points=n, quote=None)
    res = server.http.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=author.headers)
    assert res.status_code == 201, res.text


@pytest.mark.parametrize("backend", backends())
def test_kill_9_mid_delivery_loses_nothing(backend, tmp_path):
    with Receiver() as receiver, live_database(backend, tmp_path) as url, \
            LiveServer(url, tmp_path, **WORKER, **SHORT_LEASE) as server:
        admin, author = server.user("admin"), server.user("executive")
        subscribe(server, admin, receiver.url)
        receiver.hang, receiver.drop_after_hang = 30, True
        log_points(server, author, 5)
        wait_for(lambda: receiver.requests, 30, "the first delivery to arrive")
        server.kill()  # mid-delivery: the receiver is still holding the requests
        before = receiver.delivery_ids()
        receiver.hang, receiver.drop_after_hang = 0, False
        server.start()
        wait_for(lambda: server.scalar("SELECT count(*) FROM delivery WHERE status = 'sent'") == 5, 60,
                 "every delivery to be sent after the restart")
        stored = {str(uuid.UUID(str(r[0]))) for r in server.rows("SELECT id FROM delivery")}
        got = receiver.delivery_ids()
        after = got[len(before):]
        assert set(got) == stored and len(stored) == 5  # every event reached the receiver, with its stable id
        assert set(before) <= set(after)  # the interrupted ones went out again, with the same id
        assert len(after) == len(set(after)) == 5  # and after the restart nothing went out twice


@pytest.mark.parametrize("backend", backends())
def test_two_processes_never_send_one_delivery_twice(backend, tmp_path):
    with Receiver() as receiver, live_database(backend, tmp_path) as url:
        first = LiveServer(url, tmp_path, **WORKER)
        first.migrate()
        second = LiveServer(url, tmp_path, **WORKER)
        with first, second:
            admin, author = first.user("admin"), first.user("executive")
            subscribe(first, admin, receiver.url)
            for i in range(10):
                log_points(first if i % 2 else second, author, 20)
            try:
                wait_for(lambda: first.scalar("SELECT count(*) FROM delivery WHERE status = 'sent'") == 200, 120,
                         "200 deliveries")
            except AssertionError:
                logs = "\n".join(line for line in (first.log_text() + second.log_text()).splitlines()
                                  if "HTTP Request" not in line and "request_id" not in line)
                raise AssertionError(logs[-3000:] + str(
                    first.rows("SELECT status, count(*) FROM delivery GROUP BY status"))) from None
            got = receiver.delivery_ids()
            assert len(got) == 200 and len(set(got)) == 200
            # A retry after an attempt that never reached the receiver (refused or reset under load) is fine;
            # what must never happen is two answered attempts of one delivery.
            twice = first.rows("SELECT delivery_id FROM delivery_attempt WHERE status_code BETWEEN 200 AND 299 "
                               "GROUP BY delivery_id HAVING count(*) > 1")
            assert twice == [], first.rows("SELECT delivery_id, status_code, error FROM delivery_attempt "
                                           "WHERE delivery_id IN (SELECT delivery_id FROM delivery_attempt "
                                           "GROUP BY delivery_id HAVING count(*) > 1)")
