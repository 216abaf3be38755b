"""The managers' review at volume: feed, search, themes and dashboard latency through a real server.

    .venv/bin/python bench/review.py                       # PostgreSQL 1,000,000 and SQLite 100,000
    .venv/bin/python bench/review.py --db sqlite --scale 0.1 --requests 20   # a quick run

PostgreSQL gets 1,000,000 pain points over 50,000 visits, 200 sites, 20 departments and 200 themes (bulk
loaded with COPY, indexes rebuilt afterwards); SQLite gets a tenth of that. `--scale` multiplies both.
Then a real server answers, one request at a time: the feed's first page, a deep page (cursor 10,000 items
in), the feed filtered by theme + status + date range, full-text search for a common and a rare word, the
themes list (all time, the web app's 12 weeks, and one site computed live) and the two dashboard endpoints.
Prints p50/p95 per request against the 100 ms target, EXPLAIN for each feed query (does it scan the whole
pain_point table?) and what each stored summary (api/summaries) took to compute. Then the leadership
requests (bench/leadership.py): the personal dashboards, shared goals and KPIs over 5 metrics at 200 sites x
52 weeks, each with how many SQL statements it sends and whether its slowest ones scan pain_point. Uses
BENCH_PG_ADMIN_URL (see server.py) for PostgreSQL, and drops its database at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import leadership
from server import cli, drop_database, fresh_database, running_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench password 123"
TARGET_MS = 100
COMMON_WORD, RARE_WORD = "queue", "defibrillator"
SUBJECTS = ["Queue at the tills", "The self-checkout", "Click and collect desk", "Returns counter", "Hold music",
            "The website checkout", "Delivery slot booking", "Parking barrier", "Changing rooms", "Loyalty app",
            "Refund process", "Price labels", "Stock on the shelves", "Call transfer", "Password reset"]
PROBLEMS = ["was far too slow", "broke down twice", "confused every customer", "had nobody staffing it",
            "showed the wrong price", "made people wait 20 minutes", "was closed without notice",
            "asked for the same details three times", "lost the order", "kept timing out"]
TAILS = ["at lunchtime", "on Saturday", "after 6pm", "for older customers", "during the promotion",
         "with a pram", "for the second week running", "", "", ""]


def rng_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def sentence(rng: random.Random, i: int) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)} {rng.choice(TAILS)}".strip()
    if i % 3 == 0:
        text += f"; the {COMMON_WORD} grew"
    if i % 10_000 == 7:
        text += f"; staff could not find the {RARE_WORD}"
    return text


def generate(pain_points: int, visits: int, seed: int = 5):
    """Rows as dicts per table, in load order. Times spread over the last two years."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    span = 730 * 86400
    stamp = now - timedelta(days=800)
    sites = [{"id": rng_uuid(rng), "name": f"Site {i:03d}", "kind": "store", "region": f"Region {i % 8}",
              "is_active": True, "created_at": stamp} for i in range(200)]
    departments = [{"id": rng_uuid(rng), "name": f"Department {i:02d}", "is_active": True, "created_at": stamp}
                   for i in range(20)]
    themes = [{"id": rng_uuid(rng), "label": f"Theme {i:03d}", "label_locked": False, "keywords": "[]",
               "pinned": False, "representative_ids": "[]", "centroid": None, "embedder": "bench",
               "merged_into_id": None, "retired_at": None, "created_at": stamp, "updated_at": stamp}
              for i in range(200)]
    users = [{"id": rng_uuid(rng), "email": f"exec{i:03d}@bench.example", "display_name": f"Executive {i:03d}",
              "role": "executive", "password_hash": "x", "is_active": True, "created_at": stamp,
              "updated_at": stamp} for i in range(100)]
    kinds = ["shop_floor_shift", "listened_call", "journey_walkthrough"]
    visit_rows = []
    for _ in range(visits):
        started = now - timedelta(seconds=rng.randrange(span))
        visit_rows.append({
            "id": rng_uuid(rng), "kind": rng.choice(kinds), "author_id": rng.choice(users)["id"],
            "site_id": rng.choice(sites)["id"], "started_at": started,
            "ended_at": started + timedelta(minutes=rng.randrange(30, 480)), "incognito": False, "notes": "",
            "private_notes": "", "details": "{}", "version": 1, "txid": 0, "content_hash": "0" * 64,
            "source": "bench", "created_at": started, "updated_at": started, "deleted_at": None,
        })
    per_visit = max(1, pain_points // max(1, visits))
    weights = [1 / (rank + 1) for rank in range(len(themes))]  # a few big themes, a long tail
    theme_ids = rng.choices([t["id"] for t in themes], weights=weights, k=pain_points)
    recent = now - timedelta(days=90)
    pains = []
    for i in range(pain_points):
        visit = visit_rows[min(i // per_visit, len(visit_rows) - 1)]
        occurred = visit["started_at"]
        roll = rng.random()
        if occurred < recent:
            status = "resolved" if roll < 0.7 else "wont_fix" if roll < 0.8 else rng.choice(
                ["new", "acknowledged", "in_progress"])
        else:
            status = "new" if roll < 0.6 else "acknowledged" if roll < 0.8 else "in_progress" if roll < 0.9 \
                else "resolved"
        resolved = min(now, occurred + timedelta(days=rng.randrange(1, 60))) \
            if status in ("resolved", "wont_fix") else None
        pains.append({
            "id": rng_uuid(rng), "visit_id": visit["id"], "text": sentence(rng, i), "severity": rng.randint(1, 5),
            "felt_by": rng.choice(["customer", "employee", "both"]),
            "department_id": rng.choice(departments)["id"] if roll < 0.8 else None, "journey_step": None,
            "quote": None, "position": i % per_visit, "status": status,
            "theme_id": theme_ids[i] if rng.random() < 0.9 else None, "theme_locked": False, "ref": None,
            "author_id": visit["author_id"], "site_id": visit["site_id"], "visit_kind": visit["kind"],
            "occurred_at": occurred, "version": 1, "created_at": occurred, "updated_at": occurred,
            "deleted_at": None, "resolved_at": resolved, "owner_department_id": None, "assignee_id": None,
            "due_date": None, "resolution_note": "Done" if resolved else None, "duplicate_of_id": None,
        })
    return {"site": sites, "department": departments, "theme": themes, "user": users, "visit": visit_rows,
            "pain_point": pains}


def load_postgres(url: str, tables: dict[str, list[dict]]) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers while bulk loading
        indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pain_point' "
                               "AND indexname <> 'pk_pain_point'").fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, rows in tables.items():
            columns = list(rows[0])
            names = ", ".join(f'"{c}"' for c in columns)
            with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE")


def load_sqlite(url: str, tables: dict[str, list[dict]]) -> None:
    from sqlalchemy import insert

    import api.models as models
    from api.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for table, rows in tables.items():
            target = models.metadata.tables[table]
            fixed = [{k: (json.loads(v) if k in ("keywords", "representative_ids", "details") else v)
                      for k, v in row.items()} for row in rows]
            for start in range(0, len(fixed), 20_000):
                conn.execute(insert(target), fixed[start:start + 20_000])
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def measure(client: httpx.Client, path: str, params: dict, requests: int) -> tuple[float, float, int]:
    for _ in range(3):
        client.get(path, params=params)
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        res = client.get(path, params=params)
        times.append(time.perf_counter() - t0)
        assert res.status_code == 200, (path, res.status_code, res.text[:300])
    size = len(res.json()["items"]) if path.endswith("pain-points") else -1
    return pct(times, 50), pct(times, 95), size


def explain(url: str, filters_params: dict, cursor: str | None) -> tuple[bool, str]:
    """EXPLAIN the exact statement the feed runs; True when pain_point is read by a full table scan."""
    from sqlalchemy import event
    from sqlmodel import Session

    from api.cursor import decode_position
    from api.db import make_engine
    from api.pain_points.models import Status
    from api.review.feed import FeedFilters, _page_stmt
    from api.validation import parse_bound

    engine = make_engine(url)
    dialect = engine.dialect.name
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "

    def _explain(conn, cursor_, statement, parameters, context, executemany):
        return prefix + statement, parameters

    p = filters_params
    filters = FeedFilters(status=[Status(s) for s in p.get("status", [])],
                          theme_id=uuid.UUID(p["theme_id"]) if p.get("theme_id") else None, q=p.get("q"),
                          since=parse_bound(p.get("since"), name="since", end=False),
                          until=parse_bound(p.get("until"), name="until", end=True))
    with Session(engine) as session:
        # Built first: building runs the search's own look-up, which is not the query to explain.
        stmt = _page_stmt(session, filters, decode_position(cursor) if cursor else None, 51)
        event.listen(engine, "before_cursor_execute", _explain, retval=True)
        result = session.connection().execute(stmt)
        rows = result.cursor.fetchall()  # raw: the plan rows must skip the pain_point column processors
        event.remove(engine, "before_cursor_execute", _explain)
    engine.dispose()
    plan = "\n".join(" | ".join(str(v) for v in row) for row in rows)
    if dialect == "postgresql":
        scanned = "Seq Scan on pain_point" in plan
    else:
        scanned = any(line.split("|")[-1].strip() == "SCAN pain_point" for line in plan.splitlines())
    return scanned, plan


def print_stored(url: str) -> None:
    """What the stored summaries cost to compute: the price a cold or a live request pays."""
    from sqlalchemy import select

    from api.db import make_engine
    from api.summaries.models import Summary

    engine = make_engine(url)
    with engine.connect() as conn:
        for key, took in conn.execute(select(Summary.key, Summary.took_ms).order_by(Summary.key)):
            print(f"stored summary {key:<28} computed in {took:,} ms (refreshed in the background)")
    engine.dispose()


def busiest_theme(url: str) -> uuid.UUID:
    from sqlalchemy import func, select

    from api.db import make_engine
    from api.pain_points.models import PainPoint

    engine = make_engine(url)
    with engine.connect() as conn:
        theme_id = conn.execute(select(PainPoint.theme_id).where(PainPoint.status == "new")
                                .group_by(PainPoint.theme_id).order_by(func.count().desc()).limit(1)).scalar()
    engine.dispose()
    return theme_id


def run(kind: str, pain_points: int, visits: int, requests: int, show_plans: bool, reuse: bool,
        name: str = "undercover_bench_review") -> list[tuple]:
    if reuse and kind == "postgresql":
        url = fresh_database.__globals__["DEFAULT_PG"]
        import os

        url = os.environ.get("BENCH_PG_ADMIN_URL", url).rsplit("/", 1)[0] + f"/{name}"
        cli(url, "migrate")
        print(f"\n{kind}: reusing the loaded database", flush=True)
    else:
        url = fresh_database(kind, name)
        cli(url, "migrate")
        cli(url, "create-user", "manager@bench.example", "--role", "manager", "--password-stdin",
            stdin=PASSWORD + "\n")
        t0 = time.perf_counter()
        tables = generate(pain_points, visits)
        leadership.extend(tables, PASSWORD)
        generated = time.perf_counter() - t0
        (load_postgres if kind == "postgresql" else load_sqlite)(url, tables)
        del tables
        print(f"\n{kind}: {pain_points:,} pain points, {visits:,} visits; generated in {generated:.0f} s, "
              f"loaded in {time.perf_counter() - t0 - generated:.0f} s", flush=True)
    busiest = busiest_theme(url)
    now = datetime.now(UTC).date()
    results = []
    with running_server(url) as server:
        token = httpx.post(f"{server.url}/api/auth/token",
                           data={"username": "manager@bench.example", "password": PASSWORD}).json()["access_token"]
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                          timeout=120) as client:
            cursor = None
            for _ in range(50):  # 50 pages of 200 = 10,000 items in
                page = client.get("/api/pain-points", params={"limit": 200, **({"cursor": cursor} if cursor else {})})
                cursor = page.json()["next_cursor"]
            feed_cases = [
                ("feed, first page", {}, None),
                ("feed, deep page (10,000 in)", {}, cursor),
                ("feed, theme + status + 6 months", {"theme_id": str(busiest), "status": ["new"],
                                                     "since": (now - timedelta(days=182)).isoformat(),
                                                     "until": now.isoformat()}, None),
                (f"search, common word ({COMMON_WORD})", {"q": COMMON_WORD}, None),
                (f"search, rare word ({RARE_WORD})", {"q": RARE_WORD}, None),
            ]
            for name, params, after in feed_cases:
                query = {"limit": 50, **params, **({"cursor": after} if after else {})}
                p50, p95, size = measure(client, "/api/pain-points", query, requests)
                scanned, plan = explain(url, params, after)
                results.append((kind, name, p50, p95, size, "SEQ SCAN" if scanned else "index"))
                if show_plans:
                    print(f"--- {name}\n{plan}")
            site = client.get("/api/sites").json()[0]["id"]
            for name, params in (("themes list, all time", {}), ("themes list, last 12 weeks", {"period": "84"}),
                                 ("themes list, one site, 12 weeks (live)", {"period": "84", "site_id": site})):
                p50, p95, _ = measure(client, "/api/themes", params, requests)
                results.append((kind, name, p50, p95, -1, ""))
            for name, path in (("dashboard, field time", "/api/dashboard/field-time"),
                               ("dashboard, flow (12 weeks)", "/api/dashboard/flow")):
                p50, p95, _ = measure(client, path, {}, requests)
                results.append((kind, name, p50, p95, -1, ""))
        results += leadership.run_cases(server.url, url, kind, busiest, PASSWORD,
                                        requests, measure, show_plans)
    print_stored(url)
    for kind_, name, p50, p95, size, scan in results:
        verdict = "ok" if p95 <= TARGET_MS else "SLOW"
        items = f"{size:>3} items" if size >= 0 else "         "
        print(f"{kind_:<10} {name:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {verdict:<4} {items}  {scan}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 (PostgreSQL) / 100,000 (SQLite)")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per case")
    parser.add_argument("--plans", action="store_true", help="print every EXPLAIN plan")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: measure the database loaded last time")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep the database afterwards (for --reuse)")
    parser.add_argument("--pg-database", default="undercover_bench_review",
                        help="PostgreSQL: the database to create (dropped at the end unless --keep)")
    args = parser.parse_args()
    if args.db in ("postgresql", "both"):
        try:
            run("postgresql", int(1_000_000 * args.scale), max(10, int(50_000 * args.scale)), args.requests,
                args.plans, args.reuse, args.pg_database)
        finally:
            if not args.keep:
                drop_database("postgresql", args.pg_database)
    if args.db in ("sqlite", "both"):
        run("sqlite", int(100_000 * args.scale), max(10, int(5_000 * args.scale)), args.requests, args.plans, False)


if __name__ == "__main__":
    main()
