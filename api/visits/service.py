"""Creating, replacing, reading and deleting visits with their pain points."""

import hashlib
import json
import uuid
from collections import defaultdict
from datetime import UTC

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.db import utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.org.models import Department, Site
from api.pain_points.models import PainPoint, PainPointPublic
from api.users.models import Role, User
from api.visits.models import Visit, VisitPublic, VisitWrite

PP_CONTENT = ("text", "severity", "felt_by", "department_id", "journey_step", "quote")


def content_hash(data: VisitWrite) -> str:
    """Same content ⇒ same hash, whatever the time zone the phone wrote its timestamps in."""
    body = data.model_dump(mode="json", exclude={"id", "version"})
    for key in ("started_at", "ended_at"):
        value = getattr(data, key)
        body[key] = value.astimezone(UTC).isoformat() if value else None
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def to_public(visit: Visit, pain_points: list[PainPoint], viewer: User) -> VisitPublic:
    public = VisitPublic.model_validate(
        {
            **visit.model_dump(),
            "private_notes": visit.private_notes if viewer.id == visit.author_id else None,
            "pain_points": [PainPointPublic.model_validate(p) for p in pain_points],
        }
    )
    return public


def _live_pain_points(session: Session, visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[PainPoint]]:
    grouped: dict[uuid.UUID, list[PainPoint]] = defaultdict(list)
    if not visit_ids:
        return grouped
    rows = session.exec(
        select(PainPoint)
        .where(PainPoint.visit_id.in_(visit_ids), PainPoint.deleted_at.is_(None))
        .order_by(PainPoint.visit_id, PainPoint.position)
    ).all()
    for row in rows:
        grouped[row.visit_id].append(row)
    return grouped


def publish(session: Session, visits: list[Visit], viewer: User) -> list[VisitPublic]:
    pain_points = _live_pain_points(session, [v.id for v in visits])
    return [to_public(v, pain_points.get(v.id, []), viewer) for v in visits]


def _check_references(session: Session, data: VisitWrite) -> None:
    errors = []
    if data.site_id and session.get(Site, data.site_id) is None:
        errors.append({"loc": ["site_id"], "msg": "no such site", "type": "value_error"})
    departments = {p.department_id for p in data.pain_points if p.department_id}
    if departments:
        known = set(session.exec(select(Department.id).where(Department.id.in_(departments))).all())
        for i, pp in enumerate(data.pain_points):
            if pp.department_id and pp.department_id not in known:
                errors.append({"loc": ["pain_points", i, "department_id"], "msg": "no such department",
                               "type": "value_error"})
    if errors:
        raise Invalid(errors)


def _write_pain_points(session: Session, visit: Visit, data: VisitWrite) -> None:
    now = utcnow()
    existing = {
        p.id: p for p in session.exec(select(PainPoint).where(PainPoint.visit_id == visit.id)).all()
    }
    incoming_ids = [p.id for p in data.pain_points]
    foreign = session.exec(
        select(PainPoint.id).where(PainPoint.id.in_(incoming_ids), PainPoint.visit_id != visit.id)
    ).all() if incoming_ids else []
    if foreign:
        raise Invalid([{"loc": ["pain_points"], "msg": f"pain point {foreign[0]} belongs to another visit",
                        "type": "value_error"}])
    shared = {"author_id": visit.author_id, "site_id": visit.site_id, "visit_kind": visit.kind,
              "occurred_at": visit.started_at}
    for position, pp in enumerate(data.pain_points):
        fields = {k: getattr(pp, k) for k in PP_CONTENT}
        row = existing.pop(pp.id, None)
        if row is None:
            session.add(PainPoint(id=pp.id, visit_id=visit.id, position=position, **fields, **shared))
            continue
        changed = any(getattr(row, k) != v for k, v in fields.items()) or row.deleted_at is not None
        row.sqlmodel_update({**fields, **shared, "position": position, "deleted_at": None})
        if changed:
            row.version += 1
            row.updated_at = now
        session.add(row)
    for row in existing.values():  # left out of this write: removed by the author
        if row.deleted_at is None:
            row.deleted_at = now
            row.updated_at = now
            row.version += 1
            session.add(row)


