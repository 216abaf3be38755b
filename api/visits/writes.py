"""The one write path for visits: a batch of writes (a PUT is a batch of one) in one transaction.

Each write is judged on its own: accepted, a conflict (stale version, with the server copy) or
rejected (field errors, or another author's visit). Replays of stored content change nothing.
Everything is read with a few set-based queries and written in bulk (on PostgreSQL one INSERT per table,
whatever the batch size), so a 200-visit sync costs a handful of round trips, not thousands.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import Uuid, bindparam, func, select, true, union, update
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from api.auth.models import User
from api.bright_spots import store as bright_store
from api.bulk import bulk_insert
from api.core.clock import utcnow
from api.errors import field_error
from api.events import outbox
from api.org.models import Department, Site
from api.pain_points import store, triage
from api.pain_points.models import PAIN
from api.themes import store as theme_store
from api.values.models import CompanyValue
from api.visits.changes import write_stamp
from api.visits.models import Visit
from api.visits.schemas import VisitWrite

VISIT = Visit.__table__
PP_CONTENT = ("text", "severity", "felt_by", "department_id", "journey_step", "quote", "value_id")
LATER_PP_FIELDS = ("value_id",)
AUDITED = (*PP_CONTENT, "site_id", "visit_kind", "occurred_at")  # after triage, a change leaves an audit line
BRIGHT_CONTENT = ("text", "department_id", "recognise", "value_id")
VISIT_CONTENT = ("kind", "site_id", "started_at", "ended_at", "incognito", "notes", "private_notes", "details")


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
    if not body["bright_spots"]:  # added later: a visit without any hashes as it did before
        del body["bright_spots"]
    for point in body["pain_points"]:  # fields added later, when unset, leave stored visits' hashes as they were
        for name in LATER_PP_FIELDS:
            if point[name] is None:
                del point[name]
    for key in ("started_at", "ended_at"):
        value = getattr(data, key)
        body[key] = value.astimezone(UTC).isoformat() if value else None
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _ids(session: Session, column, wanted: set) -> set:
    if not wanted:
        return set()
    return set(session.execute(select(column).where(column.in_(wanted))).scalars())


# Lookups by a list of ids, built once (SQLAlchemy then reuses their compiled form). On PostgreSQL the ids
# arrive as one array and drive one index lookup each: a plain `IN (...)` list lets the planner scan the
# whole table instead whenever the table looks small, which a fresh or never-analysed table always does,
# and that is several times slower. Elsewhere an IN list.
IDS = bindparam("ids", type_=postgresql.ARRAY(Uuid))
WANTED = func.unnest(IDS).table_valued("id").render_derived()
_locked = select(VISIT).where(VISIT.c.id == WANTED.c.id).with_for_update().lateral()
LOCK_VISITS = {  # in id order (the caller sorts the ids): two batches never deadlock
    "postgresql": select(_locked).select_from(WANTED).join(_locked, true()),
    None: select(VISIT).where(VISIT.c.id.in_(bindparam("ids", expanding=True))).order_by(VISIT.c.id)
    .with_for_update(),
}
OWNERS = {
    "postgresql": select(WANTED.c.id, select(PAIN.c.visit_id).where(PAIN.c.id == WANTED.c.id).scalar_subquery()),
    None: select(PAIN.c.id, PAIN.c.visit_id).where(PAIN.c.id.in_(bindparam("ids", expanding=True))),
}


def by_ids(session: Session, statements: dict, ids: list[uuid.UUID]):
    """Run the dialect's statement from `statements` (see LOCK_VISITS) for these ids."""
    dialect = session.get_bind().dialect.name
    return session.execute(statements.get(dialect, statements[None]), {"ids": ids})


def _reference_errors(data: VisitWrite, sites: set, departments: set, company_values: set,
                      owners: dict, spot_owners: dict) -> list[dict]:
    errors = []
    if data.site_id and data.site_id not in sites:
        errors.append(field_error(["site_id"], "no such site"))
    for part, items, item_owners, what in (("pain_points", data.pain_points, owners, "pain point"),
                                            ("bright_spots", data.bright_spots, spot_owners, "bright spot")):
        for i, item in enumerate(items):
            if item.department_id and item.department_id not in departments:
                errors.append(field_error([part, i, "department_id"], "no such department"))
            if item.value_id and item.value_id not in company_values:
                errors.append(field_error([part, i, "value_id"], "no such company value"))
            if item_owners.get(item.id, data.id) != data.id:
                errors.append(field_error([part, i, "id"], f"this {what} belongs to another visit"))
    return errors


