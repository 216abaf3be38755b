"""Progress is computed from the data: it moves when the data moves, and the statuses hold at their edges."""

import uuid
from datetime import UTC, date, datetime

import pytest

from api.goals import progress, service
from api.goals.models import Comparison, Goal, GoalStatus
from tests.goals.helpers import join, log_pain_points, make_goal, read_goal, resolve
from tests.kpis.helpers import make_kpi, put_values

MADE, DUE = date(2026, 11, 2), date(2026, 12, 2)  # 30 days: halfway is 17 November


@pytest.mark.parametrize(("current", "today", "expected"), [
    (35, date(2026, 11, 17), GoalStatus.on_track),   # exactly on the line
    (34.99, date(2026, 11, 17), GoalStatus.at_risk),  # just below it
    (40, date(2026, 11, 17), GoalStatus.met),         # on the target
    (40, DUE, GoalStatus.met),
    (39, DUE, GoalStatus.at_risk),                   # the due day itself: the line is at the target
    (None, date(2026, 11, 17), GoalStatus.at_risk),
])
def test_status_at_least(current, today, expected):
    assert progress.status(baseline=30, current=current, at_due=None, target=40, comparison=Comparison.at_least,
                           created=MADE, due=DUE, today=today) == expected


@pytest.mark.parametrize(("at_due", "expected"), [(39, GoalStatus.missed), (40, GoalStatus.met),
                                                  (None, GoalStatus.missed)])
def test_after_the_due_date_the_value_on_it_decides(at_due, expected):
    assert progress.status(baseline=30, current=50, at_due=at_due, target=40, comparison=Comparison.at_least,
                           created=MADE, due=DUE, today=date(2026, 12, 3)) == expected


@pytest.mark.parametrize(("current", "expected"), [(7, GoalStatus.on_track), (7.01, GoalStatus.at_risk),
                                                   (4, GoalStatus.met)])
def test_status_at_most(current, expected):
    # 10 → 4: halfway the line is at 7
    assert progress.status(baseline=10, current=current, at_due=None, target=4, comparison=Comparison.at_most,
                           created=MADE, due=DUE, today=date(2026, 11, 17)) == expected


def test_kpi_goal_statuses_at_the_edges_through_the_api(client, factory, manager, session, monkeypatch):
    a, b = factory.department(), factory.department()
    make_kpi(client, manager)
    week = lambda day, value: put_values(client, manager, "nps", [{"period_start": day, "value": value}])  # noqa: E731
    week("2026-11-02", 30)
    monkeypatch.setattr(service, "today", lambda: MADE)
    goal = make_goal(client, manager, [a, b], type="kpi", kpi_key="nps", comparison="at_least", value=40,
                     due=DUE.isoformat())
    assert goal["progress"]["baseline"] == 30
    row = session.get(Goal, uuid.UUID(goal["id"]))
    row.created_at = datetime(2026, 11, 2, 9, tzinfo=UTC)  # made on MADE, not on the day the test runs
    session.add(row)
    session.commit()

    def status_on(day: date) -> dict:
        monkeypatch.setattr(service, "today", lambda: day)
        return read_goal(client, manager, goal["id"])["progress"]

    week("2026-11-16", 35)
    assert status_on(date(2026, 11, 17))["status"] == "on_track"
    week("2026-11-16", 34.9)
    assert status_on(date(2026, 11, 17))["status"] == "at_risk"
    week("2026-11-16", 40)
    assert status_on(date(2026, 11, 17))["status"] == "met"
    week("2026-11-30", 39)
    assert status_on(DUE)["status"] == "at_risk"
    late = status_on(date(2026, 12, 3))
    assert (late["status"], late["current"], late["baseline"]) == ("missed", 39, 30)
    assert [p["value"] for p in late["series"] if p["period_start"] >= "2026-11-02"] == [30, None, 40, None, 39]
    week("2026-12-07", 45)  # reaching it after the due date does not make it met
    assert status_on(date(2026, 12, 8))["status"] == "missed"
    week("2026-11-30", 40)
    assert status_on(date(2026, 12, 8))["status"] == "met"


