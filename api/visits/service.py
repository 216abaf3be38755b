"""Reading, putting and deleting visits; the writes themselves live in writes.py."""

import uuid
from collections import defaultdict

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.auth.models import Role, User
from api.bright_spots import store as bright_store
from api.bright_spots.models import BRIGHT
from api.bright_spots.service import shown_recognise
from api.core.clock import utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from api.media import service as media
from api.media import store as media_store
from api.pain_points import store, triage
from api.pain_points.models import PAIN
from api.privacy.reader import sees_raw, shown, shown_strings
from api.visits.changes import write_stamp
from api.visits.schemas import VisitPublic, VisitWrite
from api.visits.writes import VISIT, WANTED, by_ids, lock_pain_points, write_visits

PUBLIC_PAIN_FIELDS = ("id", "visit_id", "text", "severity", "felt_by", "department_id", "journey_step", "quote",
                      "value_id", "status", "theme_id", "created_at", "updated_at")
MASKED_PAIN_FIELDS = ("text", "quote")
PUBLIC_PAIN_COLUMNS = [PAIN.c[name] for name in PUBLIC_PAIN_FIELDS]
_live = select(*PUBLIC_PAIN_COLUMNS, PAIN.c.position) \
    .where(PAIN.c.visit_id == WANTED.c.id, PAIN.c.deleted_at.is_(None)).order_by(PAIN.c.position).lateral()
LIVE_PAIN_POINTS = {  # of the visits given as `ids`, in order within each visit (see writes.by_ids)
    "postgresql": select(*(_live.c[name] for name in PUBLIC_PAIN_FIELDS)).select_from(WANTED)
    .join(_live, true()).order_by(_live.c.visit_id, _live.c.position),
    None: select(*PUBLIC_PAIN_COLUMNS)
    .where(PAIN.c.visit_id.in_(bindparam("ids", expanding=True)), PAIN.c.deleted_at.is_(None))
    .order_by(PAIN.c.visit_id, PAIN.c.position),
}
BRIGHT_FIELDS = ("id", "visit_id", "text", "department_id", "recognise", "value_id")
BRIGHT_SPOTS = select(*(BRIGHT.c[name] for name in BRIGHT_FIELDS)) \
    .where(BRIGHT.c.visit_id.in_(bindparam("ids", expanding=True))).order_by(BRIGHT.c.visit_id, BRIGHT.c.position)


def _bright_spots(session: Session, visits: list, viewer: User) -> dict[uuid.UUID, list[dict]]:
    """The visits' bright spots as `viewer` reads them: free text masked for anyone but the author, and the
    name recognised only for the author, managers and admins."""
    authors = {v.id: v.author_id for v in visits}
    grouped: dict[uuid.UUID, list[dict]] = defaultdict(list)
    for row in session.execute(BRIGHT_SPOTS, {"ids": list(authors)}) if authors else ():
        spot = dict(zip(BRIGHT_FIELDS, row, strict=True))
        author_id = authors[spot["visit_id"]]
        spot["text"] = shown(spot["text"], author_id=author_id, reader_id=viewer.id)
        spot["recognise"] = shown_recognise(spot["recognise"], author_id=author_id, reader=viewer)
        grouped[spot["visit_id"]].append(spot)
    return grouped


def visits_for_reader(session: Session, visits: list, viewer: User) -> list[VisitPublic]:
    """Visit rows (ORM or Core) with their live pain points, as the API shows them to `viewer`: the author
    reads everything as written; anyone else never the private notes, and the notes, details and pain points
    with e-mails, phone and card numbers masked (api/privacy/reader.py)."""
    ids = [v.id for v in visits]
    grouped: dict[uuid.UUID, list[dict]] = defaultdict(list)
    if ids:
        rows = by_ids(session, LIVE_PAIN_POINTS, ids)
        for row in rows:  # plain dicts: pydantic reads them much faster than row mappings
            grouped[row[1]].append(dict(zip(PUBLIC_PAIN_FIELDS, row, strict=True)))
        files = media.media_for(session, [p["id"] for points in grouped.values() for p in points])
        for points in grouped.values():
            for point in points:
                point["media"] = files.get(point["id"], [])
    spots = _bright_spots(session, visits, viewer)
    others = [v for v in visits if not sees_raw(author_id=v.author_id, reader_id=viewer.id)]
    for v in others:
        for point in grouped.get(v.id, []):
            for name in MASKED_PAIN_FIELDS:
                point[name] = shown(point[name], author_id=v.author_id, reader_id=viewer.id)
    return [
        VisitPublic.model_validate({
            "id": v.id, "author_id": v.author_id, "kind": v.kind, "site_id": v.site_id,
            "started_at": v.started_at, "ended_at": v.ended_at, "incognito": v.incognito,
            "notes": shown(v.notes, author_id=v.author_id, reader_id=viewer.id),
            "private_notes": v.private_notes if viewer.id == v.author_id else None,
            "details": shown_strings(v.details, author_id=v.author_id, reader_id=viewer.id),
            "version": v.version, "created_at": v.created_at, "updated_at": v.updated_at,
            "deleted_at": v.deleted_at, "pain_points": grouped.get(v.id, []),
            "bright_spots": spots.get(v.id, []),
        })
        for v in visits
    ]


