"""GET /api/dashboard/me: one person's own dashboard, every figure beside the one it is compared with.

Executives: their field time against the target, the pain points they reported and what came of them, their
departments' goals and KPIs. Managers: their departments' KPIs, goals, rising themes and overdue pain points
(the whole organisation when they belong to no department). Admins: the organisation's. Everything is a few
aggregate queries, goals included: api/goals measures all of them together (a few grouped queries per target
type, however many goals).
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select, text
from sqlmodel import Session

from api.auth.models import Role, User
from api.auth.users import department_ids as departments_of
from api.core.clock import utcnow
from api.dashboard.schemas import (
    Figure,
    GoalGlance,
    KpiTrend,
    MyDashboard,
    MyFieldTime,
    MyPainPoints,
    Outcome,
    Overdue,
    OverdueItem,
    RisingTheme,
)
from api.dashboard.service import hours_of, theme_counts
from api.dashboard.values import values_over_time
from api.goals.models import Comparison
from api.goals.service import list_goals
from api.kpis.trends import trends
from api.org.models import Department
from api.pain_points.models import CLOSED, OPEN_COUNTED, PAIN, Status, counted_conditions
from api.pain_points.schemas import Ref, ThemeRef
from api.privacy.reader import masked, shown
from api.settings.service import org_settings, reads_all_kpis
from api.themes.models import Theme

RISING_WINDOW = timedelta(weeks=4)
OWNER = func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id)


def figure(value: float | None, previous: float | None, *, higher_is_better: bool) -> Figure:
    if value is None or previous is None:
        return Figure(value=value, previous=previous, change=None, trend=None, higher_is_better=higher_is_better)
    change = round(value - previous, 4)
    trend = "same" if change == 0 else "better" if (change > 0) == higher_is_better else "worse"
    return Figure(value=value, previous=previous, change=change, trend=trend, higher_is_better=higher_is_better)


def _months(now: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    """This month's start and end; last month's start and the same moment into it (capped at its end)."""
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    before = datetime(now.year - (now.month == 1), (now.month - 2) % 12 + 1, 1, tzinfo=UTC)
    return start, end, before, min(before + (now - start), start)


def _field_time(session: Session, user: User, now: datetime) -> MyFieldTime:
    start, end, before, same_point = _months(now)
    (hours, visits), (hours_before, visits_before) = hours_of(
        session=session, author_id=user.id, spans=[(start, end), (before, same_point)])
    target = org_settings(session=session).field_hours_target
    return MyFieldTime(month=start.strftime("%Y-%m"), target_hours=target,
                       hours=figure(hours, hours_before, higher_is_better=True),
                       visits=figure(visits, visits_before, higher_is_better=True),
                       share_of_target=round(hours / target, 2) if target else None)


def _count(*where):
    return select(func.count()).select_from(PAIN).where(*counted_conditions(), *where).scalar_subquery()


def _open_at(moment: datetime, *where):
    return _count(PAIN.c.occurred_at < moment, *where,
                  or_(PAIN.c.status.not_in([str(s) for s in CLOSED]), PAIN.c.resolved_at >= moment))


def _pain_points(session: Session, user: User, now: datetime) -> MyPainPoints:
    start, _, before, same_point = _months(now)
    mine = PAIN.c.author_id == user.id
    resolved = PAIN.c.status == Status.resolved.value
    open_now, open_before, resolved_now, resolved_before = session.execute(select(
        _count(mine, text(OPEN_COUNTED)), _open_at(start, mine),
        _count(mine, resolved, PAIN.c.resolved_at >= start),
        _count(mine, resolved, PAIN.c.resolved_at >= before, PAIN.c.resolved_at < same_point))).one()
    rows = session.execute(
        select(PAIN.c.id, PAIN.c.text, PAIN.c.author_id, PAIN.c.status, PAIN.c.resolved_at, PAIN.c.resolution_note)
        .where(*counted_conditions(), mine, PAIN.c.status.in_([str(s) for s in CLOSED]))
        .order_by(PAIN.c.resolved_at.desc(), PAIN.c.id).limit(5)).all()
    outcomes = [Outcome(id=r.id, text=shown(r.text, author_id=r.author_id, reader_id=user.id) or "",
                        status=r.status, resolved_at=r.resolved_at, resolution_note=masked(r.resolution_note))
                for r in rows]
    return MyPainPoints(open=figure(open_now, open_before, higher_is_better=False),
                        resolved=figure(resolved_now, resolved_before, higher_is_better=True), outcomes=outcomes)


def _kpis(session: Session, user: User, scope: list[uuid.UUID] | None, names: dict, today: date) -> list[KpiTrend]:
    found = trends(session=session, today=today, department_ids=scope) if scope is not None else []
    if scope is None or (user.role == Role.executive and reads_all_kpis(session, user)):
        found += trends(session=session, today=today, department_ids=None)
    return [KpiTrend(key=t.kpi.key, name=t.kpi.name, kind=t.kpi.kind, unit=t.kpi.unit, period=t.kpi.period,
                     department=Ref(id=t.department_id, name=names.get(t.department_id, ""))
                     if t.department_id else None,
                     period_start=t.latest[0], previous_period_start=t.previous[0] if t.previous else None,
                     figure=figure(round(t.latest[1], 2), round(t.previous[1], 2) if t.previous else None,
                                   higher_is_better=t.kpi.higher_is_better))
            for t in found]


def _goals(session: Session, user: User, scope: list[uuid.UUID] | None) -> list[GoalGlance]:
    out = []
    for goal in list_goals(session=session, reader=user, department_ids=scope):
        p = goal.progress
        earlier = [s.value for s in p.series[:-1] if s.value is not None]
        previous = earlier[-1] if earlier else p.baseline
        out.append(GoalGlance(id=goal.id, title=goal.title, department_ids=goal.department_ids,
                              due_date=goal.due_date, status=p.status, comparison=goal.target.comparison,
                              target=p.target, figure=figure(p.current, previous, higher_is_better=(
                                  goal.target.comparison == Comparison.at_least))))
    return out


def _rising(session: Session, scope: list[uuid.UUID] | None, now: datetime) -> list[RisingTheme]:
    where = [OWNER.in_(scope)] if scope is not None else []
    counts = theme_counts(session, now - RISING_WINDOW, now - 2 * RISING_WINDOW, now, *where)
    rising = sorted(((t, c, p) for t, (c, p) in counts.items() if c > p), key=lambda r: (r[2] - r[1], -r[1]))[:5]
    labels = dict(session.execute(select(Theme.id, Theme.label).where(Theme.id.in_([r[0] for r in rising])))
                  .all()) if rising else {}
    return [RisingTheme(theme=ThemeRef(id=t, label=labels.get(t, "")),
                        figure=figure(c, p, higher_is_better=False)) for t, c, p in rising]


def _overdue(session: Session, user: User, scope: list[uuid.UUID] | None, names: dict, today: date) -> Overdue:
    where = [OWNER.in_(scope)] if scope is not None else []
    week_ago = today - timedelta(days=7)
    now_n, before_n = session.execute(select(
        _count(text(OPEN_COUNTED), PAIN.c.due_date < today, *where),
        _open_at(datetime.combine(week_ago, time(0), tzinfo=UTC), PAIN.c.due_date < week_ago, *where))).one()
    rows = session.execute(
        select(PAIN.c.id, PAIN.c.text, PAIN.c.author_id, PAIN.c.due_date, OWNER.label("owner"))
        .where(text(OPEN_COUNTED), PAIN.c.due_date < today, *where)
        .order_by(PAIN.c.due_date, PAIN.c.id).limit(5)).all()
    missing = {r.owner for r in rows if r.owner and r.owner not in names}
    if missing:
        names = {**names, **dict(session.execute(
            select(Department.id, Department.name).where(Department.id.in_(missing))).all())}
    items = [OverdueItem(id=r.id, text=shown(r.text, author_id=r.author_id, reader_id=user.id) or "",
                         due_date=r.due_date, department=Ref(id=r.owner, name=names.get(r.owner, ""))
                         if r.owner else None) for r in rows]
    return Overdue(count=figure(now_n, before_n, higher_is_better=False), items=items)


def my_dashboard(*, session: Session, user: User) -> MyDashboard:
    now = utcnow()
    today = now.date()
    mine = departments_of(session, [user.id])[user.id]
    names = dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(mine))).all()) \
        if mine else {}
    # None: the whole organisation (admins; managers who belong to no department)
    scope = None if user.role == Role.admin or (user.role == Role.manager and not mine) else mine
    executive = user.role == Role.executive
    return MyDashboard(
        role=user.role, as_of=now, organisation=scope is None,
        departments=sorted((Ref(id=d, name=names.get(d, "")) for d in mine), key=lambda r: r.name),
        field_time=_field_time(session, user, now) if executive else None,
        pain_points=_pain_points(session, user, now) if executive else None,
        kpis=_kpis(session, user, scope, names, today),
        goals=_goals(session, user, scope),
        rising_themes=[] if executive else _rising(session, scope, now),
        overdue=None if executive else _overdue(session, user, scope, names, today),
        values=values_over_time(session=session, user=user, scope=scope, today=today),
    )
