"""Triage rules: the status workflow, reference checks, duplicate links and the audit lines they leave."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from api.errors import Invalid
from api.org.models import Department
from api.pain_points.models import PainPoint, PainPointEvent, Status
from api.themes.models import Theme
from api.users.models import User

CLOSED = {Status.resolved, Status.wont_fix}
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


class Refused(Exception):
    """This pain point cannot take these changes (the workflow, or a duplicate link)."""


def _error(field: str, msg: str) -> dict:
    return {"loc": [field], "msg": msg, "type": "value_error"}


def check_changes(*, session: Session, changes: dict) -> None:
    """What can be judged without a pain point: nulls, and that referenced rows exist. Raises Invalid."""
    errors = []
    if "status" in changes and changes["status"] is None:
        errors.append(_error("status", "must not be null"))
    note = changes.get("resolution_note")
    if note is not None and not note.strip():
        errors.append(_error("resolution_note", "must not be blank"))
    if changes.get("owner_department_id") and session.get(Department, changes["owner_department_id"]) is None:
        errors.append(_error("owner_department_id", "no such department"))
    if changes.get("assignee_id"):
        user = session.get(User, changes["assignee_id"])
        if user is None or not user.is_active:
            errors.append(_error("assignee_id", "no such active user"))
    if changes.get("theme_id"):
        theme = session.get(Theme, changes["theme_id"])
        if theme is None or theme.retired_at is not None or theme.merged_into_id is not None:
            errors.append(_error("theme_id", "no such current theme"))
    if changes.get("duplicate_of_id"):
        target = session.get(PainPoint, changes["duplicate_of_id"])
        if target is None or target.deleted_at is not None:
            errors.append(_error("duplicate_of_id", "no such pain point"))
    if changes.get("status") in CLOSED and not (note and note.strip()):
        errors.append(_error("resolution_note", "required when the status becomes resolved or wont_fix"))
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


@dataclass
class Change:
    field: str
    old: object
    new: object


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
                [_error("resolution_note", "only for a pain point that is (or becomes) resolved or wont_fix")]
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
        if target != row.duplicate_of_id:
            out.append(Change("duplicate_of_id", row.duplicate_of_id, target))
    return out


def _text(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _touch_themes(session: Session, theme_ids: set[uuid.UUID], now: datetime) -> None:
    """Mark both themes edited, so stored themes figures recompute them (api/themes/service.py): once per
    theme per triage call (`now`), not once per pain point of a bulk change."""
    done = session.info.get("themes_touched")
    if done is None or done[0] is not now:
        done = session.info["themes_touched"] = (now, set())
    if fresh := theme_ids - done[1]:
        session.execute(update(Theme).where(Theme.id.in_(fresh)).values(updated_at=now))
        done[1].update(fresh)


def apply(*, session: Session, row: PainPoint, plan_: list[Change], actor: User, now: datetime) -> None:
    """Write the planned changes to `row` with one audit line each (flushes; the caller commits)."""
    for change in plan_:
        setattr(row, change.field, change.new)
        if change.field == "status":
            row.resolved_at = now if change.new in CLOSED else None
        if change.field == "theme_id":
            row.theme_locked = True
            _touch_themes(session, {change.old, change.new} - {None}, now)
        session.add(
            PainPointEvent(
                pain_point_id=row.id,
                actor_id=actor.id,
                field=change.field,
                old_value=_text(change.old),
                new_value=_text(change.new),
                created_at=now,
            )
        )
    if plan_:
        row.updated_at = now
        session.add(row)
    session.flush()


def lock_rows(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, PainPoint]:
    stmt = select(PainPoint).where(PainPoint.id.in_(ids)).order_by(PainPoint.id).with_for_update()
    return {row.id: row for row in session.scalars(stmt)}
