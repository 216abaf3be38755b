"""Responses of 1 KB or more are gzipped when the client accepts it; what is small, partial (Range) or
compressed already (images, audio) is sent as it is; streams stay streams, and static files keep
revalidating by ETag."""

import asyncio
import gzip
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.factories import visit_body

PWA = Path(__file__).resolve().parents[2] / "mobile_pwa"
GZIP = {"Accept-Encoding": "gzip"}


def test_json_js_and_css_over_1_kb_are_gzipped(client):
    for path, media in (("/api/openapi.json", "application/json"), ("/app.js", "javascript"),
                        ("/css/app.css", "text/css")):
        res = client.get(path, headers=GZIP)
        assert res.status_code == 200, path
        assert media in res.headers["content-type"], path
        assert res.headers.get("content-encoding") == "gzip", path
        assert "accept-encoding" in res.headers["vary"].lower(), path
        assert int(res.headers["content-length"]) < len(res.content) / 2, path  # sent size vs decoded size
    assert client.get("/app.js", headers=GZIP).content == (PWA / "app.js").read_bytes()


def test_clients_that_do_not_accept_gzip_get_plain_bytes(client):
    res = client.get("/app.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in res.headers
    assert int(res.headers["content-length"]) == (PWA / "app.js").stat().st_size


def test_responses_under_1_kb_are_not_compressed(client):
    for path in ("/healthz", "/manifest.webmanifest"):
        res = client.get(path, headers=GZIP)
        assert res.status_code == 200 and len(res.content) < 1000, path
        assert "content-encoding" not in res.headers, path


def test_range_requests_get_the_plain_bytes_asked_for(client):
    whole = (PWA / "app.js").read_bytes()
    res = client.get("/app.js", headers={**GZIP, "Range": "bytes=0-1499"})
    assert res.status_code == 206
    assert "content-encoding" not in res.headers
    assert res.content == whole[:1500]
    assert res.headers["content-length"] == "1500"


def test_images_are_not_compressed_again(client):
    icon = PWA / "icons" / "icon-512.png"
    assert icon.stat().st_size > 1000
    res = client.get("/icons/icon-512.png", headers=GZIP)
    assert res.status_code == 200 and res.headers["content-type"] == "image/png"
    assert "content-encoding" not in res.headers
    assert res.content == icon.read_bytes()


def test_static_files_still_revalidate_by_etag(client):
    first = client.get("/sw.js", headers=GZIP)
    assert first.headers["content-encoding"] == "gzip"
    # The gzip bytes are not the file's bytes: the tag is weak, so it can never pass as the file's own
    # in a strong comparison (If-Range) ...
    assert first.headers["etag"].startswith('W/"')
    # ... while revalidation still matches, gzipped or not.
    for headers in (GZIP, {"Accept-Encoding": "identity"}):
        again = client.get("/sw.js", headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, headers
        assert again.content == b""
    plain = client.get("/sw.js", headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"] == first.headers["etag"].removeprefix("W/")


def test_csv_export_is_gzipped_as_a_stream(client, executive, manager):
    body = visit_body(pain_points=12)
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers).status_code == 201
    res = client.get("/api/pain-points/export.csv", headers={**manager.headers, **GZIP})
    assert res.status_code == 200
    assert res.headers["content-encoding"] == "gzip"
    assert "content-length" not in res.headers  # streamed: the length is not known up front
    assert res.headers["x-row-count"] == "12"
    assert res.text.count("\n") == 13


def test_compression_passes_each_chunk_on_as_it_comes():
    """A streamed answer is compressed chunk by chunk, each flushed at once, not held back to the end."""
    from api.middleware import Compression

    events: list[str] = []
    chunks = [b"ref,text\n" + b"%d,a line of an export\n" % i * 60 for i in range(3)]

    async def streaming_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/csv")]})
        for i, chunk in enumerate(chunks):
            events.append(f"made {i}")
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent: list[dict] = []

    async def record(message):
        if message["type"] == "http.response.body" and message["body"]:
            events.append(f"sent {len(sent)}")
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [(b"accept-encoding", b"gzip")]}
    # On a thread of its own: browser tests earlier in the run leave an event loop set on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, Compression(streaming_app)(scope, None, record)).result()
    assert events[:6] == ["made 0", "sent 1", "made 1", "sent 2", "made 2", "sent 3"]
    start = sent[0]
    assert (b"content-encoding", b"gzip") in start["headers"]
    body = b"".join(m["body"] for m in sent[1:])
    assert gzip.decompress(body) == b"".join(chunks)
    first = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(sent[1]["body"])
    assert first == chunks[0]  # the first chunk can be read before the rest exists
