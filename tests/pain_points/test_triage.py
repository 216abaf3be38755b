import uuid

import pytest

from api.pain_points.models import PainPoint, PainPointEvent
from tests.factories import fetch
from tests.pain_points.helpers import make_theme, report, triage


def stored(pid: str) -> PainPoint:
    from sqlmodel import select

    return fetch(select(PainPoint).where(PainPoint.id == uuid.UUID(pid)))[0]


@pytest.mark.parametrize(
    "path",
    [
        ["acknowledged", "in_progress", "resolved"],
        ["in_progress", "acknowledged", "wont_fix"],
        ["resolved"],
        ["wont_fix", "acknowledged", "in_progress", "resolved", "in_progress"],
    ],
)
def test_allowed_transitions(client, manager, executive, path):
    _, (pid,) = report(client, executive)
    for status in path:
        note = {"resolution_note": "Done"} if status in ("resolved", "wont_fix") else {}
        res = triage(client, manager, pid, status=status, **note)
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["status"] == status
        closed = status in ("resolved", "wont_fix")
        assert (body["resolved_at"] is not None) == closed
        assert body["resolution_note"] == ("Done" if closed else None)
    assert [e["new_value"] for e in body["history"] if e["field"] == "status"] == path


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["acknowledged"], "new"),
        (["resolved"], "new"),
        (["resolved"], "wont_fix"),
        (["wont_fix"], "resolved"),
        (["in_progress"], "new"),
    ],
)
def test_refused_transitions_are_conflicts_that_change_nothing(client, manager, executive, path, refused):
    _, (pid,) = report(client, executive)
    for status in path:
        assert (
            triage(client, manager, pid, status=status, resolution_note="Done").status_code == 200
            if status in ("resolved", "wont_fix")
            else triage(client, manager, pid, status=status).status_code == 200
        )
    res = triage(client, manager, pid, status=refused, resolution_note="x")
    assert res.status_code == 409, res.text
    assert f"cannot go from {path[-1]} to {refused}" in res.json()["detail"]
    assert stored(pid).status == path[-1]


def test_closing_needs_a_resolution_note(client, manager, executive):
    _, (pid,) = report(client, executive)
    for status in ("resolved", "wont_fix"):
        res = triage(client, manager, pid, status=status)
        assert res.status_code == 422
        assert res.json()["detail"][0]["loc"] == ["resolution_note"]
        assert triage(client, manager, pid, status=status, resolution_note="   ").status_code == 422
    res = triage(client, manager, pid, resolution_note="A note on an open pain point")
    assert res.status_code == 422
    assert triage(client, manager, pid, status=None).status_code == 422
    assert stored(pid).status == "new" and stored(pid).resolution_note is None


