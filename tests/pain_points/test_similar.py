"""Similar pain points through the HTTP API: possible duplicates in triage, and the count executives see."""

import uuid
from datetime import timedelta

from api.core.clock import utcnow
from api.themes.worker import place_new_pain_points
from tests.factories import DAY, visit_body
from tests.themes.test_api import GROUPS


def log(client, actor, texts, *, site, start=DAY, **fields) -> list[str]:
    body = visit_body(pain_points=list(texts), site_id=site.id if site else None, start=start, quote=None,
                      **fields)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return [p["id"] for p in body["pain_points"]]


def similar(client, reader, pain_point_id) -> dict:
    res = client.get(f"/api/pain-points/{pain_point_id}/similar", headers=reader.headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_possible_duplicates_by_stored_vectors_open_same_site_and_near_in_time(client, factory, executive,
                                                                              other_executive, manager, session):
    site, elsewhere = factory.site(), factory.site()
    author = str(executive.id)  # read now: the worker's rollback expires the test session's rows
    queues = log(client, executive, GROUPS["queues"], site=site)
    others = log(client, other_executive, GROUPS["refunds"] + GROUPS["logouts"], site=site)
    far = log(client, executive, GROUPS["queues"][:1], site=elsewhere)
    late = log(client, executive, GROUPS["queues"][:1], site=site, start=DAY - timedelta(days=45))
    while place_new_pain_points(session=session):  # stores the vectors, as the background worker does
        pass
    body = similar(client, manager, queues[0])
    assert body["method"] == "embeddings"
    assert {item["id"] for item in body["items"]} == set(queues[1:])
    scores = [item["similarity"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True) and all(0.35 <= s <= 1 for s in scores)
    assert not {item["id"] for item in body["items"]} & {*others, *far, *late}
    assert body["items"][0]["executive"]["id"] == author  # a feed card
    # Closed ones and duplicates are not offered.
    resolved = client.patch(f"/api/pain-points/{queues[1]}", headers=manager.headers,
                            json={"status": "resolved", "resolution_note": "Two more tills open"})
    assert resolved.status_code == 200
    linked = client.patch(f"/api/pain-points/{queues[2]}", json={"duplicate_of_id": queues[3]},
                          headers=manager.headers)
    assert linked.status_code == 200
    assert {item["id"] for item in similar(client, manager, queues[0])["items"]} == {queues[3], queues[4]}


def test_without_stored_vectors_words_are_compared(client, factory, executive, manager):
    site = factory.site()
    ids = log(client, executive, ["Checkout queue far too long, two tills open", "Queue at the checkout again",
                                  "Parking barrier ate my ticket", "The toilets were closed all day"], site=site)
    body = similar(client, manager, ids[0])
    assert body["method"] == "words"
    assert [item["id"] for item in body["items"]] == [ids[1]]


def test_who_may_ask_for_similar_pain_points(client, factory, executive, manager, admin):
    ids = log(client, executive, GROUPS["queues"][:2], site=factory.site())
    assert client.get(f"/api/pain-points/{ids[0]}/similar").status_code == 401
    assert client.get(f"/api/pain-points/{ids[0]}/similar", headers=executive.headers).status_code == 403
    assert client.get(f"/api/pain-points/{uuid.uuid4()}/similar", headers=manager.headers).status_code == 404
    client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers)
    assert [i["id"] for i in similar(client, executive, ids[0])["items"]] == [ids[1]]


def test_executives_typing_see_only_a_count_of_recent_open_ones_at_their_site(client, factory, executive,
                                                                             other_executive):
    site, elsewhere = factory.site(), factory.site()
    recent = utcnow() - timedelta(days=2)
    ids = log(client, other_executive, GROUPS["queues"][:3] + ["Parking barrier ate my ticket"], site=site,
              start=recent)
    log(client, other_executive, GROUPS["queues"][:2], site=elsewhere, start=recent)
    log(client, other_executive, GROUPS["queues"][:2], site=site, start=recent - timedelta(days=40))

    def count(text, site_id=site.id, **extra):
        res = client.post("/api/pain-points/similar-count", json={"text": text, "site_id": str(site_id), **extra},
                          headers=executive.headers)
        assert res.status_code == 200, res.text
        return res.json()

    body = count("Long queue at the checkout")
    assert body["count"] == 3 and body["days"] == 30 and body["site_id"] == str(site.id)
    assert set(body) == {"count", "site_id", "since", "until", "days"}  # never anyone's texts
    assert count("Long queue at the checkout", exclude_id=ids[0])["count"] == 2
    assert count("Long queue at the checkout", site_id=elsewhere.id)["count"] == 2
    assert count("The lights in aisle four flicker")["count"] == 0
    assert count("the and of")["count"] == 0  # stop words only


def test_similar_count_refuses_bad_input_with_field_messages(client, factory, executive):
    site = factory.site()
    for body, loc in (({"text": "Queue"}, ["site_id"]), ({"text": "", "site_id": str(site.id)}, ["text"]),
                      ({"text": "Queue", "site_id": str(uuid.uuid4())}, ["site_id"]),
                      ({"text": "Queue", "site_id": str(site.id), "author": "x"}, ["author"])):
        res = client.post("/api/pain-points/similar-count", json=body, headers=executive.headers)
        assert res.status_code == 422 and res.json()["detail"][0]["loc"] == loc, res.text
    assert client.post("/api/pain-points/similar-count", json={"text": "Queue", "site_id": str(site.id)}
                       ).status_code == 401
