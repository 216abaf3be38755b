"""Shared goals: a measurable target owned by two or more departments, with a due date. Progress is computed
from the data (api/goals/progress.py), never stored, except the baseline at creation and the last status
announced (so that a change of status is announced once)."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Float, ForeignKey, String, Uuid
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow
from api.core.ids import new_id
from api.core.types import UTCDateTime


class TargetType(StrEnum):
    kpi = "kpi"                            # a KPI's latest period, across the goal's site (or all)
    theme_count = "theme_count"            # a theme's pain points in the calendar month
    open_pain_points = "open_pain_points"  # open pain points owned by the goal's departments


class Comparison(StrEnum):
    at_least = "at_least"
    at_most = "at_most"


class GoalStatus(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    met = "met"
    missed = "missed"


class Goal(SQLModel, table=True):
    __tablename__ = "goal"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    title: str = Field(max_length=200)
    target_type: TargetType = Field(sa_type=String(20))
    kpi_key: str | None = Field(default=None, max_length=40, description="KPI keys never change")
    theme_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("theme.id", ondelete="SET NULL"), nullable=True),
        description="The theme chosen; reads follow its merges (api/goals/measure.py current_themes)")
    site_id: uuid.UUID | None = Field(default=None, foreign_key="site.id", ondelete="SET NULL")
    comparison: Comparison = Field(sa_type=String(8))
    target_value: float = Field(sa_column=Column(Float, nullable=False))
    baseline: float | None = Field(default=None, description="The value when the goal was made (none: no data)")
    due_date: date
    archived: bool = False
    last_status: GoalStatus | None = Field(default=None, sa_type=String(10),
                                           description="The status last announced with goal.updated")
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GoalDepartment(SQLModel, table=True):
    """A department that owns a goal (two or more per goal)."""

    __tablename__ = "goal_department"

    goal_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True))
    department_id: uuid.UUID = Field(foreign_key="department.id", primary_key=True, ondelete="CASCADE",
                                     index=True)
