"""Similar pain points: possible duplicates offered in triage, and the quiet count an executive sees while typing.

Candidates are bounded so that both stay cheap: open (new, acknowledged, in progress), counted (not deleted or
withdrawn, not a duplicate), the same site (or, for a pain point without one, none), within `WINDOW`, at most
`CANDIDATES_MAX` of them (the newest). Similarity:

- "embeddings": cosine of the stored MiniLM vectors (pain_point_embedding), when the pain point and every
  candidate have one (the background worker stores them within seconds of a sync; only with MiniLM installed);
- "words": otherwise, TF-IDF cosine over the words of the candidates and the text (English stop words left
  out), fitted per request. Paraphrases in other words are missed; it needs no model.

Only scores at or above `EMBEDDINGS_MIN` / `WORDS_MIN` count as similar (tuned on the test texts: paraphrases
score 0.37-0.76 with MiniLM, unrelated texts 0.28 at most).
"""

import uuid
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from api.pain_points.models import PAIN, counted_conditions
from api.themes.embeddings import from_bytes
from api.themes.store import EMB

WINDOW = timedelta(days=30)
CANDIDATES_MAX = 2000
EMBEDDINGS_MIN = 0.35
WORDS_MIN = 0.15
OPEN_STATUSES = ("new", "acknowledged", "in_progress")


def _candidates(session: Session, *, site_id: uuid.UUID | None, since: datetime, until: datetime,
                exclude: uuid.UUID | None) -> list:
    site = PAIN.c.site_id.is_(None) if site_id is None else PAIN.c.site_id == site_id
    stmt = (select(PAIN.c.id, PAIN.c.text, PAIN.c.quote)
            .where(*counted_conditions(), PAIN.c.status.in_(OPEN_STATUSES), site, PAIN.c.occurred_at >= since,
                   PAIN.c.occurred_at < until)
            .order_by(PAIN.c.occurred_at.desc(), PAIN.c.id).limit(CANDIDATES_MAX))
    if exclude is not None:
        stmt = stmt.where(PAIN.c.id != exclude)
    return session.execute(stmt).all()


def _words(text: str | None, quote: str | None) -> str:
    return f"{text or ''} {quote or ''}"


def _word_scores(query: str, texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer  # imported on first use: about a second

    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform([query, *texts])
    except ValueError:  # nothing but stop words (or no words at all): nothing is similar
        return np.zeros(len(texts))
    return (matrix[1:] @ matrix[0].T).toarray().ravel()


def _stored_vectors(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, np.ndarray]]:
    out = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(select(EMB.c.pain_point_id, EMB.c.embedder, EMB.c.vector)
                               .where(EMB.c.pain_point_id.in_(ids[start:start + 5000])))
        out.update({r.pain_point_id: (r.embedder, from_bytes(r.vector)) for r in rows})
    return out


def similar_to(session: Session, row, limit: int = 5) -> tuple[str, list[tuple[uuid.UUID, float]]]:
    """The `limit` open pain points most similar to `row` (a pain_point row), best first, as (id, score), and
    the method used ("embeddings" or "words")."""
    candidates = _candidates(session, site_id=row.site_id, since=row.occurred_at - WINDOW,
                             until=row.occurred_at + WINDOW, exclude=row.id)
    if not candidates:
        return "embeddings", []
    vectors = _stored_vectors(session, [row.id, *(c.id for c in candidates)])
    mine = vectors.get(row.id)
    if mine is not None and all(vectors.get(c.id, ("",))[0] == mine[0] for c in candidates):
        method, floor = "embeddings", EMBEDDINGS_MIN
        others = np.vstack([vectors[c.id][1] for c in candidates])
        norms = np.linalg.norm(others, axis=1) * np.linalg.norm(mine[1])
        scores = (others @ mine[1]) / np.where(norms == 0, 1, norms)
    else:
        method, floor = "words", WORDS_MIN
        scores = _word_scores(_words(row.text, row.quote), [_words(c.text, c.quote) for c in candidates])
    best = sorted(((float(s), c.id) for s, c in zip(scores, candidates, strict=True) if s >= floor),
                  key=lambda pair: (-pair[0], str(pair[1])))
    return method, [(pid, round(score, 3)) for score, pid in best[:limit]]


def count_similar(session: Session, *, text: str, site_id: uuid.UUID, since: datetime, until: datetime,
                  exclude: uuid.UUID | None) -> int:
    """How many open pain points of the site, reported in [since, until), read like `text` (by words: the typed
    text has no stored vector)."""
    candidates = _candidates(session, site_id=site_id, since=since, until=until, exclude=exclude)
    if not candidates:
        return 0
    scores = _word_scores(text, [_words(c.text, c.quote) for c in candidates])
    return int(np.sum(scores >= WORDS_MIN))
