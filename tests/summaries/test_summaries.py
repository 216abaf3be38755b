"""Stored summaries: a costly themes list or flow is served from its last result, marked with its time,
refreshed in the background, and never served after the themes themselves changed."""

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from api.summaries import service as summaries
from api.summaries.models import Summary
from api.summaries.worker import SummaryWorker
from tests.factories import fetch, visit_body


def log(client, actor, *, days_ago: int = 1, pain_points: int = 3) -> list[str]:
    start = datetime.now(UTC) - timedelta(days=days_ago)
    body = visit_body(pain_points=pain_points, start=start, hours=1)
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers).status_code == 201
    return [pp["id"] for pp in body["pain_points"]]


def place(session, ids: list[str], theme) -> None:
    from api.pain_points.models import PainPoint

    session.execute(update(PainPoint).where(PainPoint.id.in_([uuid.UUID(i) for i in ids])).values(theme_id=theme.id))
    session.commit()


def counts(client, manager, **params) -> dict[str, int]:
    res = client.get("/api/themes", params=params, headers=manager.headers)
    assert res.status_code == 200, res.text
    return {t["label"]: t["count"] for t in res.json()}


def test_periods_count_only_their_days(client, executive, manager, factory, session):
    theme = factory.theme(label="Checkout queues")
    place(session, log(client, executive, days_ago=2), theme)
    place(session, log(client, executive, days_ago=100, pain_points=2), theme)
    assert counts(client, manager, period="28") == {"Checkout queues": 3}
    assert counts(client, manager, period="182") == {"Checkout queues": 5}
    assert counts(client, manager, period="all") == counts(client, manager) == {"Checkout queues": 5}
    both = client.get("/api/themes", params={"period": "28", "since": "2026-01-01T00:00:00Z"},
                      headers=manager.headers)
    assert both.status_code == 422 and "period" in str(both.json()["detail"])
    assert client.get("/api/themes", params={"period": "7"}, headers=manager.headers).status_code == 422


def test_small_organisations_always_see_live_figures(client, executive, manager, factory, session, summaries_on):
    theme = factory.theme(label="Checkout queues")
    place(session, log(client, executive), theme)
    first = client.get("/api/themes", headers=manager.headers).json()
    assert first[0]["count"] == 3
    place(session, log(client, executive), theme)
    assert counts(client, manager) == {"Checkout queues": 6}
    assert fetch(Summary.__table__.select()) == []  # cheap results are never stored


def test_a_stored_result_is_served_with_its_time_until_refreshed(client, executive, manager, factory, session,
                                                               always_stored):
    theme = factory.theme(label="Checkout queues")
    place(session, log(client, executive), theme)
    before = client.get("/api/themes", params={"period": "84"}, headers=manager.headers).json()
    assert before[0]["count"] == 3
    place(session, log(client, executive), theme)
    again = client.get("/api/themes", params={"period": "84"}, headers=manager.headers).json()
    assert again[0]["count"] == 3 and again[0]["as_of"] == before[0]["as_of"]  # stored, and says when
    assert counts(client, manager, period="84", visit_kind="shop_floor_shift") == {"Checkout queues": 6}  # live
    summaries.refresh(session=session, key="themes:84")
    refreshed = client.get("/api/themes", params={"period": "84"}, headers=manager.headers).json()
    assert refreshed[0]["count"] == 6 and refreshed[0]["as_of"] > before[0]["as_of"]


def test_merges_and_moves_are_seen_at_once(client, executive, manager, factory, session, always_stored):
    queues, tills = factory.theme(label="Checkout queues"), factory.theme(label="Tills closed")
    parking = factory.theme(label="Parking")
    place(session, log(client, executive), queues)
    tills_ids = log(client, executive, pain_points=2)
    place(session, tills_ids, tills)
    place(session, log(client, executive, pain_points=1), parking)
    stored = {t["label"]: t["as_of"] for t in client.get("/api/themes", headers=manager.headers).json()}
    moved = client.post(f"/api/themes/{queues.id}/pain-points", json={"pain_point_ids": tills_ids[:1]},
                        headers=manager.headers)
    assert moved.status_code == 200
    assert counts(client, manager) == {"Checkout queues": 4, "Tills closed": 1, "Parking": 1}
    after = {t["label"]: t["as_of"] for t in client.get("/api/themes", headers=manager.headers).json()}
    assert after["Parking"] == stored["Parking"]  # untouched: still the stored figures
    assert after["Checkout queues"] > stored["Checkout queues"]  # edited: computed live
    merged = client.post(f"/api/themes/{tills.id}/merge", json={"into_id": str(queues.id)}, headers=manager.headers)
    assert merged.status_code == 200
    assert counts(client, manager) == {"Checkout queues": 5, "Parking": 1}


def test_a_theme_set_in_triage_is_seen_at_once(client, executive, manager, factory, session, always_stored):
    """Triage's theme field (one pain point, or in bulk) moves pain points as a theme move does."""
    queues, parking = factory.theme(label="Checkout queues"), factory.theme(label="Parking")
    tills = factory.theme(label="Tills closed")
    queue_ids = log(client, executive)
    place(session, queue_ids, queues)
    place(session, log(client, executive, pain_points=1), parking)
    place(session, log(client, executive, pain_points=1), tills)
    stored = {t["label"]: t["as_of"] for t in client.get("/api/themes", headers=manager.headers).json()}
    one = client.patch(f"/api/pain-points/{queue_ids[0]}", json={"theme_id": str(parking.id)},
                       headers=manager.headers)
    assert one.status_code == 200, one.text
    assert counts(client, manager) == {"Checkout queues": 2, "Parking": 2, "Tills closed": 1}
    after = {t["label"]: t["as_of"] for t in client.get("/api/themes", headers=manager.headers).json()}
    assert after["Tills closed"] == stored["Tills closed"]  # untouched: still the stored figures
    bulk = client.post("/api/pain-points/bulk", json={"ids": queue_ids[1:], "changes": {"theme_id": None}},
                       headers=manager.headers)
    assert bulk.status_code == 200, bulk.text
    assert counts(client, manager) == {"Parking": 2, "Tills closed": 1}


def test_the_worker_refreshes_what_people_read(client, executive, manager, factory, session, always_stored):
    theme = factory.theme(label="Checkout queues")
    place(session, log(client, executive), theme)
    client.get("/api/themes", params={"period": "28"}, headers=manager.headers)
    assert summaries.due(session) == []  # just computed
    place(session, log(client, executive), theme)
    session.execute(update(Summary).values(computed_at=datetime.now(UTC) - timedelta(minutes=5)))
    session.commit()
    assert summaries.due(session) == ["themes:28"]
    worker = SummaryWorker(interval=0.05)
    worker.start()
    try:
        for _ in range(100):
            if counts(client, manager, period="28") == {"Checkout queues": 6}:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the worker did not refresh the stored themes list")
    finally:
        worker.stop()


def test_the_flow_dashboard_is_stored_for_the_current_period_only(client, executive, manager, always_stored):
    log(client, executive, days_ago=0)
    first = client.get("/api/dashboard/flow", headers=manager.headers).json()
    assert first["weeks"][-1]["opened"] == 3
    log(client, executive, days_ago=0)
    stored = client.get("/api/dashboard/flow", headers=manager.headers).json()
    assert stored == first  # the same result, and the same "as of"
    today = datetime.now(UTC).date().isoformat()
    live = client.get("/api/dashboard/flow", params={"until": today}, headers=manager.headers).json()
    assert live["weeks"][-1]["opened"] == 6 and live["as_of"] > first["as_of"]
