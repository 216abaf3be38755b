"""Themes through the HTTP API: rebuild in the background, stable identity, managers' edits."""

import time
import uuid

import pytest
from sqlmodel import select

from api.pain_points.models import PainPoint
from tests.factories import fetch, visit_body

GROUPS = {
    "queues": ["Long queue at the checkout, only two of six tills open",
               "Checkout queue stretched to the back of the store",
               "Waited twenty minutes in the checkout queue at lunch",
               "Checkout understaffed and the queue went out the door",
               "Checkout queue far too long on Saturday morning"],
    "logouts": ["The app logged me out again while paying", "App keeps logging customers out every day",
                "Logged out of the app every time I open it", "App session expires and logs me out constantly",
                "Customers complain the app logs them out before checkout"],
    "refunds": ["Refund took three weeks to arrive on my card", "Still waiting for my refund after twenty days",
                "Refunds are far too slow to come through", "The customer's refund still hasn't arrived after a month",
                "Refund back to the card is taking weeks"],
}


def log_visits(client, actor, groups=GROUPS, kind="shop_floor_shift") -> dict[str, list[str]]:
    """One visit per group; returns pain point ids by group."""
    ids = {}
    for name, texts in groups.items():
        body = visit_body(kind=kind, pain_points=texts, quote=None, details={})
        assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=actor.headers).status_code == 201
        ids[name] = [pp["id"] for pp in body["pain_points"]]
    return ids


def rebuild(client, manager) -> dict:
    res = client.post("/api/themes/rebuild", headers=manager.headers)
    assert res.status_code == 202, res.text
    for _ in range(600):
        state = client.get("/api/themes/rebuild", headers=manager.headers).json()
        if state["latest"]["status"] != "running":
            assert state["latest"]["status"] == "done", state
            return state
        time.sleep(0.1)
    raise AssertionError("rebuild did not finish")


def themes_of(ids: list[str]) -> set:
    rows = fetch(select(PainPoint.theme_id).where(PainPoint.id.in_([uuid.UUID(i) for i in ids])))
    return set(rows)


def test_empty_state(client, manager):
    assert client.get("/api/themes", headers=manager.headers).json() == []
    state = client.get("/api/themes/rebuild", headers=manager.headers).json()
    assert state["latest"] is None and state["engine"] in ("minilm", "tfidf")


def test_rebuild_finds_the_obvious_themes_and_keeps_them_stable(client, executive, manager):
    ids = log_visits(client, executive)
    log_visits(client, executive, {"odd": ["The side entrance ramp for wheelchairs is broken"]})
    state = rebuild(client, manager)
    assert state["latest"]["pain_points"] == 16
    groups = {name: themes_of(members) for name, members in ids.items()}
    for name, found in groups.items():
        assert len(found) == 1 and None not in found, (name, found)
    assert len(set().union(*groups.values())) == 3  # three different themes
    listed = client.get("/api/themes", headers=manager.headers).json()
    by_id = {t["id"]: t for t in listed}
    for members in groups.values():
        theme = by_id[str(next(iter(members)))]
        assert theme["count"] == 5 and theme["visits"] == 1 and theme["mean_severity"] == 4
        assert 2 <= len(theme["label"].split()) <= 6
        assert len(theme["quotes"]) == 3 and sum(theme["weekly"]) <= 5
    labels = [t["label"] for t in listed]
    assert len(labels) == len(set(labels))

    before = {t["id"]: t["label"] for t in listed}
    rebuild(client, manager)
    after = {t["id"]: t["label"] for t in client.get("/api/themes", headers=manager.headers).json()}
    assert after == before


def test_managers_edits_survive_a_rebuild(client, executive, manager):
    ids = log_visits(client, executive)
    rebuild(client, manager)
    queues, logouts, refunds = (str(next(iter(themes_of(ids[g])))) for g in ("queues", "logouts", "refunds"))

    renamed = client.patch(f"/api/themes/{queues}", json={"label": "Till queues at peak"}, headers=manager.headers)
    assert renamed.status_code == 200 and renamed.json()["label"] == "Till queues at peak"
    assert client.patch(f"/api/themes/{refunds}", json={"pinned": True}, headers=manager.headers).json()["pinned"]
    moved = client.post(f"/api/themes/{queues}/pain-points", json={"pain_point_ids": [ids["logouts"][0]]},
                        headers=manager.headers)
    assert moved.json() == {"moved": 1}
    merged = client.post(f"/api/themes/{refunds}/merge", json={"into_id": logouts}, headers=manager.headers)
    assert merged.status_code == 200 and merged.json()["count"] == 9

    rebuild(client, manager)
    listed = {t["id"]: t for t in client.get("/api/themes", headers=manager.headers).json()}
    assert listed[queues]["label"] == "Till queues at peak"
    assert themes_of([ids["logouts"][0]]) == {uuid.UUID(queues)}
    assert themes_of(ids["refunds"]) == {uuid.UUID(logouts)}
    assert refunds not in listed


