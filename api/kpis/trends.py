"""Each KPI's latest period against the one before, per department or for the whole organisation (the personal
dashboards' trends). A period's rows are averaged like a goal's KPI target reads them: weighted by responses
when every row has them."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from api.kpis import builtin
from api.kpis.models import Kpi, KpiValue
from api.kpis.schemas import KpiPublic

RECENT = timedelta(days=190)  # a KPI with no value for longer is left off: its trend says nothing now


@dataclass(frozen=True)
class Trend:
    kpi: KpiPublic
    department_id: uuid.UUID | None  # None: the whole organisation
    latest: tuple[date, float]
    previous: tuple[date, float] | None


def _average(weighted, responses, with_responses: int, n: int, mean) -> float:
    return float(weighted) / float(responses) if with_responses == n and responses else float(mean)


def trends(*, session: Session, today: date, department_ids: list[uuid.UUID] | None) -> list[Trend]:
    """`department_ids` None: one trend per KPI over every row (and the built-in pulse); else one per KPI and
    department over that department's rows. One aggregate query, grouped in SQL."""
    if department_ids is not None and not department_ids:
        return []
    since = today - RECENT
    by_department = department_ids is not None
    group = [KpiValue.kpi_id, *([KpiValue.department_id] if by_department else []), KpiValue.period_start]
    where = [KpiValue.period_start >= since, KpiValue.period_start <= today,
             *([KpiValue.department_id.in_(department_ids)] if by_department else [])]
    rows = session.execute(
        select(*group, func.sum(KpiValue.value * KpiValue.responses), func.sum(KpiValue.responses),
               func.count(KpiValue.responses), func.count(), func.avg(KpiValue.value))
        .join(Kpi, Kpi.id == KpiValue.kpi_id).where(*where, Kpi.archived.is_(False)).group_by(*group)).all()
    series: dict[tuple, dict[date, float]] = {}
    for row in rows:
        key = (row[0], row[1] if by_department else None)
        start = row[len(group) - 1]
        series.setdefault(key, {})[start] = _average(*row[len(group):])
    kpis = {k.id: KpiPublic.model_validate(k, from_attributes=True)
            for k in session.execute(select(Kpi).where(Kpi.id.in_({k for k, _ in series}))).scalars()} \
        if series else {}
    out = [_trend(kpis[kpi_id], department_id, values) for (kpi_id, department_id), values in series.items()]
    if not by_department:
        pulse = {v.period_start: v.value for v in builtin.pulse_values(session=session, since=since, until=today)}
        if pulse:
            out.append(_trend(builtin.PULSE, None, pulse))
    return sorted(out, key=lambda t: (t.kpi.kind, t.kpi.name, str(t.department_id or "")))


def _trend(kpi: KpiPublic, department_id: uuid.UUID | None, values: dict[date, float]) -> Trend:
    starts = sorted(values)
    latest = (starts[-1], values[starts[-1]])
    previous = (starts[-2], values[starts[-2]]) if len(starts) > 1 else None
    return Trend(kpi=kpi, department_id=department_id, latest=latest, previous=previous)
