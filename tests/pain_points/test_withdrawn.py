"""What an executive's later edits do to pain points a manager already triaged (issue 11, item 13):
content changes leave audit lines; dropping one or deleting its visit withdraws it instead of hiding it
from managers; duplicates of a removed original are re-pointed."""

import uuid
from datetime import datetime

from tests.pain_points.helpers import DAY, make_theme, report, triage


def visit(client, actor, visit_id: str) -> dict:
    res = client.get(f"/api/visits/{visit_id}", headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def rewrite(client, actor, visit_id: str, pain_points: list[dict]):
    body = visit(client, actor, visit_id)
    keep = {"kind", "site_id", "started_at", "ended_at", "incognito", "notes", "private_notes", "details",
            "version"}
    body = {k: v for k, v in body.items() if k in keep}
    body["pain_points"] = [
        {k: p[k] for k in ("id", "text", "severity", "felt_by", "department_id", "journey_step", "quote")}
        for p in pain_points
    ]
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def detail(client, actor, pid: str):
    return client.get(f"/api/pain-points/{pid}", headers=actor.headers)


def lines(body: dict, *fields: str) -> list[tuple]:
    return [(e["field"], e["old_value"], e["new_value"], e["actor"]["id"] if e["actor"] else None)
            for e in body["history"] if e["field"] in fields]


def feed_ids(client, actor) -> dict[str, bool]:
    res = client.get("/api/pain-points", headers=actor.headers)
    assert res.status_code == 200, res.text
    return {item["id"]: item["withdrawn"] for item in res.json()["items"]}


def test_rewriting_a_triaged_pain_point_leaves_audit_lines(client, manager, executive):
    vid, (resolved, untouched) = report(client, executive, "Only two tills open", "Car park full")
    assert triage(client, manager, resolved, status="resolved", resolution_note="Extra staff").status_code == 200
    points = visit(client, executive, vid)["pain_points"]
    points[0].update(text="Only one till open", severity=5, quote="I give up")
    points[1].update(text="Car park closed", severity=1)
    rewrite(client, executive, vid, points)

    body = detail(client, manager, resolved).json()
    assert body["text"] == "Only one till open" and body["severity"] == 5
    ex = str(executive.id)
    assert sorted(lines(body, "text", "severity", "quote"), key=str) == sorted([
        ("text", "Only two tills open", "Only one till open", ex),
        ("severity", "3", "5", ex),
        ("quote", None, "I give up", ex),
    ], key=str)
    assert lines(detail(client, manager, untouched).json(), "text", "severity") == []  # not triaged: no lines
    # The same content again adds nothing.
    rewrite(client, executive, vid, visit(client, executive, vid)["pain_points"])
    assert len(detail(client, manager, resolved).json()["history"]) == len(body["history"])


def test_dropping_triaged_pain_points_withdraws_them_for_managers(client, manager, executive):
    vid, (acknowledged, commented, assigned, plain) = report(client, executive, "A", "B", "C", "D")
    assert triage(client, manager, acknowledged, status="acknowledged").status_code == 200
    res = client.post(f"/api/pain-points/{commented}/comments", json={"body": "Looking into it"},
                      headers=manager.headers)
    assert res.status_code == 201
    assert triage(client, manager, assigned, assignee_id=str(manager.id)).status_code == 200
    # The author's own comment is not triage: their pain point stays theirs to delete.
    res = client.post(f"/api/pain-points/{plain}/comments", json={"body": "Note to self"},
                      headers=executive.headers)
    assert res.status_code == 201

    after = rewrite(client, executive, vid, [])
    assert after["pain_points"] == []  # the author's copy no longer has them
    sync = client.post("/api/sync", json={"visits": [], "cursor": None}, headers=executive.headers).json()
    assert [v["pain_points"] for v in sync["changes"] if v["id"] == vid] == [[]]

    for pid in (acknowledged, commented, assigned):
        res = detail(client, manager, pid)
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["withdrawn"] is True and body["withdrawn_at"] is not None
        [(_, old, new, actor)] = lines(body, "withdrawn_at")
        assert (old, actor) == (None, str(executive.id))
        assert datetime.fromisoformat(new) == datetime.fromisoformat(body["withdrawn_at"])
    comments = client.get(f"/api/pain-points/{commented}/comments", headers=manager.headers)
    assert comments.status_code == 200 and [c["body"] for c in comments.json()] == ["Looking into it"]
    assert detail(client, manager, plain).status_code == 404
    assert feed_ids(client, manager) == dict.fromkeys((acknowledged, commented, assigned), True)
    # Managers can still close a withdrawn one.
    res = triage(client, manager, acknowledged, status="wont_fix", resolution_note="Withdrawn by the author")
    assert res.status_code == 200 and res.json()["withdrawn"] is True


def test_deleting_the_visit_withdraws_its_triaged_pain_points(client, manager, executive):
    vid, (triaged, plain) = report(client, executive, "Broken door", "Dusty shelves")
    _, (live,) = report(client, executive, "Long queue")
    assert triage(client, manager, triaged, status="in_progress").status_code == 200
    assert client.delete(f"/api/visits/{vid}", headers=executive.headers).status_code == 204
    body = detail(client, manager, triaged).json()
    assert body["withdrawn"] is True and body["status"] == "in_progress"
    assert [f for f, *_ in lines(body, "withdrawn_at")] == ["withdrawn_at"]
    assert detail(client, manager, plain).status_code == 404
    assert feed_ids(client, manager) == {triaged: True, live: False}


def test_withdrawn_pain_points_are_not_counted(client, session, manager, executive):
    vid, (gone, _) = report(client, executive, "Gone", "Stays")
    _, (other,) = report(client, executive, "Elsewhere", started_at=DAY.replace(year=2025))
    theme = make_theme(session)
    for pid in (gone, other):
        assert triage(client, manager, pid, status="acknowledged", theme_id=str(theme.id)).status_code == 200

    def themed():
        res = client.get(f"/api/themes/{theme.id}", headers=manager.headers)
        assert res.status_code == 200, res.text
        return res.json()["count"]

    def flow():
        res = client.get("/api/dashboard/flow", params={"weeks": 1, "until": DAY.date().isoformat()},
                         headers=manager.headers)
        assert res.status_code == 200, res.text
        return res.json()["weeks"][0]["opened"], sum(d["open"] for d in res.json()["open_by_department"])

    assert (flow(), themed()) == ((2, 3), 2)
    assert client.delete(f"/api/visits/{vid}", headers=executive.headers).status_code == 204
    assert (flow(), themed()) == ((0, 1), 1)


def test_putting_a_withdrawn_pain_point_back_restores_it(client, manager, executive):
    vid, (pid,) = report(client, executive, "Lift out of order")
    assert triage(client, manager, pid, status="acknowledged").status_code == 200
    points = visit(client, executive, vid)["pain_points"]
    rewrite(client, executive, vid, [])
    assert detail(client, manager, pid).json()["withdrawn"] is True
    rewrite(client, executive, vid, points)
    body = detail(client, manager, pid).json()
    assert body["withdrawn"] is False and body["withdrawn_at"] is None
    withdrawn = lines(body, "withdrawn_at")
    assert [(old is None, new is None) for _, old, new, _ in withdrawn] == [(True, False), (False, True)]
    assert [p["id"] for p in visit(client, executive, vid)["pain_points"]] == [pid]


def test_duplicates_of_a_removed_original_are_repointed(client, manager, executive, other_executive):
    vid, (original, kept) = report(client, executive, "Tills closed", "Other thing")
    _, (first, second) = report(client, other_executive, "No tills open", "Tills shut",
                                started_at=DAY.replace(hour=11))
    _, (third,) = report(client, other_executive, "Till queue", started_at=DAY.replace(hour=10))
    for dup in (first, second, third):
        assert triage(client, manager, dup, duplicate_of_id=original).status_code == 200
    # The original itself was never triaged: dropping it deletes it, and its duplicates need a new original.
    rewrite(client, executive, vid, [p for p in visit(client, executive, vid)["pain_points"] if p["id"] == kept])
    assert detail(client, manager, original).status_code == 404
    heir = detail(client, manager, third).json()  # the earliest duplicate
    assert heir["duplicate_of_id"] is None
    assert lines(heir, "duplicate_of_id")[-1] == ("duplicate_of_id", original, None, str(executive.id))
    assert sorted(heir["duplicates"]) == sorted([first, second])
    for dup in (first, second):
        body = detail(client, manager, dup).json()
        assert body["duplicate_of_id"] == third
        assert lines(body, "duplicate_of_id")[-1] == ("duplicate_of_id", original, third, str(executive.id))
    # A withdrawn or deleted pain point cannot become an original again.
    assert triage(client, manager, first, duplicate_of_id=original).status_code == 422


def test_duplicates_of_a_withdrawn_original_are_repointed_when_the_visit_is_deleted(client, manager, executive):
    vid, (original,) = report(client, executive, "Tills closed")
    _, (dup,) = report(client, executive, "Tills closed again")
    assert triage(client, manager, dup, duplicate_of_id=original).status_code == 200
    assert triage(client, manager, original, status="acknowledged").status_code == 200
    assert client.delete(f"/api/visits/{vid}", headers=executive.headers).status_code == 204
    assert detail(client, manager, original).json()["withdrawn"] is True
    assert detail(client, manager, original).json()["duplicates"] == []
    body = detail(client, manager, dup).json()
    assert body["duplicate_of_id"] is None and not body["withdrawn"]
    assert lines(body, "duplicate_of_id")[-1] == ("duplicate_of_id", original, None, str(executive.id))
    assert triage(client, manager, dup, duplicate_of_id=original).status_code == 422
    assert triage(client, manager, str(uuid.uuid4()), status="acknowledged").status_code == 404
