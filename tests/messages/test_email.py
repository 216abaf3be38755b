"""E-mail over a real SMTP server on 127.0.0.1: what is sent, to whom, how it looks, and what happens when
the server is down."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import Session

from api.config import get_settings
from api.core.clock import utcnow
from api.db import get_engine
from api.messages.mail import parse_smtp_url
from api.messages.models import Delivery
from tests.factories import visit_body
from tests.messages.helpers import deliver_all, deliveries, inbox_of, make_due
from tests.messages.smtp_server import SmtpServer, free_port


@pytest.fixture
def smtp(monkeypatch):
    server = SmtpServer().start()
    monkeypatch.setattr(get_settings(), "smtp_url", server.url)
    monkeypatch.setattr(get_settings(), "public_url", "https://undercover.example")
    yield server
    server.stop()


def resolve_one(client, author, manager, *, text="Queue to the back", note="New rota") -> str:
    body = visit_body(pain_points=[{"text": text}])
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=author.headers).status_code == 201
    pid = body["pain_points"][0]["id"]
    res = client.patch(f"/api/pain-points/{pid}", json={"status": "resolved", "resolution_note": note},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    return pid


def test_a_message_is_e_mailed_with_text_html_a_link_and_one_click_unsubscribe(client, factory, smtp):
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    pid = resolve_one(client, author, manager, text="<script>alert(1)</script> & jane.doe@shopper.example")
    deliver_all()
    [mail] = smtp.inbox.to(author.user.email)
    [delivery] = deliveries(channel="email")
    assert mail["Message-ID"] == f"<{delivery.id}@undercover.example>"
    assert "you said, we did" in mail["Subject"].lower()
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"https://undercover.example/#/pain-points/{pid}" in text
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "jane" not in text + html and "[email]" in text
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivery.status == "sent" and inbox_of(author.id)  # the inbox too
    # One click (what a mail client sends) stops that kind of e-mail, and only that kind.
    parts = urlsplit(unsubscribe)
    assert client.post(parts.path, params={k: v[0] for k, v in parse_qs(parts.query).items()}).status_code == 204
    assert client.get("/api/me/notification-settings", headers=author.headers).json()["resolved"] == {
        "inbox": True, "email": False}
    resolve_one(client, author, manager)
    deliver_all()
    assert len(smtp.inbox.to(author.user.email)) == 1
    assert len(inbox_of(author.id)) == 2
    forged = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"kind": "commented"}
    assert client.post(parts.path, params=forged).status_code == 403


def test_smtp_down_retries_with_the_same_message_id_and_the_inbox_still_gets_it(client, factory, monkeypatch):
    port = free_port()
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{port}")  # nobody listens yet
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    resolve_one(client, author, manager)
    deliver_all()
    assert len(inbox_of(author.id)) == 1
    [waiting] = deliveries(channel="email")
    assert waiting.status == "pending" and waiting.attempts == 1 and waiting.last_error
    assert waiting.next_attempt_at > waiting.created_at
    server = SmtpServer(port).start()
    try:
        make_due()
        deliver_all()
        [mail] = server.inbox.to(author.user.email)
        assert mail["Message-ID"].startswith(f"<{waiting.id}@")
        [sent] = deliveries(channel="email")
        assert sent.status == "sent" and sent.attempts == 2
    finally:
        server.stop()


def test_after_a_day_of_failures_the_admin_sees_the_failed_e_mail(client, factory, admin, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{free_port()}")
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    resolve_one(client, author, manager)
    deliver_all()
    with Session(get_engine()) as s:
        s.execute(update(Delivery).values(created_at=utcnow() - timedelta(hours=25)))
        s.commit()
    make_due()
    deliver_all()
    failed = client.get("/api/deliveries", headers=admin.headers).json()
    assert [(d["channel"], d["status"], d["attempts"]) for d in failed] == [("email", "failed", 2)]


def test_a_deactivated_person_is_not_e_mailed(client, factory, admin, smtp):
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    resolve_one(client, author, manager)
    client.patch(f"/api/users/{author.id}", json={"is_active": False}, headers=admin.headers)
    deliver_all()
    assert smtp.inbox.to(author.user.email) == []


def test_invitation_and_reset_links_arrive_by_e_mail(client, admin, executive, smtp):
    res = client.post("/api/invitations", headers=admin.headers, json={
        "email": "invitee@example.com", "display_name": "Invitee", "role": "executive"})
    assert res.status_code == 201 and res.json()["link"] is None  # SMTP is configured: the e-mail has it
    assert client.post("/api/auth/password-reset", json={"email": executive.user.email}).status_code == 202
    assert client.post("/api/auth/password-reset", json={"email": "nobody@example.com"}).status_code == 202
    deliver_all()
    [invitation] = smtp.inbox.to("invitee@example.com")
    link = next(w for w in invitation.get_body(("plain",)).get_content().split() if "accept-invitation" in w)
    token = parse_qs(urlsplit(link).fragment.partition("?")[2])["token"][0]
    accepted = client.post("/api/invitations/accept", json={"token": token, "password": "plum orchard lantern"})
    assert accepted.status_code == 200, accepted.text
    [reset] = smtp.inbox.to(executive.user.email)
    assert "reset-password" in reset.get_body(("plain",)).get_content()
    assert smtp.inbox.to("nobody@example.com") == []


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example:2525", ("mail.example", 2525, "plain", None, None)),
    ("smtp+starttls://user%40x:p%3Ass@mail.example", ("mail.example", 587, "starttls", "user@x", "p:ss")),
    ("smtps://mail.example", ("mail.example", 465, "tls", None, None)),
])
def test_smtp_urls(url, expected):
    t = parse_smtp_url(url)
    assert (t.host, t.port, t.mode, t.username, t.password) == expected
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example")
