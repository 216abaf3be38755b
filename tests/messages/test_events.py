"""The outbox: each change writes its event in its own transaction; a refused change writes none."""

import uuid

from sqlmodel import select

from api.events.models import Event
from tests.factories import fetch, visit_body
from tests.themes.test_api import log_visits, rebuild


def events(name: str | None = None) -> list[Event]:
    stmt = select(Event).order_by(Event.occurred_at, Event.id)
    return fetch(stmt.where(Event.name == name) if name else stmt)


def put_visit(client, actor, **body) -> tuple[str, dict]:
    visit_id = str(uuid.uuid4())
    body = visit_body(**body)
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return visit_id, body


def test_a_visit_announces_its_pain_points_and_its_end_once(client, executive, factory):
    ops = factory.department()
    visit_id, body = put_visit(client, executive, pain_points=2, severity=5, department_id=ops.id)
    created = events("pain_point.created")
    assert {e.data["pain_point_id"] for e in created} == {pp["id"] for pp in body["pain_points"]}
    assert {(e.data["severity"], e.data["department_id"], e.actor_id) for e in created} == {
        (5, str(ops.id), executive.id)}
    assert [e.data["visit_id"] for e in events("visit.finished")] == [visit_id]
    # A replay, and a rewrite of a finished visit, are not news.
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 200
    body["notes"], body["version"] = "Rewritten", 1
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 200
    assert len(events()) == 3
    assert all("text" not in e.data and "quote" not in e.data for e in events())


def test_an_unfinished_visit_announces_its_end_when_it_ends(client, executive):
    visit_id, body = put_visit(client, executive, hours=None, pain_points=0)
    assert events("visit.finished") == []
    body.update(ended_at=body["started_at"].replace("09:00", "11:00"), version=1)
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 200
    assert [e.data["visit_id"] for e in events("visit.finished")] == [visit_id]


def test_a_refused_write_records_nothing(client, executive, other_executive):
    visit_id, body = put_visit(client, executive, pain_points=1)
    before = len(events())
    body.update(version=7, notes="Stale edit")
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 409
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=other_executive.headers).status_code == 403
    assert len(events()) == before


def test_triage_and_comments_announce_changes_without_free_text(client, executive, manager):
    _, body = put_visit(client, executive, pain_points=1)
    pid = body["pain_points"][0]["id"]
    res = client.patch(f"/api/pain-points/{pid}", headers=manager.headers, json={
        "status": "resolved", "assignee_id": str(manager.id), "resolution_note": "Call 07700 900123"})
    assert res.status_code == 200, res.text
    [updated] = events("pain_point.updated")
    assert updated.subject_id == uuid.UUID(pid) and updated.actor_id == manager.id
    assert set(updated.data["changes"]) == {"status", "assignee_id", "resolution_note"}
    assert updated.data["values"] == {"status": "resolved", "assignee_id": str(manager.id)}
    assert "07700" not in str(updated.data)
    # No change, no event.
    client.patch(f"/api/pain-points/{pid}", headers=manager.headers, json={"status": "resolved"})
    assert len(events("pain_point.updated")) == 1
    res = client.post(f"/api/pain-points/{pid}/comments", headers=manager.headers, json={"body": "Fixed?"})
    assert res.status_code == 201
    [commented] = events("pain_point.commented")
    assert commented.data == {"pain_point_id": pid, "comment_id": res.json()["id"], "author_id": str(manager.id)}


def test_a_theme_rebuild_announces_itself(client, executive, manager):
    log_visits(client, executive)
    rebuild(client, manager)
    [rebuilt] = events("themes.rebuilt")
    assert rebuilt.data["themes"] >= 1 and rebuilt.data["pain_points"] > 0
