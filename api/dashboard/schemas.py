"""The managers' dashboard's response bodies: field time per executive per month, and the flow of pain points
(the dashboard has no tables of its own)."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.pain_points.schemas import Ref, ThemeRef


class ExecutiveFieldTime(BaseModel):
    executive: Ref
    hours: float = Field(description="Sum of finished visits' durations (ended_at - started_at), 2 decimals")
    visits: int = Field(description="Finished visits that started this month")
    visits_by_kind: dict[str, int]
    distinct_sites: int
    target_met: bool
    share_of_target: float | None = Field(description="hours / target, 2 decimals; null when the target is 0")


class TeamFieldTime(BaseModel):
    hours: float
    visits: int
    visits_by_kind: dict[str, int]
    distinct_sites: int
    executives: int = Field(description="Active executives")
    executives_out: int = Field(description="Active executives with at least one finished visit this month")


class FieldTime(BaseModel):
    month: str = Field(description="YYYY-MM, UTC")
    target_hours: float = Field(description="Hours per executive per month (admin setting)")
    executives: list[ExecutiveFieldTime] = Field(
        description="Most hours first; every active executive, plus anyone else who logged visits this month"
    )
    team: TeamFieldTime
    not_out_this_month: list[Ref] = Field(description="Active executives without a finished visit this month")


class WeekFlow(BaseModel):
    week_start: date = Field(description="Monday (UTC)")
    opened: int = Field(description="Pain points observed that week (duplicates left out)")
    resolved: int = Field(description="Pain points resolved that week")
    wont_fix: int = Field(description="Pain points closed as wont_fix that week")


class DepartmentCount(BaseModel):
    department: Ref | None = Field(description="null: no department yet")
    open: int


class ThemeMovement(BaseModel):
    theme: ThemeRef
    count: int = Field(description="Pain points in the period")
    previous: int = Field(description="Pain points in the previous period of the same length")
    change: int


class Flow(BaseModel):
    since: date
    until: date = Field(description="Exclusive: the Monday after the last week")
    previous_since: date
    weeks: list[WeekFlow]
    median_days_to_resolve: float | None = Field(
        description="Over pain points resolved in the period: from "
        "the visit to resolution, in days (1 decimal)"
    )
    resolved_in_period: int
    open_by_department: list[DepartmentCount] = Field(
        description="Open now (new, acknowledged, in_progress), by owner department (else the reported one)"
    )
    top_themes: list[ThemeMovement] = Field(description="The 5 themes with most pain points in the period")
    movers: list[ThemeMovement] = Field(description="The 5 biggest changes against the previous period")
    as_of: datetime = Field(description="When these figures were computed: large organisations get the current "
                            "period from a result refreshed every minute or so")


# --- GET /api/dashboard/me: the signed-in person's own dashboard ---

Trend = Literal["better", "worse", "same"]


class Figure(BaseModel):
    """A number with the one it is compared with, and whether the change is good news."""

    value: float | None
    previous: float | None = Field(description="The value it is compared with (the previous period)")
    change: float | None = Field(description="value - previous (null when either is missing)")
    trend: Trend | None = Field(description="better, worse or same, by which direction is good; null when "
                                "there is nothing to compare")
    higher_is_better: bool


class MyFieldTime(BaseModel):
    month: str = Field(description="YYYY-MM, UTC")
    target_hours: float
    hours: Figure = Field(description="This month so far; previous: last month up to the same day and hour")
    visits: Figure
    share_of_target: float | None = Field(description="hours / target, 2 decimals; null when the target is 0")


class Outcome(BaseModel):
    """One of the person's pain points, closed: what came of it."""

    id: uuid.UUID
    text: str = Field(description="As they wrote it (theirs)")
    status: str
    resolved_at: datetime | None
    resolution_note: str | None = Field(description="Masked: written by someone else")


