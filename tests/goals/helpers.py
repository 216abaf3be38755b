"""Making goals and the data they measure, through the API."""

import uuid
from datetime import timedelta

from api.auth.models import UserDepartment
from api.core.clock import utcnow
from tests.factories import visit_body

DUE = (utcnow().date() + timedelta(days=120)).isoformat()


def goal_body(departments, *, title: str = "Fewer refunds shown twice", due: str = DUE, **target) -> dict:
    target = {"type": "open_pain_points", "comparison": "at_most", "value": 0, **target}
    return {"title": title, "department_ids": [str(d.id) for d in departments], "target": target, "due_date": due}


def make_goal(client, actor, departments, **fields) -> dict:
    res = client.post("/api/goals", json=goal_body(departments, **fields), headers=actor.headers)
    assert res.status_code == 201, res.text
    return res.json()


def read_goal(client, actor, goal_id) -> dict:
    res = client.get(f"/api/goals/{goal_id}", headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def join(session, actor, *departments) -> None:
    """Make a person a member of departments."""
    session.add_all(UserDepartment(user_id=actor.id, department_id=d.id) for d in departments)
    session.commit()


def log_pain_points(client, executive, n: int, *, department=None, site=None) -> list[str]:
    """n pain points logged a minute ago (this month, this week)."""
    body = visit_body(start=utcnow() - timedelta(minutes=1), hours=None, pain_points=n,
                      department_id=department.id if department else None, site_id=site.id if site else None)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers)
    assert res.status_code == 201, res.text
    return [p["id"] for p in body["pain_points"]]


def resolve(client, manager, pain_point_id) -> None:
    res = client.patch(f"/api/pain-points/{pain_point_id}", json={"status": "resolved", "resolution_note": "Fixed"},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
