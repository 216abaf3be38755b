"""What each goal's progress needs measured on a day (api/goals/measure.py Ask), from the goals' rows."""

import uuid
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from api.goals import measure as measures
from api.goals import progress
from api.goals.models import Goal, GoalDepartment


def departments_of(session: Session, goal_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each goal's owning departments, sorted."""
    out: dict[uuid.UUID, list[uuid.UUID]] = {g: [] for g in goal_ids}
    if goal_ids:
        for goal_id, department_id in session.execute(
                select(GoalDepartment.goal_id, GoalDepartment.department_id)
                .where(GoalDepartment.goal_id.in_(goal_ids)).order_by(GoalDepartment.department_id)):
            out[goal_id].append(department_id)
    return out


def asks(session: Session, goals: list[Goal], departments: dict[uuid.UUID, list[uuid.UUID]], day: date, *,
         series: bool = True) -> list[measures.Ask]:
    """Each goal's series (unless `series` is False), its value on `day` and, once the due date has passed, on
    the due date."""
    themes = measures.current_themes(session, {g.theme_id for g in goals if g.theme_id})
    retired = measures.retired_themes(session, set(themes.values()))
    found = [measures.Measure(type=g.target_type, kpi_key=g.kpi_key, theme_id=themes.get(g.theme_id) if g.theme_id
                              else None, site_id=g.site_id, department_ids=tuple(departments[g.id]),
                              theme_retired=themes.get(g.theme_id) in retired) for g in goals]
    periods = measures.periods_of(session, found)
    return [measures.Ask(measure=m, period=p, starts=progress.periods(g.created_at.date(), day, p) if series else [],
                         days=[day, *([g.due_date] if day > g.due_date else [])])
            for g, m, p in zip(goals, found, periods, strict=True)]
