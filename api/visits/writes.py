"""The one write path for visits: a batch of writes (a PUT is a batch of one) in one transaction.

Each write is judged on its own: accepted, a conflict (stale version, with the server copy) or
rejected (field errors, or another author's visit). Replays of stored content change nothing.
Everything is read with a few set-based queries and written with executemany, so a 200-visit
sync costs a handful of round trips, not thousands.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from api.db import utcnow
from api.org.models import Department, Site
from api.pain_points.models import PainPoint
from api.themes.models import PainPointEmbedding
from api.users.models import User
from api.visits.changes import write_stamp
from api.visits.models import Visit, VisitWrite

VISIT = Visit.__table__
PAIN = PainPoint.__table__
EMB = PainPointEmbedding.__table__
PP_CONTENT = ("text", "severity", "felt_by", "department_id", "journey_step", "quote")


@dataclass
class WriteResult:
    accepted: list[uuid.UUID] = field(default_factory=list)
    created: set[uuid.UUID] = field(default_factory=set)
    conflicts: list[uuid.UUID] = field(default_factory=list)
    forbidden: list[uuid.UUID] = field(default_factory=list)
    rejected: dict[uuid.UUID, list[dict]] = field(default_factory=dict)


def content_hash(data: VisitWrite) -> str:
    """Same content ⇒ same hash, whatever time zone the phone wrote its timestamps in."""
    body = data.model_dump(mode="json", exclude={"id", "version"})
    for key in ("started_at", "ended_at"):
        value = getattr(data, key)
        body[key] = value.astimezone(UTC).isoformat() if value else None
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _error(loc: list, msg: str) -> dict:
    return {"loc": loc, "msg": msg, "type": "value_error"}


def _ids(session: Session, column, wanted: set) -> set:
    if not wanted:
        return set()
    return set(session.execute(select(column).where(column.in_(wanted))).scalars())


def _reference_errors(data: VisitWrite, sites: set, departments: set, owners: dict) -> list[dict]:
    errors = []
    if data.site_id and data.site_id not in sites:
        errors.append(_error(["site_id"], "no such site"))
    for i, pp in enumerate(data.pain_points):
        if pp.department_id and pp.department_id not in departments:
            errors.append(_error(["pain_points", i, "department_id"], "no such department"))
        if owners.get(pp.id, data.id) != data.id:
            errors.append(_error(["pain_points", i, "id"], "this pain point belongs to another visit"))
    return errors


def write_visits(
    *, session: Session, author: User, writes: list[VisitWrite], source: str = "app"
) -> WriteResult:
    """Apply the writes (each must carry its id) and flush; the caller commits."""
    result = WriteResult()
    ids = sorted({w.id for w in writes})
    existing = {
        row.id: row
        for row in session.execute(select(VISIT).where(VISIT.c.id.in_(ids)).order_by(VISIT.c.id).with_for_update())
    } if ids else {}
    sites = _ids(session, Site.id, {w.site_id for w in writes if w.site_id})
    departments = _ids(session, Department.id, {p.department_id for w in writes for p in w.pain_points
                                                if p.department_id})
    pp_ids = [p.id for w in writes for p in w.pain_points]
    owners = {
        row.id: row.visit_id for row in session.execute(select(PAIN.c.id, PAIN.c.visit_id).where(PAIN.c.id.in_(pp_ids)))
    } if pp_ids else {}

    now = utcnow()
    stamp = write_stamp(session, author.id)
    new_visits, changed_visits, new_points, changed_points = [], [], [], []
    replaced: dict[uuid.UUID, list] = {}
    done: set[uuid.UUID] = set()
    for data in writes:
        if data.id in done:  # the same visit twice in one batch: the first one counts
            result.rejected[data.id] = [_error(["id"], "this visit appears twice in the batch")]
            continue
        done.add(data.id)
        digest = content_hash(data)
        row = existing.get(data.id)
        if row is not None:
            if row.author_id != author.id:
                result.forbidden.append(data.id)
                continue
            if row.content_hash == digest:
                result.accepted.append(data.id)  # a replay: nothing to do
                continue
            if row.deleted_at is not None or data.version != row.version:
                result.conflicts.append(data.id)
                continue
        errors = _reference_errors(data, sites, departments, owners)
        if errors:
            result.rejected[data.id] = errors
            continue
        fields = data.model_dump(exclude={"id", "version", "pain_points"})
        fields.update(content_hash=digest, updated_at=now, txid=stamp)
        shared = {"author_id": author.id, "site_id": data.site_id, "visit_kind": data.kind,
                  "occurred_at": data.started_at, "updated_at": now}
        if row is None:
            new_visits.append({**fields, "id": data.id, "author_id": author.id, "version": 1, "source": source,
                               "created_at": now, "deleted_at": None})
            result.created.add(data.id)
        else:
            changed_visits.append({**fields, "b_id": data.id, "version": row.version + 1})
            replaced[data.id] = []
        for position, pp in enumerate(data.pain_points):
            content = {k: getattr(pp, k) for k in PP_CONTENT}
            values = {**content, **shared, "position": position, "deleted_at": None}
            if pp.id in owners:
                replaced[data.id].append((pp.id, values))
            else:
                new_points.append({**values, "id": pp.id, "visit_id": data.id, "status": "new", "version": 1,
                                   "created_at": now, "theme_id": None, "theme_locked": False, "ref": None,
                                   "resolved_at": None})
        result.accepted.append(data.id)

    if new_visits:
        session.execute(insert(VISIT), new_visits)
    if changed_visits:
        cols = [c for c in changed_visits[0] if c != "b_id"]
        session.execute(
            update(VISIT).where(VISIT.c.id == bindparam("b_id")).values({c: bindparam(c) for c in cols}),
            changed_visits,
        )
        changed_points = _replace_pain_points(session, replaced, now)
    if new_points:
        session.execute(insert(PAIN), new_points)
    if changed_points:
        retext = [c["b_id"] for c in changed_points if c.pop("retext")]
        if retext:  # the stored vector no longer matches the words: the theme worker embeds it again
            session.execute(delete(EMB).where(EMB.c.pain_point_id.in_(retext)))
        cols = [c for c in changed_points[0] if c != "b_id"]
        session.execute(
            update(PAIN).where(PAIN.c.id == bindparam("b_id")).values({c: bindparam(c) for c in cols}),
            changed_points,
        )
    session.flush()
    return result


def _replace_pain_points(session: Session, replaced: dict[uuid.UUID, list], now) -> list[dict]:
    """Updates for the pain points of replaced visits: changed ones get a new version, left-out ones
    are soft-deleted (their triage history stays)."""
    stored = {
        row.id: row for row in session.execute(select(PAIN).where(PAIN.c.visit_id.in_(list(replaced))))
    }
    updates = []
    for visit_id, items in replaced.items():
        kept = set()
        for pp_id, values in items:
            kept.add(pp_id)
            old = stored[pp_id]
            changed = old.deleted_at is not None or any(getattr(old, k) != values[k] for k in PP_CONTENT)
            retext = old.text != values["text"] or old.quote != values["quote"]
            updates.append({**values, "b_id": pp_id, "version": old.version + changed,
                            "updated_at": now if changed else old.updated_at, "retext": retext})
        for old in stored.values():
            if old.visit_id == visit_id and old.id not in kept and old.deleted_at is None:
                updates.append({**{k: getattr(old, k) for k in PP_CONTENT}, "author_id": old.author_id,
                                "site_id": old.site_id, "visit_kind": old.visit_kind,
                                "occurred_at": old.occurred_at, "position": old.position, "deleted_at": now,
                                "b_id": old.id, "version": old.version + 1, "updated_at": now, "retext": False})
    return updates
