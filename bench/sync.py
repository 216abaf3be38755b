"""Sync throughput and latency: N phones push 20-visit batches (100 pain points) to a real server.

    .venv/bin/python bench/sync.py --db sqlite
    .venv/bin/python bench/sync.py --db postgresql   # uses BENCH_PG_ADMIN_URL or the local `test` database

Prints visits/s, pain points/s, p50/p95/p99 of a batch, the same server's rate on a trivial endpoint
(`/livez`, the framework ceiling) in the same run, their ratio, and checks the row counts.
"""

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from server import cli, cpu_of, database_cpu_seconds, fresh_database, running_server

from tests.factories import visit_body

DATABASE = "undercover_bench_sync"

PASSWORD = "bench password 123"


def batch(size: int, pain_points: int) -> list[dict]:
    start = datetime.now(UTC) - timedelta(days=1)
    texts = [f"Queue at the tills was too long at noon, customer {i} left" for i in range(pain_points)]
    return [visit_body(id=str(uuid.uuid4()), start=start, hours=2, pain_points=texts, severity=3, quote=None,
                       notes="Bench visit", private_notes="") for _ in range(size)]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


async def phone(base: str, token: str, batches: int, size: int, per_visit: int, latencies: list[float],
                sent: list[dict]) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        cursor = (await c.post("/api/sync", json={"visits": [], "cursor": None})).json()["cursor"]
        # Written (and serialised, as a phone stores its outbox) before the phone syncs: the load generator
        # shares the server's cores, so it spends them on sending, not on encoding.
        outbox = [batch(size, per_visit) for _ in range(batches)]
        encoded = [json.dumps(visits, separators=(",", ":")).encode() for visits in outbox]
        for visits, body in zip(outbox, encoded, strict=True):
            t0 = time.perf_counter()
            res = await c.post("/api/sync", content=b'{"visits":' + body + b',"cursor":' + json.dumps(cursor).encode()
                               + b"}", headers={"Content-Type": "application/json"})
            latencies.append(time.perf_counter() - t0)
            body = res.json()
            assert res.status_code == 200 and len(body["accepted"]) == size, res.text[:300]
            cursor = body["cursor"]
            sent.extend(visits)


async def trivial(base: str, concurrency: int, requests: int) -> float:
    async def worker(n: int) -> None:
        async with httpx.AsyncClient(base_url=base) as c:
            for _ in range(n):
                assert (await c.get("/livez")).status_code == 200

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(requests // concurrency) for _ in range(concurrency)))
    return (requests // concurrency * concurrency) / (time.perf_counter() - t0)


async def run(args) -> None:
    url = fresh_database(args.db, DATABASE)
    cli(url, "migrate")
    emails = [f"phone{i}@bench.example" for i in range(args.phones)]
    for email in emails:
        cli(url, "create-user", email, "--role", "executive", "--password-stdin", stdin=PASSWORD + "\n")
    with running_server(url, workers=args.workers, theme_worker=args.theme_worker) as server:
        base = server.url
        tokens = [httpx.post(f"{base}/api/auth/token", data={"username": e, "password": PASSWORD}).json()
                  ["access_token"] for e in emails]
        latencies: list[float] = []
        sent: list[dict] = []
        # Warm-up: one batch per phone, not measured.
        await asyncio.gather(*(phone(base, t, 1, args.size, args.pain_points, [], []) for t in tokens))
        t0, cpu0, client0 = time.perf_counter(), cpu_of(server), time.process_time()
        db0 = database_cpu_seconds(DATABASE)
        await asyncio.gather(*(phone(base, t, args.batches, args.size, args.pain_points, latencies, sent)
                               for t in tokens))
        elapsed, server_cpu = time.perf_counter() - t0, cpu_of(server) - cpu0
        client_cpu = time.process_time() - client0
        db1 = database_cpu_seconds(DATABASE)
        db_cpu = None if db0 is None or db1 is None else db1 - db0
        ceiling = await trivial(base, args.phones, 2000)
        # Replay one batch: nothing may be duplicated.
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {tokens[0]}"}) as c:
            await c.post("/api/sync", json={"visits": sent[: args.size], "cursor": None})

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        visits = conn.execute(text("SELECT count(*) FROM visit")).scalar_one()
        points = conn.execute(text("SELECT count(*) FROM pain_point")).scalar_one()
    engine.dispose()
    expected_visits = (args.batches + 1) * args.phones * args.size
    batches_per_s = len(latencies) / elapsed
    print(f"database: {args.db}; server workers: {args.workers}; theme worker: {args.theme_worker}; "
          f"phones: {args.phones}; batches: {len(latencies)} of {args.size} visits x {args.pain_points} pain points")
    print(f"visits/s: {len(sent) / elapsed:.0f}   pain points/s: {len(sent) * args.pain_points / elapsed:.0f}")
    print(f"batch latency ms: p50 {pct(latencies, 50):.0f}  p95 {pct(latencies, 95):.0f}  "
          f"p99 {pct(latencies, 99):.0f}  (mean {statistics.mean(latencies) * 1000:.0f})")
    print(f"CPU per batch: server {server_cpu / len(latencies) * 1000:.1f} ms, "
          f"load generator {client_cpu / len(latencies) * 1000:.1f} ms"
          + (f", PostgreSQL backends {db_cpu / len(latencies) * 1000:.1f} ms" if db_cpu is not None else "")
          + f" (same {os.cpu_count()} cores)")
    print(f"trivial endpoint /livez: {ceiling:.0f} req/s; sync batches/s: {batches_per_s:.1f}; "
          f"ratio {batches_per_s / ceiling:.3f} (requests), {len(sent) / elapsed / ceiling:.2f} (visits)")
    ok = visits == expected_visits and points == expected_visits * args.pain_points
    print(f"rows: {visits} visits, {points} pain points; expected {expected_visits} and "
          f"{expected_visits * args.pain_points}: {'OK' if ok else 'MISMATCH'}")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--batches", type=int, default=10, help="measured batches per phone")
    parser.add_argument("--size", type=int, default=20, help="visits per batch")
    parser.add_argument("--pain-points", type=int, default=5, help="pain points per visit")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--theme-worker", action="store_true", help="also embed new pain points meanwhile")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
