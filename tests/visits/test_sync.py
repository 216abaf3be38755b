import uuid

from sqlmodel import select

from api.pain_points.models import PainPoint
from api.visits.models import Visit
from tests.factories import count_rows, fetch, visit_body


def sync(client, actor, visits=(), cursor=None):
    res = client.post("/api/sync", json={"visits": list(visits), "cursor": cursor}, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def with_id(body=None, **kw):
    body = body or visit_body(**kw)
    body["id"] = str(uuid.uuid4())
    return body



def test_batch_is_accepted_and_replay_changes_nothing(client, session, executive):
    batch = [with_id() for _ in range(5)]
    first = sync(client, executive, batch)
    assert sorted(first["accepted"]) == sorted(v["id"] for v in batch)
    assert first["rejected"] == first["conflicts"] == []
    before = {v.id: (v.version, v.updated_at) for v in fetch(select(Visit))}
    again = sync(client, executive, batch)
    assert sorted(again["accepted"]) == sorted(v["id"] for v in batch)
    assert {v.id: (v.version, v.updated_at) for v in fetch(select(Visit))} == before
    assert count_rows(session, Visit) == 5
    assert count_rows(session, PainPoint) == 10


def test_one_bad_visit_never_rejects_the_rest(client, session, executive):
    good = with_id()
    bad = with_id(started_at="2026-11-20T09:00:00")  # no time zone
    bad["pain_points"][0]["felt_by"] = "aliens"
    not_even_an_id = visit_body()
    res = sync(client, executive, [good, bad, not_even_an_id])
    assert res["accepted"] == [good["id"]]
    rejected = {r["id"]: r["errors"] for r in res["rejected"]}
    assert set(rejected) == {bad["id"], None}
    assert {tuple(e["loc"]) for e in rejected[bad["id"]]} == {("started_at",), ("pain_points", 0, "felt_by")}
    assert count_rows(session, Visit) == 1


def test_conflict_returns_the_server_copy_and_keeps_it(client, executive):
    body = with_id()
    sync(client, executive, [body])
    sync(client, executive, [{**body, "version": 1, "notes": "first phone"}])
    res = sync(client, executive, [{**body, "version": 1, "notes": "second phone"}])
    assert res["accepted"] == []
    assert res["conflicts"][0]["id"] == body["id"]
    assert res["conflicts"][0]["server"]["notes"] == "first phone"


def test_second_device_pulls_changes_and_deletions(client, executive, other_executive):
    phone_a = sync(client, executive)
    assert phone_a["changes"] == []
    keep, remove = with_id(), with_id()
    sync(client, executive, [keep, remove])
    sync(client, other_executive, [with_id()])  # someone else's visit never reaches this phone

    phone_b = sync(client, executive)  # a fresh phone: everything
    assert {v["id"] for v in phone_b["changes"]} == {keep["id"], remove["id"]}
    assert all(v["private_notes"] for v in phone_b["changes"])  # the author's own notes come along

    assert client.delete(f"/api/visits/{remove['id']}", headers=executive.headers).status_code == 204
    later = sync(client, executive, cursor=phone_b["cursor"])
    deleted = [v for v in later["changes"] if v["id"] == remove["id"]]
    assert deleted and deleted[0]["deleted_at"] is not None
    assert all(v["author_id"] == str(executive.id) for v in later["changes"])


def test_pull_pages_through_many_changes(client, executive, monkeypatch):
    from api.visits import sync as sync_module

    monkeypatch.setattr(sync_module, "PULL_MAX", 3)
    sent = [with_id(pain_points=0) for _ in range(7)]
    sync(client, executive, sent)
    seen, cursor, calls = set(), None, 0
    while True:
        res = sync(client, executive, cursor=cursor)
        seen |= {v["id"] for v in res["changes"]}
        cursor, calls = res["cursor"], calls + 1
        if not res["more"]:
            break
        assert calls < 10
    assert seen == {v["id"] for v in sent}
    assert calls == 3


def test_batch_limit_and_bad_cursor(client, executive):
    res = client.post("/api/sync", json={"visits": [{}] * 201, "cursor": None}, headers=executive.headers)
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["visits"]
    res = client.post("/api/sync", json={"visits": [], "cursor": "garbage"}, headers=executive.headers)
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["cursor"]
    res = client.post("/api/sync", json={"visits": [], "cursor": None, "extra": 1}, headers=executive.headers)
    assert res.status_code == 422


def test_a_visit_of_another_author_is_rejected_not_overwritten(client, executive, other_executive):
    body = with_id()
    sync(client, executive, [body])
    res = sync(client, other_executive, [{**body, "version": 1, "notes": "hijack"}])
    assert res["accepted"] == [] and res["rejected"][0]["id"] == body["id"]
    assert client.get(f"/api/visits/{body['id']}", headers=executive.headers).json()["notes"] != "hijack"


def test_pull_is_exact_while_another_write_is_in_flight(client, executive, other_executive, database_url):
    """A write still uncommitted during a pull arrives on the next pull, once; nothing comes twice, even
    while some unrelated transaction stays open all along."""
    from contextlib import ExitStack

    from sqlmodel import Session

    from api.db import get_engine
    from api.visits.schemas import VisitWrite
    from api.visits.writes import write_visits

    postgres = database_url.startswith("postgresql")
    stack = ExitStack()
    if postgres:  # SQLite lets only one writer in at a time: no overlap is possible there
        slow = stack.enter_context(Session(get_engine()))
        write_visits(session=slow, author=other_executive.user, writes=[VisitWrite.model_validate(with_id())])
    first = sync(client, executive, [with_id()])
    late = with_id()
    with Session(get_engine(), expire_on_commit=False) as other_phone:
        write_visits(session=other_phone, author=executive.user, writes=[VisitWrite.model_validate(late)])
        if postgres:
            during = sync(client, executive, cursor=first["cursor"])
            assert during["changes"] == []
            first = during
        other_phone.commit()
    after = sync(client, executive, cursor=first["cursor"])
    assert [v["id"] for v in after["changes"]] == [late["id"]]
    assert sync(client, executive, cursor=after["cursor"])["changes"] == []
    stack.close()
