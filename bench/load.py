"""Mixed load: phones syncing while managers page and filter the feed, against one real server process.

    .venv/bin/python bench/load.py                      # PostgreSQL, 50 phones + 10 managers, 2 minutes
    .venv/bin/python bench/load.py --seconds 30         # shorter
    BENCH_PG_ADMIN_URL=postgresql+psycopg://user@host:5432/postgres .venv/bin/python bench/load.py

Loopback only; bounded by --seconds and by --max-requests per simulated client. Prints throughput and
p50/p95/p99 per endpoint, the error count (must be 0), the final row counts against what was sent (must
match exactly), and the sync endpoint's throughput against a trivial endpoint (/livez) on the same
server in the same run. The load generator shares the machine with the server: on a small machine the
figures are a floor, not a ceiling.
"""

import argparse
import asyncio
import hashlib
import hmac
import random
import secrets
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import httpx
from server import cli, cpu_of, fresh_database, running_server

from tests.factories import visit_body

SECRET = "bench-secret"  # running_server's UNDERCOVER_SECRET_KEY


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def make_users(url: str, phones: int, managers: int) -> tuple[list[str], list[str], list[str]]:
    """Users and tokens written straight to the database: 60 argon2 sign-ins would dominate a short run."""
    from sqlalchemy import create_engine
    from sqlmodel import Session

    from api.auth.models import AuthToken, User
    from api.auth.security import hash_password

    engine = create_engine(url)
    password_hash = hash_password(secrets.token_urlsafe(16))
    tokens: dict[str, list[str]] = {"executive": [], "manager": []}
    author_ids = []
    with Session(engine) as session:
        for role, count in (("executive", phones), ("manager", managers)):
            for i in range(count):
                user = User(email=f"{role}{i}@load.example", display_name=f"{role} {i}", role=role,
                            password_hash=password_hash)
                session.add(user)
                session.flush()
                token = secrets.token_urlsafe(32)
                session.add(AuthToken(user_id=user.id, expires_at=datetime.now(UTC) + timedelta(days=1),
                                      token_hash=hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()))
                tokens[role].append(token)
                if role == "executive":
                    author_ids.append(str(user.id))
        session.commit()
    engine.dispose()
    return tokens["executive"], tokens["manager"], author_ids


def visit(phone: int, n: int, pain_points: int) -> dict:
    start = datetime.now(UTC) - timedelta(days=random.randint(0, 60), minutes=n)
    kind = random.choice(["shop_floor_shift", "listened_call", "journey_walkthrough"])
    points = [{"severity": random.randint(1, 5),
               "text": random.choice(["Queue at the tills reached the back of the store",
                                      "Refund took three weeks and two calls",
                                      "App logged the customer out at checkout",
                                      "Nobody could find the returns policy"]) + f" ({phone}/{n}/{i})"}
              for i in range(pain_points)]
    return visit_body(id=str(uuid.uuid4()), kind=kind, start=start, hours=2, details={}, pain_points=points,
                      quote=None, notes=f"Load visit {phone}/{n}", private_notes="")


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    async def call(self, client: httpx.AsyncClient, name: str, method: str, path: str, **kwargs) -> dict | None:
        t0 = time.perf_counter()
        try:
            res = await client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.errors.append(f"{name}: {type(exc).__name__}")
            return None
        self.latency[name].append(time.perf_counter() - t0)
        if res.status_code >= 300:
            self.errors.append(f"{name}: {res.status_code} {res.text[:200]}")
            return None
        return res.json()


async def phone(base: str, token: str, p: int, args, stats: Stats, sent: list[dict], stop: float) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        cursor, n = None, 0
        for _ in range(args.max_requests):
            if time.monotonic() >= stop:
                return
            batch = [visit(p, n + i, args.pain_points) for i in range(args.batch)]
            n += args.batch
            body = await stats.call(c, "POST /api/sync", "POST", "/api/sync",
                                    json={"visits": batch, "cursor": cursor})
            if body is None:
                continue
            if len(body["accepted"]) != len(batch):
                stats.errors.append(f"sync: {len(body['rejected'])} rejected, {len(body['conflicts'])} conflicts")
            sent.extend(batch)
            cursor = body["cursor"]
            await asyncio.sleep(random.uniform(0, args.think))


