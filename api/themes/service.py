"""Themes as managers see and shape them: list, detail, rename, pin, merge, move, rebuild."""

import functools
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from api.auth.models import User
from api.background import run_once
from api.core.clock import utcnow
from api.errors import Conflict, Invalid, NotFound, field_error
from api.org.models import Site
from api.pain_points import store, triage
from api.pain_points.models import PAIN, counted_conditions
from api.privacy.reader import shown
from api.summaries import service as summaries
from api.themes import engine, rebuild
from api.themes import store as theme_store
from api.themes.models import BuildStatus, Theme, ThemeBuild, ThemeMerge
from api.themes.schemas import MergedFrom, Quote, ThemeBuildPublic, ThemePublic
from api.themes.stats import (
    ThemeFilters,
    ThemeStats,
    period_start,
    stats_from_json,
    stats_to_json,
    theme_stats,
)


def _public(theme: Theme, stats: ThemeStats, quotes: list[Quote] | None = None,
            as_of: datetime | None = None, merged_from: list[MergedFrom] | None = None) -> ThemePublic:
    return ThemePublic(
        id=theme.id, label=theme.label, keywords=theme.keywords, pinned=theme.pinned,
        label_locked=theme.label_locked, embedder=theme.embedder, quotes=quotes or [], as_of=as_of or utcnow(),
        merged_from=merged_from or [], **stats.__dict__,
    )


def _merged_from(session: Session, theme_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[MergedFrom]]:
    """Per target theme, the merges into it still in effect (not undone, the source still retired into it)."""
    if not theme_ids:
        return {}
    rows = session.execute(
        select(ThemeMerge, Theme.label).join(Theme, Theme.id == ThemeMerge.source_id)
        .where(ThemeMerge.target_id.in_(theme_ids), ThemeMerge.undone_at.is_(None),
               Theme.merged_into_id == ThemeMerge.target_id)
        .order_by(ThemeMerge.merged_at.desc())
    ).all()
    out: dict[uuid.UUID, list[MergedFrom]] = {}
    for merge, label in rows:
        out.setdefault(merge.target_id, []).append(MergedFrom(
            merge_id=merge.id, theme_id=merge.source_id, label=label, count=len(merge.pain_point_ids),
            merged_at=merge.merged_at, merged_by_id=merge.merged_by_id))
    return out


def _quotes(session: Session, themes: list[Theme], reader: User) -> dict[uuid.UUID, list[Quote]]:
    wanted = {uuid.UUID(pid): t.id for t in themes for pid in t.representative_ids}
    if not wanted:
        return {}
    rows = session.execute(
        select(PAIN.c.id, PAIN.c.author_id, PAIN.c.text, PAIN.c.quote, PAIN.c.severity, PAIN.c.visit_kind,
               Site.name, PAIN.c.occurred_at)
        .outerjoin(Site, Site.id == PAIN.c.site_id)
        .where(PAIN.c.id.in_(list(wanted)), *counted_conditions())
    )
    out: dict[uuid.UUID, list[Quote]] = {}
    for r in rows:
        seen = {"author_id": r.author_id, "reader_id": reader.id}
        out.setdefault(wanted[r.id], []).append(Quote(
            pain_point_id=r.id, text=shown(r.text, **seen), quote=shown(r.quote, **seen), severity=r.severity,
            visit_kind=r.visit_kind, site=r.name, occurred_at=r.occurred_at))
    return out


def period_stats(session: Session, key: str) -> dict:
    """The stored summary `themes:<period>` (declared in api/main.py)."""
    return stats_to_json(theme_stats(session, ThemeFilters(since=period_start(key.split(":", 1)[1]))))


def _last_rebuild(session: Session) -> datetime | None:
    return session.execute(select(func.max(ThemeBuild.finished_at))
                           .where(ThemeBuild.status == BuildStatus.done)).scalar()


def _stored_stats(session: Session, period: str) -> tuple[dict[uuid.UUID, ThemeStats], datetime]:
    key = f"themes:{period}"
    payload, as_of = summaries.served(session=session, key=key)
    if as_of < (_last_rebuild(session) or as_of):  # a rebuild replaced the themes since
        payload, as_of = summaries.refresh(session=session, key=key)
    return stats_from_json(payload), as_of


