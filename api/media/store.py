"""The one module that writes the media table. Functions only execute and flush; the calling service
commits, and removes the stored files after that commit (api/media/storage.py)."""

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from api.media.models import MEDIA


def add(session: Session, row: dict) -> None:
    session.execute(insert(MEDIA).values(**row))
    session.flush()


def remove(session: Session, media_id: uuid.UUID) -> list[str]:
    """Delete one media row; returns its storage keys, for removal once committed."""
    return _remove(session, MEDIA.c.id == media_id)


def remove_for_pain_points(session: Session, pain_point_ids: Iterable[uuid.UUID]) -> list[str]:
    """Delete the media of these pain points (their rows go for good); returns the storage keys."""
    ids = list(pain_point_ids)
    keys: list[str] = []
    for i in range(0, len(ids), 5000):
        keys += _remove(session, MEDIA.c.pain_point_id.in_(ids[i:i + 5000]))
    return keys


def _remove(session: Session, condition) -> list[str]:
    rows = session.execute(select(MEDIA.c.key, MEDIA.c.thumb_key).where(condition)).all()
    if rows:
        session.execute(delete(MEDIA).where(condition))
        session.flush()
    return [key for row in rows for key in row if key]
