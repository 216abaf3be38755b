import uuid

from fastapi import APIRouter, Response

from api.auth.deps import CurrentUser, ManagerUser
from api.db import SessionDep
from api.errors import error_responses
from api.goals import service
from api.goals.schemas import GoalCreate, GoalPublic, GoalUpdate

router = APIRouter(prefix="/goals", tags=["shared goals"])
_PROGRESS = ("`progress` is computed from the data: `baseline` (the value when the goal was made), `current`, "
             "`status` (met once the target holds; missed when the due date passed without it; otherwise "
             "on_track when the current value is at or beyond the straight line from baseline to target by the "
             "due date, else at_risk) and `series` (per week or month, from shortly before the goal was made).")


@router.post("", response_model=GoalPublic, status_code=201, responses=error_responses(401, 403, 422),
             summary="Make a shared goal (managers and admins): two or more departments, a target, a due date",
             description="Targets: `kpi` (`kpi_key`; the KPI's latest period across `site_id`, or every site, "
             "averaged weighted by responses when every row has them), `theme_count` (`theme_id`: the theme's "
             "pain points in the calendar month) or `open_pain_points` (owned by the goal's departments, at "
             "`site_id` when given). Any problem answers 422 with field errors; nothing is stored. " + _PROGRESS)
def create_goal(session: SessionDep, user: ManagerUser, body: GoalCreate) -> GoalPublic:
    return service.create_goal(session=session, author=user, data=body)


@router.get("", response_model=list[GoalPublic], responses=error_responses(401),
            summary="Shared goals with their progress, nearest due date first",
            description="Executives see the goals of their own departments; managers and admins all of them. "
            "Archived goals only with include_archived=true. " + _PROGRESS)
def list_goals(session: SessionDep, user: CurrentUser, include_archived: bool = False) -> list[GoalPublic]:
    return service.list_goals(session=session, reader=user, include_archived=include_archived)


@router.get("/{goal_id}", response_model=GoalPublic, responses=error_responses(401, 403, 404),
            summary="One shared goal with its progress (executives: their own departments' goals)")
def get_goal(session: SessionDep, user: CurrentUser, goal_id: uuid.UUID) -> GoalPublic:
    return service.get_goal(session=session, reader=user, goal_id=goal_id)


@router.patch("/{goal_id}", response_model=GoalPublic, responses=error_responses(401, 403, 404, 422),
              summary="Rename a goal, move its due date or archive it (managers and admins)")
def update_goal(session: SessionDep, user: ManagerUser, goal_id: uuid.UUID, body: GoalUpdate) -> GoalPublic:
    return service.update_goal(session=session, actor=user, goal_id=goal_id, data=body)


@router.delete("/{goal_id}", status_code=204, responses=error_responses(401, 403, 404),
               summary="Archive a goal (managers and admins); it stays readable with include_archived=true")
def archive_goal(session: SessionDep, user: ManagerUser, goal_id: uuid.UUID) -> Response:
    service.archive_goal(session=session, actor=user, goal_id=goal_id)
    return Response(status_code=204)