def list_themes(*, session: Session, reader: User, filters: ThemeFilters,
                period: str | None = None) -> list[ThemePublic]:
    """A whole period (the web app's view) comes from the stored summary when it is costly to compute;
    narrower filters are computed live."""
    if period and (filters.since or filters.until):
        raise Invalid([field_error(["query", "period"], "give either a period or since/until, not both")])
    narrowed = any(vars(filters).values())
    period = period or (None if narrowed else "all")
    stored = bool(period) and not narrowed
    if stored:
        stats, stored_at = _stored_stats(session, period)  # first: it ends the transaction
    themes = list(session.execute(select(Theme).where(Theme.retired_at.is_(None))).scalars())
    as_of: dict[uuid.UUID, datetime] = {}
    if stored:
        # Themes edited since (merged into, pain points moved in or out, renamed) are computed live.
        moved = triage.themes_moved_since(session, stored_at)
        edited = [t.id for t in themes if t.updated_at > stored_at or t.id in moved]
        if edited:
            for theme_id in edited:
                stats.pop(theme_id, None)
            stats.update(theme_stats(session, ThemeFilters(since=period_start(period)), edited))
        as_of = {t.id: stored_at for t in themes if t.id not in edited}
    else:
        filters.since = filters.since or (period_start(period) if period else None)
        stats = theme_stats(session, filters)
    quotes = _quotes(session, themes, reader)
    merges = _merged_from(session, [t.id for t in themes])
    filtered = period != "all" or narrowed
    items = [
        _public(t, stats.get(t.id, ThemeStats()), quotes.get(t.id), as_of.get(t.id), merges.get(t.id))
        for t in themes
        if t.id in stats or (t.pinned and not filtered)
    ]
    items.sort(key=lambda t: (not t.pinned, -t.impact, -t.count, t.label))
    return items


def _theme(session: Session, theme_id: uuid.UUID) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("No such theme")
    return theme


def is_current(session: Session, theme_id: uuid.UUID | None) -> bool:
    """Neither retired nor merged into another: a theme pain points can be placed in."""
    theme = session.get(Theme, theme_id) if theme_id else None
    return theme is not None and theme.retired_at is None and theme.merged_into_id is None


def get_theme(*, session: Session, reader: User, theme_id: uuid.UUID, filters: ThemeFilters) -> ThemePublic:
    theme = _theme(session, theme_id)
    stats = theme_stats(session, filters, [theme_id]).get(theme_id, ThemeStats())
    return _public(theme, stats, _quotes(session, [theme], reader).get(theme_id),
                   merged_from=_merged_from(session, [theme_id]).get(theme_id))


def update_theme(*, session: Session, reader: User, theme_id: uuid.UUID, label: str | None,
                 pinned: bool | None) -> ThemePublic:
    theme = _theme(session, theme_id)
    changes: dict = {"updated_at": utcnow()}
    if label is not None:
        label = " ".join(label.split())
        clash = session.execute(select(Theme.id).where(
            Theme.retired_at.is_(None), Theme.id != theme_id, Theme.label.ilike(label))).first()
        if clash:
            raise Invalid([field_error("label", "another theme already has this label")])
        changes.update(label=label, label_locked=True)
    if pinned is not None:
        changes["pinned"] = pinned
    theme_store.edit_theme(session, theme, changes)
    session.commit()
    return get_theme(session=session, reader=reader, theme_id=theme_id, filters=ThemeFilters())


def _lock_themes(session: Session, *theme_ids: uuid.UUID) -> dict[uuid.UUID, Theme]:
    """The themes, freshly read and locked (FOR UPDATE, in id order): merges and undos of the same themes
    queue up instead of acting on what another request just changed."""
    stmt = (select(Theme).where(Theme.id.in_(theme_ids)).order_by(Theme.id).with_for_update()
            .execution_options(populate_existing=True))
    found = {t.id: t for t in session.execute(stmt).scalars()}
    if len(found) < len(set(theme_ids)):
        raise NotFound("No such theme")
    return found


def merge_themes(*, session: Session, reader: User, theme_id: uuid.UUID, into_id: uuid.UUID) -> ThemePublic:
    """Every pain point of `theme_id` moves into `into_id` and stays there (audited); the old theme is retired.
    The merge is recorded, so that unmerge_theme can undo it. Merging again into the same theme (a retried
    request) changes nothing."""
    if theme_id == into_id:
        raise Invalid([field_error("into_id", "a theme cannot be merged into itself")])
    themes = _lock_themes(session, theme_id, into_id)
    source, target = themes[theme_id], themes[into_id]
    if source.retired_at is not None and source.merged_into_id == into_id:
        session.rollback()
        return get_theme(session=session, reader=reader, theme_id=into_id, filters=ThemeFilters())
    if target.retired_at is not None:
        raise Invalid([field_error("into_id", "that theme is retired")])
    if source.retired_at is not None:
        session.rollback()
        raise Conflict("This theme is retired (merged into another theme, or left out by a rebuild)")
    now = utcnow()
    moved = store.move_theme_members(session, from_theme_id=theme_id, into_theme_id=into_id, actor_id=reader.id,
                                     now=now)
    theme_store.add_merge(session, source_id=theme_id, target_id=into_id, merged_by_id=reader.id, merged_at=now,
                          pain_point_ids=[str(pid) for pid in moved], target_label=target.label)
    # Goals aimed at the source follow merged_into_id to the target (api/goals/measure.py current_themes), so
    # setting it here moves them, and unmerge_theme clearing it points them back: nothing of goals is written.
    theme_store.edit_theme(session, source, {"retired_at": now, "merged_into_id": into_id, "pinned": False,
                                             "updated_at": now})
    theme_store.edit_theme(session, target, {"updated_at": now})
    session.commit()
    return get_theme(session=session, reader=reader, theme_id=into_id, filters=ThemeFilters())


