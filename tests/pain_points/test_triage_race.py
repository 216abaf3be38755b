"""Two managers link A as a duplicate of B and B as a duplicate of A at the same moment, against a real
server (issue 11, item 14): the rows are locked in one order, so neither request meets a deadlock (which
used to read as 503 "the database is not answering") and the loser is refused with 409; never a loop."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import visit_body
from tests.live import LiveServer, backends, live_database

ROUNDS = 12


def link(client: httpx.Client, pid: str, target: str, start: threading.Barrier) -> httpx.Response:
    start.wait()
    return client.patch(f"/api/pain-points/{pid}", json={"duplicate_of_id": target})


@pytest.mark.parametrize("backend", backends())
def test_crossed_duplicate_links_at_once_never_deadlock_or_loop(backend, tmp_path):
    with live_database(backend, tmp_path) as url, LiveServer(url, tmp_path) as server:
        executive, managers = server.user("executive"), [server.user("manager") for _ in range(2)]
        clients = [httpx.Client(base_url=server.url, timeout=60, headers=m.headers) for m in managers]
        try:
            outcomes = []
            for _ in range(ROUNDS):
                visit_id, body = uuid.uuid4(), visit_body(pain_points=2)
                res = server.http.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers)
                assert res.status_code == 201, res.text
                a, b = (p["id"] for p in body["pain_points"])
                start = threading.Barrier(2)

                with ThreadPoolExecutor(2) as pool:
                    answers = list(pool.map(link, clients, (a, b), (b, a), (start, start)))
                statuses = sorted(r.status_code for r in answers)
                assert statuses == [200, 409], [r.text for r in answers]
                refused = next(r for r in answers if r.status_code == 409).json()
                assert refused["error"] == "Conflict"
                winner = next(r for r in answers if r.status_code == 200).json()
                loser = ({a, b} - {winner["id"]}).pop()
                links = {pid: clients[0].get(f"/api/pain-points/{pid}").json()["duplicate_of_id"] for pid in (a, b)}
                assert links == {winner["id"]: loser, loser: None}
                outcomes.append(statuses)
        finally:
            for client in clients:
                client.close()
        assert "deadlock" not in server.log_text().lower()
        assert outcomes == [[200, 409]] * ROUNDS
