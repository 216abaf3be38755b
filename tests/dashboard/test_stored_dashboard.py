"""A large organisation's personal dashboards are stored (api/dashboard/stored.py): figures as of when they were
computed, but no text in the stored copy; the pain points and goals listed get their text, masked for the
reader, on every request, and one deleted since is gone at once."""

import json

from sqlalchemy import select, update
from sqlmodel import Session

from api.auth.models import User
from api.summaries.models import Summary
from tests.dashboard.test_my_dashboard import NOTE_WITH_PHONE, log, me
from tests.goals.helpers import join, make_goal


def stored_payload(user_id) -> dict | None:
    from api.db import get_engine

    with Session(get_engine()) as s:  # not the test's session: see tests/goals/test_stored.py
        return s.execute(select(Summary.payload).where(Summary.key.like(f"me:{user_id}:%"))).scalar()


def test_the_stored_dashboard_holds_figures_and_reads_text_for_the_reader(client, factory, executive, manager,
                                                                         always_stored):
    a, b = factory.department(), factory.department()
    first, second = log(client, executive, ["Card reader froze at till 3", "Queue out of the door"])
    res = client.patch(f"/api/pain-points/{first}", json={"status": "resolved", "resolution_note": NOTE_WITH_PHONE},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    make_goal(client, manager, [a, b], title="Fewer queues for Dana Smith")
    before = me(client, executive)
    payload = stored_payload(executive.user.id)
    assert payload is not None and payload["pain_points"]["open"]["value"] == 1
    stored = json.dumps(payload)
    assert "Card reader" not in stored and "07700" not in stored and "Dana" not in stored

    log(client, executive, ["Tills closed at noon"])
    again = me(client, executive)
    assert again["as_of"] == before["as_of"] and again["pain_points"]["open"]["value"] == 1  # stored figures
    (outcome,) = again["pain_points"]["outcomes"]
    assert outcome["text"] == "Card reader froze at till 3"  # their own words, read now
    assert "07700" not in outcome["resolution_note"] and outcome["resolution_note"].startswith("Fixed")

    # The visit withdrawn: its pain points leave the stored dashboard's list at once.
    visit_id = client.get(f"/api/pain-points/{second}", headers=manager.headers).json()["visit_id"]
    assert client.delete(f"/api/visits/{visit_id}", headers=executive.headers).status_code == 204
    assert me(client, executive)["pain_points"]["outcomes"] == []


def test_a_new_role_is_a_new_dashboard_at_once(client, session, factory, executive, manager, always_stored):
    join(session, manager, factory.department())
    assert me(client, manager)["role"] == "manager"
    session.execute(update(User).where(User.id == manager.user.id).values(role="executive"))
    session.commit()
    now = me(client, manager)
    assert now["role"] == "executive" and now["rising_themes"] == [] and now["field_time"] is not None
