import uuid
from datetime import timedelta

import pytest

from tests.pain_points.helpers import DAY, feed, make_theme, report, texts, triage


def test_feed_is_newest_first_with_every_card_field_and_no_private_notes(
    client, session, factory, executive, manager
):
    site, dept = factory.site(name="Leeds"), factory.department(name="Store ops")
    theme = make_theme(session)
    visit_id, (older,) = report(
        client,
        executive,
        {
            "text": "Older one",
            "severity": 2,
            "department_id": dept.id,
            "quote": "Never again",
            "felt_by": "both",
        },
        site_id=site.id,
        started_at=DAY - timedelta(days=1),
    )
    _, (newer,) = report(client, executive, "Newer one", kind="listened_call")
    assert (
        triage(
            client, manager, older, theme_id=str(theme.id), assignee_id=str(manager.id), due_date="2026-12-01"
        ).status_code
        == 200
    )
    page = feed(client, manager)
    assert texts(page) == ["Newer one", "Older one"]
    assert page["next_cursor"] is None
    card = page["items"][1]
    assert card == {
        "id": older,
        "visit_id": visit_id,
        "text": "Older one",
        "quote": "Never again",
        "severity": 2,
        "felt_by": "both",
        "visit_kind": "shop_floor_shift",
        "occurred_at": "2026-11-19T09:00:00Z",
        "site": {"id": str(site.id), "name": "Leeds"},
        "department": {"id": str(dept.id), "name": "Store ops"},
        "owner_department": None,
        "executive": {"id": str(executive.id), "name": "Executive"},
        "theme": {"id": str(theme.id), "label": "Checkout queues"},
        "theme_locked": True,
        "status": "new",
        "assignee": {"id": str(manager.id), "name": "Manager"},
        "due_date": "2026-12-01",
        "resolved_at": None,
        "resolution_note": None,
        "duplicate_of_id": None,
        "comment_count": 0,
        "withdrawn_at": None,
        "media": [],
        "withdrawn": False,
    }
    assert "Private" not in str(page)


