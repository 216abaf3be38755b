"""FeedReader: who may read everyone's pain points and the themes made of them (managers, admins, and
executives when the organisation opens the feed to them)."""

from typing import Annotated

from fastapi import Depends

from api.auth.deps import CurrentUser
from api.auth.models import User
from api.db import SessionDep
from api.errors import Forbidden
from api.settings.service import reads_everything


def feed_reader(session: SessionDep, user: CurrentUser) -> User:
    if not reads_everything(session, user):
        raise Forbidden("Themes and the feed are for managers and admins (an admin can open them to executives "
                        "in the settings)")
    return user


FeedReader = Annotated[User, Depends(feed_reader)]
