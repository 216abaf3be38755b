"""The pain-point feed: combinable filters, search on what the reader sees, keyset pagination, cards."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Uuid, func, literal, select, tuple_
from sqlmodel import Session

from api.auth.models import User
from api.core.types import UTCDateTime
from api.cursor import decode_position, encode_position
from api.media.service import media_for
from api.org.models import Department, Site
from api.pain_points.models import PAIN, SHOWN, PainPointComment, Status
from api.pain_points.schemas import Ref, ThemeRef
from api.pain_points.search import search_condition, search_words, text_words
from api.privacy.reader import masked, sees_raw, shown
from api.privacy.redaction import redaction_enabled
from api.review.schemas import FeedItem, FeedPage
from api.themes.models import Theme


@dataclass
class FeedFilters:
    status: list[Status] = field(default_factory=list)
    severity_min: int | None = None
    theme_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    visit_kind: str | None = None
    author_id: uuid.UUID | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self, session: Session) -> list:
        where = [SHOWN]
        if self.status:
            where.append(PAIN.c.status.in_([s.value for s in self.status]))
        if self.severity_min is not None:
            where.append(PAIN.c.severity >= self.severity_min)
        if self.theme_id is not None:
            where.append(PAIN.c.theme_id == self.theme_id)
        if self.department_id is not None:
            # The owner set in triage wins over the department the executive reported.
            where.append(
                func.coalesce(PAIN.c.owner_department_id, PAIN.c.department_id) == self.department_id
            )
        if self.site_id is not None:
            where.append(PAIN.c.site_id == self.site_id)
        if self.visit_kind is not None:
            where.append(PAIN.c.visit_kind == self.visit_kind)
        if self.author_id is not None:
            where.append(PAIN.c.author_id == self.author_id)
        if self.since is not None:
            where.append(PAIN.c.occurred_at >= self.since)
        if self.until is not None:
            where.append(PAIN.c.occurred_at < self.until)
        match = search_condition(session, self.q)
        if match is not None:
            where.append(match)
        return where


def _page_stmt(session: Session, filters: FeedFilters, cursor: tuple[datetime, uuid.UUID] | None, limit: int,
               oldest_first: bool = False):
    stmt = select(PAIN).where(*filters.conditions(session))
    key = tuple_(PAIN.c.occurred_at, PAIN.c.id)
    if cursor is not None:
        after = tuple_(literal(cursor[0], UTCDateTime), literal(cursor[1], Uuid))
        stmt = stmt.where(key > after if oldest_first else key < after)
    if oldest_first:
        return stmt.order_by(PAIN.c.occurred_at, PAIN.c.id).limit(limit)
    return stmt.order_by(PAIN.c.occurred_at.desc(), PAIN.c.id.desc()).limit(limit)


def _reads_match(row, words: list[str], reader_id: uuid.UUID | None) -> bool:
    """Whether the pain point matches the search as the reader sees it: the index matched the raw text, but
    a word found only inside a masked e-mail, phone or card number must not reveal it."""
    seen = {"author_id": row.author_id, "reader_id": reader_id}
    if sees_raw(**seen):
        return True
    found = set(text_words(f"{shown(row.text, **seen)} {shown(row.quote, **seen) or ''}"))
    return all(word in found for word in words)


def matching_rows(session: Session, filters: FeedFilters, cursor: tuple[datetime, uuid.UUID] | None, limit: int,
                  reader_id: uuid.UUID | None, oldest_first: bool = False) -> list:
    """Up to `limit` rows after `cursor` that match the filters, the search judged on what the reader sees."""
    words = search_words(filters.q)
    rows = session.execute(_page_stmt(session, filters, cursor, limit, oldest_first)).all()
    if not words or not redaction_enabled():
        return rows
    kept = []
    while True:
        kept.extend(row for row in rows if _reads_match(row, words, reader_id))
        if len(kept) >= limit or len(rows) < limit:
            return kept[:limit]
        cursor = (rows[-1].occurred_at, rows[-1].id)
        rows = session.execute(_page_stmt(session, filters, cursor, limit, oldest_first)).all()


def _names(session: Session, column, label, ids: set) -> dict:
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(column, label).where(column.in_(ids))).all())


@dataclass
class Lookups:
    """Names for the ids on a page of pain points, and their media, read with one small query per table."""

    sites: dict
    departments: dict
    users: dict
    themes: dict
    comments: dict
    media: dict

    @classmethod
    def load(cls, session: Session, rows: list) -> "Lookups":
        ids = [r.id for r in rows]
        comments = (
            dict(
                session.execute(
                    select(PainPointComment.pain_point_id, func.count())
                    .where(PainPointComment.pain_point_id.in_(ids))
                    .group_by(PainPointComment.pain_point_id)
                ).all()
            )
            if ids
            else {}
        )
        return cls(
            sites=_names(session, Site.id, Site.name, {r.site_id for r in rows}),
            departments=_names(
                session,
                Department.id,
                Department.name,
                {r.department_id for r in rows} | {r.owner_department_id for r in rows},
            ),
            users=_names(
                session,
                User.id,
                User.display_name,
                {r.author_id for r in rows} | {r.assignee_id for r in rows},
            ),
            themes=_names(session, Theme.id, Theme.label, {r.theme_id for r in rows}),
            comments=comments,
            media=media_for(session, ids),
        )


def _ref(names: dict, key) -> Ref | None:
    return Ref(id=key, name=names.get(key, "")) if key is not None else None


def to_item(row, lookups: Lookups, viewer: User, cls=FeedItem, **extra) -> FeedItem:
    seen = {"author_id": row.author_id, "reader_id": viewer.id}
    return cls(
        id=row.id,
        visit_id=row.visit_id,
        text=shown(row.text, **seen),
        quote=shown(row.quote, **seen),
        severity=row.severity,
        felt_by=row.felt_by,
        visit_kind=row.visit_kind,
        occurred_at=row.occurred_at,
        site=_ref(lookups.sites, row.site_id),
        department=_ref(lookups.departments, row.department_id),
        owner_department=_ref(lookups.departments, row.owner_department_id),
        executive=_ref(lookups.users, row.author_id),
        theme=ThemeRef(id=row.theme_id, label=lookups.themes.get(row.theme_id, "")) if row.theme_id else None,
        theme_locked=row.theme_locked,
        status=row.status,
        assignee=_ref(lookups.users, row.assignee_id),
        due_date=row.due_date,
        resolved_at=row.resolved_at,
        resolution_note=masked(row.resolution_note),
        duplicate_of_id=row.duplicate_of_id,
        comment_count=lookups.comments.get(row.id, 0),
        withdrawn_at=row.withdrawn_at,
        media=lookups.media.get(row.id, []),
        **extra,
    )


def items_for(session: Session, rows: list, viewer: User) -> list[FeedItem]:
    lookups = Lookups.load(session, rows)
    return [to_item(row, lookups, viewer) for row in rows]


def feed_page(
    *, session: Session, viewer: User, filters: FeedFilters, cursor: str | None, limit: int
) -> FeedPage:
    after = decode_position(cursor) if cursor else None
    rows = matching_rows(session, filters, after, limit + 1, viewer.id)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_position(rows[-1].occurred_at, rows[-1].id) if more else None
    return FeedPage(items=items_for(session, rows, viewer), next_cursor=next_cursor)
