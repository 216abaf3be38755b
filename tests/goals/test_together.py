"""Goals measured together (the list, the dashboards) have exactly the progress each has on its own, and the
list reads the data in the same few queries however many goals there are."""

import uuid
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from api.core.clock import utcnow
from api.goals.models import Goal
from tests.factories import visit_body
from tests.goals.helpers import join, make_goal, read_goal, resolve
from tests.kpis.helpers import make_kpi, put_values


def log_at(client, executive, n: int, *, days_ago: int, department=None, site=None) -> list[str]:
    body = visit_body(start=utcnow() - timedelta(days=days_ago), hours=1, pain_points=n,
                      department_id=department.id if department else None, site_id=site.id if site else None)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers)
    assert res.status_code == 201, res.text
    return [p["id"] for p in body["pain_points"]]


def made_days_ago(session, goal: dict, days: int, *, due_days_ago: int | None = None) -> None:
    """Backdate a goal (its series then reaches further back); optionally put its due date in the past."""
    row = session.get(Goal, uuid.UUID(goal["id"]))
    row.created_at = utcnow() - timedelta(days=days)
    if due_days_ago is not None:
        row.due_date = utcnow().date() - timedelta(days=due_days_ago)
    session.add(row)
    session.commit()


def mondays(weeks: int) -> list[str]:
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday())
    return [(monday - timedelta(weeks=w)).isoformat() for w in range(weeks, -1, -1)]


def every_kind_of_goal(client, session, factory, executive, manager) -> tuple[list, dict]:
    """Goals of every target type, with and without a site, made weeks ago, one past its due date, over data
    that changed during their series (pain points resolved since, KPI values every week)."""
    a, b, c = factory.department(), factory.department(), factory.department()
    leeds, york = factory.site(), factory.site()
    theme, other_theme = factory.theme(), factory.theme()
    make_kpi(client, manager)
    weeks = mondays(6)
    for site, offset in ((leeds, 0), (york, 10)):
        res = put_values(client, manager, "nps", [
            {"period_start": week, "value": 20 + offset + i, "site_id": str(site.id), "responses": 10 + i}
            for i, week in enumerate(weeks)])
        assert res.status_code == 200, res.text
    early = log_at(client, executive, 3, days_ago=30, department=a, site=leeds)
    log_at(client, executive, 2, days_ago=16, department=b, site=york)
    log_at(client, executive, 2, days_ago=9, department=c)
    recent = log_at(client, executive, 2, days_ago=2, department=a)
    for ids, target in ((early[:2], theme), (recent, other_theme)):
        res = client.post(f"/api/themes/{target.id}/pain-points", json={"pain_point_ids": ids},
                          headers=manager.headers)
        assert res.status_code == 200, res.text
    goals = [
        make_goal(client, manager, [a, b], title="NPS everywhere", type="kpi", kpi_key="nps",
                  comparison="at_least", value=40),
        make_goal(client, manager, [a, c], title="NPS at Leeds", type="kpi", kpi_key="nps",
                  site_id=str(leeds.id), comparison="at_least", value=30),
        make_goal(client, manager, [b, c], title="Theme", type="theme_count", theme_id=str(theme.id), value=1),
        make_goal(client, manager, [a, b], title="Theme at York", type="theme_count",
                  theme_id=str(other_theme.id), site_id=str(york.id), value=1),
        make_goal(client, manager, [a, b], title="Open", value=2),
        make_goal(client, manager, [a, c], title="Open at Leeds", site_id=str(leeds.id), value=0),
    ]
    for i, goal in enumerate(goals):
        made_days_ago(session, goal, 20 + 7 * i, due_days_ago=3 if goal["title"] == "Open" else None)
    resolve(client, manager, early[0])
    resolve(client, manager, recent[0])
    return goals, {"a": a, "b": b, "c": c, "leeds": leeds}


def measured(goal: dict) -> dict:
    """A goal without the moment its progress was measured (each live read measures it anew)."""
    return {**goal, "progress": {k: v for k, v in goal["progress"].items() if k != "as_of"}}


def test_the_list_and_the_dashboard_give_each_goal_its_own_progress(client, session, factory, executive,
                                                                     manager):
    goals, places = every_kind_of_goal(client, session, factory, executive, manager)
    alone = {g["id"]: measured(read_goal(client, manager, g["id"])) for g in goals}
    listed = client.get("/api/goals", headers=manager.headers).json()
    assert {g["id"]: measured(g) for g in listed} == alone
    by_title = {g["title"]: g["progress"] for g in alone.values()}
    # the figures themselves, so that the list and the detail cannot agree on a wrong answer
    assert by_title["Open at Leeds"]["current"] == 2  # 3 at Leeds in a, one resolved
    # due 3 days ago with 5 open then (the resolutions came after it): judged on that day
    assert (by_title["Open"]["status"], by_title["Open"]["current"]) == ("missed", 5)
    assert sum(p["value"] for p in by_title["Theme"]["series"]) == 2  # a month's count includes resolved ones
    assert sum(p["value"] for p in by_title["Theme at York"]["series"]) == 0
    weekly = [p["value"] for p in by_title["NPS at Leeds"]["series"]][-7:]
    assert weekly == [20, 21, 22, 23, 24, 25, 26]
    everywhere = by_title["NPS everywhere"]
    assert everywhere["current"] == (26 * 16 + 36 * 16) / 32  # weighted by responses
    join(session, manager, places["a"])  # a manager of department a: its goals on the dashboard
    dashboard = client.get("/api/dashboard/me", headers=manager.headers).json()
    shown = {g["id"]: g for g in dashboard["goals"]}
    assert set(shown) == {g["id"] for g in goals if str(places["a"].id) in g["department_ids"]}
    for goal_id, glance in shown.items():
        progress = alone[goal_id]["progress"]
        assert (glance["status"], glance["figure"]["value"]) == (progress["status"], progress["current"])


@contextmanager
def statements():
    from api.db import get_engine

    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_list_reads_the_same_few_queries_for_more_goals(client, session, factory, executive, manager):
    goals, _ = every_kind_of_goal(client, session, factory, executive, manager)
    with statements() as few:
        assert len(client.get("/api/goals", headers=manager.headers).json()) == len(goals)
    a, b, c = factory.department(), factory.department(), factory.department()
    theme = factory.theme()
    for i in range(4):
        make_goal(client, manager, [a, b], title=f"More open {i}", value=i)
        make_goal(client, manager, [b, c], title=f"More themes {i}", type="theme_count", theme_id=str(theme.id),
                  value=i)
        make_goal(client, manager, [a, c], title=f"More NPS {i}", type="kpi", kpi_key="nps",
                  comparison="at_least", value=30 + i)
    with statements() as more:
        assert len(client.get("/api/goals", headers=manager.headers).json()) == len(goals) + 12
    assert len(more) == len(few) <= 15
