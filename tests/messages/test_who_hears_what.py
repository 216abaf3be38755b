"""Who hears what, in the inbox: each event reaches the right people and nobody else."""

import uuid

from api.auth.models import UserDepartment
from tests.factories import visit_body
from tests.messages.helpers import deliver_all, inbox_of, kinds_by_user


def log_point(client, author, *, severity=3, department_id=None, text="Queue to the back of the store") -> str:
    body = visit_body(pain_points=[{"text": text}], severity=severity, department_id=department_id)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=author.headers)
    assert res.status_code == 201, res.text
    return body["pain_points"][0]["id"]


def member(session, user, department) -> None:
    session.add(UserDepartment(user_id=user.id, department_id=department.id))
    session.commit()


def test_each_event_reaches_the_right_people_and_nobody_else(client, session, factory):
    author, bystander = factory.user(role="executive"), factory.user(role="executive")
    ops_manager, other_manager = factory.user(role="manager"), factory.user(role="manager")
    assignee, admin = factory.user(role="manager"), factory.user(role="admin")
    ops, other = factory.department(), factory.department()
    member(session, ops_manager, ops)
    member(session, other_manager, other)
    member(session, bystander, ops)  # an executive in the department: severity-5 alerts are for managers

    # (event, what to do, who hears which kind)
    pid = log_point(client, author, severity=5, department_id=ops.id)
    quiet = log_point(client, author, severity=4, department_id=ops.id)
    deliver_all()
    assert kinds_by_user() == {ops_manager.id: ["severity5"]}

    steps = [
        (other_manager, {"assignee_id": str(assignee.id)}, {assignee.id: ["assigned"]}),
        (other_manager, {"status": "in_progress"}, {author.id: ["status_changed"]}),
        (assignee, {"status": "resolved", "resolution_note": "New till rota from Monday"},
         {author.id: ["resolved"]}),
    ]
    seen = kinds_by_user()
    for actor, change, heard in steps:
        res = client.patch(f"/api/pain-points/{pid}", json=change, headers=actor.headers)
        assert res.status_code == 200, res.text
        deliver_all()
        now = kinds_by_user()
        new = {u: [k for k in now[u] if now[u].count(k) > seen.get(u, []).count(k)] for u in now}
        assert {u: k for u, k in new.items() if k} == heard, change
        seen = now

    # Comments reach the author, unless the author wrote them.
    assert client.post(f"/api/pain-points/{quiet}/comments", json={"body": "Which store?"},
                       headers=other_manager.headers).status_code == 201
    assert client.post(f"/api/pain-points/{quiet}/comments", json={"body": "Kings Road"},
                       headers=author.headers).status_code == 201
    deliver_all()
    assert kinds_by_user()[author.id].count("commented") == 1
    assert bystander.id not in kinds_by_user() and admin.id not in kinds_by_user()

    resolved = [n for n in inbox_of(author.id) if n.kind == "resolved"][0]
    assert "you said, we did" in resolved.title.lower()
    assert "New till rota from Monday" in resolved.body and resolved.link.endswith(f"/#/pain-points/{pid}")


def test_nobody_hears_of_their_own_action_and_the_deactivated_hear_nothing(client, session, factory, admin):
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    pid = log_point(client, author)
    # Assigning to yourself tells nobody.
    assert client.patch(f"/api/pain-points/{pid}", json={"assignee_id": str(manager.id)},
                        headers=manager.headers).status_code == 200
    deliver_all()
    assert kinds_by_user() == {}
    client.patch(f"/api/users/{author.id}", json={"is_active": False}, headers=admin.headers)
    assert client.patch(f"/api/pain-points/{pid}", json={"status": "acknowledged"},
                        headers=manager.headers).status_code == 200
    deliver_all()
    assert kinds_by_user() == {}


def test_messages_are_masked_and_sent_once(client, factory):
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    pid = log_point(client, author, text="Call back jane.doe@shopper.example on 07700 900123")
    client.patch(f"/api/pain-points/{pid}", json={"status": "resolved", "resolution_note": "Rang 07700 900123"},
                 headers=manager.headers)
    deliver_all()
    deliver_all()
    [note] = inbox_of(author.id)
    assert "07700" not in note.body and "jane" not in note.body
    assert "[phone]" in note.body and "[email]" in note.body


