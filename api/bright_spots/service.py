"""The managers' bright-spot feed: filters, search on what the reader sees, keyset pagination; and the one
rule for what a reader sees of a bright spot (also used inside visits)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Uuid, func, literal, select, tuple_
from sqlmodel import Session

from api.auth.models import Role, User
from api.bright_spots.models import BRIGHT
from api.bright_spots.schemas import BrightSpotItem, BrightSpotPage
from api.core.types import UTCDateTime
from api.cursor import decode_position, encode_position
from api.org.models import Department, Site
from api.pain_points.schemas import Ref
from api.pain_points.search import search_words, text_words
from api.privacy.reader import sees_raw, shown
from api.values.models import CompanyValue

NAMES_SEEN_BY = (Role.manager, Role.admin)


def shown_recognise(name: str | None, *, author_id: uuid.UUID, reader: User) -> str | None:
    """Who a bright spot recognises, as `reader` may read it: as written for its author, masked for managers
    and admins, and not at all for anyone else (a person named is never exposed beyond managers)."""
    if sees_raw(author_id=author_id, reader_id=reader.id):
        return name
    return shown(name, author_id=author_id, reader_id=reader.id) if reader.role in NAMES_SEEN_BY else None


@dataclass
class Filters:
    site_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    value_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list:
        where = []
        for name in ("site_id", "department_id", "value_id", "author_id"):
            if getattr(self, name) is not None:
                where.append(BRIGHT.c[name] == getattr(self, name))
        if self.since is not None:
            where.append(BRIGHT.c.occurred_at >= self.since)
        if self.until is not None:
            where.append(BRIGHT.c.occurred_at < self.until)
        # A coarse match in SQL (substrings of the raw text); _reads_match then judges whole words as read.
        searched = func.lower(BRIGHT.c.text + " " + func.coalesce(BRIGHT.c.recognise, ""))
        where += [searched.contains(word, autoescape=True) for word in search_words(self.q)]
        return where


def _page(session: Session, filters: Filters, after: tuple[datetime, uuid.UUID] | None, limit: int) -> list:
    stmt = select(BRIGHT).where(*filters.conditions())
    if after is not None:
        stmt = stmt.where(tuple_(BRIGHT.c.occurred_at, BRIGHT.c.id)
                          < tuple_(literal(after[0], UTCDateTime), literal(after[1], Uuid)))
    return session.execute(stmt.order_by(BRIGHT.c.occurred_at.desc(), BRIGHT.c.id.desc()).limit(limit)).all()


def _reads_match(row, words: list[str], reader: User) -> bool:
    """Search matches what the reader sees: a word found only inside a masked number or address (or a name the
    reader may not see) does not count."""
    seen = f"{shown(row.text, author_id=row.author_id, reader_id=reader.id)} " \
           f"{shown_recognise(row.recognise, author_id=row.author_id, reader=reader) or ''}"
    found = set(text_words(seen))
    return all(word in found for word in words)


def _matching(session: Session, filters: Filters, after, limit: int, reader: User) -> list:
    words = search_words(filters.q)
    kept = []
    while True:
        rows = _page(session, filters, after, limit)
        kept += [row for row in rows if not words or _reads_match(row, words, reader)]
        if len(kept) >= limit or len(rows) < limit:
            return kept[:limit]
        after = (rows[-1].occurred_at, rows[-1].id)


def _names(session: Session, column, label, ids: set) -> dict:
    ids.discard(None)
    return dict(session.execute(select(column, label).where(column.in_(ids))).all()) if ids else {}


def _ref(names: dict, key) -> Ref | None:
    return Ref(id=key, name=names.get(key, "")) if key is not None else None


def read_feed(*, session: Session, viewer: User, filters: Filters, cursor: str | None, limit: int) -> BrightSpotPage:
    rows = _matching(session, filters, decode_position(cursor) if cursor else None, limit + 1, viewer)
    more = len(rows) > limit
    rows = rows[:limit]
    sites = _names(session, Site.id, Site.name, {r.site_id for r in rows})
    departments = _names(session, Department.id, Department.name, {r.department_id for r in rows})
    values = _names(session, CompanyValue.id, CompanyValue.name, {r.value_id for r in rows})
    people = _names(session, User.id, User.display_name, {r.author_id for r in rows})
    items = [BrightSpotItem(
        id=r.id, visit_id=r.visit_id, text=shown(r.text, author_id=r.author_id, reader_id=viewer.id),
        recognise=shown_recognise(r.recognise, author_id=r.author_id, reader=viewer), visit_kind=r.visit_kind,
        occurred_at=r.occurred_at, site=_ref(sites, r.site_id), department=_ref(departments, r.department_id),
        value=_ref(values, r.value_id), executive=_ref(people, r.author_id),
    ) for r in rows]
    return BrightSpotPage(items=items, next_cursor=encode_position(rows[-1].occurred_at, rows[-1].id) if more else None)
