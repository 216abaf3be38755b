from fastapi import APIRouter

from api.auth.deps import AdminUser, CurrentUser
from api.db import SessionDep
from api.errors import error_responses
from api.settings import service
from api.settings.schemas import OrgSettingsPublic, OrgSettingsUpdate

router = APIRouter(tags=["settings"])


@router.get(
    "/settings",
    response_model=OrgSettingsPublic,
    responses=error_responses(401),
    summary="The organisation's settings (any signed-in user)",
    description="`field_hours_target`: hours in the field per executive per month that the dashboard "
    "measures against. `executives_see_feed`: whether executives may read the whole pain-point feed (off by default: "
    "they see their own pain points at `/api/my/pain-points`). `pulse_min_responses`: pulse results for a month "
    "show scores and answers only when at least this many executives answered (default 3; below it, counts only). "
    "`executives_see_all_kpis`: whether executives may read every department's KPI values (off by default: their "
    "own departments' and those of no department).",
    operation_id="get_settings_api_settings_get",  # the published id, from the function's former name
)
def read_org_settings(session: SessionDep, _: CurrentUser) -> OrgSettingsPublic:
    return service.read_settings(session=session)


@router.patch(
    "/settings",
    response_model=OrgSettingsPublic,
    responses=error_responses(401, 403, 422),
    summary="Change the organisation's settings (admin)",
)
def patch_settings(body: OrgSettingsUpdate, session: SessionDep, admin: AdminUser) -> OrgSettingsPublic:
    return service.update_settings(session=session, admin=admin, data=body)
