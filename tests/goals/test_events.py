"""goal.updated: recorded with every change of a goal and when its computed status changes, heard by the owning
departments' managers (not by executives, other departments or whoever made the change)."""

from sqlmodel import select

from api.events.models import Event
from tests.factories import fetch
from tests.goals.helpers import join, log_pain_points, make_goal
from tests.messages.helpers import deliver_all, inbox_of, kinds_by_user


def goal_events() -> list[Event]:
    return fetch(select(Event).where(Event.name == "goal.updated").order_by(Event.occurred_at))


def test_the_owning_departments_managers_hear_of_a_goal_and_its_status(client, session, factory, admin, executive):
    ops, care, other = factory.department(), factory.department(), factory.department()
    ops_manager, care_manager = factory.user(role="manager"), factory.user(role="manager")
    other_manager = factory.user(role="manager")
    join(session, ops_manager, ops)
    join(session, care_manager, care)
    join(session, other_manager, other)
    join(session, executive, ops)  # an executive of an owning department: goal news is for managers

    goal = make_goal(client, admin, [ops, care], title="No open pain points at the tills", value=0)
    [created] = goal_events()
    assert created.subject_id is not None and str(created.subject_id) == goal["id"]
    assert created.data["changes"] == ["created"] and created.data["status"] == "met"
    assert set(created.data["department_ids"]) == {str(ops.id), str(care.id)}
    deliver_all()
    assert kinds_by_user() == {ops_manager.id: ["goal_updated"], care_manager.id: ["goal_updated"]}
    [note] = inbox_of(care_manager.id)
    assert "No open pain points at the tills" in note.body and note.title == "A shared goal for your department"

    # A change: everyone of the owners but whoever made it.
    res = client.patch(f"/api/goals/{goal['id']}", json={"title": "Tills: nothing left open"},
                       headers=ops_manager.headers)
    assert res.status_code == 200, res.text
    deliver_all()
    assert kinds_by_user() == {ops_manager.id: ["goal_updated"], care_manager.id: ["goal_updated", "goal_updated"]}
    assert goal_events()[-1].data["changes"] == ["title"]

    # The data moves: the status changes, noticed by the worker's checks and announced once.
    log_pain_points(client, executive, 1, department=ops)
    deliver_all(checks=True)
    changed = goal_events()[-1]
    assert (changed.data["changes"], changed.data["previous_status"], changed.data["status"]) == (
        ["status"], "met", "at_risk")
    assert changed.actor_id is None
    assert "is now at risk" in inbox_of(ops_manager.id)[-1].title
    deliver_all(checks=True)
    assert len(goal_events()) == 3
    heard = kinds_by_user()  # (the checks also send the month's reminders to executives)
    assert other_manager.id not in heard and "goal_updated" not in heard.get(executive.id, [])


def test_archiving_is_announced_and_an_unchanged_patch_is_not(client, session, factory, manager):
    a, b = factory.department(), factory.department()
    goal = make_goal(client, manager, [a, b])
    same = client.patch(f"/api/goals/{goal['id']}", json={"title": goal["title"]}, headers=manager.headers)
    assert same.status_code == 200 and len(goal_events()) == 1
    assert client.delete(f"/api/goals/{goal['id']}", headers=manager.headers).status_code == 204
    assert [e.data["changes"] for e in goal_events()] == [["created"], ["archived"]]


def test_webhooks_hear_goal_updated_with_the_goal(client, factory, admin, manager):
    import json

    from tests.messages.helpers import deliveries

    res = client.post("/api/webhooks", headers=admin.headers, json={
        "url": "http://127.0.0.1:9/hook", "events": ["goal.updated"], "secret": "a-long-enough-webhook-secret"})
    assert res.status_code == 201, res.text
    goal = make_goal(client, manager, [factory.department(), factory.department()], title="Fewer open items")
    deliver_all()
    [delivery] = deliveries(channel="webhook")
    body = json.loads(delivery.payload["body"])
    assert body["event"] == "goal.updated" and body["data"]["changes"] == ["created"]
    assert body["data"]["goal"]["id"] == goal["id"] and body["data"]["goal"]["title"] == "Fewer open items"