async def manager(base: str, token: str, authors: list[str], args, stats: Stats, stop: float) -> None:
    filters = [{}, {"severity_min": 4}, {"visit_kind": "listened_call"}, {"q": "refund"},
               {"status": "new"}, {"since": (datetime.now(UTC) - timedelta(days=7)).isoformat()}]
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        for _ in range(args.max_requests):
            if time.monotonic() >= stop:
                return
            params = {"limit": 50, **random.choice(filters)}
            if random.random() < 0.3:
                params["author_id"] = random.choice(authors)
            page = await stats.call(c, "GET /api/pain-points (first page)", "GET", "/api/pain-points",
                                    params=params)
            for _ in range(2):
                if not page or not page.get("next_cursor"):
                    break
                page = await stats.call(c, "GET /api/pain-points (next page)", "GET", "/api/pain-points",
                                        params={**params, "cursor": page["next_cursor"]})
            await asyncio.sleep(random.uniform(0, args.think))


async def trivial(base: str, clients: int, seconds: float, stats: Stats) -> float:
    count = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal count
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            while time.monotonic() < stop:
                if await stats.call(c, "GET /livez", "GET", "/livez") is not None:
                    count += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return count / (time.perf_counter() - t0)


async def run(args) -> int:
    random.seed(args.seed)
    url = fresh_database(args.db, "undercover_bench_load")
    cli(url, "migrate")
    phone_tokens, manager_tokens, authors = make_users(url, args.phones, args.managers)
    stats = Stats()
    sent: list[dict] = []
    with running_server(url) as server:
        base = server.url
        t0, cpu0 = time.perf_counter(), cpu_of(server)
        stop = time.monotonic() + args.seconds
        await asyncio.gather(
            *(phone(base, t, p, args, stats, sent, stop) for p, t in enumerate(phone_tokens)),
            *(manager(base, t, authors, args, stats, stop) for t in manager_tokens),
        )
        elapsed, cpu = time.perf_counter() - t0, cpu_of(server) - cpu0
        livez = await trivial(base, args.phones + args.managers, min(10.0, args.seconds / 4), stats)

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        visits = conn.execute(text("SELECT count(*) FROM visit")).scalar_one()
        points = conn.execute(text("SELECT count(*) FROM pain_point")).scalar_one()
    engine.dispose()

    print(f"database: {args.db}; one server process; {args.phones} phones ({args.batch} visits x "
          f"{args.pain_points} pain points a sync) + {args.managers} managers; {elapsed:.0f} s; seed {args.seed}")
    print(f"{'endpoint':38} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, values in sorted(stats.latency.items()):
        window = elapsed if name != "GET /livez" else None
        rate = len(values) / window if window else livez
        print(f"{name:38} {len(values):8d} {rate:7.1f} {pct(values, 50):7.1f} {pct(values, 95):7.1f} "
              f"{pct(values, 99):7.1f}")
    sync_rate = len(stats.latency["POST /api/sync"]) / elapsed
    print(f"server CPU: {cpu / elapsed * 100:.0f}% of one core during the mixed load")
    print(f"visits/s {len(sent) / elapsed:.1f}; pain points/s {len(sent) * args.pain_points / elapsed:.1f}")
    print(f"sync {sync_rate:.1f} req/s (under mixed load) vs /livez {livez:.0f} req/s (same server, same run): "
          f"ratio {sync_rate / livez:.3f}")
    print(f"errors: {len(stats.errors)}" + (f" (first: {stats.errors[0]})" if stats.errors else ""))
    expected_points = len(sent) * args.pain_points
    ok = visits == len(sent) and points == expected_points
    print(f"rows: {visits} visits, {points} pain points; sent {len(sent)} and {expected_points}: "
          f"{'OK' if ok else 'MISMATCH'}")
    return 0 if ok and not stats.errors else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--seconds", type=float, default=120, help="duration of the mixed load")
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--managers", type=int, default=10)
    parser.add_argument("--batch", type=int, default=5, help="visits per sync")
    parser.add_argument("--pain-points", type=int, default=3, help="pain points per visit")
    parser.add_argument("--think", type=float, default=0.5, help="max pause between a client's requests (s)")
    parser.add_argument("--max-requests", type=int, default=10_000, help="bound per simulated client")
    parser.add_argument("--seed", type=int, default=6)
    raise SystemExit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
