"""Making a shared goal: what is stored, and bad input refused whole (422, field errors, nothing stored)."""

import uuid
from datetime import timedelta

import pytest

from api.core.clock import utcnow
from api.goals.models import Goal, GoalDepartment
from tests.factories import count_rows
from tests.goals.helpers import goal_body, make_goal
from tests.kpis.helpers import make_kpi, put_values


def test_a_kpi_goal_is_stored_with_its_baseline_and_progress(client, factory, manager):
    stores, service = factory.department(name="Stores"), factory.department(name="Service")
    leeds = factory.site(name="Leeds")
    make_kpi(client, manager)
    monday = utcnow().date() - timedelta(days=utcnow().date().weekday())
    assert put_values(client, manager, "nps", [
        {"period_start": monday.isoformat(), "site": "Leeds", "department": "Stores", "value": 30, "responses": 300},
        {"period_start": monday.isoformat(), "site": "Leeds", "department": "Service", "value": 50, "responses": 100},
    ]).status_code == 200
    body = goal_body([stores, service], title="NPS at Leeds at least 40", type="kpi", kpi_key="nps",
                     site_id=str(leeds.id), comparison="at_least", value=40)
    res = client.post("/api/goals", json=body, headers=manager.headers)
    assert res.status_code == 201, res.text
    goal = res.json()
    assert goal["title"] == "NPS at Leeds at least 40"
    assert set(goal["department_ids"]) == {str(stores.id), str(service.id)}
    assert goal["target"] == {"type": "kpi", "kpi_key": "nps", "theme_id": None, "site_id": str(leeds.id),
                              "comparison": "at_least", "value": 40}
    progress = goal["progress"]
    assert progress["baseline"] == 35 and progress["current"] == 35  # (30·300 + 50·100) / 400
    assert progress["target"] == 40 and progress["period"] == "week"
    assert progress["status"] == "on_track"  # made today: the line starts at the baseline
    assert progress["series"][-1] == {"period_start": monday.isoformat(), "value": 35}
    assert len(progress["series"]) == 5  # four weeks before it was made, and this one
    assert goal["created_by_id"] == str(manager.id) and goal["archived"] is False


def test_without_responses_on_every_row_the_rows_count_alike(client, factory, manager):
    a, b = factory.department(), factory.department()
    make_kpi(client, manager)
    monday = utcnow().date() - timedelta(days=utcnow().date().weekday())
    put_values(client, manager, "nps", [
        {"period_start": monday.isoformat(), "site": factory.site().name, "value": 30, "responses": 300},
        {"period_start": monday.isoformat(), "site": factory.site().name, "value": 50},
    ])
    goal = make_goal(client, manager, [a, b], type="kpi", kpi_key="nps", comparison="at_least", value=60)
    assert goal["progress"]["current"] == 40  # all sites, a plain mean


def _problems(res) -> dict[tuple, str]:
    assert res.status_code == 422, res.text
    return {tuple(e["loc"]): e["msg"] for e in res.json()["detail"]}


@pytest.mark.parametrize(("change", "loc"), [
    (lambda b, w: b.update(department_ids=b["department_ids"][:1]), ("department_ids",)),
    (lambda b, w: b.update(department_ids=[b["department_ids"][0]] * 2), ("department_ids",)),
    (lambda b, w: b["department_ids"].append(str(uuid.uuid4())), ("department_ids", 2)),
    (lambda b, w: b["target"].update(site_id=str(uuid.uuid4())), ("target", "site_id")),
    (lambda b, w: b.update(due_date=(utcnow().date() - timedelta(days=1)).isoformat()), ("due_date",)),
    (lambda b, w: b["target"].update(type="kpi"), ("target", "kpi_key")),
    (lambda b, w: b["target"].update(type="kpi", kpi_key="nope"), ("target", "kpi_key")),
    (lambda b, w: b["target"].update(type="theme_count"), ("target", "theme_id")),
    (lambda b, w: b["target"].update(type="theme_count", theme_id=str(uuid.uuid4())), ("target", "theme_id")),
    (lambda b, w: b["target"].update(type="theme_count", theme_id=str(w["retired"])), ("target", "theme_id")),
    (lambda b, w: b["target"].update(kpi_key="nps"), ("target", "kpi_key")),
    (lambda b, w: b["target"].update(value=-1), ("target", "value")),
    (lambda b, w: b["target"].pop("comparison"), ("target", "comparison")),
    (lambda b, w: b.pop("due_date"), ("due_date",)),
], ids=["one department", "the same department twice", "unknown department", "unknown site", "due in the past",
        "kpi without key", "unknown kpi", "theme count without theme", "unknown theme", "retired theme",
        "kpi key on another type", "negative count", "no comparison", "no due date"])
def test_bad_input_is_refused_with_a_field_error_and_nothing_stored(client, factory, manager, session, change, loc):
    departments = [factory.department(), factory.department()]
    retired = factory.theme()
    retired.retired_at = utcnow()
    session.add(retired)
    session.commit()
    body = goal_body(departments)
    change(body, {"retired": retired.id})
    problems = _problems(client.post("/api/goals", json=body, headers=manager.headers))
    assert loc in problems, problems
    assert count_rows(None, Goal) == 0 and count_rows(None, GoalDepartment) == 0


def test_a_theme_merged_away_is_refused_and_names_the_survivor(client, factory, manager):
    source, survivor = factory.theme(), factory.theme()
    assert client.post(f"/api/themes/{source.id}/merge", json={"into_id": str(survivor.id)},
                       headers=manager.headers).status_code == 200
    body = goal_body([factory.department(), factory.department()], type="theme_count", theme_id=str(source.id),
                     value=5)
    problems = _problems(client.post("/api/goals", json=body, headers=manager.headers))
    assert str(survivor.id) in problems[("target", "theme_id")]


def test_change_and_archive(client, factory, manager):
    goal = make_goal(client, manager, [factory.department(), factory.department()])
    later = (utcnow().date() + timedelta(days=200)).isoformat()
    res = client.patch(f"/api/goals/{goal['id']}", json={"title": "Renamed", "due_date": later},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    assert (res.json()["title"], res.json()["due_date"]) == ("Renamed", later)
    past = (utcnow().date() - timedelta(days=1)).isoformat()
    assert _problems(client.patch(f"/api/goals/{goal['id']}", json={"due_date": past},
                                  headers=manager.headers)) == {("due_date",): "must not be in the past"}
    assert client.patch(f"/api/goals/{goal['id']}", json={"title": None}, headers=manager.headers).status_code == 422
    assert client.delete(f"/api/goals/{goal['id']}", headers=manager.headers).status_code == 204
    assert client.delete(f"/api/goals/{goal['id']}", headers=manager.headers).status_code == 204
    assert client.get("/api/goals", headers=manager.headers).json() == []
    [archived] = client.get("/api/goals", params={"include_archived": True}, headers=manager.headers).json()
    assert archived["archived"] is True
    assert client.get(f"/api/goals/{uuid.uuid4()}", headers=manager.headers).status_code == 404


def test_the_builtin_pulse_kpi_can_be_a_target_organisation_wide_only(client, factory, manager):
    departments = [factory.department(), factory.department()]
    at_site = goal_body(departments, type="kpi", kpi_key="pulse", site_id=str(factory.site().id),
                        comparison="at_least", value=7)
    assert ("target", "site_id") in _problems(client.post("/api/goals", json=at_site, headers=manager.headers))
    goal = make_goal(client, manager, departments, type="kpi", kpi_key="pulse", comparison="at_least", value=7)
    assert goal["progress"]["period"] == "month" and goal["progress"]["current"] is None
