"""Pulse questions (admins), monthly answers (executives) and results per month (managers)."""

import uuid
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.auth.models import Role, User, UserDepartment
from api.core.clock import utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from api.privacy.reader import masked
from api.pulse.models import ACTIVE_MAX, PulseAnswer, PulseQuestion, QuestionKind
from api.pulse.schemas import (
    MonthResult,
    MyAnswer,
    MyPulse,
    PulseQuestionCreate,
    PulseQuestionPublic,
    PulseQuestionUpdate,
    PulseResults,
    PulseSubmission,
    QuestionResult,
)
from api.settings.service import org_settings

# The reality check from the customer-experience practice this product comes from.
DEFAULT_QUESTIONS = (
    ("How well do you understand the impact of customer experience on our bottom line?", QuestionKind.scale),
    (
        "What metrics and insight are you lacking that prevent you from serving clients better?",
        QuestionKind.text,
    ),
    ("How well does our organisation perform across business units to serve clients?", QuestionKind.scale),
    ("How top-of-mind is customer experience for you personally?", QuestionKind.scale),
    ("How well are our values aligned to serve clients in the best possible way?", QuestionKind.scale),
)
_DEFAULTS_NS = uuid.UUID("b6a4f1d0-2c1e-4f7b-9d1a-3e5c7a9b0d11")


def current_month() -> str:
    return utcnow().strftime("%Y-%m")


def _public(q: PulseQuestion) -> PulseQuestionPublic:
    return PulseQuestionPublic.model_validate(q, from_attributes=True)


def ensure_default_questions(*, session: Session) -> None:
    """Seed the five defaults the first time the pulse is used (never again once any question exists)."""
    if session.execute(select(func.count()).select_from(PulseQuestion)).scalar_one():
        return
    for position, (text, kind) in enumerate(DEFAULT_QUESTIONS):
        session.add(
            PulseQuestion(id=uuid.uuid5(_DEFAULTS_NS, str(position)), text=text, kind=kind, position=position)
        )
    try:
        session.commit()
    except IntegrityError:  # another request seeded them at the same moment
        session.rollback()


def _active(session: Session) -> list[PulseQuestion]:
    stmt = (
        select(PulseQuestion)
        .where(PulseQuestion.is_active)
        .order_by(PulseQuestion.position, PulseQuestion.created_at)
    )
    return list(session.scalars(stmt))


def list_questions(*, session: Session, include_retired: bool = False) -> list[PulseQuestionPublic]:
    ensure_default_questions(session=session)
    if not include_retired:
        return [_public(q) for q in _active(session)]
    stmt = select(PulseQuestion).order_by(
        PulseQuestion.is_active.desc(), PulseQuestion.position, PulseQuestion.created_at
    )
    return [_public(q) for q in session.scalars(stmt)]


def _ensure_room(session: Session) -> None:
    if len(_active(session)) >= ACTIVE_MAX:
        raise Conflict(f"The pulse already has {ACTIVE_MAX} active questions; retire one first")


def create_question(*, session: Session, data: PulseQuestionCreate) -> PulseQuestionPublic:
    ensure_default_questions(session=session)
    _ensure_room(session)
    position = data.position
    if position is None:
        position = (session.execute(select(func.max(PulseQuestion.position))).scalar_one() or 0) + 1
    question = PulseQuestion(text=data.text.strip(), kind=data.kind, position=position)
    session.add(question)
    session.commit()
    return _public(question)


def update_question(
    *, session: Session, question_id: uuid.UUID, data: PulseQuestionUpdate
) -> PulseQuestionPublic:
    question = session.get(PulseQuestion, question_id)
    if question is None:
        raise NotFound("No such pulse question")
    changes = data.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise Invalid([field_error(name, "must not be null") for name in nulls])
    if "text" in changes:
        question.text = changes["text"].strip()
    if "position" in changes:
        question.position = changes["position"]
    if "is_active" in changes and changes["is_active"] != question.is_active:
        if changes["is_active"]:
            _ensure_room(session)
            question.is_active, question.retired_at = True, None
        else:
            question.is_active, question.retired_at = False, utcnow()
    session.add(question)
    session.commit()
    return _public(question)


