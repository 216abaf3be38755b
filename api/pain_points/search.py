"""Full-text search over pain points: PostgreSQL tsvector + GIN, SQLite FTS5 kept in sync by triggers.

The query semantics are the same on both: the words of `q` (runs of letters and digits, case-insensitive,
no stemming, punctuation ignored) must all occur, as whole words, in the pain point's text or quote. At most
8 words are used. (No prefix matching: PostgreSQL cannot estimate how many rows a prefix matches, and a
wrong guess turns a rare word's search into a walk over the whole table.)

The objects live outside the SQLAlchemy metadata (created by migration 0003, per dialect), so Alembic's
autogenerate is told to ignore them (`include_object`). Beware on SQLite: a batch migration that rebuilds
the pain_point table drops its triggers; such a migration must re-create them (copy them from 0003).
"""

import re
import uuid

from sqlalchemy import false, select, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from api.pain_points.models import PAIN

PG_INDEX = "ix_pain_point_search"
# Must stay textually identical to the indexed expression, or PostgreSQL will not use the index.
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, "
    "coalesce(pain_point.\"text\", '') || ' ' || coalesce(pain_point.quote, ''))"
)
SQLITE_TABLE = "pain_point_fts"
WORDS_MAX = 8
FEW = 1000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def search_words(q: str | None) -> list[str]:
    return text_words(q)[:WORDS_MAX]


def text_words(text: str | None) -> list[str]:
    """The words of a text as search sees them: runs of letters and digits, lower case."""
    return [w.lower() for w in _WORD.findall(text or "")]


def search_condition(session: Session, q: str | None) -> ColumnElement | None:
    """A WHERE clause on pain_point for `q`, or None when it holds no word.

    Neither database knows well how many rows a word matches (SQLite has no estimate at all), so we
    look: up to FEW matching ids are read from the search index. Fewer than that, and the feed fetches
    exactly those rows and sorts them; more, and the word is common enough that walking the feed index
    newest first finds a page of matches within a few thousand rows.
    """
    words = search_words(q)
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        match = text(f"{PG_DOCUMENT} @@ to_tsquery('simple'::regconfig, :fts_query)").bindparams(
            fts_query=" & ".join(words)
        )
        ids = list(session.execute(select(PAIN.c.id).where(match).limit(FEW)).scalars())
    else:
        query = " AND ".join(f'body : "{w}"' for w in words)
        found = session.execute(
            text("SELECT pain_point_id FROM pain_point_fts WHERE pain_point_fts MATCH :q LIMIT :cap"),
            {"q": query, "cap": FEW},
        ).scalars()
        ids = [uuid.UUID(hex=value) for value in found]
        # The unary + keeps SQLite walking the feed index in order rather than fetching every match.
        match = text(
            "+pain_point.id IN "
            "(SELECT pain_point_id FROM pain_point_fts WHERE pain_point_fts MATCH :fts_query)"
        ).bindparams(fts_query=query)
    if len(ids) < FEW:
        return PAIN.c.id.in_(ids) if ids else false()
    return match


def is_search_object(name: str | None) -> bool:
    return bool(name) and (name == PG_INDEX or name == SQLITE_TABLE or name.startswith(SQLITE_TABLE + "_"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: the search objects are managed by hand in the migration, not by the models."""
    return not (reflected and compare_to is None and type_ in ("table", "index") and is_search_object(name))