def write_visits(
    *, session: Session, author: User, writes: list[VisitWrite], source: str = "app"
) -> WriteResult:
    """Apply the writes (each must carry its id) and flush; the caller commits."""
    result = WriteResult()
    ids = sorted({w.id for w in writes})
    existing = {row.id: row for row in by_ids(session, LOCK_VISITS, ids)} if ids else {}
    sites = _ids(session, Site.id, {w.site_id for w in writes if w.site_id})
    departments = _ids(session, Department.id, {p.department_id for w in writes
                                                for p in (*w.pain_points, *w.bright_spots) if p.department_id})
    company_values = _ids(session, CompanyValue.id, {p.value_id for w in writes
                                                     for p in (*w.pain_points, *w.bright_spots) if p.value_id})
    spot_owners = bright_store.visits_of(session, [b.id for w in writes for b in w.bright_spots])
    pp_ids = [p.id for w in writes for p in w.pain_points]
    owners = {pp_id: visit_id for pp_id, visit_id in by_ids(session, OWNERS, pp_ids) if visit_id} if pp_ids else {}

    now = utcnow()
    stamp = write_stamp(session, author.id)
    new_visits, changed_visits, new_points, changed_points = [], [], [], []
    replaced: dict[uuid.UUID, list] = {}
    finished: list = []  # visit.finished events: a visit written with its end time for the first time
    done: set[uuid.UUID] = set()
    claimed: dict[uuid.UUID, uuid.UUID] = {}  # pain point or bright spot id -> the visit of this batch that took it
    spots, rewritten = [], []  # the bright spots of every visit written, and which visits had some stored
    for data in writes:
        if data.id in done:  # the same visit twice in one batch: the first one counts
            result.rejected[data.id] = [field_error(["id"], "this visit appears twice in the batch")]
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
        errors = _reference_errors(data, sites, departments, company_values, owners, spot_owners)
        errors += [field_error(["pain_points", i, "id"], "this pain point is in another visit of this batch")
                   for i, pp in enumerate(data.pain_points)
                   if claimed.get(pp.id, data.id) != data.id and owners.get(pp.id, data.id) == data.id]
        errors += [field_error(["bright_spots", i, "id"], "this bright spot is in another visit of this batch")
                   for i, spot in enumerate(data.bright_spots)
                   if claimed.get(spot.id, data.id) != data.id and spot_owners.get(spot.id, data.id) == data.id]
        if errors:
            result.rejected[data.id] = errors
            continue
        claimed.update(dict.fromkeys((pp.id for pp in (*data.pain_points, *data.bright_spots)), data.id))
        fields = {k: getattr(data, k) for k in VISIT_CONTENT}
        fields["content_hash"] = digest
        if data.ended_at is not None and (row is None or row.ended_at is None):
            finished.append(("visit.finished", {"visit_id": data.id, "author_id": author.id, "kind": data.kind,
                                                "site_id": data.site_id, "started_at": data.started_at,
                                                "ended_at": data.ended_at}, data.id))
        if row is None:
            fields["id"] = data.id
            new_visits.append(fields)
            result.created.add(data.id)
        else:
            changed_visits.append({**fields, "b_id": data.id, "version": row.version + 1})
            replaced[data.id] = []
        shared = {"site_id": data.site_id, "visit_kind": data.kind, "occurred_at": data.started_at}
        if row is not None:
            rewritten.append(data.id)
        spots += [{"id": spot.id, "visit_id": data.id, **{k: getattr(spot, k) for k in BRIGHT_CONTENT}, **shared,
                   "position": position} for position, spot in enumerate(data.bright_spots)]
        for position, pp in enumerate(data.pain_points):
            values = {k: getattr(pp, k) for k in PP_CONTENT}
            values.update(shared, position=position)
            if pp.id in owners:
                replaced[data.id].append((pp.id, values))
            else:
                values.update(id=pp.id, visit_id=data.id)
                new_points.append(values)
        result.accepted.append(data.id)

    bulk_insert(session, VISIT, new_visits, {
        "author_id": author.id, "version": 1, "source": source, "created_at": now, "updated_at": now,
        "deleted_at": None, "txid": stamp})
    if changed_visits:
        cols = [c for c in changed_visits[0] if c != "b_id"]
        session.execute(
            update(VISIT).where(VISIT.c.id == bindparam("b_id"))
            .values({**{c: bindparam(c) for c in cols}, "updated_at": now, "txid": stamp}),
            changed_visits,
        )
        changed_points, lines, live, removed = _replace_pain_points(session, replaced, author.id, now)
    store.insert_visit_pain_points(session, new_points, author_id=author.id, now=now, announce=source == "app")
    bright_store.replace_visit_bright_spots(session, visit_ids=rewritten, rows=spots, author_id=author.id, now=now)
    if changed_points:
        # The stored vector no longer matches the words: without it, the theme worker embeds them again.
        theme_store.forget_vectors(session, [c["b_id"] for c in changed_points if c.pop("retext")])
        store.rewrite_visit_pain_points(session, changed_points)
        triage.relink_duplicates(session, live, removed, author.id, now)
        store.record_changes(session, lines, author.id, now)
    if source == "app":  # imported and demo history is not news
        outbox.record_many(session, finished, actor_id=author.id, at=now)
    session.flush()
    return result


