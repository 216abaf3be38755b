"""Shared helpers for the review tests: pain points written through the real visit API."""

import uuid
from datetime import UTC, datetime, timedelta

from api.themes.models import Theme

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def report(
    client,
    actor,
    *points: dict | str,
    started_at: datetime = DAY,
    hours: float | None = 3,
    kind: str = "shop_floor_shift",
    site_id=None,
    private_notes: str = "Private: the manager was rude",
) -> tuple[str, list[str]]:
    """One visit with the given pain points (a str is the text); returns (visit id, pain point ids)."""
    visit_id = str(uuid.uuid4())
    items = []
    for point in points or ("Queue at the tills reached the back of the store",):
        point = {"text": point} if isinstance(point, str) else point
        items.append(
            {
                "id": str(uuid.uuid4()),
                "severity": 3,
                "felt_by": "customer",
                "department_id": None,
                "journey_step": None,
                "quote": None,
                **point,
            }
        )
    for item in items:
        for key in ("department_id",):
            if item[key] is not None:
                item[key] = str(item[key])
    body = {
        "kind": kind,
        "site_id": str(site_id) if site_id else None,
        "started_at": started_at.isoformat(),
        "ended_at": (started_at + timedelta(hours=hours)).isoformat() if hours is not None else None,
        "incognito": False,
        "notes": "Visit notes",
        "private_notes": private_notes,
        "details": {"role_worked": "cashier"} if kind == "shop_floor_shift" else {},
        "version": 0,
        "pain_points": items,
    }
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return visit_id, [item["id"] for item in items]


def make_theme(session, label: str = "Checkout queues") -> Theme:
    theme = Theme(label=label, keywords=[label.split()[0].lower()])
    session.add(theme)
    session.commit()
    return theme


def feed(client, actor, **params):
    res = client.get("/api/pain-points", params=params, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def texts(page: dict) -> list[str]:
    return [item["text"] for item in page["items"]]


def triage(client, actor, pain_point_id: str, **changes):
    return client.patch(f"/api/pain-points/{pain_point_id}", json=changes, headers=actor.headers)
