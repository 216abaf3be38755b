from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service
from api.auth.passwords import password_problem
from api.auth.schemas import PasswordChange, TokenResponse
from api.auth.security import hash_password, verify_password
from api.db import SessionDep, utcnow
from api.deps import CurrentUser, TokenDep
from api.errors import Invalid, error_responses
from api.users.models import UserPublic

router = APIRouter(tags=["auth"])


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
    if not verify_password(user.password_hash, body.current_password):
        raise Invalid([{"loc": ["current_password"], "msg": "Current password is wrong", "type": "value_error"}])
    problem = password_problem(body.new_password, [user.email, user.display_name])  # the rule, with their name
    if problem:
        raise Invalid([{"loc": ["new_password"], "msg": problem, "type": "weak_password"}])
    user.password_hash = hash_password(body.new_password)
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    service.revoke_all_tokens(session=session, user=user, keep_token=token)
    return Response(status_code=204)
