"""Uploading, reading and deleting media, and the media lists that pain-point JSON carries.

An upload is checked (type, author, live pain point) before its body is read; the body is streamed to a
temporary file (api/media/receive.py); then the file is written to storage and only then is its row
inserted, so a crash leaves at worst an orphan file and no row, and a retry (the whole file again, same
id, same bytes, same key) ends with one whole file and one row.
"""

import logging
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.auth.models import User
from api.config import get_settings
from api.core.clock import utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from api.media import files, store
from api.media.models import MEDIA
from api.media.schemas import PUBLIC_FIELDS, THUMB_TYPE, MediaPublic
from api.media.storage import get_storage
from api.pain_points.access import readable_row
from api.pain_points.models import PAIN

log = logging.getLogger("undercover.media")


def _own_live_pain_point(session: Session, user: User, pain_point_id: uuid.UUID):
    row = session.execute(select(PAIN.c.author_id, PAIN.c.deleted_at).where(PAIN.c.id == pain_point_id)).first()
    if row is None or row.deleted_at is not None:
        raise NotFound("No such pain point")
    if row.author_id != user.id:
        raise Forbidden("Only the pain point's author adds photos and voice notes to it")


def _stored(session: Session, media_id: uuid.UUID):
    return session.execute(select(MEDIA).where(MEDIA.c.id == media_id)).first()


def public(row) -> MediaPublic:
    return MediaPublic(**{name: getattr(row, name) for name in PUBLIC_FIELDS})


def check_upload(*, session: Session, user: User, pain_point_id: uuid.UUID, media_id: uuid.UUID,
                 content_type: str) -> None:
    """Everything that can be refused before the body is read. Ends its transaction: on SQLite an open one
    would hold the write lock while the file arrives."""
    try:
        files.check_declared(content_type)
        _own_live_pain_point(session, user, pain_point_id)
        existing = _stored(session, media_id)
        if existing is not None and existing.pain_point_id != pain_point_id:
            raise Conflict("This media id belongs to another pain point")
    finally:
        session.commit()


def _keys(pain_point_id: uuid.UUID, media_id: uuid.UUID, upload_sha256: str, content_type: str):
    # The digest in the key: other bytes under the same id (a 409 in the making) never overwrite the file
    # the row points at, while a retry of the same bytes lands on the same key.
    stem = f"{pain_point_id}/{media_id}-{upload_sha256[:16]}"
    return f"{stem}.{files.EXTENSIONS[content_type]}", f"{stem}.thumb.jpg"


def finish_upload(*, session: Session, user: User, pain_point_id: uuid.UUID, media_id: uuid.UUID,
                  content_type: str, received: files.Received) -> tuple[MediaPublic, bool]:
    """Store a received body; returns the media and whether it was created (False: the same bytes again)."""
    existing = _stored(session, media_id)
    session.commit()
    if existing is not None:
        return _same_or_conflict(existing, pain_point_id, received), False
    if received.size == 0:
        raise Invalid([field_error("body", "The file is empty (0 bytes)")])
    files.check_head(received.head, content_type)
    storage = get_storage()
    key, thumb_key = _keys(pain_point_id, media_id, received.sha256, content_type)
    with tempfile.TemporaryDirectory(prefix="undercover-media-") as work:
        prepared = files.prepare(received.path, content_type, max_pixels=get_settings().media_max_pixels,
                                 workdir=Path(work))
        size = prepared.path.stat().st_size
        digest = received.sha256 if prepared.path == received.path else files.file_sha256(prepared.path)
        storage.put_file(key, prepared.path, content_type)
        if prepared.thumb is not None:
            storage.put_bytes(thumb_key, prepared.thumb, THUMB_TYPE)
    if storage.size(key) != size:
        raise OSError(f"media {media_id}: the stored file is not whole")
    row = {"id": media_id, "pain_point_id": pain_point_id, "author_id": user.id, "content_type": content_type,
           "bytes": size, "sha256": digest, "upload_sha256": received.sha256, "width": prepared.width,
           "height": prepared.height, "duration_s": prepared.duration_s, "key": key,
           "thumb_key": thumb_key if prepared.thumb is not None else None, "created_at": utcnow()}
    try:
        _own_live_pain_point(session, user, pain_point_id)  # still there now that the file is stored
        store.add(session, row)
        session.commit()
    except IntegrityError:
        # The same id stored by another request meanwhile: decide against its copy.
        session.rollback()
        existing = _stored(session, media_id)
        session.commit()
        if existing is None:
            raise
        return _same_or_conflict(existing, pain_point_id, received), False
    return MediaPublic(**{name: row[name] for name in PUBLIC_FIELDS}), True


def _same_or_conflict(existing, pain_point_id: uuid.UUID, received: files.Received) -> MediaPublic:
    if existing.pain_point_id != pain_point_id or existing.upload_sha256 != received.sha256:
        raise Conflict("Other bytes are stored under this media id; upload new media under a new id")
    return public(existing)


@dataclass
class Readable:
    key: str
    content_type: str
    size: int
    etag: str


def open_media(*, session: Session, viewer: User, media_id: uuid.UUID, thumb: bool) -> Readable:
    """What `viewer` may read of a media file: those who may read its pain point may read it."""
    try:
        row = _stored(session, media_id)
        if row is None:
            raise NotFound("No such media")
        readable_row(session, viewer, row.pain_point_id)
    finally:
        session.commit()
    if not thumb:
        return Readable(key=row.key, content_type=row.content_type, size=row.bytes, etag=row.sha256)
    if row.thumb_key is None:
        raise NotFound("Only photos have a thumbnail")
    size = get_storage().size(row.thumb_key)
    if size is None:
        raise NotFound("The thumbnail is missing from storage")
    return Readable(key=row.thumb_key, content_type=THUMB_TYPE, size=size, etag=f"{row.sha256[:32]}-thumb")


def delete_media(*, session: Session, user: User, media_id: uuid.UUID) -> None:
    row = _stored(session, media_id)
    if row is None:
        session.commit()
        raise NotFound("No such media")
    if row.author_id != user.id:
        session.commit()
        raise Forbidden("Only its author deletes a photo or voice note")
    keys = store.remove(session, media_id)
    session.commit()
    remove_files(keys)


def remove_files(keys: Iterable[str]) -> None:
    """Remove stored files whose rows are committed gone. A failure leaves an orphan file, never a row
    without its file, so it is logged and not raised."""
    keys = list(keys)
    if not keys:
        return
    try:
        get_storage().delete(keys)
    except Exception:  # noqa: BLE001 - logged; the rows are gone already
        log.exception("could not remove %d media files", len(keys))


def media_for(session: Session, pain_point_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[dict]]:
    """The media of many pain points in one query per 5,000 ids, oldest first: pain point id -> public dicts."""
    ids = list(pain_point_ids)
    grouped: dict[uuid.UUID, list[dict]] = defaultdict(list)
    columns = [MEDIA.c.pain_point_id, *(MEDIA.c[name] for name in PUBLIC_FIELDS)]
    for i in range(0, len(ids), 5000):
        rows = session.execute(select(*columns).where(MEDIA.c.pain_point_id.in_(ids[i:i + 5000]))
                               .order_by(MEDIA.c.created_at, MEDIA.c.id))
        for row in rows:
            grouped[row[0]].append(dict(zip(PUBLIC_FIELDS, row[1:], strict=True)))
    return grouped
