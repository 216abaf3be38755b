"""GET /api/dashboard/me `values`: pain points and bright spots per company value per week, counts only, in the
reader's scope, with the pulse's questions about values beside them."""

import json
import uuid
from datetime import UTC, datetime, time, timedelta

from api.core.clock import utcnow
from tests.bright_spots.test_api import spot, value_id
from tests.factories import visit_body
from tests.goals.helpers import join
from tests.kpis.test_pulse_kpi import _answers


def me(client, actor) -> dict:
    res = client.get("/api/dashboard/me", headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def _monday(weeks_ago: int):
    today = utcnow().date()
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def log(client, executive, *, weeks_ago: int, pains=(), spots=(), department=None) -> None:
    """A visit on the Monday `weeks_ago` weeks back: pain points and bright spots tagged with these values."""
    start = datetime.combine(_monday(weeks_ago), time(0, 30), tzinfo=UTC)
    dept = str(department.id) if department else None
    body = visit_body(start=start, hours=0.1, department_id=department.id if department else None,
                      pain_points=[{"text": f"Secret words {i}", "value_id": v} for i, v in enumerate(pains)])
    body["bright_spots"] = [spot(f"Hidden praise {i}", value_id=v, department_id=dept) for i, v in enumerate(spots)]
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers)
    assert res.status_code == 201, res.text


def series(part: dict, name: str, kind: str) -> list[int]:
    [row] = [v for v in part["values"] if v["value"]["name"] == name]
    return [w["count"] for w in row[kind]]


def test_no_values_no_part(client, executive, manager):
    assert me(client, executive)["values"] is None and me(client, manager)["values"] is None


def test_an_executive_sees_their_own_counts_per_value_per_week(client, factory, executive, other_executive,
                                                                admin):
    own_it, kind = value_id(client, admin, "Own it"), value_id(client, admin, "Be kind")
    log(client, executive, weeks_ago=0, pains=[own_it, own_it, None], spots=[kind])
    log(client, executive, weeks_ago=3, pains=[kind], spots=[own_it, own_it])
    log(client, executive, weeks_ago=12, pains=[own_it])  # 13 weeks back with this one: outside
    log(client, other_executive, weeks_ago=0, pains=[own_it], spots=[own_it])
    part = me(client, executive)["values"]
    assert part["weeks"] == [str(_monday(k)) for k in range(11, -1, -1)]
    assert [v["value"]["name"] for v in part["values"]] == ["Be kind", "Own it"]
    assert series(part, "Own it", "pain_points") == [0] * 11 + [2]
    assert series(part, "Own it", "bright_spots") == [0] * 8 + [2, 0, 0, 0]
    assert series(part, "Be kind", "pain_points") == [0] * 8 + [1, 0, 0, 0]
    assert series(part, "Be kind", "bright_spots") == [0] * 11 + [1]
    assert "Secret" not in json.dumps(part) and "praise" not in json.dumps(part)  # counts only
    assert part["pulse"] == []  # executives read the pulse only where the organisation allows it

    # An archived value leaves the dashboard unless it has counts in the weeks shown.
    quiet = value_id(client, admin, "Archived and quiet")
    for archived in (quiet, own_it):
        assert client.patch(f"/api/values/{archived}", json={"archived": True},
                            headers=admin.headers).status_code == 200
    part = me(client, executive)["values"]
    assert [(v["value"]["name"], v["archived"]) for v in part["values"]] == [("Be kind", False), ("Own it", True)]


def test_managers_see_their_departments_and_admins_the_organisation(client, factory, session, executive, manager,
                                                                    admin):
    stores, digital = factory.department(name="Stores"), factory.department(name="Digital")
    join(session, manager, stores)
    own_it = value_id(client, admin, "Own it")
    log(client, executive, weeks_ago=1, pains=[own_it, own_it], spots=[own_it], department=stores)
    log(client, executive, weeks_ago=1, pains=[own_it], spots=[own_it, own_it], department=digital)
    mine = me(client, manager)["values"]
    assert series(mine, "Own it", "pain_points")[-2:] == [2, 0]
    assert series(mine, "Own it", "bright_spots")[-2:] == [1, 0]
    everyone = me(client, admin)["values"]
    assert series(everyone, "Own it", "pain_points")[-2:] == [3, 0]
    assert series(everyone, "Own it", "bright_spots")[-2:] == [3, 0]
    assert me(client, executive)["values"]["values"][0]["pain_points"][-2]["count"] == 3  # what they logged


def test_the_pulse_questions_about_values_are_beside_them(client, factory, executive, manager, admin):
    own_it = value_id(client, admin, "Own it")
    value_id(client, admin, "Be kind")
    named = client.post("/api/pulse/questions", json={"text": "How well do we own it when a customer complains?"},
                        headers=admin.headers)
    assert named.status_code == 201, named.text
    questions = client.get("/api/pulse/questions", headers=executive.headers).json()
    about_values = next(q for q in questions if "our values" in q["text"])
    other = next(q for q in questions if q["kind"] == "scale" and "value" not in q["text"])
    month = utcnow().strftime("%Y-%m")
    _answers(factory, about_values["id"], month, [6, 7, 8])
    _answers(factory, named.json()["id"], month, [2, 4, 9])
    _answers(factory, other["id"], month, [0, 0, 0])
    part = me(client, manager)["values"]
    assert [(q["text"], q["months"]) for q in part["pulse"]] == [
        (about_values["text"], [{"month": month, "average": 7.0, "responses": 3}])]
    [row] = [v for v in part["values"] if v["value"]["id"] == own_it]
    assert [(q["question_id"], q["months"][0]["average"]) for q in row["pulse"]] == [(named.json()["id"], 5.0)]
    assert [v["pulse"] for v in part["values"] if v["value"]["name"] == "Be kind"] == [[]]

    assert me(client, executive)["values"]["pulse"] == []
    res = client.patch("/api/settings", json={"executives_see_all_kpis": True}, headers=admin.headers)
    assert res.status_code == 200, res.text
    assert [q["text"] for q in me(client, executive)["values"]["pulse"]] == [about_values["text"]]
