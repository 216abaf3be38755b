"""Who is calling: CurrentUser, ManagerUser, AdminUser, and FeedReader (who may read everyone's pain points)."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from api.auth.service import user_for_token
from api.db import SessionDep
from api.errors import Forbidden, Unauthorized
from api.settings.service import reads_everything
from api.users.models import Role, User

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


def feed_reader(session: SessionDep, user: CurrentUser) -> User:
    if not reads_everything(session, user):
        raise Forbidden("Themes and the feed are for managers and admins (an admin can open them to executives "
                        "in the settings)")
    return user


ManagerUser = Annotated[User, Depends(manager_user)]
FeedReader = Annotated[User, Depends(feed_reader)]
AdminUser = Annotated[User, Depends(admin_user)]
