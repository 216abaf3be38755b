"""The leadership half of bench/review.py: KPIs, department memberships and shared goals at volume, and the
personal dashboards, goals and metrics measured through the same real server.

Adds to review.py's tables: 5 KPIs (NPS, CSAT, complaint rate and revenue per visit weekly per site over 52
weeks, eNPS monthly per department over 12 months), an executive (the busiest author), a manager of three
departments and an admin who can sign in, and 20 shared goals of each target type (kpi, theme_count,
open_pain_points), each owned by 2 or 3 departments, made over the last 4 months and due from a month ago to
half a year ahead (so some are judged on their due date), and 6 company values that 5% of the pain points
name. For the heavy requests it also runs the service in-process, times every SQL statement it sends and
EXPLAINs the slowest ones.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx

GOALS_PER_TYPE = 20
WEEKS, MONTHS = 52, 12
# key, name, kind, unit, higher is better, period, scale, place, (low, high) of a value, with responses
KPIS = [
    ("nps", "Net Promoter Score", "voc", "points", True, "week", (-100, 100), "site", (-20, 60), True),
    ("csat", "Customer satisfaction", "voc", "%", True, "week", (0, 100), "site", (55, 95), True),
    ("complaint_rate", "Complaints per 1,000 visits", "voc", "", False, "week", (0, None), "site", (0, 8), False),
    ("revenue_per_visit", "Revenue per visit", "vob", "£", True, "week", (0, None), "site", (20, 80), False),
    ("enps", "Employee NPS", "voe", "points", True, "month", (-100, 100), "department", (-30, 50), True),
]
VALUES = ["Own it", "Make it easy", "Listen first", "Keep promises", "Speak plainly", "Fix it once"]
VALUE_SHARE = 0.05
EMAILS = {"executive": "exec000@bench.example", "manager": "deptmanager@bench.example",
          "admin": "admin@bench.example"}


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _scope(site_id: uuid.UUID | None, department_id: uuid.UUID | None) -> str:
    from api.kpis.models import scope_of

    return scope_of(site_id, department_id)


def _kpis(rng: random.Random, sites: list[dict], departments: list[dict], today: date, stamp: datetime):
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=w) for w in range(WEEKS, 0, -1)]  # the last 52 whole weeks
    months, first = [], today.replace(day=1)
    for _ in range(MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.insert(0, first)
    kpis, values = [], []
    for key, name, kind, unit, better, period, (low, high), place, (lo, hi), responses in KPIS:
        kpi_id = _id(rng)
        kpis.append({"id": kpi_id, "key": key, "name": name, "kind": kind, "unit": unit, "higher_is_better": better,
                     "period": period, "scale_min": low, "scale_max": high, "archived": False, "created_at": stamp,
                     "created_by_id": None})
        places = [(s["id"], None) for s in sites] if place == "site" else [(None, d["id"]) for d in departments]
        for site_id, department_id in places:
            level = rng.uniform(lo, hi)
            for start in (weeks if period == "week" else months):
                level = min(hi, max(lo, level + rng.uniform(-(hi - lo) / 20, (hi - lo) / 20)))
                values.append({"id": _id(rng), "kpi_id": kpi_id, "period_start": start, "site_id": site_id,
                               "department_id": department_id, "scope": _scope(site_id, department_id),
                               "value": round(level, 2), "responses": rng.randint(20, 400) if responses else None,
                               "updated_at": stamp})
    return kpis, values


def _goals(rng: random.Random, sites: list[dict], departments: list[dict], themes: list[dict], now: datetime,
           author_id: uuid.UUID):
    targets = {"nps": ("at_least", 40), "csat": ("at_least", 85), "complaint_rate": ("at_most", 2),
               "revenue_per_visit": ("at_least", 60), "enps": ("at_least", 30)}
    goals, owners = [], []
    for t, kind in enumerate(("kpi", "theme_count", "open_pain_points")):
        for i in range(GOALS_PER_TYPE):
            n = t * GOALS_PER_TYPE + i
            owned = {departments[n % 20]["id"], departments[(n + 1) % 20]["id"]}
            if n % 3 == 0:
                owned.add(departments[(n + 7) % 20]["id"])
            key = KPIS[i % len(KPIS)][0] if kind == "kpi" else None
            site = sites[(n * 7) % len(sites)]["id"] if i % 2 and key != "enps" else None
            theme = themes[i]["id"] if kind == "theme_count" else None  # themes[0..19]: the biggest
            comparison, value = targets[key] if key else ("at_most", float(rng.randint(5, 200)))
            created = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
            goal_id = _id(rng)
            goals.append({
                "id": goal_id, "title": f"Shared goal {n:02d}: {kind}", "target_type": kind, "kpi_key": key,
                "theme_id": theme, "site_id": site, "comparison": comparison, "target_value": float(value),
                "baseline": float(value) * rng.uniform(0.6, 1.4), "due_date": (created + timedelta(
                    days=rng.randint(30, 240))).date(), "archived": False, "last_status": None,
                "created_by_id": author_id, "created_at": created, "updated_at": created})
            owners += [{"goal_id": goal_id, "department_id": d} for d in sorted(owned)]
    return goals, owners


def extend(tables: dict[str, list[dict]], password: str, seed: int = 15) -> None:
    """Add the leadership rows to review.py's generated tables (in load order)."""
    from api.auth.security import hash_password

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = now - timedelta(days=800)
    sites, departments, themes, users = tables["site"], tables["department"], tables["theme"], tables["user"]
    hashed = hash_password(password)
    executive = users[0]  # exec000 authors about 1% of the pain points
    executive["password_hash"] = hashed
    manager, admin = ({"id": _id(rng), "email": EMAILS[role], "display_name": f"Bench {role}", "role": role,
                       "password_hash": hashed, "is_active": True, "created_at": stamp, "updated_at": stamp}
                      for role in ("manager", "admin"))
    users += [manager, admin]
    tables["user_department"] = [
        *({"user_id": executive["id"], "department_id": d["id"]} for d in departments[:2]),
        *({"user_id": manager["id"], "department_id": d["id"]} for d in departments[:3]),
    ]
    tables["kpi"], tables["kpi_value"] = _kpis(rng, sites, departments, now.date(), stamp)
    tables["goal"], tables["goal_department"] = _goals(rng, sites, departments, themes, now, manager["id"])
    _values(rng, tables, stamp)


