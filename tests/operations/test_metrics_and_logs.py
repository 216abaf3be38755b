"""Operators' view: GET /api/metrics counters and the one-line-per-request JSON log."""

import json
import logging
import uuid

from tests.factories import visit_body


def test_metrics_count_requests_and_rows(client, admin, executive):
    before = client.get("/api/metrics", headers=admin.headers).json()
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=visit_body(pain_points=3),
                      headers=executive.headers).status_code == 201
    client.get("/api/nothing-here", headers=executive.headers)
    res = client.get("/api/metrics", headers=admin.headers)
    assert res.status_code == 200
    after = res.json()
    proc, db = after["process"], after["database"]
    assert proc["requests_total"] >= before["process"]["requests_total"] + 3
    assert proc["id"].endswith(":" + proc["id"].rsplit(":", 1)[1]) and proc["uptime_seconds"] >= 0
    counted = {(r["method"], r["route"], r["status"]): r["count"] for r in proc["requests"]}
    assert counted[("PUT", "/api/visits/{visit_id}", 201)] >= 1
    assert counted[("GET", "/api/*", 404)] >= 1  # unknown paths share one label: no unbounded series
    assert any(r["route"] == "/api/visits/{visit_id}" and r["mean_ms"] > 0 for r in proc["latency"])
    assert db["visits"] == 1 and db["pain_points"] == 3
    assert db["users"] == 2 and db["active_tokens"] == 2


def test_metrics_are_for_admins_only(client, manager, executive):
    assert client.get("/api/metrics").status_code == 401
    assert client.get("/api/metrics", headers=manager.headers).status_code == 403
    assert client.get("/api/metrics", headers=executive.headers).status_code == 403


def test_one_structured_log_line_per_request(client, executive, caplog):
    visit_id = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="undercover.request"):
        res = client.put(f"/api/visits/{visit_id}?probe=secret-query", json=visit_body(),
                         headers=executive.headers)
        client.get("/api/me")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "undercover.request"]
    assert len(lines) == 2
    put, me = lines
    assert set(put) == {"request_id", "method", "route", "status", "duration_ms"}
    assert put["request_id"] == res.headers["x-request-id"]
    assert (put["method"], put["route"], put["status"]) == ("PUT", "/api/visits/{visit_id}", 201)
    assert put["duration_ms"] > 0
    assert (me["route"], me["status"]) == ("/api/me", 401)
    # The route template, never the concrete path or query: no ids, no query strings.
    assert str(visit_id) not in caplog.text and "secret-query" not in caplog.text
