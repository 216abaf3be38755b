from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.deps import ManagerUser
from api.dashboard import service
from api.dashboard.schemas import FieldTime, Flow
from api.db import SessionDep
from api.errors import error_responses
from api.pulse.models import MONTH_PATTERN
from api.pulse.service import current_month

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get(
    "/field-time",
    response_model=FieldTime,
    responses=error_responses(401, 403, 422),
    summary="Hours in the field per executive for a month, against the target (managers and admins)",
    description="A visit counts in the month (UTC) it started; in-progress (unfinished) and deleted visits "
    "are left out. The target is the admin setting `field_hours_target`.",
)
def field_time(
    session: SessionDep,
    _: ManagerUser,
    month: Annotated[
        str | None,
        Query(pattern=MONTH_PATTERN, description="YYYY-MM; default this month", examples=["2026-11"]),
    ] = None,
) -> FieldTime:
    return service.field_time(session=session, month=month or current_month())


@router.get(
    "/flow",
    response_model=Flow,
    responses=error_responses(401, 403, 422),
    summary="Pain points opened vs resolved per week, time to resolve, open by department, top and moving "
    "themes (managers and admins)",
    description="The period is `weeks` whole weeks (Monday to Sunday, UTC) ending with the week that holds "
    "`until` (default today); movers compare with the previous period of the same length. Duplicates are "
    "left out of every count.",
)
def flow(
    session: SessionDep,
    _: ManagerUser,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
    until: Annotated[date | None, Query(description="A day in the last week of the period")] = None,
) -> Flow:
    return service.flow(session=session, weeks=weeks, until=until)