def test_the_inbox_api_lists_counts_and_marks_read(client, factory):
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    pids = [log_point(client, author) for _ in range(3)]
    for pid in pids:
        client.patch(f"/api/pain-points/{pid}", json={"status": "acknowledged"}, headers=manager.headers)
    deliver_all()
    page = client.get("/api/notifications", params={"limit": 2}, headers=author.headers).json()
    assert page["unread"] == 3 and len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get("/api/notifications", params={"cursor": page["next_cursor"]}, headers=author.headers).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = {i["id"] for i in page["items"]} | {i["id"] for i in rest["items"]}
    assert len(ids) == 3
    assert client.get("/api/notifications", headers=manager.headers).json() == {
        "items": [], "unread": 0, "next_cursor": None}
    # Marking someone else's message read does nothing.
    assert client.post("/api/notifications/read", json={"ids": [page["items"][0]["id"]]},
                       headers=manager.headers).json() == {"unread": 0}
    res = client.post("/api/notifications/read", json={"ids": [page["items"][0]["id"]]}, headers=author.headers)
    assert res.json() == {"unread": 2}
    assert client.post("/api/notifications/read", json={"all": True}, headers=author.headers).json() == {"unread": 0}
    assert client.post("/api/notifications/read", json={}, headers=author.headers).status_code == 422
    assert client.get("/api/notifications", params={"cursor": "nope"}, headers=author.headers).status_code == 422


def test_people_choose_what_reaches_them(client, factory):
    author, manager = factory.user(role="executive"), factory.user(role="manager")
    settings = client.get("/api/me/notification-settings", headers=author.headers).json()
    assert settings["status_changed"] == {"inbox": True, "email": True}
    res = client.put("/api/me/notification-settings", json={"status_changed": {"inbox": False}},
                     headers=author.headers)
    assert res.status_code == 200
    assert res.json()["status_changed"] == {"inbox": False, "email": True}
    assert res.json()["resolved"] == {"inbox": True, "email": True}
    assert client.put("/api/me/notification-settings", json={"nonsense": {"inbox": False}},
                      headers=author.headers).status_code == 422
    pid = log_point(client, author)
    client.patch(f"/api/pain-points/{pid}", json={"status": "acknowledged"}, headers=manager.headers)
    res = client.patch(f"/api/pain-points/{pid}", json={"status": "resolved", "resolution_note": "Done"},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    deliver_all()
    assert [n.kind for n in inbox_of(author.id)] == ["resolved"]


def test_an_overdue_pain_point_tells_its_assignee_once_per_due_date(client, session, factory):
    from api.messages.dispatch import scan_overdue
    from tests.factories import DAY

    author, manager, assignee = factory.user(role="executive"), factory.user(role="manager"), factory.user(
        role="manager")
    pid = log_point(client, author)
    res = client.patch(f"/api/pain-points/{pid}", json={"assignee_id": str(assignee.id), "due_date": "2026-11-25"},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    today = DAY.date()  # 2026-11-20: not yet due
    assert scan_overdue(session, today) == 0
    later = today.replace(day=27)
    assert scan_overdue(session, later) == 1
    assert scan_overdue(session, later) == 0  # once per due date
    deliver_all()
    assert sorted(n.kind for n in inbox_of(assignee.id)) == ["assigned", "overdue"]
    # A new due date that passes is news again; a resolved pain point is not.
    client.patch(f"/api/pain-points/{pid}", json={"due_date": "2026-11-26"}, headers=manager.headers)
    assert scan_overdue(session, later) == 1
    res = client.patch(f"/api/pain-points/{pid}", json={"status": "resolved", "resolution_note": "Done"},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    res = client.patch(f"/api/pain-points/{pid}", json={"due_date": "2026-11-24"}, headers=manager.headers)
    assert res.status_code == 200, res.text
    assert scan_overdue(session, later) == 0


def test_the_assignee_hears_the_day_before_the_due_date(client, session, factory):
    from api.messages.dispatch import scan_overdue
    from tests.factories import DAY

    author, manager, assignee = (factory.user(role="executive"), factory.user(role="manager"),
                                 factory.user(role="manager"))
    pid = log_point(client, author)
    client.patch(f"/api/pain-points/{pid}", json={"assignee_id": str(assignee.id), "due_date": "2026-11-21"},
                 headers=manager.headers)
    assert scan_overdue(session, DAY.date()) == 1  # 2026-11-20: due tomorrow
    assert scan_overdue(session, DAY.date()) == 0
    deliver_all()
    assert sorted(n.kind for n in inbox_of(assignee.id)) == ["assigned", "due_tomorrow"]
    assert kinds_by_user().keys() == {assignee.id}
