"""The one module that writes the pain_point table and its audit lines (pain_point_event).

Every feature that changes pain points asks here, by what it means to do: a visit's sync writes its pain
points, a deleted visit removes them, triage changes fields, themes place pain points. Functions only
execute and flush; the calling service commits. Reads (and the locks taken before a write) stay with the
features that need them; tests/pain_points/test_store_owns_writes.py keeps other modules from writing.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session

from api.bulk import bulk_insert
from api.core.ids import new_id
from api.events import outbox
from api.pain_points.models import CLOSED, EVENT, PAIN, PainPoint, PainPointEvent

FREE_TEXT = {"text", "quote", "resolution_note"}  # fields written by a person: never copied into events


@dataclass
class Change:
    """One field's change on one pain point, as an audit line records it."""

    field: str
    old: object
    new: object


def _text(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def insert_visit_pain_points(session: Session, rows: list[dict], *, author_id: uuid.UUID, now: datetime,
                             announce: bool = True) -> None:
    """New pain points of a sync batch (content, id, visit_id, position and the copied visit fields), in one
    statement on PostgreSQL (api/bulk.py): new, unthemed, untriaged, version 1. `announce`: a
    pain_point.created event each (not for imported or demo history)."""
    bulk_insert(session, PAIN, rows, {
        "author_id": author_id, "status": "new", "version": 1, "created_at": now, "updated_at": now,
        "deleted_at": None, "theme_id": None, "theme_locked": False, "ref": None, "resolved_at": None})
    if not announce:
        return
    outbox.record_many(session, (("pain_point.created", {
        "pain_point_id": r["id"], "visit_id": r["visit_id"], "severity": r["severity"],
        "department_id": r.get("department_id"), "site_id": r.get("site_id"), "author_id": author_id,
    }, r["id"]) for r in rows), actor_id=author_id, at=now)


def rewrite_visit_pain_points(session: Session, rows: list[dict]) -> None:
    """Existing pain points of rewritten visits, each row its new values and `b_id` (its id); one
    executemany whatever the batch size."""
    if rows:
        cols = [c for c in rows[0] if c != "b_id"]
        session.execute(update(PAIN).where(PAIN.c.id == bindparam("b_id")).values({c: bindparam(c) for c in cols}),
                        rows)


def remove_visit_pain_points(session: Session, *, removed: set[uuid.UUID], withdrawn: set[uuid.UUID],
                             now: datetime) -> None:
    """A deleted visit's live pain points: `removed` are deleted, those also in `withdrawn` (triaged:
    managers still read them) are withdrawn as well."""
    session.execute(update(PAIN).where(PAIN.c.id.in_(removed - withdrawn)).values(deleted_at=now, updated_at=now))
    session.execute(update(PAIN).where(PAIN.c.id.in_(withdrawn))
                    .values(deleted_at=now, withdrawn_at=now, updated_at=now))


def point_duplicates_at(session: Session, links: list[tuple[uuid.UUID, uuid.UUID | None]], now: datetime) -> None:
    """Point each duplicate (first of a pair) at its new original (second; None: no longer a duplicate)."""
    if links:
        session.execute(
            update(PAIN).where(PAIN.c.id == bindparam("b_id")).values(duplicate_of_id=bindparam("b_to"),
                                                                      updated_at=now),
            [{"b_id": pid, "b_to": to} for pid, to in links],
        )


def record_changes(session: Session, lines: list[tuple[uuid.UUID, Change]], actor_id: uuid.UUID | None,
                   now: datetime) -> None:
    """Audit lines for changes written in bulk (a visit rewrite, relinked duplicates), in one INSERT."""
    if lines:
        session.execute(insert(EVENT), [
            {"id": new_id(), "pain_point_id": pid, "actor_id": actor_id, "field": c.field,
             "old_value": _text(c.old), "new_value": _text(c.new), "created_at": now}
            for pid, c in lines
        ])


def apply_triage(*, session: Session, row: PainPoint, changes: Iterable[Change], actor_id: uuid.UUID,
                 now: datetime) -> None:
    """Write triage's planned changes to `row` (locked), with one audit line each, and flush. A closing
    status stamps resolved_at; a theme set by hand is locked there (rebuilds keep it)."""
    changes = list(changes)
    for change in changes:
        setattr(row, change.field, change.new)
        if change.field == "status":
            row.resolved_at = now if change.new in CLOSED else None
        if change.field == "theme_id":
            row.theme_locked = True
        session.add(PainPointEvent(pain_point_id=row.id, actor_id=actor_id, field=change.field,
                                   old_value=_text(change.old), new_value=_text(change.new), created_at=now))
    if changes:
        row.updated_at = now
        session.add(row)
        # Free text (a resolution note) is named, never copied: messages read and mask it when delivered.
        outbox.record(session, "pain_point.updated", {
            "pain_point_id": row.id, "changes": [c.field for c in changes],
            "values": {c.field: _text(c.new) for c in changes if c.field not in FREE_TEXT},
            "old_values": {c.field: _text(c.old) for c in changes if c.field not in FREE_TEXT},
        }, subject_id=row.id, actor_id=actor_id, at=now)
    session.flush()


def place_in_themes(session: Session, placements: Mapping[uuid.UUID, uuid.UUID | None]) -> None:
    """A rebuild's outcome: each pain point (key) into its theme (None: unthemed), in one executemany."""
    if placements:
        session.execute(update(PAIN).where(PAIN.c.id == bindparam("b_id")).values(theme_id=bindparam("theme_id")),
                        [{"b_id": pid, "theme_id": theme_id} for pid, theme_id in placements.items()])


def place_unthemed(session: Session, placements: Mapping[uuid.UUID, uuid.UUID]) -> None:
    """The theme worker's placements: only pain points still unthemed and not placed by a manager since
    they were read (the worker holds no lock)."""
    if placements:
        session.execute(
            update(PAIN)
            .where(PAIN.c.id == bindparam("b_id"), PAIN.c.theme_id.is_(None), PAIN.c.theme_locked.is_(False))
            .values(theme_id=bindparam("theme_id")),
            [{"b_id": pid, "theme_id": theme_id} for pid, theme_id in placements.items()],
        )


def move_theme_members(session: Session, *, from_theme_id: uuid.UUID, into_theme_id: uuid.UUID,
                       actor_id: uuid.UUID | None, now: datetime, only: list[uuid.UUID] | None = None
                       ) -> list[uuid.UUID]:
    """A merge moves every pain point of one theme into another; undoing it moves back `only` those the merge
    moved that are still there. Each is locked in its new theme as a manager's choice (rebuilds keep it) and
    gets an audit line, as a move by hand does. Returns the ids moved."""
    moved: list[uuid.UUID] = []
    chunks = [None] if only is None else [only[i:i + 5000] for i in range(0, len(only), 5000)]
    for chunk in chunks:
        stmt = update(PAIN).where(PAIN.c.theme_id == from_theme_id)
        if chunk is not None:
            stmt = stmt.where(PAIN.c.id.in_(chunk))
        stmt = stmt.values(theme_id=into_theme_id, theme_locked=True, updated_at=now).returning(PAIN.c.id)
        moved += session.execute(stmt).scalars().all()
    record_changes(session, [(pid, Change("theme_id", from_theme_id, into_theme_id)) for pid in moved], actor_id,
                   now)
    return moved


def set_import_ref(session: Session, pain_point_id: uuid.UUID, ref: str) -> None:
    """The spreadsheet row id an imported pain point came from (what makes a re-import add nothing)."""
    session.execute(update(PAIN).where(PAIN.c.id == pain_point_id).values(ref=ref[:200]))
