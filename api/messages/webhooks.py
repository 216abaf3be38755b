"""Webhooks: admins' subscriptions, the address check, signing and one call.

A URL must be http(s) and resolve only to public addresses, unless UNDERCOVER_WEBHOOK_ALLOW_PRIVATE=true:
checked when the webhook is saved and again before every call (an address can change). The call then
connects to the address that was checked, never to a second lookup of the name (which a hostile DNS server
could answer with a private address: DNS rebinding); the name still goes in the Host header and, for https,
in the TLS server name that the certificate is verified against. Calls time out in 10 s and never follow
redirects (a redirect is an answer that is not 2xx: retried, then given up).
"""

import hashlib
import hmac
import ipaddress
import socket
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from sqlalchemy import update
from sqlmodel import Session, select

from api.auth.models import User
from api.config import get_settings
from api.core.clock import utcnow
from api.errors import Conflict, Invalid, NotFound, field_error
from api.events.outbox import PUBLIC
from api.messages.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook

TIMEOUT = 10.0
USER_AGENT = "Undercover-Webhooks/1"


class Refused(Exception):
    """The URL may not be called."""


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def check_url(url: str, *, allow_private: bool | None = None) -> str | None:
    """Raise Refused unless `url` may be called. Only resolves the name: it never connects. Returns the checked
    address to connect to (None when private addresses are allowed: the name was not looked up)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise Refused("must not carry a user name or password")
    allow = get_settings().webhook_allow_private if allow_private is None else allow_private
    if allow:
        return None
    try:
        addresses = resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"the host does not resolve ({type(exc).__name__})") from None
    private = [a for a in addresses if is_private(a.split("%")[0])]
    if private or not addresses:
        raise Refused("resolves to a loopback, link-local or private address "
                      "(set UNDERCOVER_WEBHOOK_ALLOW_PRIVATE=true to allow it on a closed network)")
    return addresses[0]


def pinned(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL, headers, request extensions) that reach `url`'s server at `address` (see the module's docstring).
    A pinned https call closes its connection afterwards: a connection verified for one name must not be
    reused for another name that happens to share the address."""
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    target = parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")).geturl()
    if parts.scheme == "https":
        return target, {"Host": parts.netloc, "Connection": "close"}, {"sni_hostname": parts.hostname}
    return target, {"Host": parts.netloc}, {}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int


def call(client: httpx.Client, hook: Webhook, *, delivery_id: uuid.UUID, event_name: str, body: str) -> Outcome:
    """One POST of a delivery's stored body (the same bytes, and so the same signature, on every retry)."""
    started = time.monotonic()
    raw = body.encode()
    try:
        target, host_headers, extensions = pinned(hook.url, check_url(hook.url))
        answer = client.post(target, content=raw, extensions=extensions, headers={
            "Content-Type": "application/json", "User-Agent": USER_AGENT,
            "X-Undercover-Event": event_name, "X-Undercover-Delivery": str(delivery_id),
            "X-Undercover-Signature": signature(hook.secret, raw), **host_headers})
    except Refused as exc:
        return Outcome(False, None, f"refused: {exc}"[:500], int((time.monotonic() - started) * 1000))
    except httpx.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}"[:500], int((time.monotonic() - started) * 1000))
    ms = int((time.monotonic() - started) * 1000)
    ok = 200 <= answer.status_code < 300
    return Outcome(ok, answer.status_code, None if ok else f"answered {answer.status_code}", ms)


def new_client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False)


# The admin API


def create_webhook(*, session: Session, admin: User, url: str, events: list[str], secret: str, format: str
                   ) -> Webhook:
    unknown = [e for e in events if e not in PUBLIC]
    if unknown:
        raise Invalid([field_error("events", f"unknown events: {', '.join(unknown)}; known: {', '.join(PUBLIC)}")])
    try:
        check_url(url)
    except Refused as exc:
        raise Invalid([field_error("url", f"This URL is refused: it {exc}", "url_refused")]) from None
    hook = Webhook(url=url, events=list(dict.fromkeys(events)), secret=secret, format=format,
                   created_by_id=admin.id)
    session.add(hook)
    session.commit()
    return hook


def list_webhooks(*, session: Session) -> list[Webhook]:
    return list(session.exec(select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.created_at)))


def _live(session: Session, webhook_id: uuid.UUID) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.deleted_at is not None:
        raise NotFound("No such webhook")
    return hook


def delete_webhook(*, session: Session, webhook_id: uuid.UUID) -> None:
    """Stops at once: its waiting deliveries are given up in the same transaction."""
    hook = _live(session, webhook_id)
    now = utcnow()
    hook.deleted_at = now
    session.add(hook)
    session.execute(update(Delivery).where(Delivery.webhook_id == hook.id, Delivery.status == DeliveryStatus.pending)
                    .values(status=DeliveryStatus.failed, last_error="webhook deleted", claimed_until=None))
    session.commit()


def deliveries(*, session: Session, webhook_id: uuid.UUID, limit: int = 100) -> list[tuple[Delivery, list]]:
    _live(session, webhook_id)
    rows = list(session.exec(select(Delivery).where(Delivery.webhook_id == webhook_id)
                             .order_by(Delivery.created_at.desc(), Delivery.id).limit(limit)))
    log: dict = {d.id: [] for d in rows}
    if rows:
        for attempt in session.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(log))
                                    .order_by(DeliveryAttempt.started_at)):
            log[attempt.delivery_id].append(attempt)
    return [(d, log[d.id]) for d in rows]


def redeliver(*, session: Session, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> Delivery:
    """Send a delivery again, with the same delivery id, at the next worker step."""
    _live(session, webhook_id)
    row = session.get(Delivery, delivery_id, with_for_update=True)
    if row is None or row.webhook_id != webhook_id:
        raise NotFound("No such delivery")
    now = utcnow()
    if row.status == DeliveryStatus.pending and row.claimed_until and row.claimed_until > now:
        session.rollback()
        raise Conflict("This delivery is being sent right now")
    row.status, row.next_attempt_at, row.claimed_until = DeliveryStatus.pending, now, None
    row.created_at = now  # a fresh retry window
    session.add(row)
    session.commit()
    return row


def by_status(*, session: Session, status: str, limit: int) -> list[Delivery]:
    """Every channel's deliveries in one status, newest first: how admins see what failed."""
    return list(session.exec(select(Delivery).where(Delivery.status == status)
                             .order_by(Delivery.created_at.desc()).limit(limit)))
