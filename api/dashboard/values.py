"""The dashboards' company values: pain points (the value broken) and bright spots (the value lived) per value
per ISO week over the last 12 weeks, in the reader's scope, and the pulse's questions about values beside them.

Scope, as on the rest of the personal dashboard: an executive's own (what they logged); a manager's
departments (pain points by owning department, else the reported one; bright spots by their department), or
the organisation when they belong to none; an admin's, the organisation. Counts only: no text leaves here.

The pulse has no link from a question to a value. Its default questions ask about the values in general
("How well are our values aligned…"), so the dashboard shows, beside each value, the scale questions whose text
names that value, and beside all of them the scale questions that mention values without naming one; each
with its last three monthly averages (months with fewer respondents than pulse_min_responses left out).
Executives see the pulse there only when executives_see_all_kpis is on, as with the pulse KPI.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from api.auth.models import Role, User
from api.bright_spots.models import BRIGHT
from api.dashboard.schemas import PulseBeside, PulseMonth, ValuesOverTime, ValueWeeks, WeekCount
from api.pain_points.models import PAIN, counted_conditions
from api.pain_points.schemas import Ref
from api.pulse.models import PulseQuestion, QuestionKind
from api.pulse.service import monthly_averages
from api.settings.service import reads_all_kpis
from api.values.models import CompanyValue

WEEKS = 12
PULSE_MONTHS = 3
ABOUT_VALUES = "value"  # a question whose text holds this word is about the values


def _weeks(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]


def _per_week(session: Session, table, weeks: list[date], *where) -> dict[tuple[uuid.UUID, int], int]:
    """(value id, week index) → count, grouped in SQL: the week is found by a CASE over the 12 bounds."""
    bounds = [datetime.combine(w, time(0), tzinfo=UTC) for w in [*weeks, weeks[-1] + timedelta(weeks=1)]]
    when = table.c.occurred_at
    week = case(*((when < bounds[i + 1], i) for i in range(WEEKS)), else_=WEEKS)
    rows = session.execute(
        select(table.c.value_id, week, func.count())
        .where(*where, table.c.value_id.is_not(None), when >= bounds[0], when < bounds[-1])
        .group_by(table.c.value_id, week)).all()
    return {(value_id, int(index)): n for value_id, index, n in rows}


def _scope(table, owner, user: User, scope: list[uuid.UUID] | None) -> list:
    if user.role == Role.executive:
        return [table.c.author_id == user.id]
    return [owner.in_(scope)] if scope is not None else []


def _pulse(session: Session, questions: list[PulseQuestion], today: date) -> dict[uuid.UUID, PulseBeside]:
    since = (today.replace(day=1) - timedelta(days=31 * (PULSE_MONTHS - 1))).strftime("%Y-%m")
    out = {}
    for q in questions:  # a handful at most: the pulse asks up to 10 questions
        months = monthly_averages(session=session, since=since, until=today.strftime("%Y-%m"), question_ids=[q.id])
        out[q.id] = PulseBeside(question_id=q.id, text=q.text, months=[
            PulseMonth(month=m, average=a, responses=n) for m, a, n in months[-PULSE_MONTHS:]])
    return out


def values_over_time(*, session: Session, user: User, scope: list[uuid.UUID] | None,
                     today: date) -> ValuesOverTime | None:
    """`scope`: the departments of a manager's figures (None: the organisation); executives: their own."""
    values = list(session.execute(select(CompanyValue).order_by(CompanyValue.name)).scalars())
    if not values:
        return None
    weeks = _weeks(today)
    pain_owner = func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id)
    pains = _per_week(session, PAIN, weeks, *counted_conditions(),
                      *_scope(PAIN, pain_owner, user, scope))
    spots = _per_week(session, BRIGHT, weeks,
                      *_scope(BRIGHT, BRIGHT.c.department_id, user, scope))
    counted = {v for v, _ in (*pains, *spots)}
    shown = [v for v in values if not v.archived or v.id in counted]
    named: dict[uuid.UUID, list[uuid.UUID]] = {v.id: [] for v in shown}
    general: list[uuid.UUID] = []
    questions: list[PulseQuestion] = []
    if user.role != Role.executive or reads_all_kpis(session, user):
        lowered = [(v.id, v.name.lower()) for v in shown]
        for q in session.execute(select(PulseQuestion).where(
                PulseQuestion.kind == QuestionKind.scale, PulseQuestion.is_active.is_(True),
                or_(func.lower(PulseQuestion.text).contains(ABOUT_VALUES),
                    *(func.lower(PulseQuestion.text).contains(name, autoescape=True) for _, name in lowered)))
                .order_by(PulseQuestion.position)).scalars():
            text = q.text.lower()
            naming = [value_id for value_id, name in lowered if name in text]
            for value_id in naming:
                named[value_id].append(q.id)
            if not naming:
                general.append(q.id)
            questions.append(q)
    pulse = _pulse(session, questions, today)
    return ValuesOverTime(weeks=weeks, pulse=[pulse[q] for q in general], values=[
        ValueWeeks(value=Ref(id=v.id, name=v.name), archived=v.archived,
                   pain_points=[WeekCount(week=w, count=pains.get((v.id, i), 0)) for i, w in enumerate(weeks)],
                   bright_spots=[WeekCount(week=w, count=spots.get((v.id, i), 0)) for i, w in enumerate(weeks)],
                   pulse=[pulse[q] for q in named[v.id]])
        for v in shown])
