"""What a goal measures, read from the data: a KPI's latest period, a theme's pain points in a month, the open
pain points of the owning departments. Each as of a day (the baseline, today, the due date) and per period
(the series). Reads only."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlmodel import Session

from api.core.clock import utcnow
from api.goals.models import TargetType
from api.goals.progress import next_period
from api.kpis import builtin
from api.kpis.models import Kpi, KpiValue
from api.pain_points.models import CLOSED, PAIN, counted_conditions
from api.themes.models import Theme

MERGE_DEPTH = 50  # a chain of merges longer than this is not followed further


@dataclass(frozen=True)
class Measure:
    """One goal's measured quantity: the type, its KPI or (current) theme, site and owning departments."""

    type: TargetType
    kpi_key: str | None
    theme_id: uuid.UUID | None
    site_id: uuid.UUID | None
    department_ids: tuple[uuid.UUID, ...]
    theme_retired: bool = False  # a rebuild retired the theme with no successor: nothing is measured

    @property
    def no_theme(self) -> bool:
        """A theme_count goal whose theme was deleted, or retired with nowhere its pain points went."""
        return self.type == TargetType.theme_count and (self.theme_id is None or self.theme_retired)


def current_themes(session: Session, theme_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each theme → the theme its pain points are in now: itself, or the one its merges and rebuilds lead to.
    A merge sets theme.merged_into_id and its undo clears it; a rebuild that retires a theme records its
    successor (the theme most of its pain points went to), and clears it if a later rebuild revives the theme.
    Goals follow all of these without the themes package knowing them."""
    resolved = {t: t for t in theme_ids}
    ahead_of = func.coalesce(Theme.merged_into_id, Theme.successor_id)
    for _ in range(MERGE_DEPTH):
        ahead = dict(session.execute(select(Theme.id, ahead_of).where(
            Theme.id.in_(set(resolved.values())), ahead_of.is_not(None))).all())
        if not ahead:
            break
        resolved = {t: ahead.get(now, now) for t, now in resolved.items()}
    return resolved


def retired_themes(session: Session, theme_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these (current) themes are retired: a rebuild left them out and recorded no successor."""
    ids = {t for t in theme_ids if t is not None}
    return set(session.execute(select(Theme.id).where(Theme.id.in_(ids), Theme.retired_at.is_not(None)))
               .scalars()) if ids else set()


def period_of(session: Session, measure: Measure) -> str:
    if measure.type == TargetType.kpi:
        if measure.kpi_key in builtin.KEYS:
            return builtin.PULSE.period.value
        return str(session.execute(select(Kpi.period).where(Kpi.key == measure.kpi_key)).scalar_one())
    return "month" if measure.type == TargetType.theme_count else "week"


def _end_of(day: date) -> datetime:
    return min(datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC), utcnow())


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


# --- KPIs: the rows of a period averaged, weighted by responses when every row has them ---

def _kpi_rows(session: Session, measure: Measure, since: date | None, until: date) -> dict[date, float]:
    if measure.kpi_key in builtin.KEYS:
        return {} if measure.site_id else {
            v.period_start: v.value for v in builtin.pulse_values(session=session, since=since, until=until)}
    kpi_id = select(Kpi.id).where(Kpi.key == measure.kpi_key).scalar_subquery()
    where = [KpiValue.kpi_id == kpi_id, KpiValue.period_start <= until,
             *([KpiValue.period_start >= since] if since else []),
             *([KpiValue.site_id == measure.site_id] if measure.site_id else [])]
    rows = session.execute(
        select(KpiValue.period_start, func.sum(KpiValue.value * KpiValue.responses), func.sum(KpiValue.responses),
               func.count(KpiValue.responses), func.count(), func.avg(KpiValue.value))
        .where(*where).group_by(KpiValue.period_start)).all()
    out = {}
    for start, weighted, responses, with_responses, n, mean in rows:
        whole = with_responses == n and responses
        out[start] = float(weighted) / float(responses) if whole else float(mean)
    return out


def _kpi_latest(session: Session, measure: Measure, day: date) -> float | None:
    if measure.kpi_key in builtin.KEYS:
        rows = _kpi_rows(session, measure, None, day)
        return rows[max(rows)] if rows else None
    kpi_id = select(Kpi.id).where(Kpi.key == measure.kpi_key).scalar_subquery()
    latest = session.execute(select(func.max(KpiValue.period_start)).where(
        KpiValue.kpi_id == kpi_id, KpiValue.period_start <= day,
        *([KpiValue.site_id == measure.site_id] if measure.site_id else []))).scalar()
    return None if latest is None else _kpi_rows(session, measure, latest, latest).get(latest)


# --- pain points: a theme's in a month; the owning departments' open ones at a moment ---

def _theme_in(measure: Measure, start: datetime, end: datetime):
    return (select(func.count()).select_from(PAIN)
            .where(*counted_conditions(), PAIN.c.theme_id == measure.theme_id, PAIN.c.occurred_at >= start,
                   PAIN.c.occurred_at < end, *([PAIN.c.site_id == measure.site_id] if measure.site_id else []))
            .scalar_subquery())


def _open_at(measure: Measure, moment: datetime):
    owner = func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id)
    return (select(func.count()).select_from(PAIN)
            .where(*counted_conditions(), owner.in_(measure.department_ids), PAIN.c.occurred_at < moment,
                   or_(PAIN.c.status.not_in([str(s) for s in CLOSED]), PAIN.c.resolved_at >= moment),
                   *([PAIN.c.site_id == measure.site_id] if measure.site_id else []))
            .scalar_subquery())


def _counts(session: Session, queries: list) -> list[float]:
    return [float(n) for n in session.execute(select(*queries)).one()] if queries else []


def value_at(session: Session, measure: Measure, day: date) -> float | None:
    """The value as of `day` (today: the current value)."""
    if measure.type == TargetType.kpi:
        return _kpi_latest(session, measure, day)
    if measure.no_theme:
        return None
    if measure.type == TargetType.theme_count:
        month = day.replace(day=1)
        return _counts(session, [_theme_in(measure, _start_of(month), _start_of(next_period(month, "month")))])[0]
    return _counts(session, [_open_at(measure, _end_of(day))])[0]


def series(session: Session, measure: Measure, starts: list[date], period: str) -> list[float | None]:
    """One value per period starting at `starts` (one or two round trips)."""
    if not starts:
        return []
    if measure.type == TargetType.kpi:
        rows = _kpi_rows(session, measure, starts[0], starts[-1])
        return [rows.get(start) for start in starts]
    if measure.no_theme:
        return [None for _ in starts]
    if measure.type == TargetType.theme_count:
        return _counts(session, [_theme_in(measure, _start_of(s), _start_of(next_period(s, period)))
                                 for s in starts])
    return _counts(session, [_open_at(measure, _end_of(next_period(s, period) - timedelta(days=1)))
                             for s in starts])
