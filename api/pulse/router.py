import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.deps import AdminUser, CurrentUser, ManagerUser
from api.db import SessionDep
from api.errors import ErrorBody, error_responses
from api.pulse import service
from api.pulse.models import MONTH_PATTERN
from api.pulse.schemas import (
    MyPulse,
    PulseQuestionCreate,
    PulseQuestionPublic,
    PulseQuestionUpdate,
    PulseResults,
    PulseSubmission,
)

router = APIRouter(prefix="/pulse", tags=["reality-check pulse"])
Month = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM (UTC)", examples=["2026-11"])]


@router.get(
    "/questions",
    response_model=list[PulseQuestionPublic],
    responses=error_responses(401),
    summary="The survey's questions in order (the five defaults on first use)",
    description="Active questions only, unless `include_retired=true`. At most 10 are active.",
)
def list_questions(
    session: SessionDep, _: CurrentUser, include_retired: bool = False
) -> list[PulseQuestionPublic]:
    return service.list_questions(session=session, include_retired=include_retired)


@router.post(
    "/questions",
    response_model=PulseQuestionPublic,
    status_code=201,
    responses={**error_responses(401, 403, 422),
               409: {"model": ErrorBody, "description": "Already 10 active questions"}},
    summary="Add a question (admin; at most 10 active)",
)
def create_question(body: PulseQuestionCreate, session: SessionDep, _: AdminUser) -> PulseQuestionPublic:
    return service.create_question(session=session, data=body)


@router.patch(
    "/questions/{question_id}",
    response_model=PulseQuestionPublic,
    responses={**error_responses(401, 403, 404, 422),
               409: {"model": ErrorBody, "description": "Reactivating would exceed 10"}},
    summary="Edit, reorder, retire or reactivate a question (admin); past answers are kept",
)
def update_question(
    question_id: uuid.UUID, body: PulseQuestionUpdate, session: SessionDep, _: AdminUser
) -> PulseQuestionPublic:
    return service.update_question(session=session, question_id=question_id, data=body)


@router.get(
    "/me",
    response_model=MyPulse,
    responses=error_responses(401, 422),
    summary="The caller's answers for a month (default: this month) with the active questions",
)
def my_pulse(session: SessionDep, user: CurrentUser, month: Month = None) -> MyPulse:
    return service.my_pulse(session=session, user=user, month=month)


@router.put(
    "/me",
    response_model=MyPulse,
    responses={**error_responses(401, 403, 422),
               409: {"model": ErrorBody, "description": "The same answers were submitted twice at once"}},
    summary="Answer this month's pulse (executives); answering again this month replaces the answers",
    description="Scale questions take `score` 0-10, text questions `text` (at most 2,000 characters). "
    "Questions left out keep their earlier answer for this month, if any. The month is the current "
    "UTC month.",
)
def submit(body: PulseSubmission, session: SessionDep, user: CurrentUser) -> MyPulse:
    return service.submit_answers(session=session, user=user, data=body)


@router.get(
    "/results",
    response_model=PulseResults,
    responses=error_responses(401, 403, 422),
    summary="Per question and month: responses, average, 0-10 distribution, free-text answers (managers)",
    description="Anonymous: no answer carries its author. Default range: the last 12 months. Retired "
    "questions appear when they have answers in the range.",
)
def results(session: SessionDep, _: ManagerUser, since: Month = None, until: Month = None) -> PulseResults:
    return service.pulse_results(session=session, since=since, until=until)
