"""Keep theme identity across rebuilds, and place new points between rebuilds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np


def match_themes(
    old: Mapping[str, set[str]], new: Iterable[set[str]], min_overlap: float = 0.5
) -> dict[int, str]:
    """Which new clusters keep which old theme id: {index into `new`: old id}.

    Pairs are taken greedily by shared members, most first, each old id and each new cluster used once. A
    pair is kept when the shared members are at least `min_overlap` of the smaller of the two sets, so a theme
    keeps its id when it grows with new pain points, and when it splits the larger part keeps the id. New
    clusters left out get fresh ids from the caller; old ids left out are retired.
    """
    new = [set(s) for s in new]
    owner: dict[str, list[str]] = {}
    for theme_id, members in old.items():
        for member in members:
            owner.setdefault(member, []).append(theme_id)
    shared: dict[tuple[int, str], int] = {}
    for j, members in enumerate(new):
        for member in members:
            for theme_id in owner.get(member, ()):
                shared[(j, theme_id)] = shared.get((j, theme_id), 0) + 1
    order = sorted(shared.items(), key=lambda kv: (-kv[1], _jaccard_key(kv, old, new), kv[0][0], kv[0][1]))
    matched: dict[int, str] = {}
    taken: set[str] = set()
    for (j, theme_id), count in order:
        if j in matched or theme_id in taken:
            continue
        if count >= min_overlap * min(len(new[j]), len(old[theme_id])):
            matched[j] = theme_id
            taken.add(theme_id)
    return matched


def _jaccard_key(item, old, new) -> float:
    (j, theme_id), count = item
    return -count / (len(new[j]) + len(old[theme_id]) - count)


def assign_nearest(vector: np.ndarray, centroids: np.ndarray, threshold: float) -> int | None:
    """The row of `centroids` most cosine-similar to `vector`, or None when none reaches `threshold`.

    For a pain point that arrives between rebuilds; `settings_for(embedder).join_similarity` is the
    threshold the
    engine itself uses to let a stray point join a theme (0.5 for MiniLM). Only meaningful for MiniLM vectors:
    a new tf-idf vector is not comparable with centroids from an earlier fit.
    """
    centroids = np.asarray(centroids, dtype=np.float32)
    if centroids.size == 0:
        return None
    v = np.asarray(vector, dtype=np.float32).ravel()
    v = v / max(float(np.linalg.norm(v)), 1e-12)
    cents = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    sims = cents @ v
    best = int(np.argmax(sims))
    return best if sims[best] >= threshold else None
