"""A slow SMTP server and two workers: a batch of e-mails is sent under a lease per message (renewed right before
each is sent, its outcome recorded right after), so no e-mail goes out twice when the batch outlasts the lease."""

import asyncio
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller
from sqlmodel import Session

from api.config import get_settings
from api.db import get_engine
from api.messages.deliver import Sender
from api.messages.dispatch import dispatch_pending
from tests.messages.helpers import deliveries
from tests.messages.smtp_server import Inbox, SmtpServer
from tests.messages.test_email import resolve_one

SLOW = 0.6  # seconds per message; the lease is 1 s, so a batch of 4 outlasts it


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(SLOW)
        return await super().handle_DATA(server, session, envelope)


def keep_sending(until: float, errors: list) -> None:
    sender = Sender()
    try:
        while time.monotonic() < until:
            with Session(get_engine(), expire_on_commit=False) as session:
                if not sender.send_due(session):
                    time.sleep(0.05)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        sender.close()


def test_a_slow_smtp_server_never_gets_one_e_mail_twice_from_two_workers(client, factory, monkeypatch):
    server = SmtpServer()
    server.inbox = SlowInbox()
    server.controller = Controller(server.inbox, hostname="127.0.0.1", port=server.port)
    server.start()
    try:
        monkeypatch.setattr(get_settings(), "smtp_url", server.url)
        monkeypatch.setattr(get_settings(), "messages_lease_seconds", 1)
        author, manager = factory.user(role="executive"), factory.user(role="manager")
        for i in range(4):
            resolve_one(client, author, manager, text=f"Queue number {i}")
        with Session(get_engine()) as session:
            while dispatch_pending(session):
                pass
        assert len(deliveries(channel="email")) == 4
        errors: list = []
        until = time.monotonic() + 4 * SLOW + 3
        workers = [threading.Thread(target=keep_sending, args=(until, errors)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert errors == []
        received = Counter(m["Message-ID"] for m in server.inbox.to(author.user.email))
        assert len(received) == 4 and set(received.values()) == {1}, received  # each once, none twice
        assert {d.status for d in deliveries(channel="email")} == {"sent"}
    finally:
        server.stop()
