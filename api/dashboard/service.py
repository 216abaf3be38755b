"""Dashboard figures, aggregated in SQL on both PostgreSQL and SQLite (small dialect branches)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, select, text
from sqlmodel import Session

from api.auth.models import Role, User
from api.core.clock import utcnow
from api.core.kinds import VisitKind
from api.dashboard.schemas import (
    DepartmentCount,
    ExecutiveFieldTime,
    FieldTime,
    Flow,
    TeamFieldTime,
    ThemeMovement,
    WeekFlow,
)
from api.errors import Invalid, field_error
from api.org.models import Department
from api.pain_points.models import COUNTED, OPEN_COUNTED, PAIN, Status
from api.pain_points.schemas import Ref, ThemeRef
from api.settings.service import org_settings
from api.summaries import service as summaries
from api.themes.models import Theme
from api.visits.models import MAX_LENGTH, Visit

VISIT = Visit.__table__
KINDS = [k.value for k in VisitKind]


def _seconds_between(dialect: str, start, end):
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0  # SQLite stores UTC text


def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = map(int, month.split("-"))
    if not 1970 <= year <= 9000:
        raise Invalid([field_error(["query", "month"], "a year from 1970 to 9000")])
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _finished_between(start: datetime, end: datetime, *where):
    """The visits that count in field time: finished, not deleted, started in [start, end)."""
    return and_(VISIT.c.deleted_at.is_(None), VISIT.c.ended_at.is_not(None), VISIT.c.started_at >= start,
                VISIT.c.started_at < end, *where)


def _visit_seconds(dialect: str):
    # A visit counts at most MAX_LENGTH: writes are held to it, and this keeps rows stored before that
    # rule (one counted 719 hours) from swamping the month.
    elapsed = _seconds_between(dialect, VISIT.c.started_at, VISIT.c.ended_at)
    cap = MAX_LENGTH.total_seconds()
    return case((elapsed > cap, cap), (elapsed < 0, 0), else_=elapsed)


def hours_of(*, session: Session, author_id, spans: list[tuple[datetime, datetime]]) -> list[tuple[float, int]]:
    """One person's field time, the same rule as field_time: (hours, visits) per span, in one round trip."""
    seconds = _visit_seconds(session.get_bind().dialect.name)
    columns = []
    for start, end in spans:
        done = _finished_between(start, end, VISIT.c.author_id == author_id)
        columns += [select(func.coalesce(func.sum(seconds), 0)).where(done).scalar_subquery(),
                    select(func.count()).select_from(VISIT).where(done).scalar_subquery()]
    row = session.execute(select(*columns)).one()
    return [(round(float(row[2 * i]) / 3600, 2), int(row[2 * i + 1])) for i in range(len(spans))]


def field_time(*, session: Session, month: str) -> FieldTime:
    dialect = session.get_bind().dialect.name
    start, end = month_bounds(month)
    done = _finished_between(start, end)
    seconds = _visit_seconds(dialect)
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
    target = org_settings(session=session).field_hours_target
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


