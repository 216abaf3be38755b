"""Faults against real server processes: SIGKILL while phones sync, two clients editing one visit,
two server processes sharing one database."""

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.factories import visit_body
from tests.live import LiveServer, backends, live_database

pytestmark = pytest.mark.slow


def make_visit(phone: int, n: int, pain_points: int = 5) -> dict:
    return visit_body(
        id=str(uuid.uuid4()), start=datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(hours=n), hours=2,
        notes=f"phone {phone} visit {n}", private_notes=f"private {phone}/{n}", quote=None,
        pain_points=[{"text": f"phone {phone} visit {n} pain {i}", "severity": 1 + i % 5} for i in range(pain_points)],
    )


def push_until_accepted(url: str, token: str, batch: list[dict], deadline: float) -> int:
    """A phone's outbox flush: retry on network errors and 5xx until the batch is accepted. Returns tries."""
    tries = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        while time.monotonic() < deadline:
            tries += 1
            try:
                res = http.post("/api/sync", json={"visits": batch, "cursor": None})
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            if res.status_code >= 500:
                time.sleep(0.1)
                continue
            assert res.status_code == 200, res.text[:300]
            body = res.json()
            assert sorted(body["accepted"]) == sorted(v["id"] for v in batch), body["rejected"][:2]
            return tries
    raise AssertionError("the batch was never accepted")


def assert_exactly_once(server: LiveServer, sent: list[dict]) -> None:
    visits = {str(r[0]).replace("-", ""): (r[1], r[2]) for r in server.rows(
        "SELECT id, notes, private_notes FROM visit")}
    points = {str(r[0]).replace("-", ""): (r[1], r[2]) for r in server.rows(
        "SELECT id, text, severity FROM pain_point")}
    assert len(visits) == len(sent)
    assert len(points) == sum(len(v["pain_points"]) for v in sent)
    for v in sent:
        assert visits[v["id"].replace("-", "")] == (v["notes"], v["private_notes"])
        for p in v["pain_points"]:
            assert points[p["id"].replace("-", "")] == (p["text"], p["severity"])
    assert server.scalar("SELECT max(version) FROM visit") == 1  # replays changed nothing


@pytest.mark.parametrize("backend", backends())
def test_sigkill_while_phones_sync_loses_and_duplicates_nothing(backend, tmp_path):
    phones, batches, per_batch = 4, 5, 8
    with live_database(backend, tmp_path) as url, LiveServer(url, tmp_path) as server:
        tokens = [server.user("executive").token for _ in range(phones)]
        outboxes = [[[make_visit(p, b * per_batch + i) for i in range(per_batch)] for b in range(batches)]
                    for p in range(phones)]
        accepted = []
        errors: list[BaseException] = []
        deadline = time.monotonic() + 25

        def phone(p: int) -> None:
            try:
                for batch in outboxes[p]:
                    push_until_accepted(server.url, tokens[p], batch, deadline)
                    accepted.append(batch)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=phone, args=(p,)) for p in range(phones)]
        for t in threads:
            t.start()
        while len(accepted) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # mid-sync: batches are in flight
        killed_after = len(accepted)
        time.sleep(0.5)
        server.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors, errors[0]
        assert killed_after < phones * batches, "the kill came too late to prove anything"
        sent = [v for outbox in outboxes for batch in outbox for v in batch]
        assert_exactly_once(server, sent)
        # Each phone pulls exactly its own visits back, once.
        for p, token in enumerate(tokens):
            res = server.http.post("/api/sync", json={"visits": [], "cursor": None},
                                   headers={"Authorization": f"Bearer {token}"})
            ids = [v["id"] for v in res.json()["changes"]]
            assert sorted(ids) == sorted(v["id"] for batch in outboxes[p] for v in batch)


