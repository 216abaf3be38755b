"""The KPI API's request and response bodies (the tables are in models.py)."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, FiniteFloat, ValidationInfo, field_validator
from sqlmodel import Field, SQLModel

from api.kpis.models import KpiBase
from api.validation import no_nul

MAX_VALUES = 5000  # rows per PUT; a bigger file goes through `undercover kpis import` or several requests


def _scale_in_order(scale_max, info: ValidationInfo):
    """On scale_max, so that the message sits beside a field (422 loc ["scale_max"])."""
    low = info.data.get("scale_min")
    if low is not None and scale_max is not None and low > scale_max:
        raise ValueError("must not be below scale_min")
    return scale_max


class KpiCreate(KpiBase):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"key": "nps", "name": "Net Promoter Score", "kind": "voc", "unit": "points", "higher_is_better": True,
         "period": "week", "scale_min": -100, "scale_max": 100}]})

    _no_nul = field_validator("name", "unit")(no_nul)
    _in_order = field_validator("scale_max")(_scale_in_order)


class KpiUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    unit: str | None = Field(default=None, max_length=20)
    higher_is_better: bool | None = None
    scale_min: FiniteFloat | None = None
    scale_max: FiniteFloat | None = None
    archived: bool | None = None

    _no_nul = field_validator("name", "unit")(no_nul)


class KpiPublic(KpiBase):
    archived: bool = False
    builtin: bool = Field(default=False, description="Computed by Undercover (the pulse): values cannot be sent")


class KpiLatest(SQLModel):
    key: str
    period_start: date = Field(description="The latest period with a value (not after today)")
    value: float = Field(description="That period's rows averaged, weighted by responses when every row has them")
    rows: int = Field(description="How many sites and departments sent a value for it")


class KpiValueWrite(SQLModel):
    """One value. The place is named like in CSV files (`site`, `department`) or by id; none: organisation-wide."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"period_start": "2026-11-23", "site": "Leeds", "department": None, "value": 41.5, "responses": 212}]})

    period_start: date
    site: str | None = Field(default=None, max_length=120)
    department: str | None = Field(default=None, max_length=120)
    site_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    value: FiniteFloat
    responses: int | None = Field(default=None, ge=0, le=2_000_000_000)

    _no_nul = field_validator("site", "department")(no_nul)


KpiValuesWrite = Annotated[list[KpiValueWrite], Field(max_length=MAX_VALUES)]


class KpiValuePublic(SQLModel):
    period_start: date
    site_id: uuid.UUID | None
    site: str | None
    department_id: uuid.UUID | None
    department: str | None
    value: float
    responses: int | None
    updated_at: datetime | None = None


class UpsertReport(SQLModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Place(SQLModel):
    id: uuid.UUID
    name: str


class LinkedPoint(SQLModel):
    period_start: date
    value: float = Field(description="The metric at the theme's places (weighted by responses when all rows have them)")
    pain_points: int = Field(description="The theme's pain points that occurred in the period")


class LinkedKpi(SQLModel):
    key: str
    name: str
    kind: str
    unit: str
    higher_is_better: bool
    period: str = Field(description="week or month: how the two are compared")
    points: list[LinkedPoint] = Field(description="Periods with a value, oldest first")
    sample_size: int = Field(description="The number of periods with both numbers")
    rho: float | None = Field(description="Spearman's rank correlation; null below the minimum sample size or "
                              "when either side never changed")
    sentence: str = Field(description="What the relation says, in plain words (always give this, not rho alone)")


class ThemeKpis(SQLModel):
    theme_id: uuid.UUID
    sites: list[Place]
    departments: list[Place]
    since: date
    min_sample_size: int
    metrics: list[LinkedKpi]