def _load(session: Session, visit_id: uuid.UUID):
    return session.execute(select(VISIT).where(VISIT.c.id == visit_id)).first()


def put_visit(*, session: Session, author: User, visit_id: uuid.UUID, data: VisitWrite) -> tuple[VisitPublic, bool]:
    """PUT semantics: returns the stored visit and whether it was created."""
    if data.id is not None and data.id != visit_id:
        raise Invalid([field_error("id", "does not match the id in the path")])
    data = data.model_copy(update={"id": visit_id})
    try:
        result = write_visits(session=session, author=author, writes=[data])
        session.commit()
    except IntegrityError:
        # Another request created the same id at the same moment: decide again against its copy.
        session.rollback()
        result = write_visits(session=session, author=author, writes=[data])
        session.commit()
    if result.forbidden:
        raise Forbidden("This visit belongs to someone else")
    if result.rejected:
        raise Invalid(result.rejected[visit_id])
    stored = visits_for_reader(session, [_load(session, visit_id)], author)[0]
    if result.conflicts:
        raise Conflict(
            f"The visit changed on the server (version {stored.version}; this write is based on "
            f"version {data.version})",
            server=stored.model_dump(mode="json"),
        )
    return stored, visit_id in result.created


def _readable(session: Session, viewer: User, visit_id: uuid.UUID):
    row = _load(session, visit_id)
    if row is None:
        raise NotFound("No such visit")
    if row.author_id != viewer.id and viewer.role == Role.executive:
        raise Forbidden("This visit belongs to someone else")
    return row


def get_visit(*, session: Session, viewer: User, visit_id: uuid.UUID) -> VisitPublic:
    return visits_for_reader(session, [_readable(session, viewer, visit_id)], viewer)[0]


def list_visits(
    *, session: Session, viewer: User, author_id: uuid.UUID | None = None, include_deleted: bool = False,
    limit: int = 200, offset: int = 0,
) -> list[VisitPublic]:
    author_id = author_id or viewer.id
    if author_id != viewer.id and viewer.role == Role.executive:
        raise Forbidden("Executives see only their own visits")
    stmt = select(VISIT).where(VISIT.c.author_id == author_id)
    if not include_deleted:
        stmt = stmt.where(VISIT.c.deleted_at.is_(None))
    rows = session.execute(stmt.order_by(VISIT.c.started_at.desc(), VISIT.c.id).offset(offset).limit(limit)).all()
    return visits_for_reader(session, rows, viewer)


def delete_visit(*, session: Session, user: User, visit_id: uuid.UUID) -> None:
    row = session.execute(select(VISIT).where(VISIT.c.id == visit_id).with_for_update()).first()
    if row is None:
        raise NotFound("No such visit")
    if row.author_id != user.id and user.role != Role.admin:
        raise Forbidden("Only the author can delete a visit")
    if row.deleted_at is not None:
        return
    now = utcnow()
    session.execute(update(VISIT).where(VISIT.c.id == visit_id).values(
        deleted_at=now, updated_at=now, version=row.version + 1, txid=write_stamp(session, row.author_id)))
    # Its live pain points go with it; triaged ones are withdrawn instead (managers still read them).
    locked, triaged = lock_pain_points(session, [visit_id])
    removed = {r.id for r in locked.values() if r.visit_id == visit_id and r.deleted_at is None}
    withdrawn = removed & triaged
    store.remove_visit_pain_points(session, removed=removed, withdrawn=withdrawn, now=now)
    # The untriaged ones are gone for good (a deleted visit takes no more writes): their photos and voice
    # notes too, the files once the deletion is committed. Withdrawn ones keep theirs for managers.
    gone_files = media_store.remove_for_pain_points(session, removed - withdrawn)
    bright_store.remove_visit_bright_spots(session, visit_id)
    store.record_changes(session, [(pid, store.Change("withdrawn_at", None, now)) for pid in sorted(withdrawn)],
                         user.id, now)
    triage.relink_duplicates(session, [r for r in locked.values() if r.deleted_at is None], removed, user.id, now)
    session.commit()
    media.remove_files(gone_files)
