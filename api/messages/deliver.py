"""Sending deliveries: claim a batch, send it, record each outcome.

Safe with several API processes: a claim locks the due rows it takes (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite has one writer at a time) and stamps them with a lease, and only the holder of a lease
may record the outcome. A process killed mid-send leaves its lease to run out, then the delivery is sent
again (at least once); in normal operation a delivery is never sent twice, and every retry carries the same
delivery id (X-Undercover-Delivery, Message-ID) so receivers can drop a copy.

Webhook deliveries about one pain point go out in order: one waits while an earlier one for the same
webhook and pain point is still pending.
"""

import logging
import smtplib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from api.auth import links
from api.auth.models import Invitation, PasswordReset, User
from api.config import get_settings
from api.core.clock import utcnow
from api.events import outbox
from api.messages import mail, webhooks
from api.messages.models import Channel, Delivery, DeliveryAttempt, DeliveryStatus, NotificationSetting, Webhook

log = logging.getLogger("undercover.messages")
RETRY_FOR = timedelta(hours=25)  # keep retrying at least 24 hours
FIRST_DELAY = 30  # seconds; doubling up to MAX_DELAY
MAX_DELAY = 2 * 3600
BATCH = 50
SENDERS = 8  # webhook calls at once


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1)))


def claim(session: Session, *, limit: int = BATCH, now: datetime | None = None) -> list[tuple[Delivery, datetime]]:
    """Take up to `limit` due deliveries with a lease; commits. Returns each with its lease's end."""
    now = now or utcnow()
    earlier = aliased(Delivery)
    waiting_behind = exists().where(
        earlier.webhook_id == Delivery.webhook_id, earlier.subject_id == Delivery.subject_id,
        earlier.status == DeliveryStatus.pending,
        or_(earlier.occurred_at < Delivery.occurred_at,
            and_(earlier.occurred_at == Delivery.occurred_at, earlier.id < Delivery.id)))
    rows = list(session.execute(
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.pending, Delivery.next_attempt_at <= now,
               or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
               or_(Delivery.webhook_id.is_(None), Delivery.subject_id.is_(None), ~waiting_behind))
        .order_by(Delivery.next_attempt_at, Delivery.occurred_at).limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    ).scalars())
    if not rows:
        session.rollback()
        return []
    lease = now + timedelta(seconds=get_settings().messages_lease_seconds)
    session.execute(update(Delivery).where(Delivery.id.in_([r.id for r in rows]))
                    .values(claimed_until=lease, attempts=Delivery.attempts + 1))
    session.commit()
    for r in rows:
        session.expunge(r)  # a snapshot: later rollbacks in this session leave it alone
        r.attempts += 1
    return [(r, lease) for r in rows]


def finish(session: Session, delivery: Delivery, lease: datetime, outcome: webhooks.Outcome,
           started: datetime, skipped: bool = False) -> None:
    """Record an attempt and its outcome, only if this process still holds the lease (the caller commits)."""
    now = utcnow()
    session.add(DeliveryAttempt(delivery_id=delivery.id, started_at=started, duration_ms=outcome.duration_ms,
                                status_code=outcome.status_code, error=outcome.error))
    mine = and_(Delivery.id == delivery.id, Delivery.claimed_until == lease, Delivery.status == DeliveryStatus.pending)
    common = {"claimed_until": None, "last_status_code": outcome.status_code, "last_error": outcome.error}
    if skipped:
        values = {**common, "status": DeliveryStatus.skipped}
    elif outcome.ok:
        values = {**common, "status": DeliveryStatus.sent, "sent_at": now}
    elif now - delivery.created_at >= RETRY_FOR:
        values = {**common, "status": DeliveryStatus.failed}
    else:
        values = {**common, "next_attempt_at": now + backoff(delivery.attempts)}
    session.execute(update(Delivery).where(mine).values(**values))


def prune(session: Session, *, keep_days: int | None = None, chunk: int = 5000) -> tuple[int, int]:
    """Delete what is older than UNDERCOVER_MESSAGES_KEEP_DAYS: dispatched events, and deliveries that are
    sent, skipped or failed (created, or last redelivered, that long ago) with their attempts (the webhook
    delivery log). Waiting deliveries stay. A chunk per transaction; commits. Returns (events, deliveries)."""
    before = utcnow() - timedelta(days=keep_days or get_settings().messages_keep_days)
    removed = 0
    while True:
        ids = select(Delivery.id).where(Delivery.status != DeliveryStatus.pending,
                                        Delivery.created_at < before).limit(chunk)
        ids = [row[0] for row in session.execute(ids)]
        if ids:
            session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)))
            session.execute(delete(Delivery).where(Delivery.id.in_(ids)))
        session.commit()
        removed += len(ids)
        if len(ids) < chunk:
            break
    return outbox.prune_dispatched(session, before=before, chunk=chunk), removed