def lock_pain_points(session: Session, visit_ids: list[uuid.UUID]) -> tuple[dict, set[uuid.UUID]]:
    """The pain points of these visits and the live duplicates of them (from any visit), locked in id order
    in one statement (as triage.lock_rows does: no deadlock with a manager's triage), by id; and which of
    the visits' own pain points are triaged (triage.triaged)."""
    own, dup = PAIN.alias("own"), PAIN.alias("dup")
    own_ids = select(own.c.id).where(own.c.visit_id.in_(visit_ids))
    duplicates = select(dup.c.id).where(dup.c.duplicate_of_id.is_not(None), dup.c.deleted_at.is_(None),
                                        dup.c.duplicate_of_id.in_(own_ids))
    rows = session.execute(select(PAIN).where(PAIN.c.id.in_(union(own_ids, duplicates)))
                           .order_by(PAIN.c.id).with_for_update()).all()
    triaged = session.execute(select(PAIN.c.id).where(PAIN.c.visit_id.in_(visit_ids), triage.triaged()))
    return {row.id: row for row in rows}, set(triaged.scalars())


def _content_lines(old, values: dict) -> list[tuple[uuid.UUID, store.Change]]:
    """Audit lines for an author's rewrite of a triaged pain point: each changed field, old -> new."""
    lines = [(old.id, store.Change(k, getattr(old, k), values[k])) for k in AUDITED if getattr(old, k) != values[k]]
    if old.withdrawn_at is not None:  # put back into its visit
        lines.append((old.id, store.Change("withdrawn_at", old.withdrawn_at, None)))
    return lines


def _replace_pain_points(session: Session, replaced: dict[uuid.UUID, list], author_id: uuid.UUID, now):
    """Updates for the pain points of replaced visits: changed ones get a new version, left-out ones are
    soft-deleted, and withdrawn when triaged (managers still read them). Also returns the audit lines for
    triaged ones, the locked rows still live after the write, and the ids removed."""
    locked, triaged = lock_pain_points(session, list(replaced))
    updates, lines, kept, removed = [], [], set(), set()
    for items in replaced.values():
        for pp_id, values in items:
            kept.add(pp_id)
            old = locked[pp_id]
            changed = old.deleted_at is not None or any(getattr(old, k) != values[k] for k in PP_CONTENT)
            retext = old.text != values["text"] or old.quote != values["quote"]
            if pp_id in triaged:
                lines += _content_lines(old, values)
            updates.append({**values, "author_id": author_id, "deleted_at": None, "withdrawn_at": None,
                            "b_id": pp_id, "version": old.version + changed,
                            "updated_at": now if changed else old.updated_at, "retext": retext})
    for old in locked.values():
        if old.visit_id in replaced and old.id not in kept and old.deleted_at is None:
            withdrawn = now if old.id in triaged else None
            updates.append({**{k: getattr(old, k) for k in PP_CONTENT}, "author_id": old.author_id,
                            "site_id": old.site_id, "visit_kind": old.visit_kind,
                            "occurred_at": old.occurred_at, "position": old.position, "deleted_at": now,
                            "withdrawn_at": withdrawn, "b_id": old.id, "version": old.version + 1,
                            "updated_at": now, "retext": False})
            removed.add(old.id)
            if withdrawn:
                lines.append((old.id, store.Change("withdrawn_at", None, withdrawn)))
    live = [r for r in locked.values() if r.id in kept or (r.deleted_at is None and r.id not in removed)]
    return updates, lines, live, removed
