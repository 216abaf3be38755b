import csv
import io

from tests.pain_points.helpers import make_theme, report, triage


def comment(client, actor, pid, body="Looking into it"):
    return client.post(f"/api/pain-points/{pid}/comments", json={"body": body}, headers=actor.headers)


def test_comments_and_status_reach_the_executive_who_reported(client, manager, executive, other_executive):
    _, (pid,) = report(client, executive)
    res = comment(client, manager, pid, "Store ops are on it")
    assert res.status_code == 201
    assert res.json()["author"] == {"id": str(manager.id), "name": "Manager"}
    assert comment(client, executive, pid, "Thanks, it happened again on Monday").status_code == 201
    triage(client, manager, pid, status="in_progress")
    detail = client.get(f"/api/pain-points/{pid}", headers=executive.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "in_progress"
    assert [c["body"] for c in body["comments"]] == [
        "Store ops are on it",
        "Thanks, it happened again on Monday",
    ]
    assert body["comment_count"] == 2
    assert [
        c["body"] for c in client.get(f"/api/pain-points/{pid}/comments", headers=executive.headers).json()
    ] == [c["body"] for c in body["comments"]]
    mine = client.get("/api/my/pain-points", headers=executive.headers).json()["items"]
    assert mine[0]["status"] == "in_progress" and mine[0]["comment_count"] == 2
    # Another executive can neither read nor comment.
    assert client.get(f"/api/pain-points/{pid}", headers=other_executive.headers).status_code == 403
    assert client.get(f"/api/pain-points/{pid}/comments", headers=other_executive.headers).status_code == 403
    assert comment(client, other_executive, pid).status_code == 403


def test_comment_validation(client, manager, executive):
    _, (pid,) = report(client, executive)
    assert comment(client, manager, pid, "   ").status_code == 422
    assert comment(client, manager, pid, "x" * 2001).status_code == 422
    assert comment(client, manager, pid, "x" * 2000).status_code == 201
    assert (
        client.post(
            f"/api/pain-points/{pid}/comments", json={"body": "hi", "extra": 1}, headers=manager.headers
        ).status_code
        == 422
    )
    assert comment(client, manager, "00000000-0000-0000-0000-000000000000").status_code == 404


def test_csv_export_follows_the_filters(client, session, factory, manager, executive):
    site, dept, owner = (
        factory.site(name="Leeds"),
        factory.department(name="Tills"),
        factory.department(name="Ops"),
    )
    theme = make_theme(session, "Queues")
    _, (a, b) = report(
        client,
        executive,
        {"text": "Queue, long; call 07700 900123", "severity": 5, "department_id": dept.id},
        "Other thing",
        site_id=site.id,
    )
    triage(
        client,
        manager,
        a,
        theme_id=str(theme.id),
        owner_department_id=str(owner.id),
        assignee_id=str(manager.id),
        status="acknowledged",
    )
    res = client.get("/api/pain-points/export.csv", params={"severity_min": 4}, headers=manager.headers)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(res.text)))
    assert rows[0] == [
        "ref",
        "text",
        "severity",
        "felt_by",
        "visit_kind",
        "site",
        "department",
        "occurred_at",
        "theme_id",
        "theme_label",
        "status",
        "owner",
        "assignee",
    ]
    assert rows[1:] == [
        [
            a,
            "Queue, long; call [phone]",
            "5",
            "customer",
            "shop_floor_shift",
            "Leeds",
            "Tills",
            "2026-11-20T09:00:00+00:00",
            str(theme.id),
            "Queues",
            "acknowledged",
            "Ops",
            "Manager",
        ]
    ]
    everything = client.get("/api/pain-points/export.csv", headers=manager.headers)
    assert len(list(csv.reader(io.StringIO(everything.text)))) == 3
    assert everything.headers["x-row-count"] == "2"
    assert client.get("/api/pain-points/export.csv", headers=executive.headers).status_code == 403