def test_owner_assignee_due_date_and_theme_with_audit_history(client, session, factory, manager, executive):
    dept, theme = factory.department(name="Logistics"), make_theme(session, "Late deliveries")
    other_manager = factory.user(role="manager", name="Morgan")
    _, (pid,) = report(client, executive)
    res = triage(
        client,
        manager,
        pid,
        owner_department_id=str(dept.id),
        assignee_id=str(other_manager.id),
        due_date="2026-12-24",
        theme_id=str(theme.id),
        status="acknowledged",
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["owner_department"] == {"id": str(dept.id), "name": "Logistics"}
    assert body["assignee"] == {"id": str(other_manager.id), "name": "Morgan"}
    assert body["due_date"] == "2026-12-24"
    assert body["theme"] == {"id": str(theme.id), "label": "Late deliveries"} and body["theme_locked"] is True
    history = {e["field"]: e for e in body["history"]}
    assert set(history) == {"status", "owner_department_id", "assignee_id", "due_date", "theme_id"}
    assert history["owner_department_id"]["new_label"] == "Logistics"
    assert history["assignee_id"]["new_label"] == "Morgan"
    assert history["theme_id"]["new_label"] == "Late deliveries"
    assert history["status"]["old_value"] == "new" and history["status"]["new_value"] == "acknowledged"
    assert all(e["actor"] == {"id": str(manager.id), "name": "Manager"} for e in body["history"])
    # Unchanged values add no audit line; clearing does.
    again = triage(client, manager, pid, due_date="2026-12-24", assignee_id=None).json()
    assert len(again["history"]) == 6
    assert again["history"][-1]["field"] == "assignee_id" and again["history"][-1]["new_value"] is None
    assert again["assignee"] is None
    assert len(fetch(__import__("sqlmodel").select(PainPointEvent))) == 6
    assert stored(pid).theme_locked is True


def test_unknown_references_are_field_errors(client, factory, manager, executive):
    _, (pid,) = report(client, executive)
    inactive = factory.user(role="manager")
    client.patch(
        f"/api/users/{inactive.id}", json={"is_active": False}, headers=factory.user(role="admin").headers
    )
    res = triage(
        client,
        manager,
        pid,
        owner_department_id=str(uuid.uuid4()),
        assignee_id=str(inactive.id),
        theme_id=str(uuid.uuid4()),
        duplicate_of_id=str(uuid.uuid4()),
    )
    assert res.status_code == 422
    assert sorted(e["loc"][0] for e in res.json()["detail"]) == [
        "assignee_id",
        "duplicate_of_id",
        "owner_department_id",
        "theme_id",
    ]
    assert triage(client, manager, str(uuid.uuid4()), status="acknowledged").status_code == 404
    assert triage(client, manager, pid, colour="red").status_code == 422


def test_only_managers_and_admins_triage(client, executive, other_executive, admin):
    _, (pid,) = report(client, executive)
    for actor in (executive, other_executive):
        assert triage(client, actor, pid, status="acknowledged").status_code == 403
        res = client.post(
            "/api/pain-points/bulk",
            json={"ids": [pid], "changes": {"status": "acknowledged"}},
            headers=actor.headers,
        )
        assert res.status_code == 403
    assert triage(client, admin, pid, status="acknowledged").status_code == 200
    assert stored(pid).status == "acknowledged"


def test_duplicates_link_to_the_original(client, manager, executive):
    _, (original, dup, dup_of_dup) = report(client, executive, "Original", "Same again", "And again")
    res = triage(client, manager, dup, duplicate_of_id=original)
    assert res.status_code == 200 and res.json()["duplicate_of_id"] == original
    # Marking against a duplicate links to its original.
    assert triage(client, manager, dup_of_dup, duplicate_of_id=dup).json()["duplicate_of_id"] == original
    detail = client.get(f"/api/pain-points/{original}", headers=manager.headers).json()
    assert sorted(detail["duplicates"]) == sorted([dup, dup_of_dup])
    # No loops, no self links.
    assert triage(client, manager, original, duplicate_of_id=dup).status_code == 409
    assert triage(client, manager, original, duplicate_of_id=original).status_code == 409
    # Kept in the feed, unmarked on request.
    page = client.get("/api/pain-points", headers=manager.headers).json()
    assert len(page["items"]) == 3
    assert triage(client, manager, dup, duplicate_of_id=None).json()["duplicate_of_id"] is None


def test_bulk_triage_is_all_or_nothing(client, factory, manager, executive):
    dept = factory.department(name="Store ops")
    _, ids = report(client, executive, "One", "Two", "Three")
    res = client.post(
        "/api/pain-points/bulk",
        json={"ids": ids, "changes": {"status": "acknowledged", "owner_department_id": str(dept.id)}},
        headers=manager.headers,
    )
    assert res.status_code == 200, res.text
    assert res.json()["updated"] == 3
    assert {i["status"] for i in res.json()["items"]} == {"acknowledged"}
    assert {i["owner_department"]["name"] for i in res.json()["items"]} == {"Store ops"}
    triage(client, manager, ids[0], status="resolved", resolution_note="Done")
    missing = str(uuid.uuid4())
    res = client.post(
        "/api/pain-points/bulk",
        json={"ids": [*ids, missing], "changes": {"status": "new"}},
        headers=manager.headers,
    )
    assert res.status_code == 409
    body = res.json()
    assert "nothing was changed" in body["detail"]
    assert {e["id"] for e in body["errors"]} == {*ids, missing}
    assert [stored(i).status for i in ids] == ["resolved", "acknowledged", "acknowledged"]
    res = client.post(
        "/api/pain-points/bulk",
        json={"ids": ids, "changes": {"status": "in_progress"}},
        headers=manager.headers,
    )
    assert res.status_code == 200 and res.json()["updated"] == 3
    res = client.post(
        "/api/pain-points/bulk", json={"ids": ids, "changes": {"status": "wont_fix"}}, headers=manager.headers
    )
    assert res.status_code == 422  # the note is required before anything is looked at
    assert (
        client.post(
            "/api/pain-points/bulk", json={"ids": [], "changes": {}}, headers=manager.headers
        ).status_code
        == 422
    )