def _my_answers(session: Session, user: User, month: str) -> list[MyAnswer]:
    rows = session.scalars(
        select(PulseAnswer).where(PulseAnswer.user_id == user.id, PulseAnswer.month == month)
    )
    return [
        MyAnswer(question_id=a.question_id, score=a.score, text=a.answer_text, updated_at=a.updated_at)
        for a in rows
    ]


def my_pulse(*, session: Session, user: User, month: str | None = None) -> MyPulse:
    ensure_default_questions(session=session)
    month = month or current_month()
    return MyPulse(
        month=month,
        questions=[_public(q) for q in _active(session)],
        answers=_my_answers(session, user, month),
    )


def _answer_errors(data: PulseSubmission, active: dict[uuid.UUID, PulseQuestion]) -> list[dict]:
    errors, seen = [], set()
    for i, answer in enumerate(data.answers):
        loc = ["answers", i]
        question = active.get(answer.question_id)
        if question is None:
            errors.append(
                field_error([*loc, "question_id"], "not an active pulse question")
            )
        elif answer.question_id in seen:
            errors.append(field_error([*loc, "question_id"], "answered twice"))
        elif question.kind == QuestionKind.scale and (answer.score is None or answer.text is not None):
            errors.append(
                field_error([*loc, "score"], "a 0-10 score is required (and no text)")
            )
        elif question.kind == QuestionKind.text and (not answer.text or answer.score is not None):
            errors.append(
                field_error([*loc, "text"], "a text answer is required (and no score)")
            )
        seen.add(answer.question_id)
    return errors


def submit_answers(*, session: Session, user: User, data: PulseSubmission) -> MyPulse:
    """This month's answers; answering again in the same month replaces the earlier answer."""
    if user.role != Role.executive:
        raise Forbidden("The pulse is answered by executives")
    ensure_default_questions(session=session)
    month = current_month()
    active = {q.id: q for q in _active(session)}
    errors = _answer_errors(data, active)
    if errors:
        raise Invalid(errors)
    stored = {
        a.question_id: a
        for a in session.scalars(
            select(PulseAnswer)
            .where(PulseAnswer.user_id == user.id, PulseAnswer.month == month)
            .with_for_update()
        )
    }
    now = utcnow()
    for answer in data.answers:
        row = stored.get(answer.question_id) or PulseAnswer(
            question_id=answer.question_id, user_id=user.id, month=month, created_at=now
        )
        row.score, row.answer_text, row.updated_at = answer.score, answer.text, now
        session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("The same answers were submitted twice at once; submit again") from None
    return my_pulse(session=session, user=user, month=month)


def _month_range(since: str | None, until: str | None) -> tuple[str, str]:
    until = until or current_month()
    if since is None:
        year, month = map(int, until.split("-"))
        month -= 11
        if month <= 0:
            year, month = year - 1, month + 12
        since = f"{year:04d}-{month:02d}"
    if since > until:
        raise Invalid([field_error(["query", "since"], "must not be after until")])
    return since, until


