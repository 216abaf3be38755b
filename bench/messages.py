"""Message delivery under load: events delivered to 3 webhooks (local receivers) and by e-mail (a local SMTP
server), while phones sync.

    .venv/bin/python bench/messages.py --db postgresql                 # 10,000 events, both worker setups
    .venv/bin/python bench/messages.py --db sqlite --events 1000 --worker api

Logs `--events` severity-5 pain points (each one event: 3 webhook calls and 1 e-mail to the department's
manager), then, while the worker delivers them, lets bench/sync.py's phones push up to `--batches` batches
each (a round counts only if deliveries were still outstanding when it ended), and compares their p95 with
the same phones on the same server with nothing to deliver: before the events were logged and after all
were delivered (webhooks deleted). Prints events/s delivered, p50/p95 from commit (the sync answer) to
arrival, and the sync p95 ratio (the target: at most 1.10). `--worker api` delivers from the API's own
worker (a child process on PostgreSQL, a thread on SQLite), `separate` from `undercover worker` with
UNDERCOVER_MESSAGES_WORKER=false for the API, `both` (the default) runs each on a fresh database.
The receivers run in a process of their own at the lowest priority (bench/receivers.py says why).
Everything listens on 127.0.0.1."""

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid

import httpx
from server import BENCH_ENV, ROOT, cli, fresh_database, running_server
from sync import pct, phone

from tests.factories import visit_body

DATABASE = "undercover_bench_messages"
PASSWORD = "bench password 123"
SECRET = "bench-webhook-secret-123"


class Arrivals:
    """Arrival time of each pain point's message, per channel (first arrival counts), and duplicates, as
    bench/receivers.py reports them from its own process."""

    def __init__(self, lines) -> None:
        self.lock = threading.Lock()
        self.first: dict[tuple[str, str], float] = {}
        self.deliveries: set[str] = set()
        self.duplicates = 0
        threading.Thread(target=self._read, args=(lines,), daemon=True).start()

    def _read(self, lines) -> None:
        for line in lines:
            channel, point_id, delivery_id, at = line.split()
            with self.lock:
                if delivery_id in self.deliveries:
                    self.duplicates += 1
                self.deliveries.add(delivery_id)
                self.first.setdefault((channel, point_id), float(at))

    def count(self) -> int:
        with self.lock:
            return len(self.deliveries)

    def of(self, points: dict) -> int:
        """Messages that arrived about these pain points (one per channel each)."""
        with self.lock:
            return sum(1 for (_, pid) in self.first if pid in points)

    def firsts(self) -> list[tuple[str, float]]:
        """(pain point, arrival) of every first arrival so far: a copy, taken while receivers still add."""
        with self.lock:
            return [(pid, at) for (_, pid), at in self.first.items()]