def test_the_current_value_moves_with_kpi_values(client, factory, manager):
    from datetime import timedelta

    from api.core.clock import utcnow

    a, b = factory.department(), factory.department()
    make_kpi(client, manager)
    goal = make_goal(client, manager, [a, b], type="kpi", kpi_key="nps", comparison="at_least", value=40)
    assert (goal["progress"]["baseline"], goal["progress"]["current"]) == (None, None)
    assert goal["progress"]["status"] == "at_risk"  # nothing to judge on yet
    monday = utcnow().date() - timedelta(days=utcnow().date().weekday())
    put_values(client, manager, "nps", [{"period_start": monday.isoformat(), "value": 41}])
    moved = read_goal(client, manager, goal["id"])["progress"]
    assert (moved["baseline"], moved["current"], moved["status"]) == (None, 41, "met")


def test_open_pain_points_move_when_resolved_and_only_the_owners_count(client, factory, executive, manager):
    a, b, elsewhere = factory.department(), factory.department(), factory.department()
    ids = log_pain_points(client, executive, 3, department=a)
    log_pain_points(client, executive, 1, department=b)
    log_pain_points(client, executive, 2, department=elsewhere)
    goal = make_goal(client, manager, [a, b], comparison="at_most", value=1)
    assert (goal["progress"]["baseline"], goal["progress"]["current"]) == (4, 4)
    assert goal["progress"]["period"] == "week" and goal["progress"]["series"][-1]["value"] == 4
    resolve(client, manager, ids[0])
    resolve(client, manager, ids[1])
    now = read_goal(client, manager, goal["id"])["progress"]
    assert (now["baseline"], now["current"], now["series"][-1]["value"]) == (4, 2, 2)
    resolve(client, manager, ids[2])
    assert read_goal(client, manager, goal["id"])["progress"]["status"] == "met"


def test_open_pain_points_at_a_site(client, factory, executive, manager):
    a, b = factory.department(), factory.department()
    leeds = factory.site()
    log_pain_points(client, executive, 2, department=a, site=leeds)
    log_pain_points(client, executive, 3, department=a)
    goal = make_goal(client, manager, [a, b], site_id=str(leeds.id), value=0)
    assert goal["progress"]["current"] == 2


def test_theme_counts_are_this_months_pain_points_in_the_theme(client, factory, executive, manager):
    a, b = factory.department(), factory.department()
    theme = factory.theme()
    goal = make_goal(client, manager, [a, b], type="theme_count", theme_id=str(theme.id), comparison="at_most",
                     value=1)
    assert goal["progress"]["current"] == 0 and goal["progress"]["status"] == "met"
    ids = log_pain_points(client, executive, 3)
    res = client.post(f"/api/themes/{theme.id}/pain-points", json={"pain_point_ids": ids}, headers=manager.headers)
    assert res.status_code == 200, res.text
    now = read_goal(client, manager, goal["id"])["progress"]
    assert (now["baseline"], now["current"], now["period"], now["series"][-1]["value"]) == (0, 3, "month", 3)
    assert now["status"] == "at_risk"


def test_executives_read_their_own_departments_goals_only(client, factory, executive, other_executive, manager,
                                                         session):
    a, b, c, d = (factory.department() for _ in range(4))
    join(session, executive, a)
    ours = make_goal(client, manager, [a, b], title="Ours")
    theirs = make_goal(client, manager, [c, d], title="Theirs")
    assert [g["title"] for g in client.get("/api/goals", headers=executive.headers).json()] == ["Ours"]
    assert client.get("/api/goals", headers=other_executive.headers).json() == []
    assert {g["title"] for g in client.get("/api/goals", headers=manager.headers).json()} == {"Ours", "Theirs"}
    assert client.get(f"/api/goals/{ours['id']}", headers=executive.headers).status_code == 200
    assert client.get(f"/api/goals/{theirs['id']}", headers=executive.headers).status_code == 403
    assert client.post("/api/goals", json={}, headers=executive.headers).status_code == 403
    renamed = client.patch(f"/api/goals/{ours['id']}", json={"title": "Mine"}, headers=executive.headers)
    assert renamed.status_code == 403
    assert client.delete(f"/api/goals/{ours['id']}", headers=executive.headers).status_code == 403
