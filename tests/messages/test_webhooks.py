"""Webhooks against a receiver on 127.0.0.1: signed bodies, retries keeping the delivery id, the delivery log,
redelivery, deletion, order per pain point, the Slack format, and the address check."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest

from api.config import get_settings
from api.messages import deliver, webhooks
from tests.factories import visit_body
from tests.messages.helpers import deliver_all, deliveries, make_due
from tests.messages.receiver import Receiver

SECRET = "a-long-enough-webhook-secret"


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def subscribe(client, admin, url, events=("pain_point.created", "pain_point.updated"), **extra):
    res = client.post("/api/webhooks", headers=admin.headers,
                      json={"url": url, "events": list(events), "secret": SECRET, **extra})
    assert res.status_code == 201, res.text
    return res.json()["id"]


def log_point(client, author, text="Queue to the back of the store, ring 07700 900123") -> str:
    body = visit_body(pain_points=[{"text": text}])
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=author.headers).status_code == 201
    return body["pain_points"][0]["id"]


def verify(request) -> dict:
    """What a receiver does (README): recompute the signature over the raw body and compare."""
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Undercover-Signature"], expected)
    return json.loads(request["body"])


def test_a_signed_delivery_in_the_contract_shape(client, admin, executive, receiver):
    subscribe(client, admin, receiver.url)
    pid = log_point(client, executive)
    deliver_all()
    [request] = receiver.requests
    body = verify(request)
    assert request["headers"]["X-Undercover-Event"] == "pain_point.created"
    [delivery] = deliveries(channel="webhook")
    assert request["headers"]["X-Undercover-Delivery"] == str(delivery.id)
    assert set(body) == {"id", "event", "occurred_at", "data"} and body["event"] == "pain_point.created"
    assert body["data"]["pain_point"]["id"] == pid
    assert body["data"]["pain_point"]["text"] == "Queue to the back of the store, ring [phone]"
    assert "07700" not in request["body"].decode()


def test_the_slack_format_has_text_and_the_same_headers(client, admin, executive, receiver):
    subscribe(client, admin, receiver.url, format="slack")
    log_point(client, executive)
    deliver_all()
    [request] = receiver.requests
    body = verify(request)
    assert list(body) == ["text"] and "severity" in body["text"] and "[phone]" in body["text"]
    assert {"X-Undercover-Event", "X-Undercover-Delivery"} <= set(request["headers"])


def test_failures_are_retried_with_growing_delays_and_the_same_delivery_id(client, admin, executive, receiver):
    hook = subscribe(client, admin, receiver.url)
    receiver.answers = [500, 503]
    log_point(client, executive)
    delays = []
    for _ in range(3):
        deliver_all()
        [d] = deliveries(channel="webhook")
        if d.status == "pending":
            delays.append(d.next_attempt_at - d.created_at)
        make_due()
    assert [r["headers"]["X-Undercover-Delivery"] for r in receiver.requests] == [str(d.id)] * 3
    assert len({r["body"] for r in receiver.requests}) == 1  # the same bytes, the same signature
    assert delays[1] > delays[0]
    assert deliver.backoff(1) < deliver.backoff(2) < deliver.backoff(10)
    assert deliver.RETRY_FOR >= timedelta(hours=24)  # given up only when the first try is older than this
    log = client.get(f"/api/webhooks/{hook}/deliveries", headers=admin.headers).json()
    assert [(a["status_code"], a["error"]) for a in log[0]["log"]] == [
        (500, "answered 500"), (503, "answered 503"), (200, None)]
    assert log[0]["status"] == "sent" and log[0]["attempts"] == 3


def test_a_hanging_receiver_times_out_and_never_blocks_the_api(client, admin, executive, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.5)
    subscribe(client, admin, receiver.url)
    receiver.hang = 2
    log_point(client, executive)
    deliver_all()
    [d] = deliveries(channel="webhook")
    assert d.status == "pending" and d.last_error == "ReadTimeout"


def test_redirects_are_not_followed(client, admin, executive, receiver):
    subscribe(client, admin, receiver.url)
    receiver.answers = [302]
    log_point(client, executive)
    deliver_all()
    assert len(receiver.requests) == 1
    [d] = deliveries(channel="webhook")
    assert d.status == "pending" and d.last_status_code == 302


def test_redelivery_keeps_the_id_and_a_deleted_webhook_stops_at_once(client, admin, executive, receiver):
    hook = subscribe(client, admin, receiver.url)
    log_point(client, executive)
    deliver_all()
    [d] = deliveries(channel="webhook")
    res = client.post(f"/api/webhooks/{hook}/deliveries/{d.id}/redeliver", headers=admin.headers)
    assert res.status_code == 202 and res.json()["id"] == str(d.id)
    deliver_all()
    assert [r["headers"]["X-Undercover-Delivery"] for r in receiver.requests] == [str(d.id)] * 2
    receiver.answers = [500]
    log_point(client, executive)
    deliver_all()
    assert len(receiver.requests) == 3
    assert client.delete(f"/api/webhooks/{hook}", headers=admin.headers).status_code == 204
    make_due()
    log_point(client, executive)
    deliver_all()
    assert len(receiver.requests) == 3
    assert {d.status for d in deliveries(channel="webhook")} == {"sent", "failed"}
    assert client.get(f"/api/webhooks/{hook}/deliveries", headers=admin.headers).status_code == 404
    assert client.get("/api/webhooks", headers=admin.headers).json() == []


def test_deliveries_about_one_pain_point_keep_their_order(client, admin, executive, manager, receiver):
    subscribe(client, admin, receiver.url)
    receiver.answers = [500]
    pid = log_point(client, executive)
    client.patch(f"/api/pain-points/{pid}", json={"status": "acknowledged"}, headers=manager.headers)
    deliver_all()
    assert [r["headers"]["X-Undercover-Event"] for r in receiver.requests] == ["pain_point.created"]
    make_due()
    deliver_all()
    assert [r["headers"]["X-Undercover-Event"] for r in receiver.requests] == [
        "pain_point.created", "pain_point.created", "pain_point.updated"]


def test_webhooks_refuse_bad_input(client, admin, receiver):
    base = {"url": receiver.url, "events": ["pain_point.created"], "secret": SECRET}
    for change in ({"events": ["pain_point.deleted"]}, {"url": "ftp://127.0.0.1/x"}, {"secret": "short"},
                   {"format": "teams"}, {"events": []}, {"url": "http://user:pw@127.0.0.1/x"}):
        res = client.post("/api/webhooks", headers=admin.headers, json={**base, **change})
        assert res.status_code == 422, change


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://localhost:8000/hook", "http://10.1.2.3/", "http://192.168.0.10/",
    "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fe80::1]/",
    "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "https://100.64.0.1/",
])
def test_private_addresses_are_refused_unless_allowed(url, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    with pytest.raises(webhooks.Refused):
        webhooks.check_url(url)
    webhooks.check_url(url, allow_private=True)


def test_public_addresses_pass_by_resolving_only(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    webhooks.check_url("https://93.184.216.34/hook")  # an address literal: resolved without any query
    # A name is judged by what it resolves to (no connection is ever made).
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["10.0.0.7"])
    with pytest.raises(webhooks.Refused):
        webhooks.check_url("https://hooks.example.com/x")
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["93.184.216.34", "127.0.0.1"])
    with pytest.raises(webhooks.Refused):
        webhooks.check_url("https://hooks.example.com/x")  # any private answer is enough


def test_the_api_refuses_a_private_url_when_not_allowed(client, admin, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    res = client.post("/api/webhooks", headers=admin.headers,
                      json={"url": "http://127.0.0.1:9/x", "events": ["pain_point.created"], "secret": SECRET})
    assert res.status_code == 422 and res.json()["detail"][0]["type"] == "url_refused"
