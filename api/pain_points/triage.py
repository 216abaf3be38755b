"""Triage rules: the status workflow, reference checks, duplicate links and the audit lines they leave."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_, select
from sqlmodel import Session

from api.auth.models import User
from api.errors import Conflict, Invalid, field_error
from api.org.models import Department
from api.pain_points import store
from api.pain_points.models import CLOSED, EVENT, PAIN, PainPoint, PainPointComment, Status
from api.pain_points.store import Change

OPEN = (Status.new, Status.acknowledged, Status.in_progress)
TRANSITIONS: dict[Status, set[Status]] = {
    Status.new: {Status.acknowledged, Status.in_progress, Status.resolved, Status.wont_fix},
    Status.acknowledged: {Status.in_progress, Status.resolved, Status.wont_fix},
    Status.in_progress: {Status.acknowledged, Status.resolved, Status.wont_fix},
    # Reopening: a closed pain point goes back to acknowledged or in progress, never to new.
    Status.resolved: {Status.acknowledged, Status.in_progress},
    Status.wont_fix: {Status.acknowledged, Status.in_progress},
}
REFERENCE_FIELDS = ("owner_department_id", "assignee_id", "theme_id")

COMMENT = PainPointComment.__table__


def triaged() -> ColumnElement[bool]:
    """Whether a manager has acted on a pain point (a condition on pain_point): its status moved on from
    new; an owner department, assignee, due date, duplicate link, manager-placed theme or resolution note
    is set; it has a line of audit history; or someone other than its author commented on it.
    Its author's later edits to a triaged pain point are audited, and dropping it withdraws it."""
    return or_(
        PAIN.c.status != Status.new.value,
        PAIN.c.owner_department_id.is_not(None),
        PAIN.c.assignee_id.is_not(None),
        PAIN.c.due_date.is_not(None),
        PAIN.c.duplicate_of_id.is_not(None),
        PAIN.c.theme_locked.is_(True),
        PAIN.c.resolution_note.is_not(None),
        exists().where(EVENT.c.pain_point_id == PAIN.c.id),
        exists().where(COMMENT.c.pain_point_id == PAIN.c.id, COMMENT.c.author_id != PAIN.c.author_id),
    )


class Refused(Exception):
    """This pain point cannot take these changes (the workflow, or a duplicate link)."""


def check_changes(*, session: Session, changes: dict, theme_is_current: bool) -> None:
    """What can be judged without a pain point: nulls, and that referenced rows exist. Raises Invalid.
    Themes are above pain points, so the caller says whether `changes["theme_id"]` names a current theme
    (api/themes/service.is_current)."""
    errors = []
    if "status" in changes and changes["status"] is None:
        errors.append(field_error("status", "must not be null"))
    note = changes.get("resolution_note")
    if note is not None and not note.strip():
        errors.append(field_error("resolution_note", "must not be blank"))
    if changes.get("owner_department_id") and session.get(Department, changes["owner_department_id"]) is None:
        errors.append(field_error("owner_department_id", "no such department"))
    if changes.get("assignee_id"):
        user = session.get(User, changes["assignee_id"])
        if user is None or not user.is_active:
            errors.append(field_error("assignee_id", "no such active user"))
    if changes.get("theme_id") and not theme_is_current:
        errors.append(field_error("theme_id", "no such current theme"))
    if changes.get("duplicate_of_id"):
        target = session.get(PainPoint, changes["duplicate_of_id"])
        if target is None or target.deleted_at is not None:
            errors.append(field_error("duplicate_of_id", "no such pain point"))
    if changes.get("status") in CLOSED and not (note and note.strip()):
        errors.append(field_error("resolution_note", "required when the status becomes resolved or wont_fix"))
    if errors:
        raise Invalid(errors)


def _original(session: Session, pain_point_id: uuid.UUID) -> uuid.UUID:
    """Follow duplicate links to the original, so every duplicate points at it directly."""
    seen = set()
    current = session.get(PainPoint, pain_point_id)
    while current.duplicate_of_id is not None and current.id not in seen:
        seen.add(current.id)
        current = session.get(PainPoint, current.duplicate_of_id)
    return current.id


