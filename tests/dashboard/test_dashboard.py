import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session

from api.pain_points.models import PainPoint
from tests.pain_points.helpers import make_theme, report, triage


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T09:00:00+00:00")


def test_field_time_per_executive_against_the_target(client, factory, manager, admin, monkeypatch):
    # Written on 1 December: the last evening of November is in the past (visits start at most a day ahead).
    monkeypatch.setattr("api.visits.schemas.utcnow", lambda: datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    ann, bob, cy = (factory.user(role="executive", name=n) for n in ("Ann", "Bob", "Cy"))
    leeds, york = factory.site(name="Leeds"), factory.site(name="York")
    client.patch("/api/settings", json={"field_hours_target": 5}, headers=admin.headers)
    report(client, ann, site_id=leeds.id, started_at=at("2026-11-03"), hours=3)
    report(client, ann, kind="listened_call", started_at=at("2026-11-10"), hours=1.5)
    report(client, ann, started_at=at("2026-11-12"), hours=None)  # still in progress: left out
    report(client, ann, started_at=at("2026-10-30"), hours=2)  # October
    gone, _ = report(client, ann, started_at=at("2026-11-05"), hours=2)
    client.delete(f"/api/visits/{gone}", headers=ann.headers)
    report(client, bob, kind="journey_walkthrough", site_id=york.id, started_at=at("2026-11-15"), hours=2)
    report(client, bob, site_id=leeds.id, started_at=datetime(2026, 11, 30, 23, 0, tzinfo=UTC), hours=0.5)

    res = client.get("/api/dashboard/field-time", params={"month": "2026-11"}, headers=manager.headers)
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["month"] == "2026-11" and body["target_hours"] == 5
    rows = {r["executive"]["name"]: r for r in body["executives"]}
    assert [r["executive"]["name"] for r in body["executives"]] == ["Ann", "Bob", "Cy"]
    assert rows["Ann"] == {
        "executive": {"id": str(ann.id), "name": "Ann"},
        "hours": 4.5,
        "visits": 2,
        "visits_by_kind": {"shop_floor_shift": 1, "listened_call": 1, "journey_walkthrough": 0},
        "distinct_sites": 1,
        "target_met": False,
        "share_of_target": 0.9,
    }
    assert rows["Bob"]["hours"] == 2.5 and rows["Bob"]["distinct_sites"] == 2 and rows["Bob"]["visits"] == 2
    assert rows["Cy"]["hours"] == 0 and rows["Cy"]["visits"] == 0
    assert body["team"] == {
        "hours": 7.0,
        "visits": 4,
        "distinct_sites": 2,
        "executives": 3,
        "executives_out": 2,
        "visits_by_kind": {"shop_floor_shift": 2, "listened_call": 1, "journey_walkthrough": 1},
    }
    assert body["not_out_this_month"] == [{"id": str(cy.id), "name": "Cy"}]
    october = client.get(
        "/api/dashboard/field-time", params={"month": "2026-10"}, headers=manager.headers
    ).json()
    assert october["team"]["hours"] == 2.0
    assert (
        client.get(
            "/api/dashboard/field-time", params={"month": "2026-13"}, headers=manager.headers
        ).status_code
        == 422
    )
    assert client.get("/api/dashboard/field-time", headers=ann.headers).status_code == 403


def set_resolved_at(pid: str, when: datetime) -> None:
    from api.db import get_engine

    with Session(get_engine()) as s:  # a short transaction of its own (SQLite's write lock)
        s.execute(update(PainPoint).where(PainPoint.id == uuid.UUID(pid)).values(resolved_at=when))
        s.commit()


def test_flow_over_a_known_dataset(client, session, factory, manager, executive):
    cs, logistics = factory.department(name="Customer service"), factory.department(name="Logistics")
    t1, t2, t3 = (make_theme(session, label) for label in ("Queues", "Website", "Parking"))
    _, (p1, p2, p3) = report(
        client,
        executive,
        {"text": "p1", "department_id": cs.id},
        {"text": "p2", "department_id": cs.id},
        "p3",
        started_at=at("2026-11-10"),
    )
    _, (p4, p5, p6) = report(client, executive, "p4", "p5", "p6", started_at=at("2026-11-17"))
    _, (p7, p8, p9) = report(
        client, executive, "p7", {"text": "p8", "department_id": cs.id}, "p9", started_at=at("2026-10-28")
    )
    _, (p10,) = report(client, executive, "p10", started_at=at("2026-11-24"))
    for pid, theme in (
        (p1, t1),
        (p2, t1),
        (p3, t2),
        (p4, t1),
        (p5, t3),
        (p6, t1),
        (p7, t2),
        (p8, t2),
        (p9, t3),
        (p10, t1),
    ):
        assert triage(client, manager, pid, theme_id=str(theme.id)).status_code == 200
    assert triage(client, manager, p6, duplicate_of_id=p4).status_code == 200
    assert (
        triage(client, manager, p4, owner_department_id=str(logistics.id), status="acknowledged").status_code
        == 200
    )
    for pid, status, day in (
        (p1, "resolved", "2026-11-12"),
        (p2, "resolved", "2026-11-18"),
        (p3, "wont_fix", "2026-11-19"),
        (p7, "resolved", "2026-11-11"),
    ):
        assert triage(client, manager, pid, status=status, resolution_note="Done").status_code == 200
        set_resolved_at(pid, at(day))

    res = client.get(
        "/api/dashboard/flow", params={"weeks": 2, "until": "2026-11-20"}, headers=manager.headers
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["since"], body["until"], body["previous_since"]) == (
        "2026-11-09",
        "2026-11-23",
        "2026-10-26",
    )
    assert body["weeks"] == [
        {"week_start": "2026-11-09", "opened": 3, "resolved": 2, "wont_fix": 0},
        {"week_start": "2026-11-16", "opened": 2, "resolved": 1, "wont_fix": 1},
    ]
    assert body["median_days_to_resolve"] == 8.0  # 2, 8 and 14 days
    assert body["resolved_in_period"] == 3
    assert body["open_by_department"] == [
        {"department": None, "open": 3},
        {"department": {"id": str(cs.id), "name": "Customer service"}, "open": 1},
        {"department": {"id": str(logistics.id), "name": "Logistics"}, "open": 1},
    ]
    assert [(m["theme"]["label"], m["count"], m["previous"], m["change"]) for m in body["top_themes"]] == [
        ("Queues", 3, 0, 3),
        ("Website", 1, 2, -1),
        ("Parking", 1, 1, 0),
    ]
    assert [(m["theme"]["label"], m["change"]) for m in body["movers"]] == [("Queues", 3), ("Website", -1)]
    assert client.get("/api/dashboard/flow", params={"weeks": 0}, headers=manager.headers).status_code == 422
    assert client.get("/api/dashboard/flow", headers=executive.headers).status_code == 403


def test_flow_defaults_to_the_last_twelve_weeks(client, manager):
    body = client.get("/api/dashboard/flow", headers=manager.headers).json()
    assert len(body["weeks"]) == 12
    today = datetime.now(UTC).date()
    assert body["weeks"][-1]["week_start"] == (today - timedelta(days=today.weekday())).isoformat()
    assert body["median_days_to_resolve"] is None and body["top_themes"] == [] and body["movers"] == []


def test_out_of_range_dates_are_field_errors(client, manager):
    cases = (
        ("/api/dashboard/flow", {"until": "9999-12-31"}),
        ("/api/dashboard/flow", {"until": "0001-01-01"}),
        ("/api/dashboard/field-time", {"month": "0000-01"}),
        ("/api/pain-points", {"until": "9999-12-31"}),
    )
    for path, params in cases:
        res = client.get(path, params=params, headers=manager.headers)
        assert res.status_code == 422, (path, params, res.text)
