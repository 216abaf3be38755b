"""Shared goals: made and changed by managers and admins, read with their progress computed from the data.

goal.updated is recorded in the transaction of every creation, change and archive, and when the computed
status changes: statuses move with the data (a KPI value sent, a pain point resolved, a day passing), so
announce_status_changes compares each goal's status with the last one announced; the messages worker calls
it on its periodic checks (api/messages/worker.py). Reads never write.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from api.auth.models import Role, User
from api.auth.users import department_ids as departments_of
from api.core.clock import utcnow
from api.errors import Forbidden, Invalid, NotFound, field_error
from api.events import outbox
from api.goals import asks as goal_asks
from api.goals import measure as measures
from api.goals import progress, stored
from api.goals.models import Goal, GoalDepartment, GoalStatus
from api.goals.schemas import GoalCreate, GoalPublic, GoalUpdate, Progress, SeriesPoint, TargetPublic
from api.goals.store import add_goal, change_goal, swap_status
from api.goals.validate import check_new_goal
from api.privacy.reader import shown

EVENT = "goal.updated"


def today() -> date:
    """The day goals are judged on (UTC, like the dashboard's months)."""
    return utcnow().date()


def _status(goal: Goal, answer: measures.Answer, day: date) -> GoalStatus:
    return progress.status(baseline=goal.baseline, current=answer.at[day],
                           at_due=answer.at.get(goal.due_date) if day > goal.due_date else None,
                           target=goal.target_value, comparison=goal.comparison, created=goal.created_at.date(),
                           due=goal.due_date, today=day)


def _public(goal: Goal, departments: list[uuid.UUID], ask: measures.Ask, answer: measures.Answer, reader: User,
            day: date, as_of: datetime | None = None) -> GoalPublic:
    return GoalPublic(
        id=goal.id, title=shown(goal.title, author_id=goal.created_by_id, reader_id=reader.id),
        department_ids=departments, due_date=goal.due_date, archived=goal.archived,
        created_at=goal.created_at, created_by_id=goal.created_by_id,
        target=TargetPublic(type=goal.target_type, kpi_key=goal.kpi_key, theme_id=ask.measure.theme_id,
                            site_id=goal.site_id, comparison=goal.comparison, value=goal.target_value),
        progress=Progress(baseline=goal.baseline, current=answer.at[day], target=goal.target_value,
                          status=_status(goal, answer, day), period=ask.period,
                          theme_retired=ask.measure.theme_retired, as_of=as_of or utcnow(),
                          series=[SeriesPoint(period_start=s, value=v)
                                  for s, v in zip(ask.starts, answer.series, strict=True)]),
    )


def _publics(session: Session, goals: list[Goal], departments: dict[uuid.UUID, list[uuid.UUID]],
             reader: User, measured: stored.Stored) -> list[GoalPublic]:
    """The goals with their progress: stored answers where they hold (api/goals/stored.py), the others
    measured together (api/goals/measure.py evaluate)."""
    asks = goal_asks.asks(session, goals, departments, measured.day)
    found = stored.answers(session, measured, asks)
    return [_public(g, departments[g.id], ask, answer, reader, measured.day, as_of)
            for g, ask, (answer, as_of) in zip(goals, asks, found, strict=True)]


def _record(session: Session, goal: Goal, departments: list[uuid.UUID], changes: list[str], *,
            actor: User | None, status: GoalStatus | None = None, previous: GoalStatus | None = None) -> None:
    data = {"goal_id": goal.id, "changes": changes, "status": status or goal.last_status,
            "department_ids": departments}
    if previous is not None:
        data["previous_status"] = previous
    outbox.record(session, EVENT, data, subject_id=goal.id, actor_id=actor.id if actor else None)


def create_goal(*, session: Session, author: User, data: GoalCreate) -> GoalPublic:
    """Checked whole (422 with every field's error, nothing stored); the baseline is today's value."""
    day = today()
    check_new_goal(session, data, day)
    departments = sorted(set(data.department_ids))
    target = data.target
    measure = measures.Measure(type=target.type, kpi_key=target.kpi_key, theme_id=target.theme_id,
                               site_id=target.site_id, department_ids=tuple(departments))
    period = measures.periods_of(session, [measure])[0]
    ask = measures.Ask(measure=measure, period=period, starts=progress.periods(day, day, period), days=[day])
    answer = measures.evaluate(session, [ask])[0]  # the baseline and the first series, measured once
    baseline = answer.at[day]
    status = progress.status(baseline=baseline, current=baseline, at_due=None, target=target.value,
                             comparison=target.comparison, created=day, due=data.due_date, today=day)
    goal = add_goal(session, departments, title=data.title, target_type=target.type, kpi_key=target.kpi_key,
                    theme_id=target.theme_id, site_id=target.site_id, comparison=target.comparison,
                    target_value=target.value, due_date=data.due_date, baseline=baseline, last_status=status,
                    created_by_id=author.id)
    _record(session, goal, departments, ["created"], actor=author)
    session.commit()
    return _public(goal, departments, ask, answer, author, day)


def _readable(session: Session, reader: User) -> set[uuid.UUID] | None:
    """None: every goal; else the departments whose goals the reader sees (an executive's own)."""
    if reader.role in (Role.manager, Role.admin):
        return None
    return set(departments_of(session, [reader.id])[reader.id])


def list_goals(*, session: Session, reader: User, include_archived: bool = False,
               department_ids: list[uuid.UUID] | None = None) -> list[GoalPublic]:
    """`department_ids`: only goals owned by one of them (a manager's dashboard), within what the reader sees."""
    measured = stored.read(session, today())  # first: it ends the transaction
    stmt = select(Goal).order_by(Goal.due_date, Goal.title, Goal.id)
    if not include_archived:
        stmt = stmt.where(Goal.archived.is_(False))
    readable = _readable(session, reader)
    if department_ids is not None:
        readable = set(department_ids) if readable is None else readable & set(department_ids)
    if readable is not None:
        stmt = stmt.where(Goal.id.in_(select(GoalDepartment.goal_id)
                                      .where(GoalDepartment.department_id.in_(readable))))
    goals = list(session.execute(stmt).scalars())
    return _publics(session, goals, goal_asks.departments_of(session, [g.id for g in goals]), reader, measured)


def _goal(session: Session, goal_id: uuid.UUID) -> tuple[Goal, list[uuid.UUID]]:
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise NotFound("No such goal")
    return goal, goal_asks.departments_of(session, [goal_id])[goal_id]


def get_goal(*, session: Session, reader: User, goal_id: uuid.UUID) -> GoalPublic:
    measured = stored.read(session, today())  # first: it ends the transaction
    goal, departments = _goal(session, goal_id)
    readable = _readable(session, reader)
    if readable is not None and not readable & set(departments):
        raise Forbidden("Executives read the goals of their own departments")
    return _publics(session, [goal], {goal.id: departments}, reader, measured)[0]


def update_goal(*, session: Session, actor: User, goal_id: uuid.UUID, data: GoalUpdate) -> GoalPublic:
    """Title, due date (not in the past) or archived; a change of status it causes is announced with it."""
    goal, departments = _goal(session, goal_id)
    changes = data.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise Invalid([field_error(name, "must not be null") for name in nulls])
    day = today()
    if "due_date" in changes and changes["due_date"] != goal.due_date and changes["due_date"] < day:
        raise Invalid([field_error("due_date", "must not be in the past")])
    changed = sorted(name for name, value in changes.items() if getattr(goal, name) != value)
    if not changed:
        return _publics(session, [goal], {goal.id: departments}, actor, stored.Stored(day, {}, utcnow()))[0]
    change_goal(session, goal, {**changes, "updated_at": utcnow()})
    ask = goal_asks.asks(session, [goal], {goal.id: departments}, day)[0]
    answer = measures.evaluate(session, [ask])[0]
    previous = goal.last_status
    now = _status(goal, answer, day)
    if now != previous:
        change_goal(session, goal, {"last_status": now})
        changed.append("status")
    _record(session, goal, departments, changed, actor=actor, previous=previous if now != previous else None)
    session.commit()
    return _public(goal, departments, ask, answer, actor, day)


def archive_goal(*, session: Session, actor: User, goal_id: uuid.UUID) -> None:
    """DELETE: goals are archived, never erased (their events name them); a second call changes nothing."""
    goal, departments = _goal(session, goal_id)
    if goal.archived:
        return
    change_goal(session, goal, {"archived": True, "updated_at": utcnow()})
    _record(session, goal, departments, ["archived"], actor=actor)
    session.commit()


def announce_status_changes(*, session: Session) -> int:
    """goal.updated for every live goal whose computed status differs from the last announced; returns how
    many. Safe to run in several processes at once (store.swap_status)."""
    day = today()
    goals = list(session.execute(select(Goal).where(Goal.archived.is_(False))).scalars())
    departments = goal_asks.departments_of(session, [g.id for g in goals])
    answers = measures.evaluate(session, goal_asks.asks(session, goals, departments, day, series=False))
    announced = 0
    for goal, answer in zip(goals, answers, strict=True):
        now = _status(goal, answer, day)
        previous = goal.last_status
        if now != previous and swap_status(session, goal.id, old=previous, new=now):
            _record(session, goal, departments[goal.id], ["status"], actor=None, status=now, previous=previous)
            announced += 1
    session.commit()
    return announced
