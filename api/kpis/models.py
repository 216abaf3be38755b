"""KPIs: the organisation's Voice of the Customer, of Employees and of the Business metrics, and their values
per week or month, per site and/or department."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Float, ForeignKey, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime

KEY_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
NO_PLACE = "-"  # the scope's stand-in for "no site" or "no department" (see KpiValue.scope)


class KpiKind(StrEnum):
    voc = "voc"  # Voice of the Customer
    voe = "voe"  # Voice of the Employee
    vob = "vob"  # Voice of the Business


class KpiPeriod(StrEnum):
    week = "week"  # period_start is a Monday (ISO week)
    month = "month"  # period_start is the 1st


class KpiBase(SQLModel):
    key: str = Field(min_length=2, max_length=40, schema_extra={"pattern": KEY_PATTERN},
                     description="A slug, unique: e.g. nps")
    name: str = Field(min_length=1, max_length=120)
    kind: KpiKind = Field(sa_type=String(3))
    unit: str = Field(default="", max_length=20, description="e.g. points, %, £")
    higher_is_better: bool = True
    period: KpiPeriod = Field(default=KpiPeriod.week, sa_type=String(5))
    scale_min: float | None = Field(default=None, schema_extra={"allow_inf_nan": False},
                                    description="Values below it are refused")
    scale_max: float | None = Field(default=None, schema_extra={"allow_inf_nan": False},
                                    description="Values above it are refused")


class Kpi(KpiBase, table=True):
    __tablename__ = "kpi"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


def scope_of(site_id: uuid.UUID | None, department_id: uuid.UUID | None) -> str:
    """The key of a value's place. NULLs are never equal in a unique index (on SQLite, and on PostgreSQL
    before NULLS NOT DISTINCT), so the place is also written as one non-null text that the index covers."""
    return f"{site_id.hex if site_id else NO_PLACE}:{department_id.hex if department_id else NO_PLACE}"


class KpiValue(SQLModel, table=True):
    """One KPI's value for one period at one place (a site, a department, both, or the whole organisation)."""

    __tablename__ = "kpi_value"
    __table_args__ = (UniqueConstraint("kpi_id", "period_start", "scope"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    kpi_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("kpi.id", ondelete="CASCADE"), nullable=False))
    period_start: date
    site_id: uuid.UUID | None = Field(default=None, foreign_key="site.id", index=True)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id", index=True)
    scope: str = Field(max_length=65, description="scope_of(site_id, department_id)")
    value: float = Field(sa_column=Column(Float, nullable=False))
    responses: int | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
