"""The weekly digest: Monday 08:00 in the organisation's time zone, once per week (unless forced), quiet
when there is nothing to say; and `undercover digest send`."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from api.core.clock import utcnow
from api.messages import digest
from api.messages.models import DigestRun
from tests.cli_helpers import run_cli
from tests.factories import fetch, visit_body
from tests.messages.helpers import inbox_of


def next_monday_morning() -> datetime:
    now = utcnow()
    return (now + timedelta(days=7 - now.weekday())).replace(hour=9, minute=0)


def log_points(client, author, manager, n=3) -> list[str]:
    body = visit_body(pain_points=[{"text": f"Tills closed at lunch ({i})", "quote": "Never again, jane@x.example"}
                                   for i in range(n)])
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=author.headers).status_code == 201
    pid = body["pain_points"][0]["id"]
    res = client.patch(f"/api/pain-points/{pid}", json={"status": "resolved", "resolution_note": "Rota"},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    return [p["id"] for p in body["pain_points"]]


def test_quiet_weeks_send_nothing_and_are_not_sent_twice(client, session, manager):
    outcome, d, _ = digest.send(session)
    assert outcome == "quiet" and d.quiet
    assert inbox_of(manager.id) == []
    assert digest.send(session)[0] == "already sent"


def test_a_digest_reaches_managers_once_per_week_with_masked_quotes(client, session, executive, manager, admin):
    log_points(client, executive, manager)
    monday = next_monday_morning()
    outcome, d, people = digest.send(session, now=monday)
    assert outcome == "sent" and {p.id for p in people} == {manager.id, admin.id}
    assert d.new == 3 and d.resolved_count == 1 and len(d.quotes) == 3
    [note] = inbox_of(manager.id)
    assert note.kind == "digest" and "New pain points: 3. Resolved: 1." in note.body
    assert "jane" not in note.body and "[email]" in note.body
    assert inbox_of(executive.id) == []
    assert digest.send(session, now=monday)[0] == "already sent"
    assert digest.send(session, now=monday, force=True)[0] == "sent"
    assert len(inbox_of(manager.id)) == 2
    assert len(fetch(select(DigestRun))) == 2


@pytest.mark.parametrize(("zone", "utc_time", "due"), [
    ("UTC", datetime(2026, 11, 30, 7, 59, tzinfo=UTC), False),   # Monday 07:59
    ("UTC", datetime(2026, 11, 30, 8, 0, tzinfo=UTC), True),
    ("Pacific/Auckland", datetime(2026, 11, 29, 19, 0, tzinfo=UTC), True),  # Monday 08:00 in Auckland
    ("America/New_York", datetime(2026, 11, 30, 12, 59, tzinfo=UTC), False),  # Monday 07:59 in New York
])
def test_the_digest_goes_out_on_monday_at_eight_in_the_organisations_time_zone(client, session, admin, executive,
                                                                              manager, monkeypatch, zone, utc_time,
                                                                              due):
    assert client.patch("/api/settings", json={"time_zone": zone}, headers=admin.headers).status_code == 200
    log_points(client, executive, manager)
    monkeypatch.setattr(digest, "utcnow", lambda: utc_time)
    outcome = digest.send_if_due(session)
    assert (outcome is not None) == due
    if due:
        assert digest.send_if_due(session) is None  # once


def test_the_time_zone_setting_is_checked(client, admin):
    assert client.patch("/api/settings", json={"time_zone": "Mars/Olympus"}, headers=admin.headers).status_code == 422
    res = client.patch("/api/settings", json={"time_zone": "Europe/London"}, headers=admin.headers)
    assert res.status_code == 200 and res.json()["time_zone"] == "Europe/London"


def into_last_week() -> None:
    """Move every pain point into the week before this one (what this week's digest is about)."""
    from sqlalchemy import update
    from sqlmodel import Session

    from api.db import get_engine
    from api.pain_points.models import PainPoint

    start = utcnow() - timedelta(days=utcnow().weekday() + 3)
    with Session(get_engine()) as s:
        s.execute(update(PainPoint).values(created_at=start))
        s.execute(update(PainPoint).where(PainPoint.resolved_at.is_not(None)).values(resolved_at=start))
        s.commit()


def test_the_command_sends_once_dry_runs_and_forces(client, database_url, executive, manager):
    log_points(client, executive, manager)
    into_last_week()
    dry = run_cli(database_url, "digest", "send", "--dry-run")
    assert dry.returncode == 0 and "dry run" in dry.stdout and "New pain points: 3" in dry.stdout, dry.stderr
    assert fetch(select(DigestRun)) == []
    first = run_cli(database_url, "digest", "send")
    assert first.returncode == 0 and "sent to 1 managers" in first.stdout, first.stdout + first.stderr
    again = run_cli(database_url, "digest", "send")
    assert "sent already" in again.stdout
    forced = run_cli(database_url, "digest", "send", "--force")
    assert "sent to 1 managers" in forced.stdout
    assert len(inbox_of(manager.id)) == 2


def test_on_the_20th_executives_not_out_or_without_a_pulse_are_reminded_once(client, session, factory):
    from api.messages.models import Kind

    out, idle = factory.user(role="executive"), factory.user(role="executive")
    factory.user(role="manager")
    now = utcnow()
    start = now.replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    body = visit_body(start=start, hours=2, pain_points=0)
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=out.headers).status_code == 201
    questions = client.get("/api/pulse/questions", headers=out.headers).json()
    answers = [{"question_id": q["id"], "score": 7} if q["kind"] == "scale" else
               {"question_id": q["id"], "text": "Fine"} for q in questions]
    assert client.put("/api/pulse/me", json={"answers": answers}, headers=out.headers).status_code == 200
    assert digest.send_monthly_reminders(session, now=now.replace(day=19)) is None
    sent = digest.send_monthly_reminders(session, now=now.replace(day=20, hour=12))
    assert sent == 2
    assert sorted(n.kind for n in inbox_of(idle.id)) == sorted([Kind.field_reminder, Kind.pulse_reminder])
    assert inbox_of(out.id) == []
    assert digest.send_monthly_reminders(session, now=now.replace(day=21)) is None  # once a month


