"""Uploads against a real server process: the server killed (SIGKILL) or the phone gone mid-upload, then the
whole file sent again under the same id, arrives once and whole; a body past the limit is cut off early."""

import hashlib
import select
import socket
import uuid
from pathlib import Path

import pytest

from tests.factories import visit_body
from tests.live import LiveServer, backends, live_database
from tests.media.helpers import audio, photo

pytestmark = pytest.mark.slow


def start_upload(server, actor, path: str, data: bytes, content_type: str, *, send: int,
                 length: int | None = None) -> socket.socket:
    """Send the request line, headers and the first `send` bytes of the body; leaves the socket open."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {actor.token}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {length or len(data)}\r\n\r\n")
    sock.sendall(head.encode() + data[:send])
    return sock


def media_rows(server, media_id) -> list:
    return server.rows("SELECT bytes, sha256 FROM media WHERE id = :id", id=media_id.hex if "sqlite" in
                       server.database_url else str(media_id))


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def new_pain_point(server, actor) -> str:
    body = visit_body(pain_points=1)
    res = server.http.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return body["pain_points"][0]["id"]


@pytest.mark.parametrize("backend", backends())
def test_server_killed_mid_upload_then_the_retry_arrives_once_and_whole(backend, tmp_path):
    folder = tmp_path / "media"
    with live_database(backend, tmp_path) as url, \
            LiveServer(url, tmp_path, UNDERCOVER_MEDIA_URL=folder.as_uri()) as server:
        author, manager = server.user("executive"), server.user("manager")
        pid = new_pain_point(server, author)
        uploads = [(uuid.uuid4(), audio("audio/mp4"), "audio/mp4"),
                   (uuid.uuid4(), photo(size=(1200, 900), noise=True), "image/jpeg")]
        sockets = [start_upload(server, author, f"/api/pain-points/{pid}/media/{media_id}", data, content_type,
                                send=len(data) // 2) for media_id, data, content_type in uploads]
        server.kill()  # half of each body sent: the crash
        for sock in sockets:
            sock.close()
        assert stored_files(folder) == []
        server.start(timeout=120)
        for media_id, data, content_type in uploads:
            path = f"/api/pain-points/{pid}/media/{media_id}"
            assert media_rows(server, media_id) == []
            # The phone's outbox sends the whole file again, under the same id; then once more (its answer lost).
            headers = {**author.headers, "Content-Type": content_type}
            first = server.http.put(path, content=data, headers=headers)
            again = server.http.put(path, content=data, headers=headers)
            assert (first.status_code, again.status_code) == (201, 200), first.text
            (size, digest), = media_rows(server, media_id)
            got = server.http.get(f"/api/media/{media_id}", headers=manager.headers)
            assert got.status_code == 200 and len(got.content) == size == first.json()["bytes"]
            assert hashlib.sha256(got.content).hexdigest() == digest
            if content_type.startswith("audio/"):
                assert got.content == data  # stored as sent
            mine = [p for p in stored_files(folder) if str(media_id) in str(p)]
            assert len(mine) == (2 if content_type.startswith("image/") else 1)  # the file (and a thumbnail)
        assert not [p for p in stored_files(folder) if p.name.endswith(".partial")]


def test_a_phone_gone_mid_upload_leaves_nothing_and_its_retry_succeeds(tmp_path):
    folder = tmp_path / "media"
    with live_database("sqlite", tmp_path) as url, \
            LiveServer(url, tmp_path, UNDERCOVER_MEDIA_URL=folder.as_uri()) as server:
        author = server.user("executive")
        pid = new_pain_point(server, author)
        data, media_id = audio("audio/webm"), uuid.uuid4()
        path = f"/api/pain-points/{pid}/media/{media_id}"
        start_upload(server, author, path, data, "audio/webm", send=len(data) // 3).close()  # the phone dies
        assert server.http.get("/livez").status_code == 200
        assert media_rows(server, media_id) == [] and stored_files(folder) == []
        res = server.http.put(path, content=data, headers={**author.headers, "Content-Type": "audio/webm"})
        assert res.status_code == 201 and res.json()["bytes"] == len(data)
        assert server.http.get(f"/api/media/{media_id}", headers=author.headers).content == data


def test_a_body_past_the_limit_is_refused_while_it_streams(tmp_path):
    """50 MB announced without a length (chunked): the server answers 413 once 10 MB have arrived, long
    before the phone would have sent it all, and keeps nothing."""
    folder = tmp_path / "media"
    with live_database("sqlite", tmp_path) as url, \
            LiveServer(url, tmp_path, UNDERCOVER_MEDIA_URL=folder.as_uri()) as server:
        author = server.user("executive")
        pid = new_pain_point(server, author)
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall((f"PUT /api/pain-points/{pid}/media/{uuid.uuid4()} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Authorization: Bearer {author.token}\r\nContent-Type: image/jpeg\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        chunk = photo()[:3] + b"\0" * (1024 * 1024 - 3)
        sent, answer = 0, b""
        try:
            while sent < 50 * 1024 * 1024:
                if select.select([sock], [], [], 0)[0]:
                    break
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
                chunk = b"\0" * len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(10)
        while b"\r\n" not in answer:
            answer += sock.recv(4096)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 20 * 1024 * 1024, sent
        assert stored_files(folder) == []
        assert server.rows("SELECT id FROM media") == []