def _values(rng: random.Random, tables: dict[str, list[dict]], stamp: datetime) -> None:
    """The company values, loaded before the pain points, VALUE_SHARE of which name the value they break."""
    values = [{"id": _id(rng), "name": name, "meaning": "", "archived": False, "created_at": stamp}
              for name in VALUES]
    for row in tables["pain_point"]:
        row["value_id"] = rng.choice(values)["id"] if rng.random() < VALUE_SHARE else None
    rest = dict(tables)
    tables.clear()
    tables["company_value"] = values
    tables.update(rest)


def _goal_ids(url: str) -> dict[str, str]:
    """Per target type, the goal measured on its own: the heaviest one (no site; the biggest theme)."""
    from sqlalchemy import select

    from api.db import make_engine
    from api.goals.models import Goal

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Goal.target_type, Goal.id).where(Goal.site_id.is_(None))
                            .order_by(Goal.title)).all()
    engine.dispose()
    out: dict[str, str] = {}
    for kind, goal_id in rows:
        out.setdefault(str(kind), str(goal_id))
    return out


def _sign_in(base: str, email: str, password: str) -> httpx.Client:
    token = httpx.post(f"{base}/api/auth/token", data={"username": email, "password": password}).json()
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=120)


def cases(url: str, theme_id: uuid.UUID) -> list[tuple[str, str, str, dict]]:
    """(name, who, path, params) of every request measured."""
    goals = _goal_ids(url)
    from sqlalchemy import select

    from api.db import make_engine
    from api.org.models import Site

    engine = make_engine(url)
    with engine.connect() as conn:
        site = conn.execute(select(Site.id).order_by(Site.name).limit(1)).scalar()
    engine.dispose()
    out = [(f"my dashboard, {who}", who, "/api/dashboard/me", {}) for who in ("executive", "manager", "admin")]
    out += [("goals list, all (admin)", "admin", "/api/goals", {}),
            ("goals list, own departments (executive)", "executive", "/api/goals", {})]
    out += [(f"goal, {kind}", "admin", f"/api/goals/{goals[kind]}", {})
            for kind in ("kpi", "theme_count", "open_pain_points") if kind in goals]
    out += [("theme's KPIs, biggest theme", "admin", f"/api/themes/{theme_id}/kpis", {}),
            ("KPI values, nps at one site", "admin", "/api/kpis/nps/values", {"site_id": str(site)})]
    return out


