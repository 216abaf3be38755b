"""Per-theme statistics, aggregated in SQL over the pain points that match the filters.

Impact ranks themes (documented in README):
    impact = count × mean severity × recency × spread
    recency = 0.5 ^ (days since the theme was last seen ÷ 30)      (halves every 30 days)
    spread  = 1 + log2(distinct sites) + log2(distinct departments)  (1 when in one place)
"""

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from api.core.clock import utcnow
from api.pain_points.models import PAIN, counted_conditions

WEEKS = 12


@dataclass
class ThemeFilters:
    since: datetime | None = None
    until: datetime | None = None
    site_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    visit_kind: str | None = None

    def conditions(self) -> list:
        conds = [*counted_conditions(), PAIN.c.theme_id.is_not(None)]
        if self.since:
            conds.append(PAIN.c.occurred_at >= self.since)
        if self.until:
            conds.append(PAIN.c.occurred_at < self.until)
        if self.site_id:
            conds.append(PAIN.c.site_id == self.site_id)
        if self.department_id:
            conds.append(PAIN.c.department_id == self.department_id)
        if self.visit_kind:
            conds.append(PAIN.c.visit_kind == self.visit_kind)
        return conds


@dataclass
class ThemeStats:
    count: int = 0
    visits: int = 0
    executives: int = 0
    sites: int = 0
    departments: int = 0
    mean_severity: float = 0.0
    max_severity: int = 0
    customer_share: float = 0.0
    employee_share: float = 0.0
    visit_kinds: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    weekly: list[int] = field(default_factory=lambda: [0] * WEEKS)
    open: int = 0
    cross_silo: bool = False
    recurring: bool = False
    impact: float = 0.0


PERIODS = {"28": 28, "84": 84, "182": 182, "365": 365, "all": None}  # the web app's choices, in days


def period_start(period: str) -> datetime | None:
    """A period starts at midnight UTC, so the stored and the live figures of a day agree."""
    days = PERIODS[period]
    if days is None:
        return None
    return datetime.combine(utcnow().date() - timedelta(days=days), datetime.min.time(), tzinfo=UTC)


def stats_to_json(stats: dict[uuid.UUID, ThemeStats]) -> dict:
    return {str(theme_id): {**vars(s), "first_seen": _iso(s.first_seen), "last_seen": _iso(s.last_seen)}
            for theme_id, s in stats.items()}


def stats_from_json(payload: dict) -> dict[uuid.UUID, ThemeStats]:
    """Stored stats, with the impact brought up to now (recency decays)."""
    now = utcnow()
    out = {}
    for theme_id, values in payload.items():
        s = ThemeStats(**{**values, "first_seen": _parse(values["first_seen"]),
                          "last_seen": _parse(values["last_seen"])})
        s.impact = impact_score(s, now)
        out[uuid.UUID(theme_id)] = s
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def impact_score(s: ThemeStats, now: datetime) -> float:
    if not s.count or s.last_seen is None:
        return 0.0
    days = max(0.0, (now - s.last_seen).total_seconds() / 86400)
    recency = 0.5 ** (days / 30)
    spread = 1 + math.log2(max(1, s.sites)) + math.log2(max(1, s.departments))
    return round(s.count * s.mean_severity * recency * spread, 2)


def theme_stats(session: Session, filters: ThemeFilters, theme_ids: list[uuid.UUID] | None = None
                ) -> dict[uuid.UUID, ThemeStats]:
    conds = filters.conditions()
    if theme_ids is not None:
        conds.append(PAIN.c.theme_id.in_(theme_ids))
    where = and_(*conds)
    customer = func.sum(case((PAIN.c.felt_by.in_(["customer", "both"]), 1), else_=0))
    employee = func.sum(case((PAIN.c.felt_by.in_(["employee", "both"]), 1), else_=0))
    still_open = func.sum(case((PAIN.c.status.in_(["new", "acknowledged", "in_progress"]), 1), else_=0))
    rows = session.execute(
        select(
            PAIN.c.theme_id, func.count(), func.count(PAIN.c.visit_id.distinct()),
            func.count(PAIN.c.author_id.distinct()), func.count(PAIN.c.site_id.distinct()),
            func.count(PAIN.c.department_id.distinct()), func.avg(PAIN.c.severity), func.max(PAIN.c.severity),
            customer, employee, func.min(PAIN.c.occurred_at), func.max(PAIN.c.occurred_at), still_open,
        ).where(where).group_by(PAIN.c.theme_id)
    ).all()
    out: dict[uuid.UUID, ThemeStats] = {}
    for r in rows:
        n = r[1]
        out[r[0]] = ThemeStats(
            count=n, visits=r[2], executives=r[3], sites=r[4], departments=r[5],
            mean_severity=round(float(r[6]), 2), max_severity=r[7], customer_share=round(r[8] / n, 2),
            employee_share=round(r[9] / n, 2), first_seen=_aware(r[10]), last_seen=_aware(r[11]), open=r[12],
        )
    for theme_id, kind, n in session.execute(
        select(PAIN.c.theme_id, PAIN.c.visit_kind, func.count()).where(where)
        .group_by(PAIN.c.theme_id, PAIN.c.visit_kind)
    ):
        out[theme_id].visit_kinds[kind] = n
    _cross_silo(session, where, out)
    _weekly(session, where, out)
    _recurring(session, where, out)
    now = utcnow()
    for s in out.values():
        s.impact = impact_score(s, now)
    return out


def _weekly(session: Session, where, out: dict[uuid.UUID, ThemeStats]) -> None:
    """Counts per week for the last 12 weeks (oldest first), from per-day counts."""
    today = utcnow().date()
    start = today - timedelta(days=7 * WEEKS - 1)
    day = func.date(PAIN.c.occurred_at)
    rows = session.execute(
        select(PAIN.c.theme_id, day, func.count())
        .where(where, PAIN.c.occurred_at >= datetime.combine(start, datetime.min.time(), tzinfo=UTC))
        .group_by(PAIN.c.theme_id, day)
    )
    for theme_id, when, n in rows:
        when = when if isinstance(when, date) else date.fromisoformat(str(when))
        index = (when - start).days // 7
        if 0 <= index < WEEKS:
            out[theme_id].weekly[index] += n


def _cross_silo(session: Session, where, out: dict[uuid.UUID, ThemeStats]) -> None:
    """Cross-silo: at least two owning departments each hold at least two of the theme's pain points
    (one stray tag does not make a silo problem)."""
    owning = (
        select(PAIN.c.theme_id, PAIN.c.department_id)
        .where(where, PAIN.c.department_id.is_not(None))
        .group_by(PAIN.c.theme_id, PAIN.c.department_id)
        .having(func.count() >= 2)
        .subquery()
    )
    for (theme_id,) in session.execute(
        select(owning.c.theme_id).group_by(owning.c.theme_id).having(func.count() >= 2)
    ):
        out[theme_id].cross_silo = True


def _recurring(session: Session, where, out: dict[uuid.UUID, ThemeStats]) -> None:
    """Recurring: pain points keep arriving after the theme's pain points were marked resolved."""
    last_resolved = dict(session.execute(
        select(PAIN.c.theme_id, func.max(PAIN.c.resolved_at))
        .where(where, PAIN.c.status == "resolved").group_by(PAIN.c.theme_id)
    ).all())
    for theme_id, resolved in last_resolved.items():
        s = out.get(theme_id)
        if s and resolved and s.last_seen and s.last_seen > _aware(resolved):
            s.recurring = True


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