def _median_days(session: Session, dialect: str, where, n: int) -> float | None:
    """The median in SQL on both dialects: read the middle one or two of the `n` rows in order."""
    if not n:
        return None
    seconds = _seconds_between(dialect, PAIN.c.occurred_at, PAIN.c.resolved_at)
    middle = session.execute(select(seconds).where(where).order_by(seconds)
                             .offset((n - 1) // 2).limit(2 - n % 2)).scalars().all()
    return round(sum(float(m) for m in middle) / len(middle) / 86400, 1)


def _movement(theme_id, labels: dict, count: int, previous: int) -> ThemeMovement:
    return ThemeMovement(theme=ThemeRef(id=theme_id, label=labels.get(theme_id, "")), count=count,
                         previous=previous, change=count - previous)


def _weekly_counts(session: Session, column, weeks: list[datetime], *where) -> list[int]:
    """One count per week, each an index range count, all in one round trip."""
    counts = [
        select(func.count()).select_from(PAIN).where(*where, column >= a, column < b).scalar_subquery()
        for a, b in zip(weeks, weeks[1:], strict=False)
    ]
    return [int(n) for n in session.execute(select(*counts)).one()]


def theme_counts(session: Session, start: datetime, previous: datetime, end: datetime, *where) -> dict:
    """Per theme: pain points in the period and in the previous one (a single pass over both); `where`
    narrows the pain points (a personal dashboard's departments)."""
    current = func.sum(case((PAIN.c.occurred_at >= start, 1), else_=0))
    rows = session.execute(
        select(PAIN.c.theme_id, current, func.count())
        .where(text(COUNTED), PAIN.c.theme_id.is_not(None), PAIN.c.occurred_at >= previous,
               PAIN.c.occurred_at < end, *where)
        .group_by(PAIN.c.theme_id)
    )
    return {theme_id: [int(now), int(total) - int(now)] for theme_id, now, total in rows}


def top_and_movers(session: Session, themes: dict):
    rows = [(theme_id, now, before) for theme_id, (now, before) in themes.items()]
    top = sorted(rows, key=lambda r: (-r[1], -r[2]))[:5]
    movers = sorted((r for r in rows if r[1] != r[2]), key=lambda r: (-abs(r[1] - r[2]), -r[1]))[:5]
    wanted = {r[0] for r in (*top, *movers)}
    labels = dict(session.execute(select(Theme.id, Theme.label).where(Theme.id.in_(wanted))).all()
                  if wanted else [])
    return ([_movement(r[0], labels, r[1], r[2]) for r in top],
            [_movement(r[0], labels, r[1], r[2]) for r in movers])


def flow(*, session: Session, weeks: int = 12, until: date | None = None) -> Flow:
    """The current period (no `until`) comes from the stored summary when it is costly to compute."""
    if not 1 <= weeks <= 104:
        raise Invalid([field_error(["query", "weeks"], "between 1 and 104")])
    if until is not None:
        return _flow(session=session, weeks=weeks, until=until)
    payload, as_of = summaries.served(session=session, key=f"flow:{weeks}:{_week_end(utcnow().date())}")
    return Flow.model_validate({**payload, "as_of": as_of})


def flow_summary(session: Session, key: str) -> dict:
    """The stored summary `flow:<weeks>:<week end>` (declared in api/main.py)."""
    _, weeks, end_day = key.split(":")
    last = date.fromisoformat(end_day) - timedelta(days=1)
    return _flow(session=session, weeks=int(weeks), until=last).model_dump(mode="json", exclude={"as_of"})


def _week_end(day: date) -> date:
    """The Monday after the week that holds `day`."""
    return day - timedelta(days=day.weekday()) + timedelta(days=7)


def _flow(*, session: Session, weeks: int, until: date) -> Flow:
    dialect = session.get_bind().dialect.name
    if not 1970 <= until.year <= 9000:
        raise Invalid([field_error(["query", "until"], "a year from 1970 to 9000")])
    end_day = _week_end(until)
    end = datetime.combine(end_day, time(0), tzinfo=UTC)
    start = end - timedelta(weeks=weeks)
    previous = start - timedelta(weeks=weeks)
    counted = text(COUNTED)
    bounds = [start + timedelta(weeks=i) for i in range(weeks + 1)]
    opened = _weekly_counts(session, PAIN.c.occurred_at, bounds, counted)
    closed = {status: _weekly_counts(session, PAIN.c.resolved_at, bounds, counted, PAIN.c.status == status)
              for status in (Status.resolved.value, Status.wont_fix.value)}
    week_starts = [b.date() for b in bounds[:-1]]
    week_rows = [WeekFlow(week_start=day, opened=opened[i], resolved=closed[Status.resolved.value][i],
                          wont_fix=closed[Status.wont_fix.value][i]) for i, day in enumerate(week_starts)]
    resolved_in_period = and_(counted, PAIN.c.status == Status.resolved.value, PAIN.c.resolved_at >= start,
                              PAIN.c.resolved_at < end)
    resolved_n = sum(closed[Status.resolved.value])  # the same rows the median reads
    median = _median_days(session, dialect, resolved_in_period, resolved_n)
    owner = func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id)
    # The literal predicate matches the partial index ix_pain_point_open exactly.
    open_rows = session.execute(select(owner, func.count()).where(text(OPEN_COUNTED)).group_by(owner)).all()
    names = dict(session.execute(select(Department.id, Department.name)
                                 .where(Department.id.in_({d for d, _ in open_rows if d}))).all())
    by_department = sorted(
        (DepartmentCount(department=Ref(id=d, name=names.get(d, "")) if d else None, open=n)
         for d, n in open_rows),
        key=lambda c: (-c.open, c.department.name if c.department else ""))
    top, movers = top_and_movers(session, theme_counts(session, start, previous, end))
    return Flow(
        since=start.date(),
        until=end_day,
        previous_since=previous.date(),
        weeks=week_rows,
        median_days_to_resolve=median,
        resolved_in_period=resolved_n,
        open_by_department=by_department,
        top_themes=top,
        movers=movers,
        as_of=utcnow(),
    )
