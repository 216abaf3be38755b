"""What a goal measures, read from the data: a KPI's latest period, a theme's pain points in a month, the open
pain points of the owning departments. Each as of a day (the baseline, today, the due date) and per period
(the series), for many goals at once (`evaluate`: a few grouped queries per target type). Reads only."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from api.core.clock import utcnow
from api.goals import counts
from api.goals.models import TargetType
from api.goals.progress import next_period
from api.kpis import builtin
from api.kpis.models import Kpi, KpiValue
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


@dataclass(frozen=True)
class Ask:
    """What to measure for one goal: the value per period starting at `starts` (its series), and the value as
    of each of `days` (today: the current value; the baseline; the due date)."""

    measure: Measure
    period: str
    starts: list[date]
    days: list[date]


@dataclass(frozen=True)
class Answer:
    series: list[float | None]
    at: dict[date, float | None]


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


def _end_of(day: date, now: datetime) -> datetime:
    return min(datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC), now)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


# --- KPIs: the rows of a period averaged, weighted by responses when every row has them ---

_AGGREGATES = (func.sum(KpiValue.value * KpiValue.responses), func.sum(KpiValue.responses),
               func.count(KpiValue.responses), func.count(), func.avg(KpiValue.value))


def _average(weighted, responses, with_responses: int, n: int, mean) -> float:
    whole = with_responses == n and responses
    return float(weighted) / float(responses) if whole else float(mean)


def _kpi_rows(session: Session, measure: Measure, since: date | None, until: date) -> dict[date, float]:
    if measure.kpi_key in builtin.KEYS:
        return {} if measure.site_id else {
            v.period_start: v.value for v in builtin.pulse_values(session=session, since=since, until=until)}
    kpi_id = select(Kpi.id).where(Kpi.key == measure.kpi_key).scalar_subquery()
    where = [KpiValue.kpi_id == kpi_id, KpiValue.period_start <= until,
             *([KpiValue.period_start >= since] if since else []),
             *([KpiValue.site_id == measure.site_id] if measure.site_id else [])]
    rows = session.execute(select(KpiValue.period_start, *_AGGREGATES).where(*where)
                           .group_by(KpiValue.period_start)).all()
    return {start: _average(*aggregates) for start, *aggregates in rows}


def _kpi_latest(session: Session, measure: Measure, day: date) -> float | None:
    if measure.kpi_key in builtin.KEYS:
        rows = _kpi_rows(session, measure, None, day)
        return rows[max(rows)] if rows else None
    kpi_id = select(Kpi.id).where(Kpi.key == measure.kpi_key).scalar_subquery()
    latest = session.execute(select(func.max(KpiValue.period_start)).where(
        KpiValue.kpi_id == kpi_id, KpiValue.period_start <= day,
        *([KpiValue.site_id == measure.site_id] if measure.site_id else []))).scalar()
    return None if latest is None else _kpi_rows(session, measure, latest, latest).get(latest)


def _kpi_grouped(session: Session, asks: list[Ask], since: date, until: date) -> dict[tuple, dict[date, float]]:
    """(KPI key, site or None) → period → value, for every (key, site) asked: one query for the goals on every
    site, one for those on one site. Grouped by KPI id and period, the order of the unique index."""
    out: dict[tuple, dict[date, float]] = {}
    ids = dict(session.execute(select(Kpi.id, Kpi.key).where(Kpi.key.in_({a.measure.kpi_key for a in asks}))).all())
    window = [KpiValue.period_start >= since, KpiValue.period_start <= until]
    everywhere = {i for i, key in ids.items() if any(a.measure.kpi_key == key and not a.measure.site_id for a in asks)}
    if everywhere:
        for kpi_id, start, *aggregates in session.execute(
                select(KpiValue.kpi_id, KpiValue.period_start, *_AGGREGATES)
                .where(KpiValue.kpi_id.in_(everywhere), *window).group_by(KpiValue.kpi_id, KpiValue.period_start)):
            out.setdefault((ids[kpi_id], None), {})[start] = _average(*aggregates)
    placed = {(a.measure.kpi_key, a.measure.site_id) for a in asks if a.measure.site_id is not None}
    if placed:
        for kpi_id, site, start, *aggregates in session.execute(
                # by site only: the few sites' rows come from the site index (the KPIs are picked below)
                select(KpiValue.kpi_id, KpiValue.site_id, KpiValue.period_start, *_AGGREGATES)
                .where(KpiValue.site_id.in_({site for _, site in placed}), *window)
                .group_by(KpiValue.kpi_id, KpiValue.site_id, KpiValue.period_start)):
            if (ids.get(kpi_id), site) in placed:
                out.setdefault((ids[kpi_id], site), {})[start] = _average(*aggregates)
    return out


def _kpis(session: Session, asks: list[tuple[int, Ask]], out: list[Answer]) -> None:
    """A day's value is the latest period's on or before it. Rows are read from the earliest period asked; a
    day with no period in that window (or a built-in KPI) is looked up on its own."""
    stored = [(i, a) for i, a in asks if a.measure.kpi_key not in builtin.KEYS]
    since = min((d for _, a in stored for d in (*a.starts, *a.days)), default=None)
    until = max((d for _, a in stored for d in (*a.starts, *a.days)), default=None)
    grouped = _kpi_grouped(session, [a for _, a in stored], since, until) if stored else {}
    for i, a in asks:
        if a.measure.kpi_key in builtin.KEYS:
            rows = _kpi_rows(session, a.measure, a.starts[0], a.starts[-1]) if a.starts else {}
            out[i] = Answer(series=[rows.get(s) for s in a.starts],
                            at={day: _kpi_latest(session, a.measure, day) for day in a.days})
            continue
        rows = grouped.get((a.measure.kpi_key, a.measure.site_id), {})
        at = {}
        for day in a.days:
            earlier = [start for start in rows if start <= day]
            at[day] = rows[max(earlier)] if earlier else _kpi_latest(session, a.measure, day)
        out[i] = Answer(series=[rows.get(s) for s in a.starts], at=at)


# --- many goals at once: a few grouped queries per target type ---

def periods_of(session: Session, measures: list[Measure]) -> list[str]:
    """Each measure's period (one query for every KPI)."""
    keys = {m.kpi_key for m in measures if m.type == TargetType.kpi and m.kpi_key not in builtin.KEYS}
    kpis = dict(session.execute(select(Kpi.key, Kpi.period).where(Kpi.key.in_(keys))).all()) if keys else {}
    out = []
    for m in measures:
        if m.type != TargetType.kpi:
            out.append("month" if m.type == TargetType.theme_count else "week")
        else:
            out.append(builtin.PULSE.period.value if m.kpi_key in builtin.KEYS else str(kpis[m.kpi_key]))
    return out


