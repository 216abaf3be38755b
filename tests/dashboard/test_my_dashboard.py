"""GET /api/dashboard/me: each role sees its own figures and nothing beyond them, and the figures move with the data."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from api.core.clock import utcnow
from api.pain_points.models import PainPoint
from tests.factories import visit_body
from tests.goals.helpers import join, make_goal, resolve

NOTE_WITH_PHONE = "Fixed: call Dana on 07700 900123"


def me(client, actor) -> dict:
    res = client.get("/api/dashboard/me", headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def log(client, executive, texts: list[str], *, department=None, minutes: float = 6) -> list[str]:
    """A finished visit of `minutes` this month with these pain points; their ids."""
    now = utcnow()
    start = max(now - timedelta(hours=1), datetime(now.year, now.month, 1, tzinfo=UTC))
    body = visit_body(start=start, hours=minutes / 60, pain_points=texts,
                      department_id=department.id if department else None)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers)
    assert res.status_code == 201, res.text
    return [p["id"] for p in body["pain_points"]]


def kpi_weeks(client, manager, department_values: list) -> None:
    """nps per department: [(department, (last week's value, this week's value))]."""
    client.post("/api/kpis", json={"key": "nps", "name": "Net Promoter Score", "kind": "voc", "unit": "points",
                                   "higher_is_better": True}, headers=manager.headers)
    monday = utcnow().date() - timedelta(days=utcnow().date().weekday())
    items = [{"period_start": str(day), "department_id": str(d.id), "value": v}
             for d, pair in department_values
             for day, v in zip((monday - timedelta(days=7), monday), pair, strict=True)]
    res = client.put("/api/kpis/nps/values", json=items, headers=manager.headers)
    assert res.status_code == 200, res.text


def test_an_executive_sees_their_field_time_pain_points_outcomes_goals_and_kpis_only(
        client, factory, session, executive, other_executive, manager, admin):
    stores, digital, finance = (factory.department(name=n) for n in ("Stores", "Digital", "Finance"))
    join(session, executive, stores)
    join(session, other_executive, digital)
    client.patch("/api/settings", json={"field_hours_target": 1}, headers=admin.headers)
    first, second = log(client, executive, ["Refund shows twice, Dana at dana@example.com", "Tills closed"],
                        department=stores, minutes=30)
    log(client, other_executive, ["Someone else's pain point"], department=digital)
    resolve_with = client.patch(f"/api/pain-points/{first}", headers=manager.headers,
                                json={"status": "resolved", "resolution_note": NOTE_WITH_PHONE})
    assert resolve_with.status_code == 200, resolve_with.text
    ours = make_goal(client, manager, [stores, finance], title="Fewer open in stores")
    make_goal(client, manager, [digital, finance], title="Digital's goal")
    kpi_weeks(client, manager, [(stores, (30, 40)), (digital, (50, 20))])

    body = me(client, executive)
    assert body["role"] == "executive" and body["organisation"] is False
    assert body["departments"] == [{"id": str(stores.id), "name": "Stores"}]
    ft = body["field_time"]
    assert ft["target_hours"] == 1 and ft["hours"]["value"] == 0.5 and ft["visits"]["value"] == 1
    assert ft["share_of_target"] == 0.5 and ft["hours"]["previous"] == 0 and ft["hours"]["trend"] == "better"
    pp = body["pain_points"]
    assert pp["open"]["value"] == 1 and pp["resolved"]["value"] == 1 and pp["resolved"]["trend"] == "better"
    [outcome] = pp["outcomes"]
    assert outcome["id"] == first and outcome["text"].startswith("Refund shows twice, Dana at dana@example.com")
    assert "07700" not in outcome["resolution_note"] and outcome["resolution_note"].startswith("Fixed")
    assert [g["title"] for g in body["goals"]] == ["Fewer open in stores"] and body["goals"][0]["id"] == ours["id"]
    [nps] = body["kpis"]
    assert nps["department"] == {"id": str(stores.id), "name": "Stores"}
    assert nps["figure"] == {"value": 40, "previous": 30, "change": 10, "trend": "better", "higher_is_better": True}
    assert body["rising_themes"] == [] and body["overdue"] is None
    assert str(digital.id) not in str(body["kpis"])

    theirs = me(client, other_executive)
    assert theirs["pain_points"]["outcomes"] == [] and theirs["pain_points"]["open"]["value"] == 1
    assert [g["title"] for g in theirs["goals"]] == ["Digital's goal"]
    assert [(k["department"]["name"], k["figure"]["trend"]) for k in theirs["kpis"]] == [("Digital", "worse")]
    assert "dana@example.com" not in str(theirs) and "Tills closed" not in str(theirs)

    # The organisation's KPI figures only once an admin lets executives read every department's.
    opening = client.patch("/api/settings", json={"executives_see_all_kpis": True}, headers=admin.headers)
    assert opening.status_code == 200
    opened = me(client, executive)["kpis"]
    assert {(k["department"] or {}).get("name"): k["figure"]["value"] for k in opened} == {"Stores": 40, None: 30}

    # Figures move with the data: the second pain point resolved.
    resolve(client, manager, second)
    moved = me(client, executive)["pain_points"]
    assert moved["open"]["value"] == 0 and moved["resolved"]["value"] == 2 and len(moved["outcomes"]) == 2


def test_a_manager_sees_their_departments_kpis_goals_rising_themes_and_overdue_items(
        client, factory, session, executive, manager, admin):
    stores, digital, finance = (factory.department(name=n) for n in ("Stores", "Digital", "Finance"))
    join(session, manager, stores)
    queues = factory.theme(label="Checkout queues")
    ours = log(client, executive, ["Queue to the door", "Queue again", "Till down"], department=stores)
    theirs = log(client, executive, ["App crashed, call 07700 900123"], department=digital)
    yesterday = utcnow().date() - timedelta(days=1)
    session.execute(update(PainPoint).where(PainPoint.id.in_([uuid.UUID(i) for i in ours[:2]]))
                    .values(theme_id=queues.id))
    session.execute(update(PainPoint).where(PainPoint.id.in_([uuid.UUID(ours[2]), uuid.UUID(theirs[0])]))
                    .values(due_date=yesterday))
    session.commit()
    make_goal(client, manager, [stores, finance], title="Stores and finance")
    make_goal(client, manager, [digital, finance], title="Digital and finance")
    kpi_weeks(client, manager, [(stores, (30, 40)), (digital, (50, 20))])

    body = me(client, manager)
    assert body["role"] == "manager" and body["organisation"] is False
    assert body["field_time"] is None and body["pain_points"] is None
    assert [(k["department"]["name"], k["figure"]["trend"]) for k in body["kpis"]] == [("Stores", "better")]
    assert [g["title"] for g in body["goals"]] == ["Stores and finance"]
    assert [(t["theme"]["label"], t["figure"]["value"], t["figure"]["trend"]) for t in body["rising_themes"]] == [
        ("Checkout queues", 2, "worse")]
    overdue = body["overdue"]
    assert overdue["count"]["value"] == 1 and overdue["count"]["previous"] == 0
    assert [i["id"] for i in overdue["items"]] == [ours[2]]
    assert overdue["items"][0]["department"] == {"id": str(stores.id), "name": "Stores"}

    org = me(client, admin)
    assert org["organisation"] is True
    assert {g["title"] for g in org["goals"]} == {"Stores and finance", "Digital and finance"}
    [nps] = org["kpis"]
    assert nps["department"] is None and nps["figure"]["value"] == 30 and nps["figure"]["previous"] == 40
    assert nps["figure"]["trend"] == "worse"
    assert org["overdue"]["count"]["value"] == 2
    assert all("07700" not in i["text"] for i in org["overdue"]["items"])

    # Figures move: the overdue pain point resolved, this week's NPS corrected downwards.
    resolve(client, manager, ours[2])
    monday = utcnow().date() - timedelta(days=utcnow().date().weekday())
    res = client.put("/api/kpis/nps/values", headers=manager.headers,
                     json=[{"period_start": str(monday), "department_id": str(stores.id), "value": 25}])
    assert res.status_code == 200, res.text
    moved = me(client, manager)
    assert moved["overdue"]["count"]["value"] == 0 and moved["overdue"]["count"]["trend"] == "same"
    assert moved["overdue"]["items"] == []
    assert [(k["figure"]["value"], k["figure"]["change"], k["figure"]["trend"]) for k in moved["kpis"]] == [
        (25, -5, "worse")]


def test_signed_out_is_refused(client):
    assert client.get("/api/dashboard/me").status_code == 401
