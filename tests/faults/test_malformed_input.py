"""A corpus of malformed requests: every one is answered with a clear 4xx in the one error shape, and
the database is exactly as it was before."""

import json
import uuid

import pytest
from sqlalchemy import func, select

from api.config import get_settings
from tests.factories import PASSWORD, visit_body


def snapshot() -> dict[str, int]:
    """Row count of every table, plus a digest of the visit and pain-point content."""
    from api.db import get_engine
    from api.models import metadata

    out = {}
    with get_engine().connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in ("login_failure", "auth_token"):  # sign-in attempts are recorded on purpose
                continue
            out[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
        visit = metadata.tables["visit"]
        out["visit_versions"] = conn.execute(select(func.coalesce(func.sum(visit.c.version), 0))).scalar_one()
    return out


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def visit_with(**changes) -> dict:
    body = visit_body(pain_points=1)
    body.update(changes)
    return body


def pain_point_with(**changes) -> dict:
    body = visit_body(pain_points=1)
    body["pain_points"][0].update(changes)
    return body


def corpus(existing_id: str) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, request kwargs). `existing_id` is a visit that exists (for edits)."""
    new = f"/api/visits/{uuid.uuid4()}"
    limit = get_settings().max_body_bytes
    raw = {"content-type": "application/json"}
    too_many = visit_body(pain_points=0)
    too_many["pain_points"] = [{"id": str(uuid.uuid4()), "text": f"Pain {i}", "severity": 3} for i in range(10_000)]
    return [
        # Size and shape
        ("oversized body", "PUT", new, {"content": b'{"notes": "' + b"x" * limit + b'"}', "headers": raw}),
        ("oversized sync", "POST", "/api/sync", {"content": b" " * (limit + 1), "headers": raw}),
        ("10,000 pain points in one visit", "PUT", new, {"json": too_many}),
        ("201 visits in one sync", "POST", "/api/sync", {"json": {"visits": [{}] * 201, "cursor": None}}),
        ("deeply nested JSON", "PUT", new, {"content": nested(100_000).encode(), "headers": raw}),
        ("deeply nested details", "PUT", new, {"content": json.dumps(visit_with(details={})).replace(
            '"details": {}', '"details": ' + nested(5_000)).encode(), "headers": raw}),
        ("nested sync visits", "POST", "/api/sync", {"content": b'{"visits": [' + nested(50_000).encode()
                                                     + b'], "cursor": null}', "headers": raw}),
        ("empty body", "PUT", new, {"content": b"", "headers": raw}),
        ("JSON null body", "PUT", new, {"content": b"null", "headers": raw}),
        ("JSON array body", "POST", "/api/sync", {"content": b"[]", "headers": raw}),
        ("truncated JSON", "PUT", new, {"content": json.dumps(visit_body())[:-7].encode(), "headers": raw}),
        # Encoding
        ("invalid UTF-8", "PUT", new, {"content": b'{"notes": "\xff\xfe\xc3\x28"}', "headers": raw}),
        ("invalid UTF-8 in sync", "POST", "/api/sync", {"content": b'{"visits": [], "cursor": "\xc3\x28"}',
                                                        "headers": raw}),
        ("lone surrogate", "PUT", new, {"content": json.dumps(visit_with(notes="\ud800")).encode(), "headers": raw}),
        ("NUL in notes", "PUT", new, {"json": visit_with(notes="a\x00b")}),
        ("NUL in private notes", "PUT", new, {"json": visit_with(private_notes="\x00")}),
        ("NUL in pain point", "PUT", new, {"json": pain_point_with(text="queue\x00")}),
        ("NUL in quote", "PUT", new, {"json": pain_point_with(quote="\x00")}),
        ("NUL in details", "PUT", new, {"json": visit_with(details={"role_worked": "till\x00"})}),
        ("NUL in sync cursor", "POST", "/api/sync", {"json": {"visits": [], "cursor": "v1|0|\x00"}}),
        ("NUL in sign-in email", "POST", "/api/auth/token", {"data": {"username": "a\x00@x.example",
                                                                     "password": PASSWORD}}),
        ("NUL in site name", "POST", "/api/sites", {"json": {"name": "Leeds\x00"}}),
        ("NUL in department name", "POST", "/api/departments", {"json": {"name": "\x00"}}),
        ("NUL in user name", "POST", "/api/users", {"json": {
            "email": "n@example.com", "display_name": "N\x00", "role": "executive", "password": "long enough pw"}}),
        # Numbers
        ("huge severity", "PUT", new, {"json": pain_point_with(severity=10**30)}),
        ("huge version", "PUT", new, {"json": visit_with(version=10**30)}),
        ("negative version", "PUT", new, {"json": visit_with(version=-1)}),
        ("huge journey step", "PUT", new, {"json": pain_point_with(journey_step=2**63)}),
        ("NaN severity", "PUT", new, {"content": json.dumps(pain_point_with(severity=3)).replace(
            '"severity": 3', '"severity": NaN').encode(), "headers": raw}),
        ("Infinity handle time", "PUT", new, {"content": json.dumps(visit_with(
            kind="listened_call", details={"handle_time_minutes": 1})).replace(
            '"handle_time_minutes": 1', '"handle_time_minutes": Infinity').encode(), "headers": raw}),
        ("1e400 minutes", "PUT", new, {"content": json.dumps(visit_with(
            kind="listened_call", details={"handle_time_minutes": 1})).replace(
            '"handle_time_minutes": 1', '"handle_time_minutes": 1e400').encode(), "headers": raw}),
        ("huge limit", "GET", "/api/visits?limit=99999999999999999999999", {}),
        ("huge offset", "GET", "/api/visits?offset=99999999999999999999999", {}),
        # Types
        ("text as a list", "PUT", new, {"json": pain_point_with(text=["a"])}),
        ("severity as a word", "PUT", new, {"json": pain_point_with(severity="high")}),
        ("pain points as an object", "PUT", new, {"json": visit_with(pain_points={"a": 1})}),
        ("visits as a string", "POST", "/api/sync", {"json": {"visits": "all of them", "cursor": None}}),
        ("details as a list", "PUT", new, {"json": visit_with(details=[1, 2])}),
        ("kind unknown", "PUT", new, {"json": visit_with(kind="mystery_shop")}),
        ("incognito as a string", "PUT", new, {"json": visit_with(incognito="maybe")}),
        ("unknown field", "PUT", new, {"json": visit_with(password="x")}),
        ("id that is not a UUID", "PUT", "/api/visits/not-a-uuid", {"json": visit_body()}),
        ("pain point id not a UUID", "PUT", new, {"json": pain_point_with(id="123")}),
        ("cursor not ours", "POST", "/api/sync", {"json": {"visits": [], "cursor": "bm90IGEgY3Vyc29y"}}),
        ("form instead of JSON", "PUT", new, {"data": {"kind": "shop_floor_shift"}}),
        # Time
        ("timestamp without a zone", "PUT", new, {"json": visit_with(started_at="2026-11-20T09:00:00")}),
        ("end without a zone", "PUT", new, {"json": visit_with(ended_at="2026-11-20T12:00:00")}),
        ("date only", "PUT", new, {"json": visit_with(started_at="2026-11-20")}),
        ("year 0", "PUT", new, {"json": visit_with(started_at="0000-01-01T00:00:00Z")}),
        ("year 10000", "PUT", new, {"json": visit_with(started_at="10000-01-01T00:00:00Z")}),
        ("ends before it starts", "PUT", new, {"json": visit_with(ended_at="2026-11-19T09:00:00+00:00")}),
        # Edits
        ("stale edit of an existing visit", "PUT", f"/api/visits/{existing_id}", {"json": visit_with(
            notes="overwrite attempt", version=0)}),
        ("path and body ids differ", "PUT", new, {"json": visit_with(id=str(uuid.uuid4()))}),
    ]


CASES = [name for name, *_ in corpus(str(uuid.uuid4()))]


@pytest.mark.parametrize("name", CASES)
def test_malformed_request_is_refused_and_changes_nothing(name, client, executive, admin):
    existing = str(uuid.uuid4())
    assert client.put(f"/api/visits/{existing}", json=visit_body(), headers=executive.headers).status_code == 201
    _, method, path, kwargs = next(case for case in corpus(existing) if case[0] == name)
    caller = admin if path.startswith(("/api/sites", "/api/departments", "/api/users")) else executive
    kwargs = {**kwargs, "headers": {**caller.headers, **kwargs.get("headers", {})}}
    before = snapshot()
    res = client.request(method, path, **kwargs)
    assert 400 <= res.status_code < 500, f"{name}: {res.status_code} {res.text[:300]}"
    body = res.json()
    assert set(body) >= {"error", "detail"} and body["error"], body
    assert body["detail"], f"{name}: an error must say what is wrong: {body}"
    assert snapshot() == before, name


def test_a_sync_batch_of_malformed_visits_is_rejected_one_by_one(client, executive):
    good = {**visit_body(), "id": str(uuid.uuid4())}
    bad = [
        {**visit_with(started_at="2026-11-20T09:00:00"), "id": str(uuid.uuid4())},
        {**pain_point_with(text="a\x00b"), "id": str(uuid.uuid4())},
        {**pain_point_with(severity=10**30), "id": str(uuid.uuid4())},
        {"id": "not-a-uuid"},
        {"no": "id"},
        {**visit_with(details={"role_worked": "x" * 10_000}), "id": str(uuid.uuid4())},
    ]
    before = snapshot()
    res = client.post("/api/sync", json={"visits": [*bad, good], "cursor": None}, headers=executive.headers)
    assert res.status_code == 200
    body = res.json()
    assert body["accepted"] == [good["id"]]
    assert len(body["rejected"]) == len(bad)
    assert all(r["errors"] for r in body["rejected"])
    after = snapshot()
    assert after["visit"] == before["visit"] + 1
    assert after["pain_point"] == before["pain_point"] + len(good["pain_points"])
