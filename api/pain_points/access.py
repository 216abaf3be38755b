"""Who may read a pain point: the one rule that the detail, comments, duplicates and media all apply."""

import uuid

from sqlalchemy import select
from sqlmodel import Session

from api.auth.models import User
from api.errors import Forbidden, NotFound
from api.pain_points.models import PAIN, is_shown
from api.settings.service import reads_everything


def shown_row(session: Session, pain_point_id: uuid.UUID):
    """The pain point's row if it is shown (SHOWN: live, or withdrawn after triage), else 404."""
    row = session.execute(select(PAIN).where(PAIN.c.id == pain_point_id)).first()
    if row is None or not is_shown(row):
        raise NotFound("No such pain point")
    return row


def readable_row(session: Session, viewer: User, pain_point_id: uuid.UUID):
    """The shown pain point's row if `viewer` may read it: its author, or anyone who reads everything
    (managers, admins, executives when the feed is open to them); 403 otherwise."""
    row = shown_row(session, pain_point_id)
    if row.author_id != viewer.id and not reads_everything(session, viewer):
        raise Forbidden("This pain point belongs to another executive")
    return row
