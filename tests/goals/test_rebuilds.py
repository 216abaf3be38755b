"""A goal on a theme that a rebuild retires follows the theme most of its pain points went to; when none took
them, the goal says so instead of counting an empty theme as success."""

import uuid

from sqlalchemy import update

from api.pain_points.models import PainPoint
from tests.factories import visit_body
from tests.goals.helpers import make_goal, read_goal
from tests.themes.test_api import log_visits, rebuild, themes_of

ODD = {"odd": ["The side entrance ramp for wheelchairs is broken"]}


def _put_in(session, theme, ids) -> None:
    """As an earlier rebuild left them: in `theme`, not locked there by a manager."""
    session.execute(update(PainPoint).where(PainPoint.id.in_([uuid.UUID(i) for i in ids]))
                    .values(theme_id=theme.id, theme_locked=False))
    session.commit()


def test_a_goal_follows_the_theme_a_rebuild_gave_its_pain_points_to(client, session, factory, executive,
                                                                      manager):
    ids = log_visits(client, executive)
    big, small = factory.theme(label="Slow refunds"), factory.theme(label="Refund delays")
    _put_in(session, big, ids["refunds"][:3])
    _put_in(session, small, ids["refunds"][3:])
    goal = make_goal(client, manager, [factory.department(), factory.department()], type="theme_count",
                     theme_id=str(small.id), comparison="at_most", value=4)
    assert (goal["progress"]["current"], goal["progress"]["status"]) == (2, "met")

    rebuild(client, manager)
    assert themes_of(ids["refunds"]) == {big.id}  # the larger part kept its theme; the smaller one is retired
    listed = {t["id"] for t in client.get("/api/themes", headers=manager.headers).json()}
    assert str(small.id) not in listed and str(big.id) in listed

    followed = read_goal(client, manager, goal["id"])
    assert followed["target"]["theme_id"] == str(big.id)
    assert followed["progress"]["current"] == 5 and followed["progress"]["baseline"] == 2
    assert followed["progress"]["status"] == "at_risk" and followed["progress"]["theme_retired"] is False
    [mine] = client.get("/api/goals", headers=manager.headers).json()
    assert mine["target"]["theme_id"] == str(big.id)


def test_a_goal_whose_theme_a_rebuild_retired_without_a_successor_says_so(client, session, factory, executive,
                                                                          manager):
    log_visits(client, executive)
    visit_id, body = uuid.uuid4(), visit_body(pain_points=ODD["odd"], quote=None, details={})
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 201
    gone = [p["id"] for p in body["pain_points"]]
    lonely = factory.theme(label="Broken ramp")
    _put_in(session, lonely, gone)
    goal = make_goal(client, manager, [factory.department(), factory.department()], type="theme_count",
                     theme_id=str(lonely.id), comparison="at_most", value=0)
    assert goal["progress"]["current"] == 1 and goal["progress"]["theme_retired"] is False
    assert client.delete(f"/api/visits/{visit_id}", headers=executive.headers).status_code == 204

    rebuild(client, manager)
    retired = read_goal(client, manager, goal["id"])
    assert retired["target"]["theme_id"] == str(lonely.id)
    progress = retired["progress"]
    # Not "met" on an empty theme: nothing is measured any more, and the goal says why.
    assert progress["theme_retired"] is True and progress["current"] is None
    assert progress["status"] == "at_risk" and {p["value"] for p in progress["series"]} == {None}

