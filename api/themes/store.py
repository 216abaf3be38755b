"""The one module that writes the themes' tables: theme, theme_build, theme_merge and pain_point_embedding.

Rebuilds, the worker, managers' edits and a visit's changed words (forget_vectors) all write here.
Functions only flush or execute; the caller commits (a rebuild commits in short steps of its own).
tests/test_table_owners.py keeps other modules from writing these tables.
"""

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlmodel import Session

from api.themes.models import BuildStatus, PainPointEmbedding, Theme, ThemeBuild, ThemeMerge

# The tables for Core statements, here and in reads elsewhere (readers import them from here).
THEME = Theme.__table__
BUILD = ThemeBuild.__table__
EMB = PainPointEmbedding.__table__
MERGE = ThemeMerge.__table__


def add_build(session: Session, *, requested_by: uuid.UUID | None, embedder: str) -> ThemeBuild:
    build = ThemeBuild(requested_by_id=requested_by, embedder=embedder)
    session.add(build)
    session.flush()
    return build


def fail_builds_stale_since(session: Session, stale_before: datetime, **fields) -> None:
    """Running builds whose heartbeat stopped before `stale_before` died with their process: record `fields`
    (failed, why), finished at their last heartbeat."""
    session.execute(update(BUILD).where(BUILD.c.status == BuildStatus.running, BUILD.c.heartbeat_at < stale_before)
                    .values(**fields, finished_at=BUILD.c.heartbeat_at))


def record_build_progress(session: Session, build_id: uuid.UUID, **fields) -> None:
    session.execute(update(BUILD).where(BUILD.c.id == build_id).values(**fields))


def add_theme(session: Session, **fields) -> Theme:
    theme = Theme(**fields)
    session.add(theme)
    return theme


def edit_theme(session: Session, theme: Theme, fields: dict) -> None:
    """Write these fields of a theme (a rebuild's refresh, a rename or pin, a merge's retirement)."""
    theme.sqlmodel_update(fields)
    session.add(theme)


def add_merge(session: Session, **fields) -> ThemeMerge:
    """Record a merge (source, target, the pain points it moved, who, when)."""
    merge = ThemeMerge(**fields)
    session.add(merge)
    session.flush()
    return merge


def mark_merge_undone(session: Session, merge: ThemeMerge, *, by: uuid.UUID, at: datetime) -> None:
    merge.undone_by_id, merge.undone_at = by, at
    session.add(merge)


def forget_vectors(session: Session, pain_point_ids: list[uuid.UUID]) -> None:
    """Drop the stored vectors of pain points whose words changed. The text hash would let a rebuild see
    the change, but the worker finds its work by the missing vector (tests/themes/test_embeddings.py)."""
    if pain_point_ids:
        session.execute(delete(EMB).where(EMB.c.pain_point_id.in_(pain_point_ids)))


def replace_vectors(session: Session, rows: list[dict]) -> None:
    """Store fresh vectors (rows of pain_point_id, embedder, text_hash, vector, created_at) in place of
    any older ones of the same pain points."""
    forget_vectors(session, [row["pain_point_id"] for row in rows])
    if rows:
        session.execute(insert(EMB), rows)
