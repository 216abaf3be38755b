"""Full-text search over pain points: PostgreSQL tsvector + GIN, SQLite FTS5 kept in sync by triggers.

The query semantics are the same on both: the words of `q` (runs of letters and digits, case-insensitive,
no stemming, punctuation ignored) must all occur in the pain point's text or quote, each as a whole word
or a word prefix ("till" finds "tills"). At most 8 words are used.

The objects live outside the SQLAlchemy metadata (created by migration 0003, per dialect), so Alembic's
autogenerate is told to ignore them (`include_object`). Beware on SQLite: a batch migration that rebuilds
the pain_point table drops its triggers; such a migration must re-create them (copy them from 0003).
"""

import re

from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause

PG_INDEX = "ix_pain_point_search"
# Must stay textually identical to the indexed expression, or PostgreSQL will not use the index.
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, "
    "coalesce(pain_point.\"text\", '') || ' ' || coalesce(pain_point.quote, ''))"
)
SQLITE_TABLE = "pain_point_fts"
WORDS_MAX = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def search_words(q: str | None) -> list[str]:
    return [w.lower() for w in _WORD.findall(q or "")][:WORDS_MAX]


def search_condition(dialect: str, q: str | None) -> TextClause | None:
    """A WHERE clause on pain_point for `q`, or None when it holds no word."""
    words = search_words(q)
    if not words:
        return None
    if dialect == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        return text(f"{PG_DOCUMENT} @@ to_tsquery('simple'::regconfig, :fts_query)").bindparams(
            fts_query=query
        )
    query = " AND ".join(f'body : "{w}"*' for w in words)
    return text(
        "pain_point.id IN (SELECT pain_point_id FROM pain_point_fts WHERE pain_point_fts MATCH :fts_query)"
    ).bindparams(fts_query=query)


def is_search_object(name: str | None) -> bool:
    return bool(name) and (name == PG_INDEX or name == SQLITE_TABLE or name.startswith(SQLITE_TABLE + "_"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: the search objects are managed by hand in the migration, not by the models."""
    return not (reflected and compare_to is None and type_ in ("table", "index") and is_search_object(name))