def run_cases(base: str, url: str, kind: str, theme_id: uuid.UUID, password: str, requests: int,
              measure: Callable, show_plans: bool) -> list[tuple]:
    """Measure every case through the server, then the heaviest statements of each in-process."""
    clients = {who: _sign_in(base, email, password) for who, email in EMAILS.items()}
    results = []
    try:
        for name, who, path, params in cases(url, theme_id):
            p50, p95, _ = measure(clients[who], path, params, requests)
            statements, scanned, plans = heavy_statements(url, who, path)
            results.append((kind, name, p50, p95, -1, f"{statements:>3} SQL  " + ("SEQ SCAN" if scanned else
                                                                                   "index")))
            if show_plans:
                print(f"--- {name}: {statements} statements; the slowest:\n" + "\n".join(plans))
    finally:
        for client in clients.values():
            client.close()
    return results


def _call(session, who: str, path: str):
    """The service call behind a measured path, for the statement timings."""
    from sqlalchemy import select

    from api.auth.models import User
    from api.dashboard.personal import my_dashboard
    from api.goals.service import get_goal, list_goals
    from api.kpis.linked import theme_kpis
    from api.kpis.service import list_values

    user = session.execute(select(User).where(User.email == EMAILS[who])).scalar_one()
    parts = path.strip("/").split("/")
    if parts[1:] == ["dashboard", "me"]:
        return my_dashboard(session=session, user=user)
    if parts[1:] == ["goals"]:
        return list_goals(session=session, reader=user)
    if parts[1] == "goals":
        return get_goal(session=session, reader=user, goal_id=uuid.UUID(parts[2]))
    if parts[1] == "themes":
        return theme_kpis(session=session, reader=user, theme_id=uuid.UUID(parts[2]))
    return list_values(session=session, user=user, key=parts[2])


def heavy_statements(url: str, who: str, path: str, top: int = 3) -> tuple[int, bool, list[str]]:
    """Run the request's service in-process, timing each statement; EXPLAIN the `top` slowest. Returns how
    many statements it sent, whether any of the slowest reads pain_point by a full scan, and the plans.
    (SQLite computes rows as they are fetched: there the time is only up to the first row.)"""
    from sqlalchemy import event
    from sqlmodel import Session

    from api.db import make_engine

    engine = make_engine(url)
    timed: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        timed.append([time.perf_counter() - conn.info["t0"], statement, parameters])

    with Session(engine) as session:
        _call(session, who, path)  # warm
        timed.clear()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        _call(session, who, path)
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        count = len(timed)
        postgres = engine.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        scanned, plans = False, []
        for took, statement, parameters in sorted(timed, key=lambda t: -t[0])[:top]:
            rows = session.connection().exec_driver_sql(prefix + statement, parameters).fetchall()
            plan = "\n".join(" | ".join(str(v) for v in row) for row in rows)
            if postgres:
                scan = "Seq Scan on pain_point" in plan
            else:
                scan = any(line.split("|")[-1].strip() == "SCAN pain_point" for line in plan.splitlines())
            scanned = scanned or scan
            plans.append(f"[{took * 1000:.1f} ms] {' '.join(statement.split())[:300]}\n{plan}")
    engine.dispose()
    return count, scanned, plans