def test_the_digest_carries_the_weeks_best_bright_spots_masked(client, session, factory, executive, manager, admin):
    from tests.bright_spots.test_api import spot, value_id

    own_it = value_id(client, admin)
    spots = [spot("Plain thanks, nothing more"),
             spot("Walked a customer to the aisle, mail jane@x.example", recognise="Priya", value_id=own_it),
             spot("Fixed the till in a minute", value_id=own_it),
             spot("Called a cab for an old customer", recognise="Sam on 07700 900123"),
             spot("Smiled at everyone")]
    body = {**visit_body(pain_points=0), "bright_spots": spots}
    assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers).status_code == 201
    outcome, d, _ = digest.send(session, now=next_monday_morning())
    assert outcome == "sent"  # bright spots alone are worth a digest
    assert d.bright_spots == ["“Walked a customer to the aisle, mail [email]” (lives “Own it”; thanks to Priya)",
                              "“Fixed the till in a minute” (lives “Own it”)",
                              "“Called a cab for an old customer” (thanks to Sam on [phone])"]
    [note] = inbox_of(manager.id)
    assert "Bright spot: “Walked a customer to the aisle, mail [email]” (lives “Own it”; thanks to Priya)" in note.body
    assert "jane" not in note.body and "07700" not in note.body and "Smiled" not in note.body


def test_a_week_without_bright_spots_says_nothing_of_them(client, session, executive, manager):
    log_points(client, executive, manager)
    outcome, d, _ = digest.send(session, now=next_monday_morning())
    assert outcome == "sent" and d.bright_spots == []
    [note] = inbox_of(manager.id)
    assert "Bright spot" not in note.body