def plan(*, session: Session, row: PainPoint, changes: dict) -> list[Change]:
    """The field changes `changes` makes to `row` (no-ops dropped). Raises Refused or Invalid."""
    out: list[Change] = []
    status = Status(row.status)
    if "status" in changes and changes["status"] != status:
        target = changes["status"]
        if target not in TRANSITIONS[status]:
            allowed = ", ".join(sorted(TRANSITIONS[status]))
            raise Refused(f"cannot go from {status} to {target}; from {status} it can go to: {allowed}")
        out.append(Change("status", status, target))
        if status in CLOSED and target not in CLOSED and row.resolution_note is not None:
            out.append(Change("resolution_note", row.resolution_note, None))
    new_status = out[0].new if out and out[0].field == "status" else status
    note = changes.get("resolution_note")
    if note is not None:
        if new_status not in CLOSED:
            raise Invalid(
                [field_error("resolution_note", "only for a pain point that is (or becomes) resolved or wont_fix")]
            )
        if note.strip() != row.resolution_note:
            out.append(Change("resolution_note", row.resolution_note, note.strip()))
    for name in (*REFERENCE_FIELDS, "due_date"):
        if name in changes and changes[name] != getattr(row, name):
            out.append(Change(name, getattr(row, name), changes[name]))
    if "duplicate_of_id" in changes:
        target = changes["duplicate_of_id"]
        if target is not None:
            target = _original(session, target)
            if target == row.id:
                raise Refused("cannot be a duplicate of itself (or of one of its own duplicates)")
            if session.get(PainPoint, target).deleted_at is not None:  # removed since check_changes
                raise Refused("cannot be a duplicate of a deleted or withdrawn pain point")
        if target != row.duplicate_of_id:
            out.append(Change("duplicate_of_id", row.duplicate_of_id, target))
    return out


def lock_rows(session: Session, ids: list[uuid.UUID], changes: dict | None = None) -> dict[uuid.UUID, PainPoint]:
    """Lock the pain points (FOR UPDATE, freshly read) that these changes touch: `ids`, and for a duplicate
    link its target and the target's original. One statement, in id order: requests that touch the same
    rows (A duplicate of B and B duplicate of A at once) queue up instead of deadlocking, and the later one
    sees the earlier one's link (its loop is refused, 409). A target whose original changed between the
    first look and the lock is a lost race: 409."""
    wanted = set(ids)
    target = (changes or {}).get("duplicate_of_id")
    if target is not None:
        wanted.add(target)
        original = session.execute(select(PAIN.c.duplicate_of_id).where(PAIN.c.id == target)).scalar()
        wanted |= {original} - {None}
    stmt = (select(PainPoint).where(PainPoint.id.in_(wanted)).order_by(PainPoint.id).with_for_update()
            .execution_options(populate_existing=True))
    rows = {row.id: row for row in session.scalars(stmt)}
    if target in rows and rows[target].duplicate_of_id not in (None, *rows):
        session.rollback()
        raise Conflict("The pain points changed while this change was made; try again")
    return rows


def relink_duplicates(session: Session, rows: Iterable, removed: set[uuid.UUID], actor_id: uuid.UUID | None,
                      now: datetime) -> None:
    """Live duplicates (among `rows`, locked) of pain points being removed (deleted or withdrawn) get a
    new original: the earliest duplicate of each removed one, which the others now point at. Audited."""
    by_original: dict[uuid.UUID, list] = defaultdict(list)
    for row in rows:
        if row.duplicate_of_id in removed and row.id not in removed:
            by_original[row.duplicate_of_id].append(row)
    lines = []
    for original, duplicates in by_original.items():
        duplicates.sort(key=lambda r: (r.occurred_at, r.id))
        heir = duplicates[0].id
        lines += [(d.id, Change("duplicate_of_id", original, None if d.id == heir else heir)) for d in duplicates]
    store.point_duplicates_at(session, [(pid, c.new) for pid, c in lines], now)
    store.record_changes(session, lines, actor_id, now)


def themes_moved_since(session: Session, since: datetime) -> set[uuid.UUID]:
    """The themes that pain points were moved into or out of by hand (triage's theme field, audited) after
    `since`: a stored themes figure older than such a move is stale for them (api/themes/service.py)."""
    rows = session.execute(select(EVENT.c.old_value, EVENT.c.new_value)
                           .where(EVENT.c.field == "theme_id", EVENT.c.created_at > since))
    return {uuid.UUID(value) for row in rows for value in row if value is not None}
