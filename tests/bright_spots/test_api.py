"""Bright spots: inside the visit JSON like pain points (synced once, replays change nothing), masked for every
reader but the author, the person recognised shown to managers only, and the managers' feed."""

import hashlib
import json
import uuid
from datetime import timedelta

from sqlmodel import select

from api.bright_spots.models import BrightSpot
from api.visits.schemas import VisitWrite
from api.visits.writes import content_hash
from tests.factories import DAY, fetch, visit_body

EMAIL, PHONE = "sam.jones@shopper.example", "07700 900123"


def spot(text="The greeter walked a lost customer to the right aisle", **fields) -> dict:
    return {"id": str(uuid.uuid4()), "text": text, "department_id": None, "recognise": None, "value_id": None,
            **fields}


def sync(client, actor, visits=(), cursor=None) -> dict:
    res = client.post("/api/sync", json={"visits": list(visits), "cursor": cursor}, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def value_id(client, admin, name="Own it") -> str:
    res = client.post("/api/values", json={"name": name}, headers=admin.headers)
    assert res.status_code == 201, res.text
    return res.json()["id"]


def feed(client, actor, **params) -> dict:
    res = client.get("/api/bright-spots", params=params, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_bright_spots_sync_once_and_a_replay_changes_nothing(client, factory, executive, admin):
    department, own_it = factory.department(name="Front of store"), value_id(client, admin)
    body = {**visit_body(), "id": str(uuid.uuid4()), "bright_spots": [
        spot(department_id=str(department.id), recognise="Priya on the door", value_id=own_it),
        spot("Tills reopened within two minutes")]}
    first = sync(client, executive, [body])
    assert first["accepted"] == [body["id"]] and first["rejected"] == []
    (pulled,) = first["changes"]
    assert pulled["version"] == 1
    assert [s["text"] for s in pulled["bright_spots"]] == [s["text"] for s in body["bright_spots"]]
    assert pulled["bright_spots"][0] == {k: body["bright_spots"][0][k] for k in pulled["bright_spots"][0]}
    for _ in range(2):  # the phone never heard the answer: it sends the same batch again
        again = sync(client, executive, [body])
        assert again["accepted"] == [body["id"]] and again["conflicts"] == []
    rows = fetch(select(BrightSpot).order_by(BrightSpot.position))
    assert [(r.text, r.department_id, r.recognise, str(r.value_id) if r.value_id else None) for r in rows] == [
        (body["bright_spots"][0]["text"], department.id, "Priya on the door", own_it),
        (body["bright_spots"][1]["text"], None, None, None)]
    assert client.get(f"/api/visits/{body['id']}", headers=executive.headers).json()["version"] == 1


def test_a_visit_stored_before_bright_spots_keeps_its_content_hash():
    """Replays of visits stored before bright spots existed must stay replays (same hash)."""
    data = VisitWrite.model_validate({**visit_body(), "id": str(uuid.uuid4())})
    before = data.model_dump(mode="json", exclude={"id", "version", "bright_spots"})
    for point in before["pain_points"]:
        del point["value_id"]
    for key in ("started_at", "ended_at"):
        before[key] = getattr(data, key).isoformat()
    assert content_hash(data) == hashlib.sha256(
        json.dumps(before, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    with_spot = VisitWrite.model_validate({**visit_body(), "id": str(uuid.uuid4()), "bright_spots": [spot()]})
    assert content_hash(with_spot) != content_hash(with_spot.model_copy(update={"bright_spots": []}))


def test_a_rewrite_replaces_the_bright_spots_and_withdrawing_the_visit_removes_them(client, executive, manager):
    visit_id = str(uuid.uuid4())
    kept, dropped = spot("Kept"), spot("Dropped")
    body = visit_body(bright_spots=[kept, dropped])
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 201
    body = {**body, "version": 1, "bright_spots": [{**kept, "text": "Kept, reworded"}, spot("Added")]}
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers)
    assert res.status_code == 200, res.text
    assert [s["text"] for s in res.json()["bright_spots"]] == ["Kept, reworded", "Added"]
    assert sorted(r.text for r in fetch(select(BrightSpot))) == ["Added", "Kept, reworded"]
    assert len(feed(client, manager)["items"]) == 2
    assert client.delete(f"/api/visits/{visit_id}", headers=executive.headers).status_code == 204
    assert feed(client, manager)["items"] == [] and fetch(select(BrightSpot)) == []


def test_bad_bright_spots_are_field_errors_and_nothing_is_stored(client, executive, other_executive):
    body = visit_body(bright_spots=[spot(), spot(department_id=str(uuid.uuid4()), value_id=str(uuid.uuid4()))])
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers)
    assert res.status_code == 422
    assert [e["loc"] for e in res.json()["detail"]] == [["bright_spots", 1, "department_id"],
                                                       ["bright_spots", 1, "value_id"]]
    for bad in ({"text": "   "}, {"text": "x" * 2001}, {"recognise": "x" * 201}, {"text": "a\x00b"}, {"extra": 1}):
        res = client.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(bright_spots=[spot(**bad)]),
                         headers=executive.headers)
        assert res.status_code == 422, bad
        assert res.json()["detail"][0]["loc"][:2] == ["bright_spots", 0], res.json()
    twice = spot()
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(bright_spots=[twice, twice]),
                     headers=executive.headers)
    assert res.status_code == 422 and res.json()["detail"][0]["msg"] == "duplicate bright spot id"
    assert fetch(select(BrightSpot)) == []
    # An id already in someone else's visit is refused, and their bright spot is untouched.
    theirs = spot("Theirs")
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(bright_spots=[theirs]),
                      headers=other_executive.headers).status_code == 201
    stolen = sync(client, executive, [{**visit_body(bright_spots=[{**theirs, "text": "Mine now"}]),
                                       "id": str(uuid.uuid4())}])
    assert stolen["rejected"][0]["errors"][0]["loc"] == ["bright_spots", 0, "id"]
    assert [r.text for r in fetch(select(BrightSpot))] == ["Theirs"]


