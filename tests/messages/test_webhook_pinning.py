"""DNS rebinding: a webhook call connects to the address that was checked, never to a second lookup of the
name. Nothing here leaves 127.0.0.0/8: the public answers are only resolved and checked, and the calls that
carry them go to an in-process transport."""

import uuid

import httpx

from api.config import get_settings
from api.messages import webhooks
from api.messages.models import Webhook
from tests.messages.receiver import Receiver

SECRET = "a-long-enough-webhook-secret"
PUBLIC = "93.184.216.34"


def call(client: httpx.Client, url: str) -> webhooks.Outcome:
    hook = Webhook(url=url, events=["pain_point.created"], secret=SECRET)
    return webhooks.call(client, hook, delivery_id=uuid.uuid4(), event_name="pain_point.created", body="{}")


def test_a_call_goes_to_the_checked_address_and_a_rebound_name_is_refused(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # a rebinding DNS server: public first, then loopback
    lookups: list[str] = []

    def resolve(host, port):
        lookups.append(host)
        return next(answers)

    monkeypatch.setattr(webhooks, "resolve", resolve)
    sent: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(204)))
    assert call(client, "https://hooks.example.com:8443/in").ok
    [request] = sent
    assert lookups == ["hooks.example.com"]  # one lookup: the HTTP client never resolves the name again
    assert (request.url.host, request.url.port, request.url.path) == (PUBLIC, 8443, "/in")
    assert request.headers["Host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"  # the certificate is checked for the name
    # The next call looks the name up again, gets the loopback answer and is refused before connecting.
    outcome = call(client, "https://hooks.example.com:8443/in")
    assert not outcome.ok and outcome.error.startswith("refused") and len(sent) == 1


def test_a_pinned_call_reaches_the_address_with_the_name_in_the_host_header():
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        target, headers, extensions = webhooks.pinned(f"http://hooks.example.com:{port}/hook", "127.0.0.1")
        assert extensions == {}
        with webhooks.new_client() as client:
            assert client.post(target, content=b"{}", headers=headers).status_code == 200
        [request] = receiver.requests
        assert request["path"] == "/hook" and request["headers"]["Host"] == f"hooks.example.com:{port}"


def test_allowing_private_addresses_leaves_the_name_to_the_client():
    assert webhooks.check_url("http://receiver.internal:8080/x", allow_private=True) is None
    assert webhooks.pinned("http://receiver.internal:8080/x", None) == ("http://receiver.internal:8080/x", {}, {})
    url, headers, _ = webhooks.pinned("http://[2001:db8::1]/x", "2001:db8::1")
    assert url == "http://[2001:db8::1]/x" and headers == {"Host": "[2001:db8::1]"}