def unmerge_theme(*, session: Session, actor: User, theme_id: uuid.UUID) -> ThemePublic:
    """Undo the latest merge of `theme_id` (the merged-away theme): it is current again, and the pain points the
    merge moved that are still in the target move back, locked there and audited, so rebuilds keep them.
    Conflict when there is nothing to undo, or the target was merged on since (undo that merge first)."""
    _theme(session, theme_id)  # 404 before anything else
    merge = session.execute(
        select(ThemeMerge).where(ThemeMerge.source_id == theme_id, ThemeMerge.undone_at.is_(None))
        .order_by(ThemeMerge.merged_at.desc()).limit(1).with_for_update()
    ).scalars().first()
    if merge is None:
        raise Conflict("Nothing to undo: this theme has no merge in effect")
    themes = _lock_themes(session, theme_id, merge.target_id)
    source, target = themes[theme_id], themes[merge.target_id]
    if source.merged_into_id != merge.target_id or source.retired_at is None:
        session.rollback()
        raise Conflict("This theme was merged elsewhere since; undo that merge first")
    if target.merged_into_id is not None:
        session.rollback()
        raise Conflict(f'The theme it was merged into ("{target.label}") was itself merged into another since; '
                       "undo that merge first")
    now = utcnow()
    theme_store.edit_theme(session, source, {"retired_at": None, "merged_into_id": None, "updated_at": now})
    target_changes = {"updated_at": now}
    if _relabelled_by_the_merge(session, target, merge):  # its label was the absorbed theme's: give back its own
        target_changes["label"] = merge.target_label
    theme_store.edit_theme(session, target, target_changes)
    session.flush()
    store.move_theme_members(session, from_theme_id=target.id, into_theme_id=theme_id, actor_id=actor.id, now=now,
                             only=[uuid.UUID(pid) for pid in merge.pain_point_ids])
    # Goals aimed at the source point back at it now that merged_into_id is cleared (api/goals/measure.py).
    theme_store.mark_merge_undone(session, merge, by=actor.id, at=now)
    session.commit()
    return get_theme(session=session, reader=actor, theme_id=theme_id, filters=ThemeFilters())


def _relabelled_by_the_merge(session: Session, target: Theme, merge: ThemeMerge) -> bool:
    """A rebuild after the merge may have named the target after what it absorbed. Its label at the merge comes
    back on undo unless a manager renamed it since, or another current theme has taken that label."""
    if target.label_locked or not merge.target_label or target.label == merge.target_label:
        return False
    taken = session.execute(select(Theme.id).where(
        func.lower(Theme.label) == merge.target_label.lower(), Theme.id != target.id, Theme.retired_at.is_(None),
    )).first()
    return taken is None


def move_pain_points(*, session: Session, actor: User, pain_point_ids: list[uuid.UUID], theme_id: uuid.UUID) -> int:
    """A manager places pain points in a theme; rebuilds keep them there. The same audited change as
    triage's theme field (api/pain_points/triage.py). Returns how many moved."""
    _theme(session, theme_id)  # 404 for an unknown theme; a retired one is refused below
    triage.check_changes(session=session, changes={"theme_id": theme_id},
                         theme_is_current=is_current(session, theme_id))
    rows = triage.lock_rows(session, pain_point_ids)
    now, moved = utcnow(), 0
    for row in rows.values():
        if row.deleted_at is None:
            planned = triage.plan(session=session, row=row, changes={"theme_id": theme_id})
            store.apply_triage(session=session, row=row, changes=planned, actor_id=actor.id, now=now)
            moved += bool(planned)
    session.commit()
    return moved


def latest_build(*, session: Session) -> ThemeBuildPublic | None:
    """A read: a build whose process died shows as failed; the next start_build records it so."""
    build = session.execute(select(ThemeBuild).order_by(ThemeBuild.started_at.desc())).scalars().first()
    if build is None:
        return None
    public = ThemeBuildPublic.model_validate(build, from_attributes=True)
    if rebuild.is_dead(build):
        public = public.model_copy(update={**rebuild.INTERRUPTED, "finished_at": build.heartbeat_at})
    return public


def start_rebuild(*, session: Session, user: User | None) -> ThemeBuildPublic:
    """Record a new build and run it on a background thread; returns at once."""
    build = rebuild.start_build(session, user.id if user else None)
    run_once("theme-rebuild", functools.partial(rebuild.run_build, build.id))
    return ThemeBuildPublic.model_validate(build, from_attributes=True)


def engine_name() -> str:
    return engine.embedder_name()


