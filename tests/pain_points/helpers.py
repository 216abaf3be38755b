"""Shared helpers for the review tests: pain points written through the real visit API."""

import uuid
from datetime import datetime

from api.themes.models import Theme
from tests.factories import DAY, visit_body


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
    body = visit_body(kind=kind, start=started_at, hours=hours, site_id=site_id, severity=3, quote=None,
                      pain_points=points or ("Queue at the tills reached the back of the store",),
                      notes="Visit notes", private_notes=private_notes)
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return visit_id, [item["id"] for item in body["pain_points"]]


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