def pulse_results(*, session: Session, since: str | None = None, until: str | None = None) -> PulseResults:
    """Per question per month: responses, average and 0-10 distribution, or the free-text answers."""
    ensure_default_questions(session=session)
    since, until = _month_range(since, until)
    in_range = PulseAnswer.month.between(since, until)
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * 11)
    for question_id, month, score, n in session.execute(
        select(PulseAnswer.question_id, PulseAnswer.month, PulseAnswer.score, func.count())
        .where(in_range, PulseAnswer.score.is_not(None))
        .group_by(PulseAnswer.question_id, PulseAnswer.month, PulseAnswer.score)
    ):
        counts[(question_id, month)][score] = n
    texts: dict[tuple, list[str]] = defaultdict(list)
    for question_id, month, text in session.execute(
        select(PulseAnswer.question_id, PulseAnswer.month, PulseAnswer.answer_text)
        .where(in_range, PulseAnswer.answer_text.is_not(None))
        .order_by(PulseAnswer.month, PulseAnswer.updated_at)
    ):
        texts[(question_id, month)].append(text)
    # Too few people in a month and their scores or words could be told apart: counts only.
    respondents = dict(session.execute(
        select(PulseAnswer.month, func.count(func.distinct(PulseAnswer.user_id)))
        .where(in_range).group_by(PulseAnswer.month)
    ).all())
    minimum = org_settings(session=session).pulse_min_responses
    withheld = {month for month, n in respondents.items() if n < minimum}
    answered = {key[0] for key in counts} | {key[0] for key in texts}
    questions = [
        q
        for q in session.scalars(
            select(PulseQuestion).order_by(PulseQuestion.position, PulseQuestion.created_at)
        )
        if q.is_active or q.id in answered
    ]
    out = []
    for q in questions:
        months = sorted({m for (qid, m) in (*counts, *texts) if qid == q.id})
        rows = []
        for m in months:
            if m in withheld:
                n = sum(counts[(q.id, m)]) if q.kind == QuestionKind.scale else len(texts[(q.id, m)])
                rows.append(MonthResult(month=m, responses=n, average=None, distribution=None, texts=None,
                                        withheld=True))
            elif q.kind == QuestionKind.scale:
                dist = counts[(q.id, m)]
                n = sum(dist)
                rows.append(
                    MonthResult(
                        month=m,
                        responses=n,
                        distribution=dist,
                        texts=None,
                        average=round(sum(s * c for s, c in enumerate(dist)) / n, 2) if n else None,
                    )
                )
            else:
                answers = texts[(q.id, m)]
                rows.append(
                    MonthResult(
                        month=m, responses=len(answers), average=None, distribution=None,
                        texts=[masked(text) for text in answers]
                    )
                )
        out.append(QuestionResult(question=_public(q), months=rows))
    return PulseResults(since=since, until=until, questions=out)


def monthly_averages(*, session: Session, since: str | None = None, until: str | None = None,
                     department_ids: list[uuid.UUID] | None = None,
                     question_ids: list[uuid.UUID] | None = None) -> list[tuple[str, float, int]]:
    """(month, mean of every 0-10 score, executives who answered), oldest first: the pulse's built-in KPI.
    Months with fewer respondents than `pulse_min_responses` are left out, as in pulse_results.
    `department_ids`: only the answers of members of these departments (a theme's departments);
    `question_ids`: only these questions' answers (and respondents)."""
    where = [PulseAnswer.month >= since] if since else []
    where += [PulseAnswer.month <= until] if until else []
    if department_ids is not None:
        where.append(PulseAnswer.user_id.in_(
            select(UserDepartment.user_id).where(UserDepartment.department_id.in_(department_ids))))
    if question_ids is not None:
        where.append(PulseAnswer.question_id.in_(question_ids))
    minimum = org_settings(session=session).pulse_min_responses
    respondents = dict(session.execute(
        select(PulseAnswer.month, func.count(func.distinct(PulseAnswer.user_id)))
        .where(*where).group_by(PulseAnswer.month)
        .having(func.count(func.distinct(PulseAnswer.user_id)) >= minimum)
    ).all())
    averages = session.execute(
        select(PulseAnswer.month, func.avg(PulseAnswer.score))
        .where(*where, PulseAnswer.score.is_not(None)).group_by(PulseAnswer.month).order_by(PulseAnswer.month)
    ).all()
    return [(month, round(float(mean), 2), respondents[month]) for month, mean in averages if month in respondents]
