"""PostgreSQL stops while phones sync: the API answers 503 with a clear error (never a hang, never a 500),
/healthz says so, and the same server process recovers by itself when the database returns, with every
write the phones retried stored exactly once.

The database is a private throwaway server (tests/private_postgres.py), never the shared one."""

import json
import socket
import threading
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from tests.faults.test_server_faults import assert_exactly_once, make_visit
from tests.live import LiveServer
from tests.private_postgres import PrivatePostgres

pytestmark = pytest.mark.slow

HANG = 5.0  # seconds: any answer slower than this while the database is down counts as a hang


class Phone:
    """An outbox that retries 5xx until each batch is accepted, and remembers every answer it got."""

    def __init__(self, url: str, token: str, outbox: list[list[dict]]):
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=HANG)
        self.outbox, self.accepted = outbox, 0
        self.statuses: Counter = Counter()
        self.unavailable: list[dict] = []  # 503 bodies
        self.failure: BaseException | None = None

    def run(self, deadline: float) -> None:
        try:
            for batch in self.outbox:
                while True:
                    assert time.monotonic() < deadline, "a batch was never accepted"
                    res = self.http.post("/api/sync", json={"visits": batch, "cursor": None})  # a timeout = a hang
                    self.statuses[res.status_code] += 1
                    if res.status_code == 503:
                        self.unavailable.append(res.json())
                        time.sleep(0.1)
                        continue
                    assert res.status_code == 200, res.text[:300]
                    assert sorted(res.json()["accepted"]) == sorted(v["id"] for v in batch)
                    self.accepted += 1
                    break
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.failure = exc
        finally:
            self.http.close()


def timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    res = call()
    return res, time.monotonic() - started


def test_postgres_stopped_mid_sync_answers_503_then_recovers_without_losing_writes(tmp_path):
    with PrivatePostgres() as pg, LiveServer(pg.url, tmp_path, UNDERCOVER_THEMES_EMBEDDER="tfidf") as server:
        owners = [server.user("executive") for _ in range(4)]
        outboxes = [[[make_visit(p, b * 4 + i, pain_points=5) for i in range(4)] for b in range(8)]
                    for p in range(len(owners))]
        phones = [Phone(server.url, o.token, outbox) for o, outbox in zip(owners, outboxes, strict=True)]
        deadline = time.monotonic() + 25
        threads = [threading.Thread(target=phone.run, args=(deadline,)) for phone in phones]
        for t in threads:
            t.start()
        while sum(p.accepted for p in phones) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)

        pg.crash()  # phones' requests are in flight
        down_from = sum(p.accepted for p in phones)
        health, took = timed(lambda: server.http.get("/healthz"))
        assert health.status_code == 503 and took < HANG
        assert health.json() == {"status": "unavailable", "database": "OperationalError"}
        me, took = timed(lambda: server.http.get("/api/me", headers=owners[0].headers))
        assert me.status_code == 503 and took < HANG
        assert me.json() == {"error": "Service unavailable",
                             "detail": "The database is not answering; retry shortly"}
        assert me.headers["retry-after"] == "5"
        # Let every phone run into the outage at least once before the database comes back.
        while not all(p.statuses[503] for p in phones if p.failure is None and p.accepted < 8):
            assert time.monotonic() < deadline, "the phones never saw the outage"
            time.sleep(0.05)

        pg.start()  # same data directory and port; crash recovery replays the WAL
        for _ in range(100):
            if server.http.get("/healthz").status_code == 200:
                break
            time.sleep(0.1)
        assert server.http.get("/healthz").json() == {"status": "ok"}
        assert server.process.poll() is None, "the server must recover on its own, without a restart"

        for t in threads:
            t.join(timeout=30)
        for phone in phones:
            assert phone.failure is None, repr(phone.failure)
        assert down_from < sum(len(o) for o in outboxes), "the outage came too late to prove anything"
        statuses = sum((p.statuses for p in phones), Counter())
        assert set(statuses) == {200, 503}, statuses
        for body in (b for p in phones for b in p.unavailable):
            assert body["error"] == "Service unavailable" and body["detail"], body
        # Every request the server logged, during the outage too, was answered: no 500 anywhere.
        logged = [json.loads(line) for line in server.log_text().splitlines() if line.startswith('{"request_id"')]
        assert {entry["status"] for entry in logged} <= {200, 201, 204, 503}, Counter(e["status"] for e in logged)
        # Every visit and pain point the phones retried is there exactly once, with its content.
        assert_exactly_once(server, [v for outbox in outboxes for batch in outbox for v in batch])


def test_an_unreachable_database_fails_fast_instead_of_hanging():
    """A server that accepts the connection but never answers (frozen, or a black-holing network):
    the engine gives up after its connect_timeout, so a request answers 503 instead of waiting for TCP."""
    from api.db import CONNECT_TIMEOUT, make_engine

    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(16)  # the kernel completes the handshake; nobody ever answers
        port = black_hole.getsockname()[1]
        engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/undercover")
        started = time.monotonic()
        with pytest.raises(OperationalError):
            engine.connect()
        assert time.monotonic() - started < CONNECT_TIMEOUT + 3
        engine.dispose()
