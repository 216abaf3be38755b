from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.deps import CurrentUser, ManagerUser
from api.dashboard import service, stored
from api.dashboard.schemas import FieldTime, Flow, MyDashboard
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


@router.get(
    "/me",
    response_model=MyDashboard,
    responses=error_responses(401),
    summary="The signed-in person's own dashboard: each figure with its previous value and better/worse/same",
    description="Executives: field time this month against `field_hours_target` (previous: last month up to "
    "the same day), the pain points they reported (open, resolved) and what came of them (resolution notes "
    "masked), their departments' goals and KPIs (every department's only when `executives_see_all_kpis` is "
    "on). Managers: their departments' KPIs (latest period against the one before), goals, themes rising over "
    "the last 4 weeks and overdue pain points; the whole organisation's when they belong to no department. "
    "Admins: the organisation's. `trend` reads the KPI's `higher_is_better`, a goal's comparison; fewer open, "
    "overdue or theme pain points is better. For a large organisation the figures are computed in the "
    "background and `as_of` says when (up to `UNDERCOVER_SUMMARY_REFRESH_SECONDS` ago); the pain points and "
    "goals listed are read, and masked for the reader, on every request.",
)
def my_dashboard(session: SessionDep, user: CurrentUser) -> MyDashboard:
    return stored.my_dashboard(session=session, user=user)
