"""Journey insight through the HTTP API: steps ranked by minutes and effort, with the pain points at each."""

import uuid
from datetime import timedelta

from tests.factories import DAY, visit_body

STEPS = [("Find the returns desk", 5, 3), ("Queue at the desk", 20, 6), ("Get the refund", 3, 2)]


def walkthrough(client, actor, *, site, journey="Return an online order", steps=STEPS, points=(), start=DAY,
                **fields) -> dict:
    """`points`: (text, severity, step index) for each pain point."""
    details = {"journey_name": journey,
               "steps": [{"name": n, "minutes": m, "effort": e} for n, m, e in steps]}
    body = visit_body(kind="journey_walkthrough", site_id=site.id if site else None, details=details, start=start,
                      pain_points=[{"text": t, "severity": s, "journey_step": i} for t, s, i in points], quote=None,
                      **fields)
    res = client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return body


def test_steps_are_ranked_by_minutes_and_effort_with_their_pain_points(client, factory, executive,
                                                                       other_executive, manager):
    site, other_site = factory.site(name="Leeds"), factory.site(name="York")
    walkthrough(client, executive, site=site, points=[("Only one person at the returns desk", 4, 1),
                                                      ("Queue went out of the door", 5, 1),
                                                      ("Refund needs the original card", 2, 2)])
    walkthrough(client, executive, site=site, journey="return an  online ORDER.", start=DAY + timedelta(days=1),
                steps=[("find the returns desk", 10, 4), ("QUEUE at the desk", 30, 7)],
                points=[("Nobody knew where returns are", 3, 0), ("Waited half an hour", 3, 1)])
    walkthrough(client, other_executive, site=site, steps=[("Queue at the desk", 10, 5)],
                points=[("Queue again", 2, 0)])
    walkthrough(client, executive, site=other_site, points=[("York desk closed", 5, 0)])
    walkthrough(client, executive, site=site, journey=None, points=[("No journey named", 5, 0)])
    client.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(site_id=site.id), headers=executive.headers)

    res = client.get("/api/journeys", headers=manager.headers)
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["walkthroughs"], body["unnamed"], body["truncated"]) == (4, 1, False)
    leeds, york = body["journeys"]
    assert leeds["site"] == {"id": str(site.id), "name": "Leeds"} and york["site"]["name"] == "York"
    assert leeds["name"] == "Return an online order"
    assert (leeds["walkthroughs"], leeds["executives"], leeds["pain_points"]) == (3, 2, 6)
    assert leeds["median_minutes"] == 28  # 28, 40 and 10 minutes
    assert [s["name"] for s in leeds["steps"]] == ["Queue at the desk", "Find the returns desk", "Get the refund"]
    queue, find, refund = leeds["steps"]
    assert (queue["walkthroughs"], queue["total_minutes"], queue["median_minutes"], queue["minutes_reported"]) == (
        3, 60, 20, 3)
    assert queue["mean_effort"] == 6 and queue["position"] == 1
    assert queue["pain_points"] == 4 and queue["mean_severity"] == 3.5
    assert [(e["text"], e["severity"]) for e in queue["examples"]] == [
        ("Queue went out of the door", 5), ("Only one person at the returns desk", 4), ("Waited half an hour", 3)]
    assert (find["total_minutes"], find["mean_effort"], find["pain_points"]) == (15, 3.5, 1)
    assert (refund["total_minutes"], refund["pain_points"], refund["examples"][0]["severity"]) == (3, 1, 2)

    by_effort = client.get("/api/journeys", params={"rank_by": "pain_points"}, headers=manager.headers).json()
    assert [s["pain_points"] for s in by_effort["journeys"][0]["steps"]] == [4, 1, 1]
    only_york = client.get("/api/journeys", params={"site_id": str(other_site.id)}, headers=manager.headers).json()
    assert [j["site"]["name"] for j in only_york["journeys"]] == ["York"]
    later = client.get("/api/journeys", params={"since": (DAY + timedelta(hours=12)).isoformat()},
                       headers=manager.headers).json()
    assert [(j["walkthroughs"], len(j["steps"])) for j in later["journeys"]] == [(1, 2)]
    assert client.get("/api/journeys", params={"until": "2026-01-01T00:00:00Z"},
                      headers=manager.headers).json()["journeys"] == []


def test_bad_filters_are_field_errors(client, manager):
    for params, loc in (({"since": "2026-11-01T00:00:00"}, "since"), ({"site_id": "nope"}, "site_id"),
                        ({"rank_by": "loudness"}, "rank_by")):
        res = client.get("/api/journeys", params=params, headers=manager.headers)
        assert res.status_code == 422 and res.json()["detail"][0]["loc"] == ["query", loc], res.text