def test_label_clash_and_self_merge_are_refused(client, executive, manager):
    ids = log_visits(client, executive)
    rebuild(client, manager)
    a, b = (str(next(iter(themes_of(ids[g])))) for g in ("queues", "refunds"))
    other_label = client.get(f"/api/themes/{b}", headers=manager.headers).json()["label"]
    clash = client.patch(f"/api/themes/{a}", json={"label": other_label.upper()}, headers=manager.headers)
    assert clash.status_code == 422 and clash.json()["detail"][0]["loc"] == ["label"]
    assert client.post(f"/api/themes/{a}/merge", json={"into_id": a}, headers=manager.headers).status_code == 422
    assert client.get(f"/api/themes/{uuid.uuid4()}", headers=manager.headers).status_code == 404


def test_executives_read_themes_only_when_the_feed_is_open_to_them_and_never_shape_them(client, executive, manager,
                                                                                        admin):
    ids = log_visits(client, executive)
    rebuild(client, manager)
    theme = str(next(iter(themes_of(ids["queues"]))))
    for path in ("/api/themes", f"/api/themes/{theme}", "/api/themes/rebuild"):
        assert client.get(path, headers=executive.headers).status_code == 403, path
    opened = client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers)
    assert opened.status_code == 200
    for path in ("/api/themes", f"/api/themes/{theme}", "/api/themes/rebuild"):
        assert client.get(path, headers=executive.headers).status_code == 200, path
    assert client.post("/api/themes/rebuild", headers=executive.headers).status_code == 403
    assert client.patch(f"/api/themes/{theme}", json={"pinned": True}, headers=executive.headers).status_code == 403
    assert client.get("/api/themes").status_code == 401


def test_theme_quotes_labels_and_keywords_never_show_personal_data(client, executive, other_executive, manager,
                                                                  admin):
    """Quotes are masked for everyone but their author; labels and keywords are picked from masked text."""
    planted = {"queues": [f"{text}, wrote jane.doe@shopper.example call 07700 900123"
                          for text in GROUPS["queues"]]}
    ids = log_visits(client, other_executive, planted)
    log_visits(client, executive, {k: v for k, v in GROUPS.items() if k != "queues"})
    rebuild(client, manager)
    theme = str(next(iter(themes_of(ids["queues"]))))
    client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers)
    for reader in (manager, executive):
        for body in (client.get("/api/themes", headers=reader.headers).text,
                     client.get(f"/api/themes/{theme}", headers=reader.headers).text):
            for secret in ("jane", "doe", "shopper", "07700", "900123"):
                assert secret not in body.lower(), (secret, body)
        quotes = client.get(f"/api/themes/{theme}", headers=reader.headers).json()["quotes"]
        assert quotes and all("[email]" in q["text"] and "[phone]" in q["text"] for q in quotes)
    # The author reads their own words as written.
    client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers)
    own = client.get(f"/api/themes/{theme}", headers=other_executive.headers).json()["quotes"]
    assert own and all("jane.doe@shopper.example" in q["text"] for q in own)


def test_labels_leave_out_the_organisations_own_names(client, manager, factory):
    """The rebuild hands the engine its people's, sites' and departments' names: none shows in a label."""
    factory.site(name="Leeds Briggate store")
    factory.department(name="Callum's desk")
    author = factory.user(role="executive", name="Callum Reid")
    planted = {name: [f"{text} - callum reid at briggate" if i % 2 else f"Briggate, callum reid: {text}"
                      for i, text in enumerate(texts)] for name, texts in GROUPS.items()}
    log_visits(client, author, planted)
    rebuild(client, manager)
    labels = [t["label"].lower() for t in client.get("/api/themes", headers=manager.headers).json()]
    assert labels
    for label in labels:
        assert not {"callum", "reid", "briggate", "leeds"} & set(label.split()), labels


