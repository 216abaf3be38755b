"""E-mail over SMTP with the standard library: `UNDERCOVER_SMTP_URL` is `smtp://[user:pass@]host:port`,
`smtp+starttls://…` or `smtps://…` (TLS from the first byte). Plain-text and HTML parts; the HTML part
escapes everything it shows."""

import hashlib
import hmac
import html
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlencode, urlsplit

from api.config import get_settings
from api.messages.compose import public_url

TIMEOUT = 30  # seconds, per SMTP command


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    mode: str  # "plain", "starttls" or "tls"
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    modes = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
    if parts.scheme not in modes or not parts.hostname:
        raise ValueError("UNDERCOVER_SMTP_URL must be smtp://, smtp+starttls:// or smtps:// with a host")
    mode, default_port = modes[parts.scheme]
    return SmtpTarget(parts.hostname, parts.port or default_port, mode,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


class Mailer:
    """One SMTP connection for a batch of messages: `with Mailer() as m: m.send(msg)`."""

    def __init__(self, url: str | None = None):
        self.target = parse_smtp_url(url or get_settings().smtp_url)
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        t = self.target
        if t.mode == "tls":
            self.smtp = smtplib.SMTP_SSL(t.host, t.port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            self.smtp = smtplib.SMTP(t.host, t.port, timeout=TIMEOUT)
            if t.mode == "starttls":
                self.smtp.starttls(context=ssl.create_default_context())
        if t.username:
            self.smtp.login(t.username, t.password or "")
        return self

    def send(self, message: EmailMessage) -> None:
        assert self.smtp is not None
        self.smtp.send_message(message)

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()


def _domain() -> str:
    return urlsplit(get_settings().public_url).hostname or "undercover.invalid"


def message_id(delivery_id) -> str:
    """Stable per delivery: a retry carries the same Message-ID, so receivers can drop the copy."""
    return f"<{delivery_id}@{_domain()}>"


def unsubscribe_token(user_id, kind: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"unsubscribe:{user_id}:{kind}".encode(), hashlib.sha256).hexdigest()


def unsubscribe_url(user_id, kind: str) -> str:
    query = urlencode({"user": str(user_id), "kind": kind, "token": unsubscribe_token(user_id, kind)})
    return public_url(f"/api/notifications/unsubscribe?{query}")


def build(*, to: str, subject: str, body: str, link: str | None, delivery_id, unsubscribe: str | None = None
          ) -> EmailMessage:
    settings = get_settings()
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(delivery_id)
    text = body + (f"\n\nOpen it: {link}" if link else "")
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text += f"\n\nStop these e-mails: {unsubscribe}"
    msg.set_content(text)
    e = html.escape
    parts = [f"<p>{e(line)}</p>" for line in body.split("\n") if line.strip()]
    if link:
        parts.append(f'<p><a href="{e(link)}">Open it in Undercover</a></p>')
    if unsubscribe:
        parts.append(f'<p style="color:#666;font-size:12px"><a href="{e(unsubscribe)}">Stop these e-mails</a></p>')
    msg.add_alternative(f"<!doctype html><html><body>{''.join(parts)}</body></html>", subtype="html")
    return msg
