"""Merging themes, and undoing a merge through the API: also after a rebuild, with audit lines."""

import uuid

from tests.themes.test_api import GROUPS, log_visits, rebuild, themes_of


def place(client, manager, theme_id, ids) -> None:
    res = client.post(f"/api/themes/{theme_id}/pain-points", json={"pain_point_ids": ids}, headers=manager.headers)
    assert res.status_code == 200, res.text


def counts(client, manager) -> dict[str, int]:
    return {t["id"]: t["count"] for t in client.get("/api/themes", headers=manager.headers).json()}


def history(client, manager, pain_point_id) -> list[tuple]:
    detail = client.get(f"/api/pain-points/{pain_point_id}", headers=manager.headers).json()
    return [(e["field"], e["old_value"], e["new_value"], e["actor"]["id"]) for e in detail["history"]]


def test_merge_then_unmerge_restores_membership_counts_and_leaves_audit_lines(client, executive, manager, admin,
                                                                             factory):
    queues, refunds = factory.theme(label="Checkout queues"), factory.theme(label="Slow refunds")
    ids = log_visits(client, executive, {k: GROUPS[k] for k in ("queues", "refunds")})
    place(client, manager, queues.id, ids["queues"])
    place(client, manager, refunds.id, ids["refunds"])
    before = counts(client, manager)
    assert before == {str(queues.id): 5, str(refunds.id): 5}

    merged = client.post(f"/api/themes/{refunds.id}/merge", json={"into_id": str(queues.id)}, headers=manager.headers)
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["id"] == str(queues.id) and body["count"] == 10
    [entry] = body["merged_from"]
    assert entry["theme_id"] == str(refunds.id) and entry["label"] == "Slow refunds" and entry["count"] == 5
    assert entry["merged_by_id"] == str(manager.id) and uuid.UUID(entry["merge_id"])
    assert counts(client, manager) == {str(queues.id): 10}
    listed = client.get("/api/themes", headers=manager.headers).json()
    assert listed[0]["merged_from"] == body["merged_from"]
    # A retried merge changes nothing.
    again = client.post(f"/api/themes/{refunds.id}/merge", json={"into_id": str(queues.id)}, headers=manager.headers)
    assert again.status_code == 200 and again.json()["merged_from"] == body["merged_from"]

    undone = client.post(f"/api/themes/{refunds.id}/unmerge", headers=admin.headers)
    assert undone.status_code == 200, undone.text
    assert undone.json()["id"] == str(refunds.id) and undone.json()["count"] == 5
    assert counts(client, manager) == before
    assert themes_of(ids["refunds"]) == {refunds.id} and themes_of(ids["queues"]) == {queues.id}
    assert client.get(f"/api/themes/{queues.id}", headers=manager.headers).json()["merged_from"] == []
    # Audit: the manual placement, the merge and its undo, each by whoever did it.
    assert history(client, manager, ids["refunds"][0]) == [
        ("theme_id", None, str(refunds.id), str(manager.id)),
        ("theme_id", str(refunds.id), str(queues.id), str(manager.id)),
        ("theme_id", str(queues.id), str(refunds.id), str(admin.id)),
    ]
    # Nothing left to undo; and the theme can be merged again (and undone again).
    assert client.post(f"/api/themes/{refunds.id}/unmerge", headers=manager.headers).status_code == 409
    assert client.post(f"/api/themes/{refunds.id}/merge", json={"into_id": str(queues.id)},
                       headers=manager.headers).json()["count"] == 10
    assert client.post(f"/api/themes/{refunds.id}/unmerge", headers=manager.headers).json()["count"] == 5


def test_unmerge_leaves_pain_points_moved_on_since_where_they_are(client, executive, manager, factory):
    a, b, c = (factory.theme(label=f"Theme {n}") for n in "abc")
    ids = log_visits(client, executive, {"refunds": GROUPS["refunds"]})["refunds"]
    place(client, manager, a.id, ids)
    assert client.post(f"/api/themes/{a.id}/merge", json={"into_id": str(b.id)}, headers=manager.headers).is_success
    place(client, manager, c.id, ids[:2])  # a manager moved two on since
    undone = client.post(f"/api/themes/{a.id}/unmerge", headers=manager.headers)
    assert undone.status_code == 200 and undone.json()["count"] == 3
    assert themes_of(ids[:2]) == {c.id} and themes_of(ids[2:]) == {a.id}


