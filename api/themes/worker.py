"""Background work off the request path: embed new pain points and place them in the nearest theme.

A phone's sync never waits for the model. Each API process runs one worker thread; the work is
idempotent, so several processes against one database only share it.
"""

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from api.background import BackgroundLoop
from api.db import get_engine
from api.pain_points import store
from api.pain_points.models import PAIN, counted_conditions
from api.themes import embeddings, engine
from api.themes.models import Theme
from api.themes.store import EMB

BATCH = 128


def place_new_pain_points(*, session: Session, limit: int = BATCH) -> int:
    """Embed up to `limit` pain points that have no stored vector yet; put the unthemed ones into the
    nearest existing theme when they are similar enough. Returns how many were embedded.

    Only the MiniLM engine stores vectors; with the TF-IDF fallback new pain points wait for a rebuild."""
    embedder = engine.embedder_name()
    if embedder != "minilm":
        return 0
    rows = session.execute(
        select(PAIN.c.id, PAIN.c.text, PAIN.c.quote, PAIN.c.theme_id, PAIN.c.theme_locked)
        .outerjoin(EMB, (EMB.c.pain_point_id == PAIN.c.id) & (EMB.c.embedder == embedder))
        .where(EMB.c.pain_point_id.is_(None), *counted_conditions())
        .limit(limit)
    ).all()
    session.rollback()
    if not rows:
        return 0
    vectors = embeddings.vectors_for(session, rows, embedder)
    themes = session.execute(
        select(Theme.id, Theme.centroid).where(Theme.retired_at.is_(None), Theme.embedder == embedder,
                                               Theme.centroid.is_not(None))
    ).all()
    if themes:
        centroids = np.vstack([embeddings.from_bytes(t.centroid) for t in themes])
        threshold = engine.settings_for(embedder).join_similarity
        placed = {}
        for row, vector in zip(rows, vectors, strict=True):
            if row.theme_id is None and not row.theme_locked:
                index = engine.assign_nearest(vector, centroids, threshold)
                if index is not None:
                    placed[row.id] = themes[index].id
        store.place_unthemed(session, placed)
    session.commit()
    return len(rows)


class ThemeWorker(BackgroundLoop):
    """Keeps placing new pain points, a batch at a time, until there are none left."""

    name = "theme-worker"

    def step(self) -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            while place_new_pain_points(session=session) and not self.stop_event.is_set():
                pass