def _month(day: date) -> tuple[datetime, datetime]:
    start = day.replace(day=1)
    return _start_of(start), _start_of(next_period(start, "month"))


def _themes(session: Session, asks: list[tuple[int, Ask]], out: list[Answer]) -> None:
    windows = {i: ([(_start_of(s), _start_of(next_period(s, a.period))) for s in a.starts],
                   [_month(day) for day in a.days]) for i, a in asks}
    count = counts.theme_windows(session, {a.measure.theme_id for _, a in asks},
                                 {a.measure.site_id for _, a in asks if a.measure.site_id},
                                 {w for series, days in windows.values() for w in (*series, *days)})
    for i, a in asks:
        series, days = windows[i]
        theme, site = a.measure.theme_id, a.measure.site_id
        out[i] = Answer(series=[float(count(theme, site, w)) for w in series],
                        at={day: float(count(theme, site, w)) for day, w in zip(a.days, days, strict=True)})


def _open(session: Session, asks: list[tuple[int, Ask]], out: list[Answer]) -> None:
    now = utcnow()  # one "now" for every moment that reaches it
    moments = {i: ([_end_of(next_period(s, a.period) - timedelta(days=1), now) for s in a.starts],
                   [_end_of(day, now) for day in a.days]) for i, a in asks}
    found = counts.open_at(session, {d for _, a in asks for d in a.measure.department_ids},
                           {a.measure.site_id for _, a in asks if a.measure.site_id},
                           {m for series, days in moments.values() for m in (*series, *days)})

    def value(a: Ask, moment: datetime) -> float:
        return float(sum(found.get((d, a.measure.site_id), {}).get(moment, 0) for d in a.measure.department_ids))

    for i, a in asks:
        series, days = moments[i]
        out[i] = Answer(series=[value(a, m) for m in series],
                        at={day: value(a, m) for day, m in zip(a.days, days, strict=True)})


def evaluate(session: Session, asks: list[Ask]) -> list[Answer]:
    """Every ask answered with a few grouped queries per target type, whatever their number."""
    out: list[Answer] = [Answer(series=[None for _ in a.starts], at=dict.fromkeys(a.days)) for a in asks]
    by_type: dict[TargetType, list[tuple[int, Ask]]] = {t: [] for t in TargetType}
    for i, a in enumerate(asks):
        if not a.measure.no_theme:  # else: its theme was deleted, or retired with no successor
            by_type[a.measure.type].append((i, a))
    if by_type[TargetType.kpi]:
        _kpis(session, by_type[TargetType.kpi], out)
    if by_type[TargetType.theme_count]:
        _themes(session, by_type[TargetType.theme_count], out)
    if by_type[TargetType.open_pain_points]:
        _open(session, by_type[TargetType.open_pain_points], out)
    return out