class MyPainPoints(BaseModel):
    open: Figure = Field(description="Open now; previous: open at the start of the month")
    resolved: Figure = Field(description="Resolved this month; previous: last month up to the same day")
    outcomes: list[Outcome] = Field(description="The 5 latest closed (resolved or won't fix), newest first")


class KpiTrend(BaseModel):
    key: str
    name: str
    kind: str
    unit: str
    period: str
    department: Ref | None = Field(description="null: the whole organisation")
    period_start: date = Field(description="The latest period with a value")
    previous_period_start: date | None
    figure: Figure


class GoalGlance(BaseModel):
    id: uuid.UUID
    title: str
    department_ids: list[uuid.UUID]
    due_date: date
    status: str = Field(description="on_track, at_risk, met or missed (api/goals' progress)")
    comparison: str
    target: float
    figure: Figure = Field(description="Current value against the previous period of its series")


class RisingTheme(BaseModel):
    theme: ThemeRef
    figure: Figure = Field(description="Pain points in the last 4 weeks against the 4 before (fewer is better)")


class OverdueItem(BaseModel):
    id: uuid.UUID
    text: str = Field(description="Masked unless the reader wrote it")
    due_date: date
    department: Ref | None


class Overdue(BaseModel):
    count: Figure = Field(description="Open past their due date now; previous: a week ago")
    items: list[OverdueItem] = Field(description="The 5 longest overdue")


class MyDashboard(BaseModel):
    role: str
    as_of: datetime
    organisation: bool = Field(description="True: the figures cover the whole organisation (admins, and "
                               "managers who belong to no department)")
    departments: list[Ref] = Field(description="The person's departments: the scope of a manager's figures")
    field_time: MyFieldTime | None = Field(description="Executives")
    pain_points: MyPainPoints | None = Field(description="Executives: the pain points they reported")
    kpis: list[KpiTrend] = Field(description="The scope's KPIs (executives: their departments', and the "
                                 "organisation's when executives_see_all_kpis is on)")
    goals: list[GoalGlance] = Field(description="Live goals owned by the person's departments (admins: all)")
    rising_themes: list[RisingTheme] = Field(description="Managers and admins: up to 5 themes growing most")
    overdue: Overdue | None = Field(description="Managers and admins: the scope's overdue pain points")
    values: "ValuesOverTime | None" = Field(default=None, description="Pain points and bright spots per company "
                                            "value per week, counts only, in the same scope (executives: their "
                                            "own); null when the company has no values")


# --- GET /api/dashboard/me: pain points and bright spots per company value (api/dashboard/values.py) ---

class WeekCount(BaseModel):
    week: date = Field(description="Monday (UTC)")
    count: int


class PulseMonth(BaseModel):
    month: str = Field(description="YYYY-MM")
    average: float = Field(description="Mean 0-10 score")
    responses: int = Field(description="Executives who answered")


class PulseBeside(BaseModel):
    """A pulse question about values, with its monthly averages (months with too few respondents left out)."""

    question_id: uuid.UUID
    text: str
    months: list[PulseMonth] = Field(description="The last 3 months with enough respondents, oldest first")


class ValueWeeks(BaseModel):
    value: Ref
    archived: bool
    pain_points: list[WeekCount] = Field(description="Pain points tagged with the value (it breaks), per week")
    bright_spots: list[WeekCount] = Field(description="Bright spots tagged with the value (it lives), per week")
    pulse: list[PulseBeside] = Field(description="Pulse questions that name this value")


class ValuesOverTime(BaseModel):
    weeks: list[date] = Field(description="The 12 weeks shown, oldest first; the last is the current one")
    values: list[ValueWeeks] = Field(description="Every current value (and an archived one with counts), by name")
    pulse: list[PulseBeside] = Field(description="Pulse questions about the values in general (naming none); "
                                     "empty for executives unless executives_see_all_kpis is on")


MyDashboard.model_rebuild()  # its `values` field names a class defined after it
