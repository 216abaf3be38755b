"""A theme rebuild: embed, cluster, label, match to the themes before, then swap in one transaction.

Only one rebuild runs at a time (a PostgreSQL advisory lock across processes, a process lock on SQLite).
Nothing readers see changes until the final transaction commits, so a rebuild that stops half-way leaves
the previous themes intact.
"""

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import select, text
from sqlmodel import Session

from api.auth.users import list_users
from api.core.clock import utcnow
from api.db import get_engine
from api.errors import Conflict
from api.events import outbox
from api.org.models import Department, Site
from api.org.service import list_entities
from api.pain_points import store
from api.pain_points.models import PAIN, counted_conditions
from api.privacy.reader import for_labels
from api.themes import embeddings, engine
from api.themes import store as theme_store
from api.themes.models import BuildStatus, Theme, ThemeBuild
from api.themes.store import THEME

log = logging.getLogger("undercover.themes")
ADVISORY_KEY = 0x756E6463  # "undc"
STALE_AFTER = timedelta(minutes=2)  # a build whose heartbeat is older died with its process
_process_lock = threading.Lock()


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold the one-rebuild-at-a-time lock, or raise Conflict."""
    if not _process_lock.acquire(blocking=False):
        raise Conflict("A theme rebuild is already running")
    db = get_engine()
    conn = None
    try:
        if db.dialect.name == "postgresql":
            conn = db.connect()
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar_one():
                raise Conflict("A theme rebuild is already running")
            conn.commit()
        yield
    finally:
        if conn is not None:
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
            conn.commit()
            conn.close()
        _process_lock.release()


# How a build whose process died is recorded, and shown before it is (finished_at: its last heartbeat).
INTERRUPTED = {"status": BuildStatus.failed, "error": "interrupted"}


def is_dead(build: ThemeBuild) -> bool:
    return build.status == BuildStatus.running and utcnow() - build.heartbeat_at > STALE_AFTER


def live_build(session: Session) -> ThemeBuild | None:
    """The build running now, unless its process died (a read: nothing is written)."""
    build = session.execute(
        select(ThemeBuild).where(ThemeBuild.status == BuildStatus.running).order_by(ThemeBuild.started_at.desc())
    ).scalars().first()
    return None if build is None or is_dead(build) else build


def fail_dead_builds(session: Session) -> None:
    """Record as failed the running builds whose process died; the caller commits."""
    theme_store.fail_builds_stale_since(session, utcnow() - STALE_AFTER, **INTERRUPTED)


def start_build(session: Session, requested_by: uuid.UUID | None) -> ThemeBuild:
    fail_dead_builds(session)
    if live_build(session) is not None:
        raise Conflict("A theme rebuild is already running")
    build = theme_store.add_build(session, requested_by=requested_by, embedder=engine.embedder_name())
    session.commit()
    return build


@dataclass
class _Point:
    id: uuid.UUID
    text: str
    quote: str | None
    visit_id: uuid.UUID
    theme_id: uuid.UUID | None
    theme_locked: bool


class _Progress:
    """Writes a build's stage and progress in short transactions of their own."""

    def __init__(self, build_id: uuid.UUID, echo: Callable[[str, float], None] | None):
        self.build_id, self.echo = build_id, echo

    def __call__(self, stage: str, fraction: float, **fields) -> None:
        with Session(get_engine()) as s:
            theme_store.record_build_progress(s, self.build_id, stage=stage, progress=round(fraction, 3),
                                              heartbeat_at=utcnow(), **fields)
            s.commit()
        if self.echo:
            self.echo(stage, fraction)


def run_build(build_id: uuid.UUID, echo: Callable[[str, float], None] | None = None) -> None:
    """Run a started build to the end; failures are recorded on the build, never half-applied."""
    progress = _Progress(build_id, echo)
    try:
        with exclusive():
            _rebuild(progress)
        progress("done", 1.0, status=BuildStatus.done, finished_at=utcnow())
    except Exception as exc:
        log.exception("theme rebuild failed")
        progress("failed", 1.0, status=BuildStatus.failed, finished_at=utcnow(), error=str(exc)[:500])
        raise


def rebuild_now(echo: Callable[[str, float], None] | None = None) -> ThemeBuild:
    """Start and run a rebuild in this process (the CLI's way); returns the finished build."""
    with Session(get_engine(), expire_on_commit=False) as session:
        build = start_build(session, None)
    run_build(build.id, echo=echo)
    with Session(get_engine(), expire_on_commit=False) as session:
        return session.get(ThemeBuild, build.id)


def _live_points(session: Session) -> list[_Point]:
    rows = session.execute(
        select(PAIN.c.id, PAIN.c.text, PAIN.c.quote, PAIN.c.visit_id, PAIN.c.theme_id, PAIN.c.theme_locked)
        .where(*counted_conditions()).order_by(PAIN.c.id)
    )
    return [_Point(*r) for r in rows]