def apply_visit_write(
    *, session: Session, author: User, visit_id: uuid.UUID, data: VisitWrite, source: str = "app"
) -> tuple[Visit, bool]:
    """Create or replace one visit (flush only). Returns (visit, changed).

    Raises Conflict (with the server copy) when the write is based on an older version than stored.
    """
    if data.id is not None and data.id != visit_id:
        raise Invalid([{"loc": ["id"], "msg": "does not match the id in the path", "type": "value_error"}])
    digest = content_hash(data)
    visit = session.exec(select(Visit).where(Visit.id == visit_id).with_for_update()).first()
    if visit is not None:
        if visit.author_id != author.id:
            raise Forbidden("This visit belongs to someone else")
        if visit.content_hash == digest:
            return visit, False  # a replay: nothing to do
        if visit.deleted_at is not None or data.version != visit.version:
            raise Conflict(
                f"The visit changed on the server (version {visit.version}; this write is based on "
                f"version {data.version})",
                server=publish(session, [visit], author)[0].model_dump(mode="json"),
            )
    _check_references(session, data)
    now = utcnow()
    fields = data.model_dump(exclude={"id", "version", "pain_points"})
    if visit is None:
        visit = Visit(id=visit_id, author_id=author.id, content_hash=digest, source=source, **fields)
        session.add(visit)
        session.flush()
    else:
        visit.sqlmodel_update({**fields, "content_hash": digest, "updated_at": now})
        visit.version += 1
        session.add(visit)
    _write_pain_points(session, visit, data)
    session.flush()
    return visit, True


def put_visit(*, session: Session, author: User, visit_id: uuid.UUID, data: VisitWrite) -> tuple[VisitPublic, bool]:
    """PUT semantics: returns the stored visit and whether it was newly created."""
    existed = session.get(Visit, visit_id) is not None
    try:
        visit, _ = apply_visit_write(session=session, author=author, visit_id=visit_id, data=data)
        session.commit()
    except IntegrityError:
        # Another request created the same id at the same moment: decide again against its copy.
        session.rollback()
        visit, _ = apply_visit_write(session=session, author=author, visit_id=visit_id, data=data)
        session.commit()
    return publish(session, [visit], author)[0], not existed


def _readable_visit(session: Session, viewer: User, visit_id: uuid.UUID) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("No such visit")
    if visit.author_id != viewer.id and viewer.role == Role.executive:
        raise Forbidden("This visit belongs to someone else")
    return visit


def get_visit(*, session: Session, viewer: User, visit_id: uuid.UUID) -> VisitPublic:
    return publish(session, [_readable_visit(session, viewer, visit_id)], viewer)[0]


def list_visits(
    *, session: Session, viewer: User, author_id: uuid.UUID | None = None, include_deleted: bool = False,
    limit: int = 200, offset: int = 0,
) -> list[VisitPublic]:
    author_id = author_id or viewer.id
    if author_id != viewer.id and viewer.role == Role.executive:
        raise Forbidden("Executives see only their own visits")
    stmt = select(Visit).where(Visit.author_id == author_id)
    if not include_deleted:
        stmt = stmt.where(Visit.deleted_at.is_(None))
    visits = session.exec(stmt.order_by(Visit.started_at.desc(), Visit.id).offset(offset).limit(limit)).all()
    return publish(session, list(visits), viewer)


def delete_visit(*, session: Session, user: User, visit_id: uuid.UUID) -> None:
    visit = session.exec(select(Visit).where(Visit.id == visit_id).with_for_update()).first()
    if visit is None:
        raise NotFound("No such visit")
    if visit.author_id != user.id and user.role != Role.admin:
        raise Forbidden("Only the author can delete a visit")
    if visit.deleted_at is not None:
        return
    now = utcnow()
    visit.deleted_at = now
    visit.updated_at = now
    visit.version += 1
    session.add(visit)
    for pp in session.exec(select(PainPoint).where(PainPoint.visit_id == visit.id, PainPoint.deleted_at.is_(None))):
        pp.deleted_at = now
        pp.updated_at = now
        session.add(pp)
    session.commit()
