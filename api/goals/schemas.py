"""The goals API's request and response bodies (the tables are in models.py)."""

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, FiniteFloat, field_validator
from sqlmodel import Field, SQLModel

from api.goals.models import Comparison, GoalStatus, TargetType
from api.kpis.models import KEY_PATTERN
from api.validation import no_nul

MAX_DEPARTMENTS = 20


class Target(SQLModel):
    """What is measured and the value to reach. `kpi_key` only for `kpi`, `theme_id` only for `theme_count`;
    `site_id` narrows any type (none: every site)."""

    model_config = ConfigDict(extra="forbid")

    type: TargetType
    kpi_key: str | None = Field(default=None, max_length=40, schema_extra={"pattern": KEY_PATTERN})
    theme_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    comparison: Comparison
    value: FiniteFloat


class GoalCreate(SQLModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": "NPS at Leeds at least 40 by 31 March",
         "department_ids": ["9a0c6f0e-7a53-4d9e-a7a8-0e4bb7c5a001", "9a0c6f0e-7a53-4d9e-a7a8-0e4bb7c5a002"],
         "target": {"type": "kpi", "kpi_key": "nps", "site_id": "5b1d2c3e-0000-4000-8000-00000000000a",
                    "comparison": "at_least", "value": 40},
         "due_date": "2027-03-31"}]})

    title: str = Field(min_length=1, max_length=200)
    department_ids: list[uuid.UUID] = Field(min_length=2, max_length=MAX_DEPARTMENTS,
                                            description="The owning departments: two or more")
    target: Target
    due_date: date

    _no_nul = field_validator("title")(no_nul)


class GoalUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    due_date: date | None = None
    archived: bool | None = None

    _no_nul = field_validator("title")(no_nul)


class SeriesPoint(SQLModel):
    period_start: date
    value: float | None = Field(description="None: no data for that period")


class Progress(SQLModel):
    baseline: float | None = Field(description="The value when the goal was made (none: there was no data)")
    current: float | None
    target: float
    status: GoalStatus
    period: str = Field(description="week or month: the series' step")
    series: list[SeriesPoint]
    theme_retired: bool = Field(default=False, description="A theme rebuild retired the goal's theme and none "
                                "took over its pain points: current and series are null (aim a new goal at a "
                                "current theme, or archive this one)")
    as_of: datetime = Field(description="When current and series were measured: for a large organisation up to "
                            "UNDERCOVER_SUMMARY_REFRESH_SECONDS ago (they are kept fresh in the background)")


class TargetPublic(SQLModel):
    type: TargetType
    kpi_key: str | None = None
    theme_id: uuid.UUID | None = Field(default=None, description="The theme now: the one a merge kept, if merged")
    site_id: uuid.UUID | None = None
    comparison: Comparison
    value: float


class GoalPublic(SQLModel):
    id: uuid.UUID
    title: str
    department_ids: list[uuid.UUID]
    target: TargetPublic
    due_date: date
    archived: bool
    created_at: datetime
    created_by_id: uuid.UUID | None
    progress: Progress