def test_keyset_pagination_walks_every_item_once(client, manager, executive):
    # Several pain points share one visit, so one occurred_at: the id breaks the tie.
    report(client, executive, *[f"Point {i}" for i in range(5)])
    report(client, executive, *[f"Earlier {i}" for i in range(3)], started_at=DAY - timedelta(days=3))
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = feed(client, manager, **params)
        seen += texts(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 8 and len(set(seen)) == 8
    assert all(t.startswith("Point") for t in seen[:5])
    assert (
        client.get("/api/pain-points", params={"cursor": "not-a-cursor"}, headers=manager.headers).status_code
        == 422
    )
    assert client.get("/api/pain-points", params={"limit": 201}, headers=manager.headers).status_code == 422


def test_each_filter_narrows_the_feed(client, session, factory, manager, executive, other_executive):
    leeds, york = factory.site(name="Leeds"), factory.site(name="York")
    ops, it = factory.department(name="Store ops"), factory.department(name="IT")
    theme = make_theme(session)
    _, (a,) = report(
        client,
        executive,
        {"text": "Alpha tills broken", "severity": 5, "department_id": ops.id},
        site_id=leeds.id,
        started_at=DAY - timedelta(days=10),
    )
    _, (b,) = report(
        client,
        executive,
        {"text": "Bravo website down", "severity": 2, "department_id": it.id},
        site_id=york.id,
        kind="journey_walkthrough",
        started_at=DAY - timedelta(days=5),
    )
    _, (c,) = report(
        client,
        other_executive,
        {"text": "Charlie hold music", "severity": 4},
        kind="listened_call",
        started_at=DAY,
    )
    triage(client, manager, a, theme_id=str(theme.id))
    triage(client, manager, b, status="acknowledged")
    triage(client, manager, c, status="resolved", resolution_note="Fixed", owner_department_id=str(it.id))

    def only(**params):
        return sorted(t.split()[0] for t in texts(feed(client, manager, **params)))

    assert only(status="new") == ["Alpha"]
    assert only(status=["acknowledged", "resolved"]) == ["Bravo", "Charlie"]
    assert only(severity_min=4) == ["Alpha", "Charlie"]
    assert only(theme_id=str(theme.id)) == ["Alpha"]
    # The owner set in triage counts; otherwise the department reported.
    assert only(department_id=str(it.id)) == ["Bravo", "Charlie"]
    assert only(department_id=str(ops.id)) == ["Alpha"]
    assert only(site_id=str(york.id)) == ["Bravo"]
    assert only(visit_kind="listened_call") == ["Charlie"]
    assert only(author_id=str(other_executive.id)) == ["Charlie"]
    assert only(since="2026-11-15") == ["Bravo", "Charlie"]
    assert only(until="2026-11-15") == ["Alpha", "Bravo"]  # a date includes that whole day
    assert only(since="2026-11-10T09:00:00+00:00", until="2026-11-15T09:00:00+00:00") == ["Alpha"]
    assert only(q="tills") == ["Alpha"]
    assert only(q="alpha", severity_min=5, status="new") == ["Alpha"]
    assert only(severity_min=2, site_id=str(leeds.id), visit_kind="shop_floor_shift", status="new") == [
        "Alpha"
    ]
    assert only(theme_id=str(uuid.uuid4())) == []
    bad = client.get("/api/pain-points", params={"since": "2026-11-15T09:00:00"}, headers=manager.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "since"]
    assert (
        client.get("/api/pain-points", params={"visit_kind": "picnic"}, headers=manager.headers).status_code
        == 422
    )


@pytest.mark.parametrize("few", [1000, 1], ids=["few-matches", "many-matches"])
def test_full_text_search_ands_whole_words(client, manager, executive, monkeypatch, few):
    # The plan depends on the number of matches; both plans must give the same answer.
    monkeypatch.setattr("api.pain_points.search.FEW", few)
    report(
        client,
        executive,
        {"text": "The tills were closed at lunchtime", "quote": "Unbelievable queue"},
        "Website checkout crashed twice",
        "Queue at the tills, only two open",
        "Café staff were wonderful",
    )

    def found(q):
        return sorted(texts(feed(client, manager, q=q)))

    both = ["Queue at the tills, only two open", "The tills were closed at lunchtime"]
    assert found("tills") == both
    assert found("TILLS, queue!") == both
    assert found("queue lunchtime") == ["The tills were closed at lunchtime"]  # the quote counts too
    assert found("checkout") == ["Website checkout crashed twice"]
    assert found("check") == []  # whole words only
    assert found("café") == ["Café staff were wonderful"]
    assert found("tills website") == []
    assert found("zebra") == []
    assert len(found("!!! ---")) == 4  # no words: no search
    assert found("tills") == sorted(texts(feed(client, manager, q="tills", status="new")))


def test_search_follows_edits_and_deletions(client, manager, executive):
    import uuid as _uuid

    from tests.factories import visit_body

    vid = str(_uuid.uuid4())
    body = visit_body(pain_points=1)
    body["pain_points"][0]["text"] = "Fridge door broken"
    client.put(f"/api/visits/{vid}", json=body, headers=executive.headers)
    assert texts(feed(client, manager, q="fridge")) == ["Fridge door broken"]
    body["version"] = 1
    body["pain_points"][0]["text"] = "Freezer door broken"
    assert client.put(f"/api/visits/{vid}", json=body, headers=executive.headers).status_code == 200
    assert texts(feed(client, manager, q="fridge")) == []
    assert texts(feed(client, manager, q="freezer")) == ["Freezer door broken"]
    assert client.delete(f"/api/visits/{vid}", headers=executive.headers).status_code == 204
    assert texts(feed(client, manager, q="freezer")) == []


def test_texts_are_redacted_for_managers_but_not_for_the_author(client, manager, executive):
    report(client, executive, {"text": "Customer gave 07700 900123 and jo@example.com", "quote": "Call me"})
    assert texts(feed(client, manager)) == ["Customer gave [phone] and [email]"]
    mine = client.get("/api/my/pain-points", headers=executive.headers).json()
    assert texts(mine) == ["Customer gave 07700 900123 and jo@example.com"]


def test_executives_read_the_feed_only_when_an_admin_allows_it(client, executive, other_executive, admin):
    report(client, executive, "Mine")
    report(client, other_executive, "Theirs")
    res = client.get("/api/pain-points", headers=executive.headers)
    assert res.status_code == 403 and "my/pain-points" in res.json()["detail"]
    mine = client.get("/api/my/pain-points", headers=executive.headers)
    assert mine.status_code == 200 and texts(mine.json()) == ["Mine"]
    # The own feed ignores an author filter pointing elsewhere.
    other = client.get(
        "/api/my/pain-points", params={"author_id": str(other_executive.id)}, headers=executive.headers
    )
    assert texts(other.json()) == ["Mine"]
    assert (
        client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers).status_code
        == 200
    )
    opened = client.get("/api/pain-points", headers=executive.headers)
    assert opened.status_code == 200 and sorted(texts(opened.json())) == ["Mine", "Theirs"]
    assert "Private" not in opened.text


def test_deleted_pain_points_leave_the_feed(client, manager, executive):
    vid, (pid,) = report(client, executive, "Soon gone")
    client.delete(f"/api/visits/{vid}", headers=executive.headers)
    assert feed(client, manager)["items"] == []
    assert client.get(f"/api/pain-points/{pid}", headers=manager.headers).status_code == 404
