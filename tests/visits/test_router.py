import uuid

from api.pain_points.models import PainPoint
from api.visits.models import Visit
from tests.factories import count_rows, visit_body


def put(client, actor, visit_id, body):
    return client.put(f"/api/visits/{visit_id}", json=body, headers=actor.headers)



def test_create_then_read_a_visit(client, executive):
    vid = uuid.uuid4()
    res = put(client, executive, vid, visit_body())
    assert res.status_code == 201
    body = res.json()
    assert body["id"] == str(vid)
    assert body["version"] == 1
    assert body["author_id"] == str(executive.id)
    assert len(body["pain_points"]) == 2
    assert body["pain_points"][0]["status"] == "new"
    got = client.get(f"/api/visits/{vid}", headers=executive.headers)
    assert got.status_code == 200
    assert got.json() == body
    assert got.json()["private_notes"] == "The store manager looked exhausted."


def test_same_body_twice_leaves_one_visit(client, session, executive):
    vid, body = uuid.uuid4(), visit_body()
    first = put(client, executive, vid, body)
    second = put(client, executive, vid, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["version"] == 1
    assert count_rows(session, Visit) == 1
    assert count_rows(session, PainPoint) == 2


def test_update_based_on_current_version_replaces_pain_points(client, session, executive):
    vid, body = uuid.uuid4(), visit_body(pain_points=3)
    put(client, executive, vid, body)
    body["version"] = 1
    body["notes"] = "Edited later on the train."
    kept = body["pain_points"][0]
    kept["severity"] = 2
    body["pain_points"] = [kept]
    res = put(client, executive, vid, body)
    assert res.status_code == 200
    assert res.json()["version"] == 2
    assert [p["id"] for p in res.json()["pain_points"]] == [kept["id"]]
    assert res.json()["pain_points"][0]["severity"] == 2
    assert count_rows(session, Visit) == 1


def test_stale_version_is_a_conflict_with_the_server_copy(client, executive):
    vid, body = uuid.uuid4(), visit_body()
    put(client, executive, vid, body)
    phone_a = {**body, "version": 1, "notes": "Phone A's edit"}
    assert put(client, executive, vid, phone_a).status_code == 200
    phone_b = {**body, "version": 1, "notes": "Phone B's edit"}
    res = put(client, executive, vid, phone_b)
    assert res.status_code == 409
    assert res.json()["server"]["notes"] == "Phone A's edit"
    assert res.json()["server"]["version"] == 2
    assert client.get(f"/api/visits/{vid}", headers=executive.headers).json()["notes"] == "Phone A's edit"


def test_version_zero_for_an_existing_id_with_other_content_conflicts(client, executive):
    vid = uuid.uuid4()
    put(client, executive, vid, visit_body())
    res = put(client, executive, vid, visit_body(notes="Something else entirely"))
    assert res.status_code == 409


def test_another_executive_cannot_read_write_or_delete(client, executive, other_executive):
    vid = uuid.uuid4()
    put(client, executive, vid, visit_body())
    assert client.get(f"/api/visits/{vid}", headers=other_executive.headers).status_code == 403
    assert put(client, other_executive, vid, visit_body(version=1)).status_code == 403
    assert client.delete(f"/api/visits/{vid}", headers=other_executive.headers).status_code == 403
    res = client.get("/api/visits", params={"author_id": str(executive.id)}, headers=other_executive.headers)
    assert res.status_code == 403
    assert client.get("/api/visits", headers=other_executive.headers).json() == []


def test_manager_reads_visits_but_never_private_notes(client, executive, manager):
    vid = uuid.uuid4()
    put(client, executive, vid, visit_body())
    res = client.get(f"/api/visits/{vid}", headers=manager.headers)
    assert res.status_code == 200
    assert res.json()["private_notes"] is None
    listed = client.get("/api/visits", params={"author_id": str(executive.id)}, headers=manager.headers)
    assert [v["id"] for v in listed.json()] == [str(vid)]
    assert listed.json()[0]["private_notes"] is None
    assert put(client, manager, vid, visit_body(version=1)).status_code == 403


def test_no_token_is_401_everywhere(client):
    vid = uuid.uuid4()
    assert client.get(f"/api/visits/{vid}").status_code == 401
    assert client.put(f"/api/visits/{vid}", json=visit_body()).status_code == 401
    assert client.get("/api/visits").status_code == 401
    assert client.delete(f"/api/visits/{vid}").status_code == 401
    assert client.post("/api/sync", json={"visits": [], "cursor": None}).status_code == 401


def test_list_is_newest_first_and_delete_is_soft(client, executive):
    older, newer = uuid.uuid4(), uuid.uuid4()
    put(client, executive, older, visit_body(started_at="2026-10-01T09:00:00+00:00", ended_at=None))
    put(client, executive, newer, visit_body(started_at="2026-11-01T09:00:00+01:00", ended_at=None))
    assert [v["id"] for v in client.get("/api/visits", headers=executive.headers).json()] == [str(newer), str(older)]
    assert client.delete(f"/api/visits/{older}", headers=executive.headers).status_code == 204
    assert [v["id"] for v in client.get("/api/visits", headers=executive.headers).json()] == [str(newer)]
    gone = client.get(f"/api/visits/{older}", headers=executive.headers).json()
    assert gone["deleted_at"] is not None
    assert gone["version"] == 2


def test_validation_errors_are_field_level(client, executive):
    body = visit_body(kind="journey_walkthrough", started_at="2026-11-20T09:00:00", surprise=1)
    body["details"] = {"journey_name": "Return an order", "steps": [{"name": "Find policy", "effort": 9}]}
    body["pain_points"][0]["severity"] = 6
    body["pain_points"][1]["journey_step"] = 4
    res = put(client, executive, uuid.uuid4(), body)
    assert res.status_code == 422
    body = res.json()
    assert body["error"] == "Invalid input"
    locs = {tuple(e["loc"]) for e in body["detail"]}
    assert ("started_at",) in locs
    assert ("surprise",) in locs
    assert ("pain_points", 0, "severity") in locs


def test_kind_specific_details_are_checked(client, executive):
    body = visit_body(kind="journey_walkthrough")
    body["details"] = {"journey_name": "Return an order", "steps": [{"name": "Find policy", "effort": 9}]}
    body["pain_points"][1]["journey_step"] = 4
    res = put(client, executive, uuid.uuid4(), body)
    assert res.status_code == 422
    locs = {tuple(e["loc"]) for e in res.json()["detail"]}
    assert ("details", "steps", 0, "effort") in locs
    assert ("pain_points", 1, "journey_step") in locs
    call = visit_body(kind="listened_call", details={"channel": "pigeon", "role_worked": "cashier"})
    locs = {tuple(e["loc"]) for e in put(client, executive, uuid.uuid4(), call).json()["detail"]}
    assert ("details", "channel") in locs and ("details", "role_worked") in locs


def test_journey_walkthrough_with_steps_round_trips(client, executive, factory):
    dept = factory.department(name="Returns")
    body = visit_body(kind="journey_walkthrough")
    body["details"] = {"journey_name": "Return an online order in store", "steps": [
        {"name": "Find the returns policy", "channel": "web", "minutes": 6, "effort": 5},
        {"name": "Queue at the service desk", "channel": "in_store", "minutes": 18, "effort": 6},
    ]}
    body["pain_points"][0].update(journey_step=1, department_id=str(dept.id))
    res = put(client, executive, uuid.uuid4(), body)
    assert res.status_code == 201
    assert res.json()["details"]["steps"][1]["effort"] == 6
    assert res.json()["pain_points"][0]["journey_step"] == 1
    assert res.json()["pain_points"][0]["department_id"] == str(dept.id)


def test_unknown_site_or_department_is_rejected(client, executive):
    body = visit_body(site_id=str(uuid.uuid4()))
    body["pain_points"][0]["department_id"] = str(uuid.uuid4())
    res = put(client, executive, uuid.uuid4(), body)
    assert res.status_code == 422
    locs = {tuple(e["loc"]) for e in res.json()["detail"]}
    assert locs == {("site_id",), ("pain_points", 0, "department_id")}


def test_limits(client, session, executive):
    too_many = visit_body(pain_points=101)
    res = put(client, executive, uuid.uuid4(), too_many)
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["pain_points"]
    long_text = visit_body()
    long_text["pain_points"][0]["text"] = "x" * 2001
    assert put(client, executive, uuid.uuid4(), long_text).status_code == 422
    huge = visit_body(notes="y" * (2 * 1024 * 1024 + 10))
    res = put(client, executive, uuid.uuid4(), huge)
    assert res.status_code == 413
    assert res.json()["error"] == "Payload too large"
    assert count_rows(session, Visit) == 0


def test_a_pain_point_id_cannot_move_between_visits(client, executive):
    first = visit_body()
    put(client, executive, uuid.uuid4(), first)
    second = visit_body()
    second["pain_points"][0]["id"] = first["pain_points"][0]["id"]
    res = put(client, executive, uuid.uuid4(), second)
    assert res.status_code == 422