def start_receivers(hooks: int) -> tuple[subprocess.Popen, Arrivals, int, list[str]]:
    """bench/receivers.py at the lowest priority (see its docstring): the SMTP port and the hook URLs."""
    process = subprocess.Popen(
        ["nice", "-n", "19", sys.executable, str(ROOT / "bench" / "receivers.py"), str(hooks)], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    ready = process.stdout.readline().split()
    assert ready and ready[0] == "ready", f"bench/receivers.py did not start: {ready}"
    return process, Arrivals(process.stdout), int(ready[1]), ready[2:]


async def log_events(base: str, token: str, events: int, department_id: str, committed: dict) -> None:
    """`events` severity-5 pain points, 100 per visit, 10 visits per request; each batch's commit time kept."""
    per_visit, per_request = 100, 10
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        left = events
        while left > 0:
            visits = []
            for _ in range(per_request):
                n = min(per_visit, left)
                if n <= 0:
                    break
                left -= n
                visits.append(visit_body(id=str(uuid.uuid4()), pain_points=[f"Bench alert {i}" for i in range(n)],
                                         severity=5, department_id=department_id, quote=None))
            res = await c.post("/api/sync", json={"visits": visits, "cursor": None})
            assert res.status_code == 200, res.text[:300]
            at = time.monotonic()
            for v in visits:
                for p in v["pain_points"]:
                    committed[p["id"]] = at


async def sync_latencies(base: str, tokens: list[str], batches: int) -> list[float]:
    latencies: list[float] = []
    await asyncio.gather(*(phone(base, t, batches, 20, 5, latencies, []) for t in tokens))
    return latencies


async def sync_while(base: str, tokens: list[str], busy, batches: int) -> tuple[list[float], int]:
    """Up to `batches` batches per phone, in rounds of 2, while `busy()`; a round counts only if deliveries
    were still outstanding when it ended (so every kept batch ran while the worker was delivering). Bounded:
    the phones' own pain points are delivered to the webhooks too, and phones syncing without pause would
    queue deliveries faster than 2 cores can send them."""
    kept: list[float] = []
    rounds = 0
    while busy() and rounds * 2 < batches:
        latencies = await sync_latencies(base, tokens, 2)
        rounds += 1
        if busy():
            kept += latencies
    return kept, rounds


async def run(args, separate: bool) -> None:
    started = time.perf_counter()
    url = fresh_database(args.db, DATABASE)
    cli(url, "migrate")
    for email_, role in [("admin@bench.example", "admin"), ("manager@bench.example", "manager"),
                         ("field@bench.example", "executive")] + [
            (f"phone{i}@bench.example", "executive") for i in range(args.phones)]:
        cli(url, "create-user", email_, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    receivers, arrivals, smtp_port, hook_urls = start_receivers(3)
    env = {"UNDERCOVER_MESSAGES_INTERVAL": "0.2", "UNDERCOVER_WEBHOOK_ALLOW_PRIVATE": "true",
           "UNDERCOVER_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "UNDERCOVER_SUMMARY_REFRESH_SECONDS": "0",
           "UNDERCOVER_MESSAGES_WORKER": "false" if separate else "true"}
    worker = None
    if separate:  # `undercover worker` in a process of its own
        worker = subprocess.Popen([sys.executable, "-m", "api", "worker"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  env={**os.environ, **BENCH_ENV, **env, "UNDERCOVER_MESSAGES_WORKER": "true",
                                       "DATABASE_URL": url, "PYTHONPATH": str(ROOT)})
    with running_server(url, env=env) as server:
        base = server.url

        def token(e: str) -> str:
            return httpx.post(f"{base}/api/auth/token", data={"username": e, "password": PASSWORD}).json()[
                "access_token"]

        admin = {"Authorization": f"Bearer {token('admin@bench.example')}"}
        phones = [token(f"phone{i}@bench.example") for i in range(args.phones)]
        department = httpx.post(f"{base}/api/departments", json={"name": "Stores"}, headers=admin).json()["id"]
        users = httpx.get(f"{base}/api/users", headers=admin).json()
        manager = next(u for u in users if u["email"] == "manager@bench.example")
        httpx.patch(f"{base}/api/users/{manager['id']}", json={"department_ids": [department]}, headers=admin)

        await asyncio.gather(*(phone(base, t, 1, 20, 5, [], []) for t in phones))  # warm-up
        before = await sync_latencies(base, phones, args.batches)

        hooks = []
        for hook_url in hook_urls:
            res = httpx.post(f"{base}/api/webhooks", headers=admin, json={
                "url": hook_url, "events": ["pain_point.created"], "secret": SECRET})
            assert res.status_code == 201, res.text
            hooks.append(res.json()["id"])
        committed: dict[str, float] = {}
        expected = args.events * 4
        deadline = time.monotonic() + args.timeout
        t0 = time.monotonic()
        await log_events(base, token("field@bench.example"), args.events, department, committed)

        def busy() -> bool:
            return arrivals.of(committed) < expected and time.monotonic() < deadline

        during, rounds = await sync_while(base, phones, busy, args.batches)
        while busy():
            await asyncio.sleep(0.2)
        firsts = [(pid, at) for pid, at in arrivals.firsts() if pid in committed]
        elapsed = max((at for _, at in firsts), default=t0) - t0
        delivered = len(firsts)
        outstanding = expected - delivered
        # The second baseline: the same phones once everything was delivered, with the webhooks deleted (the
        # phones' own pain points would otherwise be delivered meanwhile); the database is as large as during.
        for hook in hooks:
            httpx.delete(f"{base}/api/webhooks/{hook}", headers=admin, timeout=60)
        after = await sync_latencies(base, phones, args.batches)
    if worker is not None:
        worker.terminate()
        worker.wait(timeout=30)
    receivers.stdin.close()
    receivers.wait(timeout=30)

    lags = [at - committed[pid] for pid, at in firsts]
    where = "its own process (undercover worker)" if separate else "in the API process"
    print(f"database: {args.db}; worker: {where}; events: {args.events}; deliveries expected: {expected} "
          f"(3 webhooks + 1 e-mail each); phones: {args.phones}; wall time {time.perf_counter() - started:.0f} s")
    print(f"delivered: {delivered} in {elapsed:.1f} s from the first commit = {delivered / max(elapsed, 1e-9):.0f} "
          f"deliveries/s, {delivered / 4 / max(elapsed, 1e-9):.0f} events/s; duplicates: "
          f"{arrivals.duplicates}; outstanding: {outstanding} (the phones' own pain points were delivered too: "
          f"{arrivals.count() - delivered} more)")
    if lags:
        print(f"commit -> delivery ms: p50 {pct(lags, 50):.0f}  p95 {pct(lags, 95):.0f}  p99 {pct(lags, 99):.0f}")
    baseline = before + after
    print(f"sync p95 ms without deliveries: before {pct(before, 95):.0f}, after {pct(after, 95):.0f}, "
          f"both {pct(baseline, 95):.0f} ({len(baseline)} batches)")
    if during:
        ratio = pct(during, 95) / pct(baseline, 95)
        print(f"sync p95 ms while delivering: {pct(during, 95):.0f} ({len(during)} batches in {rounds} rounds): "
              f"ratio {ratio:.2f} ({'OK' if ratio <= 1.10 else 'OVER the 1.10 target'})")
    else:
        print("sync while delivering: no round ended before the last delivery (use more --events)")
    if outstanding:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--phones", type=int, default=4)
    parser.add_argument("--batches", type=int, default=10, help="measured sync batches per phone, per phase")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for every delivery")
    parser.add_argument("--worker", choices=["api", "separate", "both"], default="both",
                        help="deliver from the API process, from `undercover worker`, or one run of each")
    args = parser.parse_args()
    for separate in {"api": [False], "separate": [True], "both": [False, True]}[args.worker]:
        asyncio.run(run(args, separate))


if __name__ == "__main__":
    main()
