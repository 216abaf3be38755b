"""Sign-in, sign-out and the caller's own account (/api/auth, /api/me), and the users admin API (/api/users)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service, users
from api.auth.deps import AdminUser, CurrentUser, ManagerUser, TokenDep
from api.auth.models import Role
from api.auth.schemas import PasswordChange, TokenResponse, UserCreate, UserPublic, UserUpdate
from api.db import SessionDep
from api.errors import error_responses

router = APIRouter(tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=error_responses(401, 422, 429),
    summary="Sign in with email and password (OAuth2 password form)",
)
def sign_in(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenResponse:
    client_ip = request.client.host if request.client else "unknown"
    token, row, user = service.sign_in(
        session=session, email=form.username, password=form.password, client_ip=client_ip
    )
    return TokenResponse(access_token=token, expires_at=row.expires_at, user=UserPublic.model_validate(user))


@router.post("/auth/logout", status_code=204, responses=error_responses(401), summary="Revoke this token")
def logout(session: SessionDep, user: CurrentUser, token: TokenDep) -> Response:
    service.revoke_token(session=session, token=token)
    return Response(status_code=204)


@router.post(
    "/auth/logout-all", status_code=204, responses=error_responses(401), summary="Revoke every token of the caller"
)
def logout_everywhere(session: SessionDep, user: CurrentUser) -> Response:
    service.revoke_all_tokens(session=session, user=user)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic, responses=error_responses(401), summary="The signed-in user")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.post(
    "/me/password",
    status_code=204,
    responses=error_responses(401, 422),
    summary="Change the caller's password; signs out every other session",
)
def change_password(session: SessionDep, user: CurrentUser, token: TokenDep, body: PasswordChange) -> Response:
    users.change_own_password(session=session, user=user, current=body.current_password, new=body.new_password,
                              keep_token=token)
    return Response(status_code=204)


@users_router.get("", response_model=list[UserPublic], responses=error_responses(401, 403), summary="List users")
def list_users(session: SessionDep, _: ManagerUser, role: Role | None = None) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in users.list_users(session=session, role=role)]


@users_router.post(
    "",
    response_model=UserPublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
    summary="Create a user (admin)",
)
def create_user(session: SessionDep, _: AdminUser, body: UserCreate) -> UserPublic:
    return UserPublic.model_validate(users.create_user(session=session, data=body))


@users_router.patch(
    "/{user_id}",
    response_model=UserPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Change a user's name, role, password or active flag (admin); revokes their sessions on "
    "password change or deactivation",
)
def update_user(session: SessionDep, _: AdminUser, user_id: uuid.UUID, body: UserUpdate) -> UserPublic:
    return UserPublic.model_validate(users.update_user(session=session, user_id=user_id, data=body))
