"""Reading and triaging pain points: who may see what, details with history and comments, changes."""

import uuid

from sqlalchemy import select
from sqlmodel import Session

from api.auth.models import Role, User
from api.core.clock import utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from api.events import outbox
from api.org.models import Department, Site
from api.pain_points import store, triage
from api.pain_points.access import readable_row, shown_row
from api.pain_points.models import PAIN, PainPoint, PainPointComment, PainPointEvent, is_shown
from api.pain_points.schemas import Ref
from api.privacy.reader import shown
from api.review.feed import FeedFilters, Lookups, feed_page, items_for, to_item
from api.review.schemas import (
    BulkResult,
    BulkTriage,
    CommentCreate,
    CommentPublic,
    EventPublic,
    FeedPage,
    PainPointDetail,
    SimilarCount,
    SimilarCountRequest,
    SimilarPainPoint,
    SimilarPainPoints,
    TriageUpdate,
)
from api.settings.service import reads_everything
from api.themes import service as themes
from api.themes import similar
from api.themes.models import Theme

REVIEWERS = (Role.manager, Role.admin)
# Audit fields whose values are free text, written by a person (the others are ids, enums, numbers and times).
FREE_TEXT_FIELDS = {"text", "quote", "resolution_note"}


def read_feed(
    *, session: Session, viewer: User, filters: FeedFilters, cursor: str | None, limit: int
) -> FeedPage:
    if not reads_everything(session, viewer):
        raise Forbidden(
            "The feed is for managers and admins; your own pain points are at /api/my/pain-points "
            "(an admin can open the feed to executives in the settings)"
        )
    return feed_page(session=session, viewer=viewer, filters=filters, cursor=cursor, limit=limit)


def read_my_feed(
    *, session: Session, viewer: User, filters: FeedFilters, cursor: str | None, limit: int
) -> FeedPage:
    filters.author_id = viewer.id
    return feed_page(session=session, viewer=viewer, filters=filters, cursor=cursor, limit=limit)


def check_export(*, session: Session, viewer: User) -> None:
    if not reads_everything(session, viewer):
        raise Forbidden("Exporting the feed is for managers and admins")


def _event_labels(session: Session, events: list[PainPointEvent]) -> dict[tuple[str, str], str]:
    """Readable names for the ids in audit lines, read now (a renamed department shows its new name)."""
    by_field: dict[str, set] = {}
    for e in events:
        for value in (e.old_value, e.new_value):
            if value is not None:
                by_field.setdefault(e.field, set()).add(value)
    sources = {
        "owner_department_id": (Department.id, Department.name),
        "department_id": (Department.id, Department.name),
        "site_id": (Site.id, Site.name),
        "assignee_id": (User.id, User.display_name),
        "theme_id": (Theme.id, Theme.label),
    }
    labels = {}
    for name, (id_col, label_col) in sources.items():
        ids = {uuid.UUID(v) for v in by_field.get(name, ())}
        if ids:
            for key, label in session.execute(select(id_col, label_col).where(id_col.in_(ids))):
                labels[(name, str(key))] = label
    return labels


def _event_value(event: PainPointEvent, value: str | None, reader: User) -> str | None:
    """Ids, statuses and dates as stored; free text (a pain point's words, a resolution note) as the reader may
    see it: as written for whoever made the change, masked for anyone else."""
    if value is None or event.field not in FREE_TEXT_FIELDS:
        return value
    return shown(value, author_id=event.actor_id, reader_id=reader.id)


def _history(session: Session, pain_point_id: uuid.UUID, reader: User) -> list[EventPublic]:
    events = list(
        session.scalars(
            select(PainPointEvent)
            .where(PainPointEvent.pain_point_id == pain_point_id)
            .order_by(PainPointEvent.created_at, PainPointEvent.id)
        )
    )
    labels = _event_labels(session, events)
    actors = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).all()
    )
    out = []
    for e in events:
        old, new = _event_value(e, e.old_value, reader), _event_value(e, e.new_value, reader)
        out.append(EventPublic(
            id=e.id,
            actor=Ref(id=e.actor_id, name=actors.get(e.actor_id, "")) if e.actor_id else None,
            field=e.field,
            old_value=old,
            new_value=new,
            old_label=labels.get((e.field, e.old_value), old),
            new_label=labels.get((e.field, e.new_value), new),
            created_at=e.created_at,
        ))
    return out


def _comments(session: Session, pain_point_id: uuid.UUID, reader: User) -> list[CommentPublic]:
    rows = session.execute(
        select(PainPointComment, User.display_name)
        .join(User, User.id == PainPointComment.author_id)
        .where(PainPointComment.pain_point_id == pain_point_id)
        .order_by(PainPointComment.created_at, PainPointComment.id)
    ).all()
    return [
        CommentPublic(id=c.id, author=Ref(id=c.author_id, name=name),
                      body=shown(c.body, author_id=c.author_id, reader_id=reader.id), created_at=c.created_at)
        for c, name in rows
    ]


