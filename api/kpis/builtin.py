"""KPIs that Undercover computes itself: the pulse's monthly average (a VoE KPI, read-only)."""

import uuid
from datetime import date

from sqlmodel import Session

from api.kpis.models import KpiKind, KpiPeriod
from api.kpis.schemas import KpiPublic, KpiValuePublic
from api.pulse.service import monthly_averages

PULSE = KpiPublic(
    key="pulse", name="Reality-check pulse (monthly average)", kind=KpiKind.voe, unit="0-10", higher_is_better=True,
    period=KpiPeriod.month, scale_min=0, scale_max=10, builtin=True,
)
KEYS = frozenset({PULSE.key})


def _month(day: date | None) -> str | None:
    return day.strftime("%Y-%m") if day else None


def pulse_values(*, session: Session, since: date | None, until: date | None,
                 department_ids: list[uuid.UUID] | None = None) -> list[KpiValuePublic]:
    """One organisation-wide value a month; none for a month with fewer respondents than pulse_min_responses.
    A month counts when its 1st is in [since, until]. `department_ids`: the answers of their members only
    (the same minimum of respondents applies to them)."""
    start = None if since is None else _month(since) if since.day == 1 else _next_month(since)
    return [
        KpiValuePublic(period_start=date.fromisoformat(f"{month}-01"), site_id=None, site=None, department_id=None,
                       department=None, value=average, responses=respondents)
        for month, average, respondents in monthly_averages(session=session, since=start, until=_month(until),
                                                            department_ids=department_ids)
    ]


def _next_month(day: date) -> str:
    return f"{day.year + day.month // 12:04d}-{day.month % 12 + 1:02d}"
