"""Each KPI's latest period with a value, for the managers' list of metrics: the period's rows averaged like a
goal's KPI target reads them (weighted by responses when every row has them), over every site and department.
Two aggregate queries, whatever the number of KPIs and rows."""

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from api.kpis import builtin
from api.kpis.models import Kpi, KpiValue
from api.kpis.schemas import KpiLatest


def latest_values(*, session: Session, today: date) -> list[KpiLatest]:
    """One entry per KPI that has a value (archived ones too, and the pulse), by key."""
    last = (select(KpiValue.kpi_id, func.max(KpiValue.period_start).label("start"))
            .where(KpiValue.period_start <= today).group_by(KpiValue.kpi_id).subquery())
    rows = session.execute(
        select(Kpi.key, KpiValue.period_start, func.sum(KpiValue.value * KpiValue.responses),
               func.sum(KpiValue.responses), func.count(KpiValue.responses), func.count(), func.avg(KpiValue.value))
        .join(last, (last.c.kpi_id == KpiValue.kpi_id) & (last.c.start == KpiValue.period_start))
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .group_by(Kpi.key, KpiValue.period_start)).all()
    out = []
    for key, start, weighted, responses, with_responses, n, mean in rows:
        whole = with_responses == n and responses
        out.append(KpiLatest(key=key, period_start=start, rows=n,
                             value=round(float(weighted) / float(responses) if whole else float(mean), 2)))
    pulse = builtin.pulse_values(session=session, since=None, until=today)
    if pulse:
        out.append(KpiLatest(key=builtin.PULSE.key, period_start=pulse[-1].period_start, value=pulse[-1].value,
                             rows=1))
    return sorted(out, key=lambda k: k.key)