def get_detail(*, session: Session, viewer: User, pain_point_id: uuid.UUID) -> PainPointDetail:
    row = readable_row(session, viewer, pain_point_id)
    duplicates = list(
        session.scalars(
            select(PainPoint.id)
            .where(PainPoint.duplicate_of_id == row.id, PainPoint.deleted_at.is_(None))
            .order_by(PainPoint.occurred_at)
        )
    )
    return to_item(
        row,
        Lookups.load(session, [row]),
        viewer,
        cls=PainPointDetail,
        journey_step=row.journey_step,
        duplicates=duplicates,
        history=_history(session, row.id, viewer),
        comments=_comments(session, row.id, viewer),
    )


def triage_one(
    *, session: Session, actor: User, pain_point_id: uuid.UUID, data: TriageUpdate
) -> PainPointDetail:
    changes = data.model_dump(exclude_unset=True)
    triage.check_changes(session=session, changes=changes,
                         theme_is_current=themes.is_current(session, changes.get("theme_id")))
    row = triage.lock_rows(session, [pain_point_id], changes).get(pain_point_id)
    if row is None or not is_shown(row):
        raise NotFound("No such pain point")
    try:
        planned = triage.plan(session=session, row=row, changes=changes)
    except triage.Refused as exc:
        session.rollback()
        raise Conflict(f"This pain point {exc}") from None
    store.apply_triage(session=session, row=row, changes=planned, actor_id=actor.id, now=utcnow())
    session.commit()
    return get_detail(session=session, viewer=actor, pain_point_id=pain_point_id)


def triage_many(*, session: Session, actor: User, data: BulkTriage) -> BulkResult:
    """All or nothing: every pain point takes the changes, or none does (409 lists why, per id)."""
    changes = data.changes.model_dump(exclude_unset=True)
    triage.check_changes(session=session, changes=changes,
                         theme_is_current=themes.is_current(session, changes.get("theme_id")))
    rows = triage.lock_rows(session, data.ids, changes)
    errors, plans = [], {}
    for pid in data.ids:
        row = rows.get(pid)
        if row is None or not is_shown(row):
            errors.append({"id": str(pid), "error": "no such pain point"})
            continue
        try:
            plans[pid] = triage.plan(session=session, row=row, changes=changes)
        except triage.Refused as exc:
            errors.append({"id": str(pid), "error": str(exc)})
    if errors:
        session.rollback()
        raise Conflict(
            f"{len(errors)} of {len(data.ids)} pain points cannot take these changes; nothing was changed",
            errors=errors,
        )
    now = utcnow()
    for pid in data.ids:
        store.apply_triage(session=session, row=rows[pid], changes=plans[pid], actor_id=actor.id, now=now)
    session.commit()
    stored = session.execute(
        select(PAIN).where(PAIN.c.id.in_(data.ids)).order_by(PAIN.c.occurred_at.desc(), PAIN.c.id.desc())
    ).all()
    return BulkResult(updated=sum(1 for p in plans.values() if p), items=items_for(session, stored, actor))


def add_comment(
    *, session: Session, author: User, pain_point_id: uuid.UUID, data: CommentCreate
) -> CommentPublic:
    """Managers and admins comment on any pain point; an executive on their own ones."""
    row = shown_row(session, pain_point_id)
    if author.role not in REVIEWERS and row.author_id != author.id:
        raise Forbidden("Executives comment only on their own pain points")
    comment = PainPointComment(pain_point_id=row.id, author_id=author.id, body=data.body, created_at=utcnow())
    session.add(comment)
    outbox.record(session, "pain_point.commented", {"pain_point_id": row.id, "comment_id": comment.id,
                                                    "author_id": author.id}, subject_id=row.id, actor_id=author.id,
                  at=comment.created_at)
    session.commit()
    return CommentPublic(
        id=comment.id,
        author=Ref(id=author.id, name=author.display_name),
        body=comment.body,
        created_at=comment.created_at,
    )


def list_comments(*, session: Session, viewer: User, pain_point_id: uuid.UUID) -> list[CommentPublic]:
    readable_row(session, viewer, pain_point_id)
    return _comments(session, pain_point_id, viewer)


def similar_pain_points(*, session: Session, viewer: User, pain_point_id: uuid.UUID) -> SimilarPainPoints:
    """Possible duplicates of a pain point being triaged: up to 5 open ones like it (api/themes/similar.py)."""
    row = readable_row(session, viewer, pain_point_id)
    method, found = similar.similar_to(session, row)
    rows = {r.id: r for r in session.execute(select(PAIN).where(PAIN.c.id.in_([pid for pid, _ in found])))}
    lookups = Lookups.load(session, list(rows.values()))
    items = [to_item(rows[pid], lookups, viewer, cls=SimilarPainPoint, similarity=score) for pid, score in found]
    return SimilarPainPoints(method=method, items=items)


def count_similar(*, session: Session, viewer: User, data: SimilarCountRequest) -> SimilarCount:
    """How many open pain points of a site, from the last 30 days, read like what an executive is typing: a
    count and its period only, never their texts (executives may not read the feed)."""
    if session.get(Site, data.site_id) is None:
        raise Invalid([field_error("site_id", "no such site")])
    until = utcnow()
    since = until - similar.WINDOW
    count = similar.count_similar(session, text=data.text, site_id=data.site_id, since=since, until=until,
                                  exclude=data.exclude_id)
    return SimilarCount(count=count, site_id=data.site_id, since=since, until=until, days=similar.WINDOW.days)
