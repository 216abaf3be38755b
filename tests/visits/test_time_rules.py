"""A sync batch judges each visit on its own: bad times and borrowed pain-point ids are field errors on
that visit, never a 500 for the batch (issue 11, item 12)."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from api.pain_points.models import PainPoint
from api.visits.models import Visit
from tests.factories import count_rows, fetch, visit_body


def with_id(**overrides) -> dict:
    return {**visit_body(**overrides), "id": str(uuid.uuid4())}


def push(client, actor, visits):
    res = client.post("/api/sync", json={"visits": visits, "cursor": None}, headers=actor.headers)
    assert res.status_code == 200, res.text
    body = res.json()
    return body["accepted"], {r["id"]: {tuple(e["loc"]) for e in r["errors"]} for r in body["rejected"]}


def put(client, actor, body):
    return client.put(f"/api/visits/{body['id']}", json=body, headers=actor.headers)


def iso(moment: datetime) -> str:
    return moment.isoformat()


NOW = datetime.now(UTC).replace(microsecond=0)
BAD_TIMES = {  # name: (overrides, the field the error is on)
    "start overflows UTC": ({"started_at": "0001-01-01T00:00:00+01:00"}, "started_at"),
    "end overflows UTC": ({"ended_at": "9999-12-31T23:59:59-14:00"}, "ended_at"),
    "starts two days ahead": ({"started_at": iso(NOW + timedelta(days=2)), "ended_at": None}, "started_at"),
    "ends before it starts": ({"ended_at": "2026-11-20T08:59:00+00:00"}, "ended_at"),
    "lasts 24 h and a minute": ({"ended_at": "2026-11-21T09:01:00+00:00"}, "ended_at"),
    "lasts 719 hours": ({"ended_at": "2026-12-20T08:00:00+00:00"}, "ended_at"),
}


def test_bad_times_reject_only_their_visit_and_the_good_ones_are_stored(client, session, executive):
    good = [with_id(), with_id(started_at=iso(NOW + timedelta(hours=23)), ended_at=None),
            with_id(ended_at="2026-11-21T09:00:00+00:00")]  # exactly 24 hours
    bad = {name: with_id(**overrides) for name, (overrides, _) in BAD_TIMES.items()}
    accepted, rejected = push(client, executive, [good[0], *bad.values(), good[1], good[2]])
    assert sorted(accepted) == sorted(v["id"] for v in good)
    assert rejected == {bad[name]["id"]: {(field,)} for name, (_, field) in BAD_TIMES.items()}
    assert count_rows(session, Visit) == 3
    assert count_rows(session, PainPoint) == 6
    # The same batch again: the good ones are replays, the bad ones are still refused the same way.
    assert push(client, executive, [good[0], *bad.values(), good[1], good[2]]) == (accepted, rejected)


def test_bad_times_on_put_are_422_with_the_field(client, session, executive):
    for overrides, field in BAD_TIMES.values():
        res = put(client, executive, with_id(**overrides))
        assert res.status_code == 422, res.text
        assert [e["loc"] for e in res.json()["detail"]] == [[field]]
    assert count_rows(session, Visit) == 0


def test_a_pain_point_id_twice_in_one_batch_is_a_field_error_on_the_second(client, session, executive):
    first, second, third = with_id(), with_id(), with_id()
    second["pain_points"][1]["id"] = first["pain_points"][0]["id"]
    accepted, rejected = push(client, executive, [first, second, third])
    assert sorted(accepted) == sorted([first["id"], third["id"]])
    assert rejected == {second["id"]: {("pain_points", 1, "id")}}
    assert count_rows(session, Visit) == 2
    owners = {p.id: p.visit_id for p in fetch(select(PainPoint))}
    assert owners[uuid.UUID(first["pain_points"][0]["id"])] == uuid.UUID(first["id"])


def test_a_pain_point_of_another_visit_or_author_is_a_field_error(client, session, executive, other_executive):
    mine, theirs = with_id(), with_id()
    push(client, executive, [mine])
    push(client, other_executive, [theirs])
    borrow_mine, borrow_theirs, fine = with_id(), with_id(), with_id()
    borrow_mine["pain_points"][0]["id"] = mine["pain_points"][1]["id"]
    borrow_theirs["pain_points"][1]["id"] = theirs["pain_points"][0]["id"]
    accepted, rejected = push(client, executive, [borrow_mine, fine, borrow_theirs])
    assert accepted == [fine["id"]]
    assert rejected == {borrow_mine["id"]: {("pain_points", 0, "id")},
                        borrow_theirs["id"]: {("pain_points", 1, "id")}}
    res = put(client, executive, borrow_theirs)
    assert res.status_code == 422
    assert [e["loc"] for e in res.json()["detail"]] == [["pain_points", 1, "id"]]
    theirs_stored = fetch(select(PainPoint).where(PainPoint.id == uuid.UUID(theirs["pain_points"][0]["id"])))
    assert theirs_stored[0].author_id == other_executive.id and theirs_stored[0].text == \
        theirs["pain_points"][0]["text"]


def test_a_visit_may_move_a_pain_point_it_drops_in_the_same_batch_only_to_itself(client, executive):
    """Dropping a pain point from one visit does not free its id for another visit in the same batch."""
    first = with_id()
    push(client, executive, [first])
    moved = first["pain_points"].pop()
    first["version"] = 1
    taker = with_id()
    taker["pain_points"][0]["id"] = moved["id"]
    accepted, rejected = push(client, executive, [first, taker])
    assert accepted == [first["id"]]
    assert rejected == {taker["id"]: {("pain_points", 0, "id")}}


def test_out_of_range_since_and_until_are_field_errors(client, manager):
    for path in ("/api/pain-points", "/api/my/pain-points", "/api/pain-points/export.csv", "/api/themes"):
        for name, value in (("since", "0001-01-01T00:00:00+01:00"), ("until", "9999-12-31T23:59:59-14:00"),
                            ("until", "9999-12-31")):
            res = client.get(path, params={name: value}, headers=manager.headers)
            assert res.status_code == 422, (path, name, value, res.text)
            assert res.json()["detail"][0]["loc"] == ["query", name]


def test_field_time_counts_a_visit_stored_before_the_rule_at_most_24_hours(client, session, manager, executive):
    start = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    session.execute(insert(Visit).values(
        id=uuid.uuid4(), kind="shop_floor_shift", author_id=executive.id, started_at=start,
        ended_at=start + timedelta(hours=719), content_hash="x" * 64, txid=1, details={}))
    session.commit()
    push(client, executive, [with_id(started_at=iso(start + timedelta(days=1)),
                                     ended_at=iso(start + timedelta(days=1, hours=2)))])
    res = client.get("/api/dashboard/field-time", params={"month": "2026-11"}, headers=manager.headers)
    assert res.status_code == 200, res.text
    row = next(r for r in res.json()["executives"] if r["executive"]["id"] == str(executive.id))
    assert (row["hours"], row["visits"]) == (26.0, 2)
    assert res.json()["team"]["hours"] == 26.0


def test_the_server_refuses_in_the_same_words_the_phone_uses_before_finish(client, executive):
    """The phone checks these before Finish (mobile_pwa/js/views/visit-parts.js); a visit edited elsewhere
    gets the same sentence from the server."""
    cases = [
        ({"started_at": iso(NOW + timedelta(days=2)), "ended_at": None},
         ["started_at"], "A visit may not start more than a day in the future."),
        ({"ended_at": "2026-11-20T08:59:00+00:00"}, ["ended_at"], "A visit may not end before it starts."),
        ({"ended_at": "2026-11-21T09:01:00+00:00"}, ["ended_at"], "A visit may not last longer than 24 hours."),
    ]
    for text in ("", "   "):  # a pain point with only a quote
        body = with_id(pain_points=1)
        body["pain_points"][0].update(text=text, quote="I'm not waiting this long again")
        cases.append((body, ["pain_points", 0, "text"], "Say what went wrong: a quote alone is not enough."))
    for overrides, loc, message in cases:
        body = overrides if "id" in overrides else with_id(**overrides)
        res = put(client, executive, body)
        assert res.status_code == 422, res.text
        assert {"loc": loc, "msg": message} in [{k: e[k] for k in ("loc", "msg")} for e in res.json()["detail"]]
    phone = (Path(__file__).resolve().parents[2] / "mobile_pwa/js/views/visit-parts.js").read_text()
    for _, _, message in cases:
        assert message in phone, message
