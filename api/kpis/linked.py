"""A theme's metrics: the KPIs of the sites and departments its pain points touch, over the same weeks (or
months), each with how the theme's pain-point count and the metric moved together."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlmodel import Session

from api.auth.models import User
from api.core.clock import utcnow
from api.errors import NotFound
from api.kpis import builtin, rank
from api.kpis.models import Kpi, KpiPeriod, KpiValue
from api.kpis.schemas import KpiPublic, LinkedKpi, LinkedPoint, Place, ThemeKpis
from api.kpis.service import readable_departments
from api.org.models import Department, Site
from api.pain_points.models import PAIN, counted_conditions
from api.themes.models import Theme

WEEKS = 52  # weekly metrics: the last 52 whole weeks
MONTHS = 24  # monthly metrics: the last 24 whole months (fewer would rarely reach the minimum sample)


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _period_of(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == KpiPeriod.week else day.replace(day=1)


def _windows(today: date) -> dict[str, tuple[date, date]]:
    """Per period: [since, until) of whole periods; the current, unfinished one is left out."""
    monday = _period_of(today, KpiPeriod.week)
    return {KpiPeriod.week: (monday - timedelta(weeks=WEEKS), monday),
            KpiPeriod.month: (_month_start(today, MONTHS), _month_start(today))}


def _places(session: Session, theme_id: uuid.UUID) -> tuple[list[Place], list[Place]]:
    """The sites and departments of the theme's counted pain points: one pass over the theme's rows (an index
    holds them with their site and department), then their names."""
    pairs = session.execute(select(PAIN.c.site_id, PAIN.c.department_id)
                            .where(*counted_conditions(), PAIN.c.theme_id == theme_id)
                            .group_by(PAIN.c.site_id, PAIN.c.department_id)).all()
    site_ids = {s for s, _ in pairs if s is not None}
    department_ids = {d for _, d in pairs if d is not None}
    sites = session.execute(select(Site.id, Site.name).where(Site.id.in_(site_ids)).order_by(Site.name)).all() \
        if site_ids else []
    departments = session.execute(select(Department.id, Department.name).where(Department.id.in_(department_ids))
                                  .order_by(Department.name)).all() if department_ids else []
    return [Place(id=i, name=n) for i, n in sites], [Place(id=i, name=n) for i, n in departments]


def _daily_counts(session: Session, theme_id: uuid.UUID, since: date) -> dict[date, int]:
    day = func.date(PAIN.c.occurred_at)
    rows = session.execute(
        select(day, func.count())
        .where(*counted_conditions(), PAIN.c.theme_id == theme_id,
               PAIN.c.occurred_at >= datetime.combine(since, time(0), tzinfo=UTC))
        .group_by(day))
    return {(d if isinstance(d, date) else date.fromisoformat(str(d))): n for d, n in rows}


def theme_kpis(*, session: Session, reader: User, theme_id: uuid.UUID) -> ThemeKpis:
    if session.get(Theme, theme_id) is None:
        raise NotFound("No such theme")
    sites, departments = _places(session, theme_id)
    windows = _windows(utcnow().date())
    since = min(start for start, _ in windows.values())
    metrics: list[LinkedKpi] = []
    if sites or departments:
        daily = _daily_counts(session, theme_id, since)
        per_period = {period: {} for period in windows}
        for day, n in daily.items():
            for period, counts in per_period.items():
                start = _period_of(day, period)
                counts[start] = counts.get(start, 0) + n
        found = _values(session, reader, sites, departments, since)
        found += _pulse(session, reader, departments, windows[KpiPeriod.month])
        metrics = [_linked(kpi, values, per_period[kpi.period], windows[kpi.period]) for kpi, values in found]
    return ThemeKpis(theme_id=theme_id, sites=sites, departments=departments, since=since,
                     min_sample_size=rank.MIN_PERIODS, metrics=metrics)


def _values(session: Session, reader: User, sites: list[Place], departments: list[Place],
            since: date) -> list[tuple[Kpi, dict[date, float]]]:
    """Each live KPI with values at these places: its value per period, averaged over the places (weighted by
    responses when every row has them). Executives see only the rows that the KPI values API shows them."""
    readable = readable_departments(session, reader)
    where = [Kpi.archived == False, KpiValue.period_start >= since,  # noqa: E712 - SQL, not Python
             or_(KpiValue.site_id.in_([p.id for p in sites]), KpiValue.department_id.in_([p.id for p in departments])),
             *([or_(KpiValue.department_id.is_(None), KpiValue.department_id.in_(readable))]
               if readable is not None else [])]
    rows = session.execute(
        select(KpiValue.kpi_id, KpiValue.period_start, func.sum(KpiValue.value * KpiValue.responses),
               func.sum(KpiValue.responses), func.count(KpiValue.responses), func.count(), func.avg(KpiValue.value))
        .join(Kpi, Kpi.id == KpiValue.kpi_id).where(*where)
        .group_by(KpiValue.kpi_id, KpiValue.period_start)).all()
    by_kpi: dict[uuid.UUID, dict[date, float]] = {}
    for kpi_id, start, weighted, responses, with_responses, n, mean in rows:
        whole = with_responses == n and responses
        by_kpi.setdefault(kpi_id, {})[start] = float(weighted) / float(responses) if whole else float(mean)
    kpis = session.execute(select(Kpi).where(Kpi.id.in_(by_kpi)).order_by(Kpi.kind, Kpi.name)).scalars() \
        if by_kpi else []
    return [(kpi, by_kpi[kpi.id]) for kpi in kpis]


def _pulse(session: Session, reader: User, departments: list[Place],
           window: tuple[date, date]) -> list[tuple[KpiPublic, dict[date, float]]]:
    """The built-in pulse as answered by the members of the theme's departments (those the reader may read):
    a month shows when enough of them answered (pulse_min_responses), like the organisation's pulse."""
    readable = readable_departments(session, reader)
    ids = [p.id for p in departments if readable is None or p.id in readable]
    if not ids:
        return []
    values = {v.period_start: v.value for v in builtin.pulse_values(
        session=session, since=window[0], until=window[1] - timedelta(days=1), department_ids=ids)}
    return [(builtin.PULSE, values)] if values else []


def _linked(kpi: Kpi | KpiPublic, values: dict[date, float], counts: dict[date, int],
            window: tuple[date, date]) -> LinkedKpi:
    start, end = window
    points = [LinkedPoint(period_start=day, value=value, pain_points=counts.get(day, 0))
              for day, value in sorted(values.items()) if start <= day < end]
    n = len(points)
    rho = rank.spearman([p.pain_points for p in points], [p.value for p in points]) \
        if n >= rank.MIN_PERIODS else None
    sentence = rank.describe(rho=rho, n=n, metric=kpi.name, period=str(kpi.period),
                             higher_is_better=kpi.higher_is_better)
    return LinkedKpi(key=kpi.key, name=kpi.name, kind=str(kpi.kind), unit=kpi.unit,
                     higher_is_better=kpi.higher_is_better, period=str(kpi.period), points=points, sample_size=n,
                     rho=None if rho is None else round(rho, 3), sentence=sentence)
