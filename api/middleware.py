"""Pure ASGI middleware: body size limit, security headers, compression, one log line per request."""

import json
import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.operations import metrics

log = logging.getLogger("undercover.request")

CSP = (
    # blob: for images and media: photos and voice notes need the bearer token, so the app fetches them
    # and shows them from blob: URLs.
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; "
    "manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=(), payment=(), usb=()"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def _error_body(status: int, error: str, detail: str) -> tuple[list, bytes]:
    body = json.dumps({"error": error, "detail": detail}).encode()
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body


class BodyTooLarge(Exception):
    pass


class LimitBodySize:
    """The request body limit. Paths matching `exempt` (the media upload) enforce their own, larger one
    while they stream the body to disk."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: re.Pattern | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exempt is not None and self.exempt.fullmatch(scope["path"])):
            return await self.app(scope, receive, send)
        detail = f"The request body must be at most {self.max_bytes // 1024} KB"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._reject(send, detail)
        seen = 0
        exceeded = responded = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # The framework may turn our exception into its own 400; answer 413 instead.
            nonlocal responded
            if not exceeded:
                responded = True
                await send(message)
            elif message["type"] == "http.response.start" and not responded:
                responded = True
                await self._reject(send, detail)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not responded:
                await self._reject(send, detail)

    @staticmethod
    async def _reject(send: Send, detail: str) -> None:
        headers, body = _error_body(413, "Payload too large", detail)
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        https = scope.get("scheme") == "https"

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                headers.append((b"content-security-policy", CSP.encode()))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_headers)


class Compression:
    """gzip for answers of 1 KB or more (JSON, JavaScript, CSS, HTML, CSV) when the client accepts it.

    Starlette's GZipMiddleware already sends as they are: small answers, partial (206) ones, bodies that
    carry a Content-Encoding and media compressed already (images, audio, video, zip, gzip, fonts); and it
    compresses a stream chunk by chunk, flushing each, so the CSV export still streams. Added here:
    - a request with a Range header is never compressed: its byte offsets count the file's own bytes;
    - a compressed answer's ETag is made weak (as nginx does): the gzip bytes are not the file's bytes,
      so they must fail a strong comparison (If-Range), while If-None-Match revalidation still matches.
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 1000, compresslevel: int = 6):
        self.app = app
        # Level 6 (zlib's default): nearly level 9's size for a fraction of its CPU.
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"range" for name, _ in scope["headers"]):
            return await self.app(scope, receive, send)

        async def weaken_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                etag = headers.get("etag")
                if etag and headers.get("content-encoding") == "gzip" and not etag.startswith("W/"):
                    headers["etag"] = f"W/{etag}"
                    message["headers"] = headers.raw
            await send(message)

        await self.gzip(scope, receive, weaken_etag)


def route_template(scope: Scope) -> str:
    """The matched route's full template ("/api/visits/{visit_id}"): never ids or other concrete values.
    Routes of included routers know only their own part of the path, so the prefix is taken from the
    request path, segment for segment."""
    path = getattr(scope.get("route"), "path", None)
    if not path:
        return "/api/*" if scope["path"].startswith("/api") else "/*"
    own = path.strip("/").count("/") + 1
    segments = scope["path"].strip("/").split("/")
    prefix = "/".join(segments[: max(0, len(segments) - own)])
    return f"/{prefix}{path}" if prefix else path


class RequestLog:
    """One structured line per request: id, method, route template, status, duration. No query strings,
    headers or bodies, so tokens and notes never reach the log."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = uuid.uuid4().hex[:16]
        start = time.perf_counter()
        status = 500
        metrics.request_started()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            template = route_template(scope)
            duration_ms = (time.perf_counter() - start) * 1000
            metrics.request_finished(scope["method"], template, status, duration_ms)
            log.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope["method"],
                        "route": template,
                        "status": status,
                        "duration_ms": round(duration_ms, 1),
                    }
                )
            )