def test_unmerge_refusals(client, executive, manager, factory):
    a, b, c = (factory.theme(label=f"Theme {n}") for n in "abc")
    ids = log_visits(client, executive, {"refunds": GROUPS["refunds"]})["refunds"]
    place(client, manager, a.id, ids)
    assert client.post(f"/api/themes/{uuid.uuid4()}/unmerge", headers=manager.headers).status_code == 404
    never = client.post(f"/api/themes/{b.id}/unmerge", headers=manager.headers)
    assert never.status_code == 409 and never.json()["error"] == "Conflict"
    assert "Nothing to undo" in never.json()["detail"]
    assert client.post(f"/api/themes/{a.id}/unmerge", headers=executive.headers).status_code == 403
    assert client.post(f"/api/themes/{a.id}/merge", json={"into_id": str(b.id)}, headers=manager.headers).is_success
    # Merged already: not into a second theme.
    elsewhere = client.post(f"/api/themes/{a.id}/merge", json={"into_id": str(c.id)}, headers=manager.headers)
    assert elsewhere.status_code == 409
    assert client.post(f"/api/themes/{a.id}/unmerge", headers=executive.headers).status_code == 403
    # B merged on into C: undoing A into B would bring back an empty theme, so B's merge goes first.
    assert client.post(f"/api/themes/{b.id}/merge", json={"into_id": str(c.id)}, headers=manager.headers).is_success
    chained = client.post(f"/api/themes/{a.id}/unmerge", headers=manager.headers)
    assert chained.status_code == 409 and "undo that merge first" in chained.json()["detail"]
    assert client.post(f"/api/themes/{b.id}/unmerge", headers=manager.headers).json()["count"] == 5
    assert client.post(f"/api/themes/{a.id}/unmerge", headers=manager.headers).json()["count"] == 5
    assert themes_of(ids) == {a.id}
    assert counts(client, manager) == {str(a.id): 5}


def test_unmerge_after_a_rebuild_and_the_next_rebuild_keeps_it(client, executive, manager):
    ids = log_visits(client, executive)
    rebuild(client, manager)
    queues, refunds = (next(iter(themes_of(ids[g]))) for g in ("queues", "refunds"))
    merged = client.post(f"/api/themes/{refunds}/merge", json={"into_id": str(queues)}, headers=manager.headers)
    assert merged.json()["count"] == 10
    rebuild(client, manager)
    assert themes_of(ids["refunds"]) == {queues}
    listed = {t["id"]: t for t in client.get("/api/themes", headers=manager.headers).json()}
    assert str(refunds) not in listed
    assert [m["theme_id"] for m in listed[str(queues)]["merged_from"]] == [str(refunds)]

    undone = client.post(f"/api/themes/{refunds}/unmerge", headers=manager.headers)
    assert undone.status_code == 200 and undone.json()["count"] == 5
    assert themes_of(ids["refunds"]) == {refunds} and themes_of(ids["queues"]) == {queues}
    rebuild(client, manager)
    assert themes_of(ids["refunds"]) == {refunds} and themes_of(ids["queues"]) == {queues}
    listed = counts(client, manager)
    assert listed[str(refunds)] == 5 and listed[str(queues)] == 5


def test_undo_gives_the_target_back_its_label_when_a_rebuild_named_it_after_what_it_absorbed(
        client, executive, manager, factory, session):
    """A rebuild after a merge may name the combined theme after the absorbed one; after the undo two themes
    would share that name. The target gets back the label it had when merged, unless a manager renamed it."""
    from api.themes import store as theme_store

    queues, logouts = factory.theme(label="Checkout queues"), factory.theme(label="App logged out")
    ids = log_visits(client, executive, {k: GROUPS[k] for k in ("queues", "refunds")})
    place(client, manager, queues.id, ids["queues"])
    place(client, manager, logouts.id, ids["refunds"])
    assert client.post(f"/api/themes/{logouts.id}/merge", json={"into_id": str(queues.id)},
                       headers=manager.headers).status_code == 200
    # What the rebuild's labeller may do to the combined theme (a label it picks, not a manager's rename).
    target = session.get(type(queues), queues.id)
    theme_store.edit_theme(session, target, {"label": "App logged out"})
    session.commit()

    assert client.post(f"/api/themes/{logouts.id}/unmerge", headers=manager.headers).status_code == 200
    labels = {t["id"]: t["label"] for t in client.get("/api/themes", headers=manager.headers).json()}
    assert labels == {str(queues.id): "Checkout queues", str(logouts.id): "App logged out"}

    # A manager's rename of the target is kept through an undo.
    assert client.post(f"/api/themes/{logouts.id}/merge", json={"into_id": str(queues.id)},
                       headers=manager.headers).status_code == 200
    assert client.patch(f"/api/themes/{queues.id}", json={"label": "Queues and logouts"},
                        headers=manager.headers).status_code == 200
    assert client.post(f"/api/themes/{logouts.id}/unmerge", headers=manager.headers).status_code == 200
    labels = {t["id"]: t["label"] for t in client.get("/api/themes", headers=manager.headers).json()}
    assert labels[str(queues.id)] == "Queues and logouts"
