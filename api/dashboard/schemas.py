"""The managers' dashboard's response bodies: field time per executive per month, and the flow of pain points
(the dashboard has no tables of its own)."""

from datetime import date, datetime

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
