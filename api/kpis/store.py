"""The only writer of the kpi and kpi_value tables."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from api.core.clock import utcnow
from api.kpis.models import Kpi, KpiValue, scope_of
from api.kpis.schemas import UpsertReport


@dataclass(frozen=True)
class CheckedValue:
    """A value whose place exists and whose date and number fit its KPI (service.check_values)."""

    period_start: date
    site_id: uuid.UUID | None
    department_id: uuid.UUID | None
    value: float
    responses: int | None

    @property
    def key(self) -> tuple[date, str]:
        return self.period_start, scope_of(self.site_id, self.department_id)


def add_kpi(session: Session, kpi: Kpi) -> Kpi:
    session.add(kpi)
    session.flush()
    return kpi


def change_kpi(session: Session, kpi: Kpi, changes: dict) -> Kpi:
    kpi.sqlmodel_update(changes)
    session.add(kpi)
    session.flush()
    return kpi


def upsert_values(session: Session, kpi: Kpi, values: list[CheckedValue]) -> UpsertReport:
    """Insert new (period, place) values, update changed ones, leave equal ones alone. Only flushes."""
    report = UpsertReport()
    if not values:
        return report
    periods = {v.period_start for v in values}
    stored = {
        (row.period_start, row.scope): row
        for row in session.exec(
            select(KpiValue).where(KpiValue.kpi_id == kpi.id, KpiValue.period_start.in_(periods)).with_for_update()
        )
    }
    now = utcnow()
    for value in values:
        row = stored.get(value.key)
        if row is None:
            session.add(KpiValue(kpi_id=kpi.id, period_start=value.period_start, site_id=value.site_id,
                                 department_id=value.department_id, scope=value.key[1], value=value.value,
                                 responses=value.responses, updated_at=now))
            report.created += 1
        elif (row.value, row.responses) == (value.value, value.responses):
            report.unchanged += 1
        else:
            row.value, row.responses, row.updated_at = value.value, value.responses, now
            session.add(row)
            report.updated += 1
    session.flush()
    return report