def test_filters_change_the_stats(client, executive, manager):
    log_visits(client, executive)
    calls = log_visits(client, executive, {"queues": GROUPS["queues"][:2]}, kind="listened_call")
    rebuild(client, manager)
    theme = str(next(iter(themes_of(calls["queues"]))))
    everything = client.get(f"/api/themes/{theme}", headers=manager.headers).json()
    assert everything["visit_kinds"] == {"shop_floor_shift": 5, "listened_call": 2}
    only_calls = client.get("/api/themes", params={"visit_kind": "listened_call"}, headers=manager.headers).json()
    assert [(t["id"], t["count"]) for t in only_calls] == [(theme, 2)]
    future = client.get("/api/themes", params={"since": "2099-01-01T00:00:00Z"}, headers=manager.headers)
    assert future.json() == []
    naive = client.get("/api/themes", params={"since": "2026-01-01T00:00:00"}, headers=manager.headers)
    assert naive.status_code == 422


def test_a_second_rebuild_while_one_runs_is_refused(client, manager, session):
    from api.themes.models import ThemeBuild

    session.add(ThemeBuild())  # a running build with a fresh heartbeat
    session.commit()
    res = client.post("/api/themes/rebuild", headers=manager.headers)
    assert res.status_code == 409
    assert "already running" in res.json()["detail"]


@pytest.mark.parametrize("embedder", ["minilm"])
def test_new_pain_points_join_the_nearest_theme(client, executive, manager, session, embedder, monkeypatch):
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", embedder)
    from api.themes.worker import place_new_pain_points

    ids = log_visits(client, executive)
    rebuild(client, manager)
    fresh = log_visits(client, executive, {"queues": ["Huge queue at the tills again, only one till open"],
                                           "odd": ["Parking barrier ate my ticket"]})
    assert themes_of(fresh["queues"]) == {None}
    assert place_new_pain_points(session=session) == 2
    assert themes_of(fresh["queues"]) <= themes_of(ids["queues"])  # one of the queue themes
    assert themes_of(fresh["odd"]) == {None}
    assert place_new_pain_points(session=session) == 0


def test_cross_silo_and_recurring_flags(client, executive, manager, factory, session):
    from api.core.clock import utcnow
    from api.pain_points.models import PainPoint

    stores, digital = factory.department(name="Stores"), factory.department(name="Digital")
    ids = log_visits(client, executive, {"logouts": GROUPS["logouts"]})["logouts"]
    rebuild(client, manager)
    theme = str(next(iter(themes_of(ids))))
    stats = client.get(f"/api/themes/{theme}", headers=manager.headers).json()
    assert not stats["cross_silo"] and not stats["recurring"]
    # Two departments own the problem; the old ones were marked resolved before the newest arrived.
    points = session.exec(select(PainPoint).where(PainPoint.id.in_([uuid.UUID(i) for i in ids]))).all()
    long_ago = utcnow().replace(year=2020)
    for i, p in enumerate(sorted(points, key=lambda p: p.position)):
        p.department_id = (stores if i < 2 else digital).id
        if i < 3:
            p.status, p.resolved_at = "resolved", long_ago
        session.add(p)
    session.commit()
    stats = client.get(f"/api/themes/{theme}", headers=manager.headers).json()
    assert stats["cross_silo"] and stats["recurring"]
    assert stats["departments"] == 2 and stats["open"] == 2


def test_moving_pain_points_leaves_an_audit_line(client, executive, manager, factory):
    theme = factory.theme(label="Checkout queues")
    ids = log_visits(client, executive, {"queues": GROUPS["queues"][:2]})["queues"]
    moved = client.post(f"/api/themes/{theme.id}/pain-points", json={"pain_point_ids": ids}, headers=manager.headers)
    assert moved.json() == {"moved": 2}
    again = client.post(f"/api/themes/{theme.id}/pain-points", json={"pain_point_ids": ids}, headers=manager.headers)
    assert again.json() == {"moved": 0}
    history = client.get(f"/api/pain-points/{ids[0]}", headers=manager.headers).json()["history"]
    assert [(e["field"], e["new_value"], e["actor"]["id"]) for e in history] == [
        ("theme_id", str(theme.id), str(manager.id))]
    unknown = client.post(f"/api/themes/{uuid.uuid4()}/pain-points", json={"pain_point_ids": ids},
                          headers=manager.headers)
    assert unknown.status_code == 404
