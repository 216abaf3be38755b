"""A large organisation's goals are read from their stored progress (api/goals/stored.py), marked with when it
was measured and refreshed in the background; a goal made or changed since is measured live, never read from
an answer to another question."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from api.core.clock import utcnow
from api.summaries import service as summaries
from api.summaries.models import Summary
from api.summaries.worker import SummaryWorker
from tests.goals.helpers import log_pain_points, make_goal, read_goal


def key() -> str:
    return f"goals:{utcnow().date().isoformat()}"


def own_session() -> Session:
    """A session of its own: rolling back the test's would expire the rows the factory made, and reloading
    them would leave a transaction open that SQLite's writers wait for."""
    from api.db import get_engine

    return Session(get_engine())


def stored_at() -> datetime | None:
    with own_session() as s:
        return s.execute(select(Summary.computed_at).where(Summary.key == key())).scalar()


def refresh(name: str) -> None:
    """What the worker does at the next refresh."""
    with own_session() as s:
        summaries.refresh(session=s, key=name)


def progress(client, manager, goal) -> tuple[float, str]:
    p = read_goal(client, manager, goal["id"])["progress"]
    return p["current"], p["as_of"]


def test_a_slow_read_has_the_worker_store_the_days_progress(client, session, factory, executive, manager,
                                                             always_stored):
    a, b = factory.department(), factory.department()
    log_pain_points(client, executive, 3, department=a)
    goal = make_goal(client, manager, [a, b], value=0)
    assert progress(client, manager, goal)[0] == 3  # measured live: nothing is stored yet
    assert stored_at() is None
    SummaryWorker().step()  # what the server's worker does within seconds
    at = stored_at()
    assert at is not None

    log_pain_points(client, executive, 2, department=b)
    current, as_of = progress(client, manager, goal)
    assert current == 3 and datetime.fromisoformat(as_of) == at  # the stored figure, saying when it was measured
    listed = client.get("/api/goals", headers=manager.headers).json()
    assert [(g["progress"]["current"], g["progress"]["as_of"]) for g in listed] == [(3, as_of)]

    refresh(key())
    current, as_of = progress(client, manager, goal)
    assert current == 5 and datetime.fromisoformat(as_of) > at


def test_goals_made_or_changed_since_are_measured_live(client, session, factory, executive, manager,
                                                       always_stored):
    a, b = factory.department(), factory.department()
    log_pain_points(client, executive, 3, department=a)
    first = make_goal(client, manager, [a, b], title="Open in a and b", value=0)
    read_goal(client, manager, first["id"])
    SummaryWorker().step()
    at = stored_at()
    assert at is not None

    second = make_goal(client, manager, [b, factory.department()], title="Open in b", value=0)
    log_pain_points(client, executive, 1, department=b)
    by_title = {g["title"]: g["progress"] for g in client.get("/api/goals", headers=manager.headers).json()}
    assert (by_title["Open in a and b"]["current"], by_title["Open in a and b"]["as_of"]) == (3, at.isoformat()
                                                                                             .replace("+00:00", "Z"))
    assert by_title["Open in b"]["current"] == 1 and datetime.fromisoformat(by_title["Open in b"]["as_of"]) > at

    # An archived goal is in no stored answer either; reading it measures it.
    assert client.delete(f"/api/goals/{second['id']}", headers=manager.headers).status_code == 204
    archived = client.get("/api/goals", params={"include_archived": True}, headers=manager.headers).json()
    assert {g["title"]: g["progress"]["current"] for g in archived} == {"Open in a and b": 3, "Open in b": 1}


def test_small_organisations_measure_goals_on_every_read(client, session, factory, executive, manager,
                                                        summaries_on):
    a, b = factory.department(), factory.department()
    goal = make_goal(client, manager, [a, b], value=0)
    for n in range(1, 3):
        log_pain_points(client, executive, 1, department=a)
        assert progress(client, manager, goal)[0] == n
    SummaryWorker().step()
    assert stored_at() is None


def test_results_of_past_days_are_pruned(client, session, always_stored):
    refresh("goals:2026-01-01")
    refresh(key())
    session.execute(Summary.__table__.update().where(Summary.key == "goals:2026-01-01")
                    .values(computed_at=utcnow() - timedelta(days=2)))
    session.commit()
    assert summaries.prune(session) == 1
    assert session.execute(select(Summary.key)).scalars().all() == [key()]