def _email_for(session: Session, d: Delivery) -> tuple[str | None, object | None]:
    """(address, message) for an e-mail delivery, or (None, None) when there is nobody to send it to any more
    (deactivated, unsubscribed, the invitation withdrawn or the reset link used)."""
    if d.event_name == outbox.INVITATION:
        invitation = session.get(Invitation, uuid.UUID(d.payload["invitation_id"]))
        if invitation is None or invitation.revoked_at or invitation.accepted_at:
            return None, None
        link = links.link_for("invitation", invitation.id)
        body = (f"You are invited to Undercover as {invitation.role}.\nSet your password with this link (it works "
                f"once, for 7 days):\n{link}")
        return invitation.email, mail.build(to=invitation.email, subject="You are invited to Undercover", body=body,
                                            link=None, delivery_id=d.id)
    user = session.get(User, d.user_id) if d.user_id else None
    if user is None or not user.is_active:
        return None, None
    if d.event_name == outbox.PASSWORD_RESET:
        reset = session.get(PasswordReset, uuid.UUID(d.payload["reset_id"]))
        if reset is None or reset.used_at or reset.expires_at <= utcnow():
            return None, None
        link = links.link_for("password_reset", reset.id)
        body = ("Someone asked to reset your Undercover password. If it was you, choose a new one with this link "
                f"(it works once, for one hour):\n{link}\n\nIf it was not you, ignore this e-mail.")
        return user.email, mail.build(to=user.email, subject="Reset your Undercover password", body=body, link=None,
                                      delivery_id=d.id)
    off = session.get(NotificationSetting, (user.id, d.kind, Channel.email))
    if off is not None and not off.enabled:
        return None, None
    p = d.payload
    return user.email, mail.build(to=user.email, subject=p["title"], body=p["body"], link=p.get("link"),
                                  delivery_id=d.id, unsubscribe=mail.unsubscribe_url(user.id, d.kind))


def renew(session: Session, delivery: Delivery, lease: datetime) -> datetime | None:
    """A fresh lease on one delivery, taken right before it is sent; commits. None when this process has lost
    it (its lease ran out and another process claimed it): it must then not be sent from here."""
    fresh = utcnow() + timedelta(seconds=get_settings().messages_lease_seconds)
    result = session.execute(update(Delivery).where(
        Delivery.id == delivery.id, Delivery.claimed_until == lease, Delivery.status == DeliveryStatus.pending,
    ).values(claimed_until=fresh))
    session.commit()
    return fresh if result.rowcount == 1 else None


def _send_emails(session: Session, batch: list[tuple[Delivery, datetime]]) -> None:
    """One SMTP connection for the batch, but a lease per message: each is renewed right before it is sent
    and its outcome recorded right after, so a slow server can never let a lease run out between sending a
    message and recording it (another process would have sent it again)."""
    messages = []
    for d, lease in batch:
        to, message = _email_for(session, d)
        session.rollback()  # end the read: SQLite would hold its write lock through the SMTP exchange
        messages.append((d, lease, message))
    waiting = list(messages)
    try:
        with mail.Mailer() as mailer:
            while waiting:
                d, lease, message = waiting.pop(0)
                started = utcnow()
                if message is None:
                    finish(session, d, lease, webhooks.Outcome(True, None, "nothing to send", 0), started, True)
                    session.commit()
                    continue
                lease = renew(session, d, lease)
                if lease is None:
                    log.info("e-mail delivery %s: lease lost before sending; another process has it", d.id)
                    continue
                try:
                    mailer.send(message)
                    outcome = webhooks.Outcome(True, 250, None, _ms(started))
                except (smtplib.SMTPException, OSError) as exc:
                    outcome = webhooks.Outcome(False, None, _smtp_error(exc), _ms(started))
                finish(session, d, lease, outcome, started)
                session.commit()
    except (smtplib.SMTPException, OSError, ValueError) as exc:  # no connection at all: the rest wait
        for d, lease, _ in waiting:
            finish(session, d, lease, webhooks.Outcome(False, None, _smtp_error(exc), 0), utcnow())
        session.commit()


def _smtp_error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _ms(started: datetime) -> int:
    return int((utcnow() - started).total_seconds() * 1000)


def _send_webhooks(session: Session, batch: list[tuple[Delivery, datetime]], client, pool) -> None:
    hooks = {h.id: h for h in session.execute(
        select(Webhook).where(Webhook.id.in_({d.webhook_id for d, _ in batch}))).scalars()}
    for hook in hooks.values():
        session.expunge(hook)  # read by the sender threads: never lazily loaded through this session
    session.rollback()

    def one(item):
        d, lease = item
        started = utcnow()
        hook = hooks.get(d.webhook_id)
        if hook is None or hook.deleted_at is not None:
            return d, lease, webhooks.Outcome(False, None, "webhook deleted", 0), started
        return d, lease, webhooks.call(client, hook, delivery_id=d.id, event_name=d.event_name,
                                       body=d.payload["body"]), started

    for d, lease, outcome, started in pool.map(one, batch):
        finish(session, d, lease, outcome, started)
    session.commit()


class Sender:
    """The worker's sending side: one HTTP client and thread pool for its lifetime."""

    def __init__(self) -> None:
        self.client = webhooks.new_client()
        self.pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="webhook")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()

    def send_due(self, session: Session, *, limit: int = BATCH) -> int:
        """Claim and send one batch; returns how many were claimed."""
        batch = claim(session, limit=limit)
        if not batch:
            return 0
        emails = [(d, lease) for d, lease in batch if d.channel == Channel.email]
        hooks = [(d, lease) for d, lease in batch if d.channel == "webhook"]
        if emails:
            if get_settings().smtp_url:
                _send_emails(session, emails)
            else:  # SMTP was switched off after these were queued
                for d, lease in emails:
                    finish(session, d, lease, webhooks.Outcome(False, None, "no SMTP configured", 0), utcnow())
                session.commit()
        if hooks:
            _send_webhooks(session, hooks, self.client, self.pool)
        return len(batch)
