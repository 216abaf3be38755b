"""Who is calling: CurrentUser, ManagerUser, AdminUser (Annotated dependencies for routes). The rule for who
reads everyone's pain points is the organisation's setting: FeedReader, in api/settings/deps.py."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from api.auth.models import Role, User
from api.auth.service import user_for_token
from api.db import SessionDep
from api.errors import Forbidden, Unauthorized

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


def current_user(session: SessionDep, token: TokenDep) -> User:
    if not token:
        raise Unauthorized("Sign in first", headers={"WWW-Authenticate": "Bearer"})
    return user_for_token(session=session, token=token)


CurrentUser = Annotated[User, Depends(current_user)]


def manager_user(user: CurrentUser) -> User:
    if user.role not in (Role.manager, Role.admin):
        raise Forbidden("Managers and admins only")
    return user


def admin_user(user: CurrentUser) -> User:
    if user.role != Role.admin:
        raise Forbidden("Admins only")
    return user


ManagerUser = Annotated[User, Depends(manager_user)]
AdminUser = Annotated[User, Depends(admin_user)]
