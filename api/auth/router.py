"""Sign-in, sign-out and the caller's own account (/api/auth, /api/me), and the users admin API (/api/users)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import links, service, users
from api.auth.deps import AdminUser, CurrentUser, ManagerUser, TokenDep
from api.auth.models import Invitation, Role
from api.auth.schemas import (
    InvitationCreate,
    InvitationPublic,
    LinkUse,
    PasswordChange,
    PasswordResetRequest,
    TokenResponse,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from api.config import get_settings
from api.db import SessionDep
from api.errors import error_responses

router = APIRouter(tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])
invitations_router = APIRouter(prefix="/invitations", tags=["users"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _token_response(session, token: str, row, user) -> TokenResponse:
    return TokenResponse(access_token=token, expires_at=row.expires_at, user=users.public_user(session, user))


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=error_responses(401, 422, 429),
    summary="Sign in with email and password (OAuth2 password form)",
)
def sign_in(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenResponse:
    token, row, user = service.sign_in(
        session=session, email=form.username, password=form.password, client_ip=_client_ip(request)
    )
    return _token_response(session, token, row, user)


@router.post(
    "/auth/password-reset",
    status_code=202,
    responses=error_responses(422, 429),
    summary="E-mail a one-hour password-reset link, if the address is an account's (the answer is the same "
    "either way)",
)
def request_password_reset(request: Request, session: SessionDep, body: PasswordResetRequest) -> Response:
    links.request_reset(session=session, email=body.email, client_ip=_client_ip(request))
    return Response(status_code=202)


@router.post(
    "/auth/password-reset/confirm",
    response_model=TokenResponse,
    responses=error_responses(422),
    summary="Set a new password from a reset link; signs out every other session and signs in",
)
def confirm_password_reset(session: SessionDep, body: LinkUse) -> TokenResponse:
    return _token_response(session, *links.confirm_reset(session=session, token=body.token, password=body.password))


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
def me(session: SessionDep, user: CurrentUser) -> UserPublic:
    return users.public_user(session, user)


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
    return users.public_users(session, users.list_users(session=session, role=role))


@users_router.post(
    "",
    response_model=UserPublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
    summary="Create a user (admin)",
)
def create_user(session: SessionDep, _: AdminUser, body: UserCreate) -> UserPublic:
    return users.public_user(session, users.create_user(session=session, data=body))


@users_router.patch(
    "/{user_id}",
    response_model=UserPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Change a user's name, role, password or active flag (admin); revokes their sessions on "
    "password change or deactivation",
)
def update_user(session: SessionDep, _: AdminUser, user_id: uuid.UUID, body: UserUpdate) -> UserPublic:
    return users.public_user(session, users.update_user(session=session, user_id=user_id, data=body))


def _invitation_public(row: Invitation) -> InvitationPublic:
    link = None if get_settings().smtp_url else links.link_for("invitation", row.id)
    return InvitationPublic.model_validate(row, update={"link": link})


@invitations_router.post(
    "",
    response_model=InvitationPublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422, 429),
    summary="Invite someone by e-mail with a one-time link valid 7 days (admin); without SMTP the answer "
    "carries the link to hand over",
)
def invite(session: SessionDep, admin: AdminUser, body: InvitationCreate) -> InvitationPublic:
    return _invitation_public(links.invite(session=session, admin=admin, email=body.email,
                                           display_name=body.display_name, role=body.role,
                                           department_ids=body.department_ids))


@invitations_router.get("", response_model=list[InvitationPublic], responses=error_responses(401, 403),
                        summary="Open invitations (admin)")
def list_invitations(session: SessionDep, _: AdminUser) -> list[InvitationPublic]:
    return [_invitation_public(row) for row in links.list_invitations(session=session)]


@invitations_router.post(
    "/{invitation_id}/resend",
    response_model=InvitationPublic,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 429),
    summary="Send an invitation again with a new link (the old one stops working) (admin)",
)
def resend_invitation(session: SessionDep, admin: AdminUser, invitation_id: uuid.UUID) -> InvitationPublic:
    return _invitation_public(links.resend_invitation(session=session, admin=admin, invitation_id=invitation_id))


@invitations_router.delete("/{invitation_id}", status_code=204, responses=error_responses(401, 403, 404),
                           summary="Withdraw an invitation (admin)")
def revoke_invitation(session: SessionDep, _: AdminUser, invitation_id: uuid.UUID) -> Response:
    links.revoke_invitation(session=session, invitation_id=invitation_id)
    return Response(status_code=204)


@invitations_router.post(
    "/accept",
    response_model=TokenResponse,
    responses=error_responses(409, 422),
    summary="Accept an invitation: set a password from the link's token; answers a token as /api/auth/token",
)
def accept_invitation(session: SessionDep, body: LinkUse) -> TokenResponse:
    return _token_response(session, *links.accept_invitation(session=session, token=body.token,
                                                             password=body.password))
