import uuid

from fastapi import APIRouter

from api.db import SessionDep
from api.deps import AdminUser, ManagerUser
from api.errors import error_responses
from api.users import service
from api.users.models import Role, UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserPublic], responses=error_responses(401, 403), summary="List users")
def list_users(session: SessionDep, _: ManagerUser, role: Role | None = None) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in service.list_users(session=session, role=role)]


@router.post(
    "",
    response_model=UserPublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
    summary="Create a user (admin)",
)
def create_user(session: SessionDep, _: AdminUser, body: UserCreate) -> UserPublic:
    return UserPublic.model_validate(service.create_user(session=session, data=body))


@router.patch(
    "/{user_id}",
    response_model=UserPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Change a user's name, role, password or active flag (admin); revokes their sessions on "
    "password change or deactivation",
)
def update_user(session: SessionDep, _: AdminUser, user_id: uuid.UUID, body: UserUpdate) -> UserPublic:
    return UserPublic.model_validate(service.update_user(session=session, user_id=user_id, data=body))
