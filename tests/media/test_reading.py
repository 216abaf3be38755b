"""Who reads media, where pain-point JSON lists it, and how long it lives (as long as its pain point)."""

import uuid

from sqlalchemy import event

from api.db import get_engine
from api.media.models import Media
from api.media.storage import get_storage
from tests.factories import count_rows, visit_body
from tests.media.helpers import audio, photo, upload

MEDIA_KEYS = {"id", "content_type", "bytes", "width", "height", "duration_s"}


def visit_with_media(client, executive, pain_points: int = 1):
    """A visit of `executive` whose first pain point has a photo and a voice note."""
    visit_id, body = str(uuid.uuid4()), visit_body(pain_points=pain_points)
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 201
    pid = body["pain_points"][0]["id"]
    ids = []
    for data, content_type in ((photo(), "image/jpeg"), (audio("audio/ogg"), "audio/ogg")):
        res = upload(client, executive, pid, data, content_type)
        assert res.status_code == 201, res.text
        ids.append(res.json()["id"])
    return visit_id, body, pid, ids


def test_the_pain_point_s_readers_read_its_media(client, executive, other_executive, manager, admin):
    _, _, _, (photo_id, voice_id) = visit_with_media(client, executive)
    for media_id in (photo_id, voice_id):
        for reader, status in ((executive, 200), (manager, 200), (admin, 200), (other_executive, 403)):
            assert client.get(f"/api/media/{media_id}", headers=reader.headers).status_code == status
        assert client.get(f"/api/media/{media_id}").status_code == 401
    assert client.get(f"/api/media/{uuid.uuid4()}", headers=manager.headers).status_code == 404
    # An admin opens the feed to executives: then they read everyone's pain points, and so their media.
    assert client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers).status_code == 200
    assert client.get(f"/api/media/{photo_id}", headers=other_executive.headers).status_code == 200
    assert client.delete(f"/api/media/{photo_id}", headers=other_executive.headers).status_code == 403


def test_every_pain_point_json_lists_its_media(client, executive, manager):
    visit_id, body, pid, (photo_id, voice_id) = visit_with_media(client, executive, pain_points=2)

    def media_of(points):
        by_id = {p["id"]: p["media"] for p in points}
        assert by_id[body["pain_points"][1]["id"]] == []  # none: an empty list
        return by_id[pid]

    answers = {
        "visit": client.get(f"/api/visits/{visit_id}", headers=executive.headers).json()["pain_points"],
        "visits": client.get("/api/visits", headers=executive.headers).json()[0]["pain_points"],
        "sync": client.post("/api/sync", json={"visits": [], "cursor": None},
                            headers=executive.headers).json()["changes"][0]["pain_points"],
        "replay": client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).json()["pain_points"],
        "feed": client.get("/api/pain-points", headers=manager.headers).json()["items"],
        "mine": client.get("/api/my/pain-points", headers=executive.headers).json()["items"],
        "manager's visit": client.get(f"/api/visits/{visit_id}", headers=manager.headers).json()["pain_points"],
    }
    detail = client.get(f"/api/pain-points/{pid}", headers=manager.headers).json()
    triaged = client.patch(f"/api/pain-points/{pid}", json={"status": "acknowledged"}, headers=manager.headers).json()
    for name, points in answers.items():
        media = media_of(points)
        assert [m["id"] for m in media] == [photo_id, voice_id], name
        assert all(set(m) == MEDIA_KEYS for m in media), name
    for one in (detail, triaged):
        assert [m["id"] for m in one["media"]] == [photo_id, voice_id]
    photo_json, voice_json = detail["media"]
    assert photo_json["content_type"] == "image/jpeg" and photo_json["width"] == 640
    assert voice_json["content_type"] == "audio/ogg" and voice_json["duration_s"] > 1


def test_a_page_of_pain_points_reads_its_media_in_one_query(client, executive, manager):
    for _ in range(3):
        visit_with_media(client, executive, pain_points=3)
    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM media" in statement:
            statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        feed = client.get("/api/pain-points", headers=manager.headers).json()["items"]
        assert len(feed) == 9 and sum(len(p["media"]) for p in feed) == 6
        assert len(statements) == 1
        visits = client.get("/api/visits", headers=executive.headers).json()
        assert len(visits) == 3 and len(statements) == 2
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)


def media_rows(session) -> int:
    return count_rows(session, Media)


def test_deleting_a_visit_deletes_its_untriaged_pain_points_media_and_files(client, session, executive, manager):
    visit_id, _, _, (photo_id, voice_id) = visit_with_media(client, executive)
    kept_visit, _, _, kept = visit_with_media(client, executive)
    assert media_rows(session) == 4 and len(list(get_storage().keys())) == 6  # 2 photos with thumbnails, 2 notes
    assert client.delete(f"/api/visits/{visit_id}", headers=executive.headers).status_code == 204
    assert media_rows(session) == 2
    assert len(list(get_storage().keys())) == 3  # the other visit's photo, thumbnail and voice note
    for media_id in (photo_id, voice_id):
        assert client.get(f"/api/media/{media_id}", headers=manager.headers).status_code == 404
    for media_id in kept:
        assert client.get(f"/api/media/{media_id}", headers=manager.headers).status_code == 200


def test_a_withdrawn_pain_point_keeps_its_media_for_managers(client, session, executive, manager):
    visit_id, _, pid, (photo_id, _) = visit_with_media(client, executive)
    assert client.patch(f"/api/pain-points/{pid}", json={"status": "acknowledged"},
                        headers=manager.headers).status_code == 200
    assert client.delete(f"/api/visits/{visit_id}", headers=executive.headers).status_code == 204
    assert media_rows(session) == 2
    got = client.get(f"/api/media/{photo_id}", headers=manager.headers)
    assert got.status_code == 200 and got.content
    detail = client.get(f"/api/pain-points/{pid}", headers=manager.headers).json()
    assert detail["withdrawn"] and len(detail["media"]) == 2


def test_a_pain_point_left_out_of_a_rewrite_keeps_its_media_until_it_comes_back(client, session, executive,
                                                                                 manager):
    visit_id, body, pid, (photo_id, _) = visit_with_media(client, executive, pain_points=2)
    dropped = {**body, "version": 1, "pain_points": body["pain_points"][1:]}
    assert client.put(f"/api/visits/{visit_id}", json=dropped, headers=executive.headers).status_code == 200
    assert client.get(f"/api/media/{photo_id}", headers=manager.headers).status_code == 404  # not shown
    assert media_rows(session) == 2  # the row (and its pain point's) are kept: the phone may send it back
    back = {**body, "version": 2}
    res = client.put(f"/api/visits/{visit_id}", json=back, headers=executive.headers)
    assert res.status_code == 200, res.text
    assert [len(p["media"]) for p in res.json()["pain_points"]] == [2, 0]
    assert client.get(f"/api/media/{photo_id}", headers=manager.headers).status_code == 200
