"""Dashboard figures, aggregated in SQL on both PostgreSQL and SQLite (small dialect branches)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlmodel import Session

from api.dashboard.models import (
    DepartmentCount,
    ExecutiveFieldTime,
    FieldTime,
    Flow,
    TeamFieldTime,
    ThemeMovement,
    WeekFlow,
)
from api.errors import Invalid
from api.org.models import Department
from api.pain_points.models import PainPoint, Status
from api.pain_points.schemas import Ref, ThemeRef
from api.pain_points.triage import OPEN
from api.settings.service import get_settings_row
from api.themes.models import Theme
from api.users.models import Role, User
from api.visits.details import VisitKind
from api.visits.models import Visit

VISIT = Visit.__table__
PAIN = PainPoint.__table__
KINDS = [k.value for k in VisitKind]


def _seconds_between(dialect: str, start, end):
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0  # SQLite stores UTC text


def _week_start(dialect: str, column):
    if dialect == "postgresql":
        return func.date_trunc("week", func.timezone("UTC", column))
    return func.date(column, "weekday 0", "-6 days")  # the Monday on or before (SQLite stores UTC)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = map(int, month.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=UTC)
    return start, end


def field_time(*, session: Session, month: str) -> FieldTime:
    dialect = session.get_bind().dialect.name
    start, end = month_bounds(month)
    done = and_(
        VISIT.c.deleted_at.is_(None),
        VISIT.c.ended_at.is_not(None),
        VISIT.c.started_at >= start,
        VISIT.c.started_at < end,
    )
    seconds = _seconds_between(dialect, VISIT.c.started_at, VISIT.c.ended_at)
    by_kind: dict = {}
    for author_id, kind, visits, total in session.execute(
        select(VISIT.c.author_id, VISIT.c.kind, func.count(), func.sum(seconds))
        .where(done)
        .group_by(VISIT.c.author_id, VISIT.c.kind)
    ):
        by_kind.setdefault(author_id, {})[kind] = (visits, float(total or 0))
    sites = dict(
        session.execute(
            select(VISIT.c.author_id, func.count(distinct(VISIT.c.site_id)))
            .where(done)
            .group_by(VISIT.c.author_id)
        ).all()
    )
    team_sites = session.execute(select(func.count(distinct(VISIT.c.site_id))).where(done)).scalar_one()
    executives = {
        u.id: u for u in session.scalars(select(User).where(User.is_active, User.role == Role.executive))
    }
    others = set(by_kind) - set(executives)
    people = {
        **executives,
        **({u.id: u for u in session.scalars(select(User).where(User.id.in_(others)))} if others else {}),
    }
    target = get_settings_row(session=session).field_hours_target
    rows = []
    for user_id, user in people.items():
        kinds = by_kind.get(user_id, {})
        hours = round(sum(s for _, s in kinds.values()) / 3600, 2)
        rows.append(
            ExecutiveFieldTime(
                executive=Ref(id=user_id, name=user.display_name),
                hours=hours,
                visits=sum(n for n, _ in kinds.values()),
                visits_by_kind={k: kinds.get(k, (0, 0))[0] for k in KINDS},
                distinct_sites=sites.get(user_id, 0),
                target_met=hours >= target,
                share_of_target=round(hours / target, 2) if target else None,
            )
        )
    rows.sort(key=lambda r: (-r.hours, r.executive.name))
    not_out = sorted(
        (Ref(id=u.id, name=u.display_name) for uid, u in executives.items() if uid not in by_kind),
        key=lambda r: r.name,
    )
    team = TeamFieldTime(
        hours=round(sum(r.hours for r in rows), 2),
        visits=sum(r.visits for r in rows),
        visits_by_kind={k: sum(r.visits_by_kind[k] for r in rows) for k in KINDS},
        distinct_sites=team_sites,
        executives=len(executives),
        executives_out=len(executives) - len(not_out),
    )
    return FieldTime(month=month, target_hours=target, executives=rows, team=team, not_out_this_month=not_out)


def _median_days(session: Session, dialect: str, where) -> tuple[float | None, int]:
    """The median in SQL on both dialects: count, then read the middle one or two in order."""
    n = session.execute(select(func.count()).select_from(PAIN).where(where)).scalar_one()
    if not n:
        return None, 0
    seconds = _seconds_between(dialect, PAIN.c.occurred_at, PAIN.c.resolved_at)
    middle = (
        session.execute(select(seconds).where(where).order_by(seconds).offset((n - 1) // 2).limit(2 - n % 2))
        .scalars()
        .all()
    )
    return round(sum(float(m) for m in middle) / len(middle) / 86400, 1), n


def _theme_movements(session: Session, start: datetime, previous: datetime, end: datetime):
    current = func.sum(case((PAIN.c.occurred_at >= start, 1), else_=0))
    before = func.sum(case((PAIN.c.occurred_at < start, 1), else_=0))
    rows = session.execute(
        select(PAIN.c.theme_id, current, before)
        .where(
            PAIN.c.theme_id.is_not(None),
            PAIN.c.deleted_at.is_(None),
            PAIN.c.duplicate_of_id.is_(None),
            PAIN.c.occurred_at >= previous,
            PAIN.c.occurred_at < end,
        )
        .group_by(PAIN.c.theme_id)
    ).all()
    top = sorted(rows, key=lambda r: (-r[1], -r[2]))[:5]
    movers = sorted((r for r in rows if r[1] != r[2]), key=lambda r: (-abs(r[1] - r[2]), -r[1]))[:5]
    wanted = {r[0] for r in (*top, *movers)}
    labels = (
        dict(session.execute(select(Theme.id, Theme.label).where(Theme.id.in_(wanted))).all())
        if wanted
        else {}
    )

    def move(r) -> ThemeMovement:
        return ThemeMovement(
            theme=ThemeRef(id=r[0], label=labels.get(r[0], "")), count=r[1], previous=r[2], change=r[1] - r[2]
        )

    return [move(r) for r in top], [move(r) for r in movers]


def flow(*, session: Session, weeks: int = 12, until: date | None = None) -> Flow:
    if not 1 <= weeks <= 104:
        raise Invalid([{"loc": ["query", "weeks"], "msg": "between 1 and 104", "type": "value_error"}])
    dialect = session.get_bind().dialect.name
    last = until or datetime.now(UTC).date()
    end_day = last - timedelta(days=last.weekday()) + timedelta(days=7)
    end = datetime.combine(end_day, time(0), tzinfo=UTC)
    start = end - timedelta(weeks=weeks)
    previous = start - timedelta(weeks=weeks)
    counted = and_(PAIN.c.deleted_at.is_(None), PAIN.c.duplicate_of_id.is_(None))
    week = {
        (start + timedelta(weeks=i)).date(): WeekFlow(
            week_start=(start + timedelta(weeks=i)).date(), opened=0, resolved=0, wont_fix=0
        )
        for i in range(weeks)
    }
    opened_week = _week_start(dialect, PAIN.c.occurred_at)
    for value, n in session.execute(
        select(opened_week, func.count())
        .where(counted, PAIN.c.occurred_at >= start, PAIN.c.occurred_at < end)
        .group_by(opened_week)
    ):
        week[_as_date(value)].opened = n
    closed_week = _week_start(dialect, PAIN.c.resolved_at)
    for value, status, n in session.execute(
        select(closed_week, PAIN.c.status, func.count())
        .where(
            counted,
            PAIN.c.resolved_at >= start,
            PAIN.c.resolved_at < end,
            PAIN.c.status.in_([Status.resolved.value, Status.wont_fix.value]),
        )
        .group_by(closed_week, PAIN.c.status)
    ):
        setattr(week[_as_date(value)], "resolved" if status == Status.resolved else "wont_fix", n)
    median, resolved_n = _median_days(
        session,
        dialect,
        and_(
            counted,
            PAIN.c.status == Status.resolved.value,
            PAIN.c.resolved_at >= start,
            PAIN.c.resolved_at < end,
        ),
    )
    owner = func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id)
    open_rows = session.execute(
        select(owner, func.count()).where(counted, PAIN.c.status.in_([s.value for s in OPEN])).group_by(owner)
    ).all()
    names = dict(
        session.execute(
            select(Department.id, Department.name).where(Department.id.in_({d for d, _ in open_rows if d}))
        ).all()
    )
    by_department = sorted(
        (
            DepartmentCount(department=Ref(id=d, name=names.get(d, "")) if d else None, open=n)
            for d, n in open_rows
        ),
        key=lambda c: (-c.open, c.department.name if c.department else ""),
    )
    top, movers = _theme_movements(session, start, previous, end)
    return Flow(
        since=start.date(),
        until=end_day,
        previous_since=previous.date(),
        weeks=list(week.values()),
        median_days_to_resolve=median,
        resolved_in_period=resolved_n,
        open_by_department=by_department,
        top_themes=top,
        movers=movers,
    )
