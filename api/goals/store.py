"""The only writer of the goal and goal_department tables. Functions flush; the service commits."""

import uuid

from sqlalchemy import update
from sqlmodel import Session

from api.goals.models import Goal, GoalDepartment, GoalStatus

GOAL = Goal.__table__


def add_goal(session: Session, department_ids: list[uuid.UUID], **fields) -> Goal:
    goal = Goal(**fields)
    session.add(goal)
    session.flush()
    session.add_all(GoalDepartment(goal_id=goal.id, department_id=d) for d in department_ids)
    session.flush()
    return goal


def change_goal(session: Session, goal: Goal, changes: dict) -> Goal:
    goal.sqlmodel_update(changes)
    session.add(goal)
    session.flush()
    return goal


def swap_status(session: Session, goal_id: uuid.UUID, *, old: GoalStatus | None, new: GoalStatus) -> bool:
    """Record `new` as the goal's announced status if it is still `old`: True when this call changed it, so
    that two processes noticing the same change announce it once."""
    same = GOAL.c.last_status.is_(None) if old is None else GOAL.c.last_status == old
    result = session.execute(update(GOAL).where(GOAL.c.id == goal_id, same)
                             .values(last_status=new))
    return result.rowcount == 1
