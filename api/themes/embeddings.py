"""Stored pain-point vectors: computed once per pain point, recomputed only when its text changes."""

import hashlib
import uuid
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from api.core.clock import utcnow
from api.themes import engine, store
from api.themes.store import EMB

CHUNK = 256


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def vectors_for(
    session: Session,
    points: Sequence,  # rows with .id, .text, .quote
    embedder: str,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Vectors in the order of `points`. MiniLM vectors are read from storage where the text is unchanged
    and stored for the rest; TF-IDF vectors live in one fitted space per call, so they are never stored."""
    texts = [engine.pain_point_text(p.text, p.quote) for p in points]
    if embedder != "minilm":
        return engine.embed(texts, embedder=embedder)[0]
    hashes = [text_hash(t) for t in texts]
    stored: dict[uuid.UUID, tuple[str, bytes]] = {}
    ids = [p.id for p in points]
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(EMB.c.pain_point_id, EMB.c.text_hash, EMB.c.vector)
            .where(EMB.c.embedder == embedder, EMB.c.pain_point_id.in_(ids[start:start + 5000]))
        )
        stored.update({r.pain_point_id: (r.text_hash, r.vector) for r in rows})
    session.rollback()  # never hold a transaction (on SQLite: the write lock) while the model works
    vectors: list[np.ndarray | None] = [
        from_bytes(stored[p.id][1]) if p.id in stored and stored[p.id][0] == h else None
        for p, h in zip(points, hashes, strict=True)
    ]
    missing = [i for i, v in enumerate(vectors) if v is None]
    for done, start in enumerate(range(0, len(missing), CHUNK)):
        chunk = missing[start:start + CHUNK]
        fresh, _ = engine.embed([texts[i] for i in chunk], embedder=embedder)
        now = utcnow()
        store.replace_vectors(session, [
            {"pain_point_id": ids[i], "embedder": embedder, "text_hash": hashes[i], "vector": to_bytes(v),
             "created_at": now}
            for i, v in zip(chunk, fresh, strict=True)
        ])
        session.commit()  # short write; stored vectors are kept even if the rebuild stops later
        for i, v in zip(chunk, fresh, strict=True):
            vectors[i] = v
        if progress:
            progress(min(1.0, (done + 1) * CHUNK / len(missing)))
    if not points:
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack(vectors).astype(np.float32)