def test_texts_are_masked_and_the_person_recognised_reaches_managers_only(client, session, executive,
                                                                          other_executive, manager, admin):
    visit_id = str(uuid.uuid4())
    body = visit_body(bright_spots=[spot(f"Refund sent to {EMAIL} the same day", recognise=f"Sam, ext {PHONE}")])
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 201
    for reader in (manager, admin):
        one = client.get(f"/api/visits/{visit_id}", headers=reader.headers).json()["bright_spots"][0]
        (item,) = feed(client, reader)["items"]
        for shown in (one, item):
            assert shown["text"] == "Refund sent to [email] the same day"
            assert shown["recognise"] == "Sam, ext [phone]"
        assert "sam.jones" not in str(one) + str(item) and "900123" not in str(one) + str(item)
    own = client.get(f"/api/visits/{visit_id}", headers=executive.headers).json()["bright_spots"][0]
    assert own["text"] == f"Refund sent to {EMAIL} the same day" and own["recognise"] == f"Sam, ext {PHONE}"
    # Executives never read the name, even where they may read another's visit; nor the feed, even when the
    # organisation opens the pain-point feed to them.
    from api.visits.service import visits_for_reader
    from api.visits.writes import VISIT

    row = session.execute(select(VISIT).where(VISIT.c.id == uuid.UUID(visit_id))).first()
    (seen,) = visits_for_reader(session, [row], other_executive.user)
    assert seen.bright_spots[0].recognise is None
    assert seen.bright_spots[0].text == "Refund sent to [email] the same day"
    session.rollback()  # end the read (SQLite: a reader would hold back the next write)
    assert client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers).status_code == 200
    for reader in (executive, other_executive):
        res = client.get("/api/bright-spots", headers=reader.headers)
        assert res.status_code == 403 and "Sam" not in res.text
    assert client.get("/api/bright-spots").status_code == 401
    assert client.get(f"/api/visits/{visit_id}", headers=other_executive.headers).status_code == 403


def test_the_feed_filters_searches_what_managers_see_and_pages(client, factory, executive, other_executive,
                                                              manager, admin):
    leeds, york = factory.site(name="Leeds"), factory.site(name="York")
    tills, door = factory.department(name="Tills"), factory.department(name="Door")
    own_it = value_id(client, admin)
    visits = [
        (executive, visit_body(site_id=leeds.id, start=DAY, bright_spots=[
            spot("Greeter remembered a regular", department_id=str(door.id), value_id=own_it),
            spot(f"Called back on {PHONE}", department_id=str(tills.id))])),
        (other_executive, visit_body(site_id=york.id, start=DAY + timedelta(days=3), bright_spots=[
            spot("Tills team opened a lane early", department_id=str(tills.id), recognise="Greeter Jo")])),
    ]
    for actor, body in visits:
        assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers).status_code == 201

    def texts(**params) -> list[str]:
        return [item["text"] for item in feed(client, manager, **params)["items"]]

    everything = texts()  # newest first (the first visit's two share a time: then by id)
    assert len(everything) == 3 and everything[0] == "Tills team opened a lane early"
    assert texts(site_id=str(york.id)) == ["Tills team opened a lane early"]
    assert sorted(texts(department_id=str(tills.id))) == ["Called back on [phone]", "Tills team opened a lane early"]
    assert texts(value_id=own_it) == ["Greeter remembered a regular"]
    assert len(texts(since="2026-11-22")) == 1 and len(texts(until="2026-11-20")) == 2
    assert texts(author_id=str(other_executive.id)) == ["Tills team opened a lane early"]
    # Search: whole words of the text or the name, as the reader sees them (a masked number is not found).
    assert sorted(texts(q="greeter")) == ["Greeter remembered a regular", "Tills team opened a lane early"]
    assert texts(q="900123") == [] and texts(q="lane early") == ["Tills team opened a lane early"]
    item = feed(client, manager, value_id=own_it)["items"][0]
    assert item["site"]["name"] == "Leeds" and item["department"]["name"] == "Door"
    assert item["value"]["name"] == "Own it" and item["executive"]["id"] == str(executive.id)
    seen, cursor = [], None
    for _ in range(5):
        page = feed(client, manager, limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 3
    for bad in ({"cursor": "garbage"}, {"since": "yesterday"}, {"limit": 201}):
        res = client.get("/api/bright-spots", params=bad, headers=manager.headers)
        assert res.status_code == 422, bad
