"""A pain point may name the company value it breaks: known values only, kept through sync and rewrites."""

import uuid

from sqlmodel import select

from api.pain_points.models import PainPoint
from api.visits.schemas import VisitWrite
from api.visits.writes import content_hash
from tests.factories import fetch, visit_body


def _value(client, admin, name="Own it") -> str:
    res = client.post("/api/values", json={"name": name}, headers=admin.headers)
    assert res.status_code == 201, res.text
    return res.json()["id"]


def test_a_pain_point_names_a_known_value_and_shows_it(client, admin, executive):
    own_it = _value(client, admin)
    visit_id = uuid.uuid4()
    body = visit_body(pain_points=[{"value_id": own_it}, {}])
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers)
    assert res.status_code == 201, res.text
    assert [p["value_id"] for p in res.json()["pain_points"]] == [own_it, None]
    stored = fetch(select(PainPoint.value_id).order_by(PainPoint.position))
    assert stored == [uuid.UUID(own_it), None]
    # Re-tag by rewriting the visit; an archived value stays a valid tag.
    assert client.patch(f"/api/values/{own_it}", json={"archived": True}, headers=admin.headers).status_code == 200
    say_it = _value(client, admin, "Say it plainly")
    body["pain_points"][1]["value_id"] = say_it
    again = client.put(f"/api/visits/{visit_id}", json={**body, "version": 1}, headers=executive.headers)
    assert again.status_code == 200, again.text
    assert [p["value_id"] for p in again.json()["pain_points"]] == [own_it, say_it]
    pulled = client.post("/api/sync", json={"visits": [], "cursor": None}, headers=executive.headers).json()
    assert [p["value_id"] for p in pulled["changes"][0]["pain_points"]] == [own_it, say_it]


def test_an_unknown_value_is_a_field_error_and_nothing_is_stored(client, executive):
    body = visit_body(pain_points=[{}, {"value_id": str(uuid.uuid4())}])
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers)
    assert res.status_code == 422
    assert res.json()["detail"] == [{"loc": ["pain_points", 1, "value_id"], "msg": "no such company value",
                                     "type": "value_error"}]
    assert fetch(select(PainPoint.id)) == []
    synced = client.post("/api/sync", json={"visits": [{**body, "id": str(uuid.uuid4())}], "cursor": None},
                         headers=executive.headers)
    assert synced.status_code == 200
    (rejected,) = synced.json()["rejected"]
    assert rejected["errors"][0]["loc"] == ["pain_points", 1, "value_id"]
    assert fetch(select(PainPoint.id)) == []


def test_visits_stored_before_values_keep_their_content_hash():
    """Replays of visits stored before pain points had a value must stay replays (same hash)."""
    import hashlib
    import json

    data = VisitWrite.model_validate({**visit_body(), "id": str(uuid.uuid4())})
    before = data.model_dump(mode="json", exclude={"id", "version", "bright_spots"})  # neither field then
    for point in before["pain_points"]:
        del point["value_id"]
    for key in ("started_at", "ended_at"):
        before[key] = getattr(data, key).isoformat()
    assert content_hash(data) == hashlib.sha256(
        json.dumps(before, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