@pytest.mark.parametrize("backend", backends())
def test_concurrent_edits_one_wins_the_other_gets_409_with_the_server_copy(backend, tmp_path):
    with live_database(backend, tmp_path) as url, LiveServer(url, tmp_path) as server:
        owner = server.user("executive")
        phone, laptop = owner.token, server.token(owner.id)
        for round_ in range(8):
            visit = make_visit(0, round_)
            created = server.http.put(f"/api/visits/{visit['id']}", json=visit, headers=owner.headers)
            assert created.status_code == 201
            edits = [{**visit, "version": 1, "notes": f"edit from {who}"} for who in ("phone", "laptop")]
            barrier = threading.Barrier(2)
            results: dict[int, httpx.Response] = {}

            def send(i: int, token: str, edits=edits, barrier=barrier, results=results, visit=visit,
                     round_=round_) -> None:
                with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                                  timeout=30) as http:
                    barrier.wait()
                    if i == 0 or round_ % 2 == 0:
                        results[i] = http.put(f"/api/visits/{visit['id']}", json=edits[i])
                    else:  # odd rounds: the second client edits through /api/sync
                        results[i] = http.post("/api/sync", json={"visits": [edits[i]], "cursor": None})

            threads = [threading.Thread(target=send, args=(i, t)) for i, t in enumerate((phone, laptop))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            outcomes = []
            for _, res in sorted(results.items()):
                if res.request.url.path == "/api/sync":
                    body = res.json()
                    outcomes.append(("won", None) if body["accepted"] else ("lost", body["conflicts"][0]["server"]))
                else:
                    assert res.status_code in (200, 409), res.text
                    outcomes.append(("won", None) if res.status_code == 200 else ("lost", res.json()["server"]))
            assert sorted(o for o, _ in outcomes) == ["lost", "won"], outcomes
            winner = [edits[i] for i, (o, _) in enumerate(outcomes) if o == "won"][0]
            server_copy = [copy for o, copy in outcomes if o == "lost"][0]
            assert server_copy["notes"] == winner["notes"] and server_copy["version"] == 2
            stored = server.http.get(f"/api/visits/{visit['id']}", headers=owner.headers).json()
            assert stored["notes"] == winner["notes"] and stored["version"] == 2


@pytest.mark.parametrize("backend", backends())
def test_two_server_processes_share_one_database(backend, tmp_path):
    """Nothing that matters lives in one process: tokens, the login rate limit and sync cursors work
    across processes, as behind a load balancer."""
    with live_database(backend, tmp_path) as url:
        a, b = (LiveServer(url, tmp_path, UNDERCOVER_LOGIN_MAX_FAILURES="4") for _ in range(2))
        a.migrate()
        a.launch(), b.launch()  # started side by side, as a deployment scales out
        with a.wait_ready(), b.wait_ready():
            _two_processes(a, b)


def _two_processes(a: LiveServer, b: LiveServer) -> None:
    owner = a.user("executive")
    # A token issued by one process works on the other; revoked on one, refused by both.
    assert b.http.get("/api/me", headers=owner.headers).status_code == 200
    spare = b.sign_in(owner.email)
    assert a.http.post("/api/auth/logout", headers={"Authorization": f"Bearer {spare}"}).status_code == 204
    assert b.http.get("/api/me", headers={"Authorization": f"Bearer {spare}"}).status_code == 401
    # The login rate limit counts failures on both processes together.
    for server in (a, b, a, b):
        assert server.http.post("/api/auth/token", data={"username": owner.email, "password": "wrong!"}
                                ).status_code == 401
    assert a.http.post("/api/auth/token", data={"username": owner.email, "password": "wrong!"}
                       ).status_code == 429
    assert b.http.post("/api/auth/token", data={"username": owner.email, "password": "wrong!"}
                       ).status_code == 429
    # Phones alternate between processes; a cursor from one is good on the other.
    sent, cursor = [], None
    for i in range(6):
        server = (a, b)[i % 2]
        batch = [make_visit(0, i * 3 + j, pain_points=2) for j in range(3)]
        res = server.http.post("/api/sync", json={"visits": batch, "cursor": cursor}, headers=owner.headers)
        assert res.status_code == 200 and len(res.json()["accepted"]) == 3
        cursor = res.json()["cursor"]
        sent += batch
    other = b.http.post("/api/sync", json={"visits": [], "cursor": None}, headers=owner.headers).json()
    assert sorted(v["id"] for v in other["changes"]) == sorted(v["id"] for v in sent)
    caught_up = a.http.post("/api/sync", json={"visits": [], "cursor": other["cursor"]},
                            headers=owner.headers).json()
    assert caught_up["changes"] == []
    # Concurrent pushes to both processes: every visit exactly once.
    more = [[make_visit(1, 100 + k * 10 + j) for j in range(10)] for k in range(4)]
    threads = [threading.Thread(target=push_until_accepted, args=((a, b)[k % 2].url, owner.token, batch,
                                                                  time.monotonic() + 20))
               for k, batch in enumerate(more)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert_exactly_once(a, sent + [v for batch in more for v in batch])