def _rebuild(progress: _Progress) -> None:
    embedder = engine.embedder_name()
    with Session(get_engine(), expire_on_commit=False) as session:
        points = _live_points(session)
        session.rollback()
        progress("embedding", 0.0, pain_points=len(points), embedder=embedder)
        # Pain points a manager left unthemed on purpose stay out of the clustering.
        clustered = [p for p in points if not (p.theme_locked and p.theme_id is None)]
        vectors = embeddings.vectors_for(session, clustered, embedder, lambda f: progress("embedding", 0.6 * f))
        names, units = _org_names(session)
        session.rollback()
    progress("clustering", 0.6)
    engine.warm_up(embedder)  # labelling embeds phrases: load the model while clustering runs
    fixed = {i: str(p.theme_id) for i, p in enumerate(clustered) if p.theme_locked and p.theme_id}
    labels = engine.cluster(vectors, embedder=embedder, fixed=fixed) if clustered else np.zeros(0, dtype=int)
    # Labels and keywords are read by everyone who reads themes: pick their words from masked text.
    texts = [engine.pain_point_text(for_labels(p.text), for_labels(p.quote)) for p in clustered]
    groups = [str(p.visit_id) for p in clustered]
    described = engine.describe(texts, labels, vectors, groups=groups, embedder=embedder,
                                names=names, units=units) if clustered else {}
    progress("matching", 0.85)
    with Session(get_engine(), expire_on_commit=False) as session:
        themes = _assign_ids(session, clustered, labels, described, fixed)
        _swap(session, clustered, labels, described, themes, embedder)
    unthemed = int(np.sum(labels == engine.UNTHEMED))
    progress("saved", 0.99, themes=len(set(themes.values())), unthemed=unthemed)


def _org_names(session) -> tuple[list[str], list[str]]:
    """The organisation's own names, which theme labels leave out: (people, sites and departments)."""
    units = [e.name for model in (Site, Department)
             for e in list_entities(session=session, model=model, include_inactive=True)]
    return [u.display_name for u in list_users(session=session)], units


def _assign_ids(session, points, labels, described, fixed) -> dict[int, uuid.UUID]:
    """Cluster label → theme id: a manager's group keeps its theme; a found group inherits the id of the old
    theme it overlaps most (so ids, labels and history survive); anything else is a new theme."""
    by_label: dict[int, uuid.UUID] = {}
    for i, key in fixed.items():
        by_label[int(labels[i])] = uuid.UUID(key)
    found = [label for label in described if label not in by_label]
    old: dict[str, set] = {}
    active = set(session.execute(select(THEME.c.id).where(THEME.c.retired_at.is_(None))).scalars())
    for p in points:
        if p.theme_id in active and not p.theme_locked:
            old.setdefault(str(p.theme_id), set()).add(p.id)
    members = [{points[i].id for i in np.flatnonzero(labels == label)} for label in found]
    matched = engine.match_themes(old, members)
    for index, label in enumerate(found):
        by_label[label] = uuid.UUID(matched[index]) if index in matched else uuid.uuid4()
    return by_label


def _swap(session, points, labels, described, themes, embedder) -> None:
    now = utcnow()
    existing = {t.id: t for t in session.execute(select(Theme)).scalars()}
    taken = {t.label.lower() for t in existing.values() if t.label_locked and t.retired_at is None}
    kept: set[uuid.UUID] = set()
    for label, theme_id in themes.items():
        if label not in described or theme_id in kept:
            continue
        d = described[label]
        kept.add(theme_id)
        fields = {
            "keywords": list(d.keywords),
            "representative_ids": [str(points[i].id) for i in d.representatives],
            "centroid": embeddings.to_bytes(d.centroid),
            "embedder": embedder,
            "retired_at": None,
            "merged_into_id": None,
            "successor_id": None,
            "updated_at": now,
        }
        theme = existing.get(theme_id)
        if theme is None:
            theme = theme_store.add_theme(session, id=theme_id, label=_free_label(d.label, taken), created_at=now,
                                          **fields)
        else:
            if not theme.label_locked:
                fields["label"] = _free_label(engine.carry_label(theme.label, d), taken)
            theme_store.edit_theme(session, theme, fields)
        taken.add(theme.label.lower())
    placed = {p.id: themes.get(int(label)) if label != engine.UNTHEMED else None
              for p, label in zip(points, labels, strict=True)}
    for theme in existing.values():
        if theme.id not in kept and theme.retired_at is None and not theme.pinned:
            theme_store.edit_theme(session, theme, {"retired_at": now,
                                                    "successor_id": _successor(theme.id, points, placed)})
    session.flush()
    moved = {p.id: placed[p.id] for p in points if placed[p.id] != p.theme_id}
    store.place_in_themes(session, moved)
    outbox.record(session, "themes.rebuilt", {"themes": len(kept), "pain_points": len(points), "moved": len(moved)},
                  at=now)
    session.commit()


def _successor(theme_id: uuid.UUID, points: list[_Point], placed: dict) -> uuid.UUID | None:
    """The theme that takes most of a retired theme's pain points (ties: the lowest id), so that goals aimed at
    it follow; None when none of them is in a theme any more."""
    taken: dict[uuid.UUID, int] = {}
    for p in points:
        if p.theme_id == theme_id and placed.get(p.id) is not None:
            taken[placed[p.id]] = taken.get(placed[p.id], 0) + 1
    return min(taken, key=lambda t: (-taken[t], str(t))) if taken else None


def _free_label(label: str, taken: set[str]) -> str:
    candidate, n = label, 2
    while candidate.lower() in taken:
        candidate, n = f"{label} ({n})", n + 1
    return candidate
