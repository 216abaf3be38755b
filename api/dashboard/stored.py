"""A large organisation's personal dashboards: each person's figures computed in the background and stored
(the summary `me:<user id>:<role>`, api/summaries), so that opening Home costs a look-up, not a dozen
aggregates over the pain points. A small organisation's are computed on every request.

No text is stored: the pain points and goals a dashboard lists are kept by id, and their text is read and
masked for the reader on every request (api/privacy/reader.py), so a pain point deleted or a title edited since
shows at once. The figures show the data as of `as_of` (up to UNDERCOVER_SUMMARY_REFRESH_SECONDS ago); a change
of role is a new key, a change of departments shows at the next refresh.
"""

import uuid

from sqlalchemy import select
from sqlmodel import Session

from api.auth.models import Role, User
from api.dashboard import personal
from api.dashboard.schemas import MyDashboard
from api.goals.models import Goal
from api.pain_points.models import PAIN
from api.privacy.reader import masked, shown
from api.summaries import service as summaries

PREFIX = "me"


def _key(user: User) -> str:
    return f"{PREFIX}:{user.id}:{Role(user.role).value}"


def compute(session: Session, key: str) -> dict:
    """The stored summary `me:<user id>:<role>` (declared in api/main.py), with every text left out."""
    _, user_id, role = key.split(":")
    user = session.get(User, uuid.UUID(user_id))
    if user is None or not user.is_active or Role(user.role).value != role:
        return {}
    dashboard = personal.my_dashboard(session=session, user=user)
    for item in [*(dashboard.pain_points.outcomes if dashboard.pain_points else []),
                 *(dashboard.overdue.items if dashboard.overdue else [])]:
        item.text = ""
        if hasattr(item, "resolution_note"):
            item.resolution_note = None
    for goal in dashboard.goals:
        goal.title = ""
    return dashboard.model_dump(mode="json")


def _with_text(session: Session, dashboard: MyDashboard, reader: User) -> MyDashboard:
    """Fill in the listed pain points' and goals' text for this reader; drop pain points deleted since."""
    outcomes = dashboard.pain_points.outcomes if dashboard.pain_points else []
    overdue = dashboard.overdue.items if dashboard.overdue else []
    ids = [item.id for item in (*outcomes, *overdue)]
    rows = {r.id: r for r in session.execute(
        select(PAIN.c.id, PAIN.c.text, PAIN.c.author_id, PAIN.c.resolution_note)
        .where(PAIN.c.id.in_(ids), PAIN.c.deleted_at.is_(None)))} if ids else {}
    for item in (*outcomes, *overdue):
        if (row := rows.get(item.id)) is not None:
            item.text = shown(row.text, author_id=row.author_id, reader_id=reader.id) or ""
            if hasattr(item, "resolution_note"):
                item.resolution_note = masked(row.resolution_note)
    if dashboard.pain_points:
        dashboard.pain_points.outcomes = [o for o in outcomes if o.id in rows]
    if dashboard.overdue:
        dashboard.overdue.items = [o for o in overdue if o.id in rows]
    titles = {g.id: (g.title, g.created_by_id) for g in session.execute(
        select(Goal).where(Goal.id.in_([g.id for g in dashboard.goals]))).scalars()} if dashboard.goals else {}
    for goal in dashboard.goals:
        title, author = titles.get(goal.id, ("", None))
        goal.title = shown(title, author_id=author, reader_id=reader.id) or ""
    return dashboard


def my_dashboard(*, session: Session, user: User) -> MyDashboard:
    """GET /api/dashboard/me: the stored figures when computing them is slow, else live ones."""
    payload, _ = summaries.served(session=session, key=_key(user))
    if not payload:  # the person changed since (deactivated, another role): computed for them as they are now
        return personal.my_dashboard(session=session, user=user)
    return _with_text(session, MyDashboard.model_validate(payload), user)
