"""Group pain-point vectors into themes without being told how many there are.

How the number of themes is found: a Ward tree is built over the points (over the spectral embedding of their
15-NN graph once there are enough of them) and walked from the root; a node becomes a theme as soon as its
members' mean pairwise cosine similarity, measured on the original vectors, reaches the cut similarity; over
the spectral embedding a theme more than `OVERSIZED` times the median theme size is then split into its two
branches if they are distinct (closely related problems that passed the cut together). Then: groups smaller
than a minimum size dissolve, and a point far from its theme's centroid leaves it; such strays join the
nearest theme if similar enough, else stay unthemed (-1); themes are refined by a few nearest-centroid passes
and, where there is a k-NN graph, each point finally takes the weighted majority theme of itself and its 10
nearest neighbours (smoother borders, and a stray whose neighbours agree joins their theme); at most
`MAX_UNTHEMED` of the points stay unthemed.

The cut similarity adapts to how dense the data is. Short, repetitive texts (bank questions: each has close
paraphrases) are cut at `min_similarity`. Loosely worded ones (an executive's notes: two notes on one topic
share a subject but few words) would be shattered into pairs at that level, so the cut is lowered to the
data's density (median similarity of a point to its neighbour at rank 1% of the points) minus `density_gap`,
never below `min_similarity_floor`; the strays' join similarity moves down with it. Density hardly moves with
volume, so one data set is cut alike at 300 and 10,000 points. The minimum theme size grows slowly with
volume, max(2, ln(n) / 2, n / 600): 3 for a few hundred pain points, 17 for 10,000, so noisy volume does not
come out as hundreds of tiny themes.

Volume: at most `MAX_TREE_POINTS` points go into the tree (400 MB, a few seconds); above that a fixed-seed
sample is clustered and every other point takes the majority theme of its 10 nearest sampled points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .spectral import nearest_neighbours, spectral_embedding
from .ward import WardTree, leaves_under, ward_tree

MAX_TREE_POINTS = 10_000
SPECTRAL_MIN_POINTS = 1_500  # below this the k-NN graph is too thin to help (measured on 80-point draws)
SPECTRAL_NEIGHBOURS = 15
SPECTRAL_DIMS = 80
VOTERS = 10  # neighbours whose themes a point weighs in the final vote
MAX_UNTHEMED = 0.10
UNTHEMED = -1
DENSITY_SAMPLE = 2_000  # points used to measure density (a statistic that hardly moves with volume)
DENSITY_NEIGHBOURS = 0.01  # density: the median similarity of a point to its k-th neighbour, k = 1% of points
OVERSIZED = 2.5  # a theme over this many times the median theme size is split once along its tree...
DISTINCT = 0.95  # ...if its branches' similarity across is below this share of their similarity within


@dataclass(frozen=True)
class ClusterSettings:
    """Thresholds that depend on the embedder's similarity scale, not on the data volume."""

    min_similarity: float  # mean pairwise cosine a group needs to be one theme (dense data)
    join_similarity: float  # cosine to a theme's centroid a stray point needs to join it (dense data)
    min_similarity_floor: float | None = None  # lowest cut for loose data; None: never adapt
    density_gap: float = 0.0  # cut = density - gap, between the floor and `min_similarity`

    def adapted(self, density: float) -> ClusterSettings:
        """These settings for data of `density`: the cut (and the join similarity with it) lowered for loose
        data, never below the floor."""
        if self.min_similarity_floor is None:
            return self
        cut = min(self.min_similarity, max(self.min_similarity_floor, density - self.density_gap))
        drop = self.min_similarity - cut
        return ClusterSettings(cut, self.join_similarity - drop)


SETTINGS = {
    # Measured on Banking77, the airline tweets and the demo organisation's pain points (bench/).
    "minilm": ClusterSettings(
        min_similarity=0.55, join_similarity=0.50, min_similarity_floor=0.38, density_gap=0.09
    ),
    "tfidf": ClusterSettings(min_similarity=0.15, join_similarity=0.20),
}


def settings_for(embedder: str) -> ClusterSettings:
    return SETTINGS.get(embedder, SETTINGS["minilm"])


def cluster(
    vectors: np.ndarray,
    *,
    embedder: str = "minilm",
    fixed: Mapping[int, str] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Theme labels for `vectors` (n, d): ints 0..k-1, largest theme first, or -1 for unthemed.

    `embedder` picks the similarity thresholds ("minilm" or "tfidf"; pass what `embed` returned). `fixed`
    maps a point index to a group key chosen by a manager: those points are left out of the clustering and
    each key becomes one theme of its own (numbered after the found themes), so a manager's move is never
    undone. Deterministic for a given input and seed.
    """
    x = _normalise(np.asarray(vectors, dtype=np.float32))
    n = len(x)
    labels = np.full(n, UNTHEMED, dtype=np.int64)
    fixed = dict(fixed or {})
    free = np.array([i for i in range(n) if i not in fixed], dtype=np.int64)
    settings = settings_for(embedder)
    if len(free):
        labels[free] = _cluster_free(x[free], settings, seed)
    next_label = int(labels.max()) + 1 if n else 0
    for key in sorted(set(fixed.values())):
        members = [i for i, k in fixed.items() if k == key]
        labels[members] = next_label
        next_label += 1
    return labels


def _cluster_free(x: np.ndarray, settings: ClusterSettings, seed: int) -> np.ndarray:
    n = len(x)
    if n >= 2:
        settings = settings.adapted(density(x, seed=seed))
    if n <= MAX_TREE_POINTS:
        labels = _cluster_tree(x, settings)
    else:
        sample = np.sort(np.random.default_rng(seed).choice(n, MAX_TREE_POINTS, replace=False))
        labels = np.empty(n, dtype=np.int64)
        labels[sample] = _cluster_tree(x[sample], settings)
        rest = np.setdiff1d(np.arange(n), sample, assume_unique=True)
        labels[rest] = _assign_by_neighbours(x[rest], x[sample], labels[sample])
    labels = _cap_unthemed(x, labels, floor=settings.join_similarity / 2)
    return _renumber_by_size(labels)


def _cluster_tree(x: np.ndarray, settings: ClusterSettings) -> np.ndarray:
    n = len(x)
    if n < 2:
        return np.full(n, UNTHEMED, dtype=np.int64)
    space, graph = x, None
    if n >= SPECTRAL_MIN_POINTS:
        graph = nearest_neighbours(x, x, SPECTRAL_NEIGHBOURS, exclude_self=True)
        space = spectral_embedding(*graph, dims=min(SPECTRAL_DIMS, n // 10))
    min_size = min_theme_size(n)
    split = min_size if graph is not None else None
    labels = _cut_by_similarity(ward_tree(space), x, settings.min_similarity, split_min_size=split)
    labels = _dissolve_small(x, labels, min_size=min_size, join=settings.join_similarity)
    labels = _refine(space, labels)
    if graph is not None:
        labels = _neighbour_vote(labels, *graph)
    return labels


def min_theme_size(n: int) -> int:
    """Smallest group kept as a theme when `n` points are clustered: grows slowly with volume."""
    return max(2, round(math.log(max(n, 1)) / 2), round(n / 600))


def density(x: np.ndarray, *, seed: int = 0) -> float:
    """How close points sit to their neighbours: the median cosine similarity of a point to its k-th most
    similar other point, k = 1% of the points (at least 1), over a fixed-seed sample of `DENSITY_SAMPLE`."""
    if len(x) > DENSITY_SAMPLE:
        x = x[np.sort(np.random.default_rng(seed).choice(len(x), DENSITY_SAMPLE, replace=False))]
    if len(x) < 2:
        return 1.0
    k = max(1, math.ceil(len(x) * DENSITY_NEIGHBOURS))
    _, sim = nearest_neighbours(x, x, k, exclude_self=True)
    return float(np.median(sim[:, -1]))


def _cut_by_similarity(
    tree: WardTree, x: np.ndarray, min_similarity: float, *, split_min_size: int | None = None
) -> np.ndarray:
    """Labels from cutting the tree top-down where a node's mean pairwise cosine (on `x`) first reaches
    `min_similarity`. With `split_min_size`, each oversized theme is then split once into its two branches
    (`_split_oversized`)."""
    m = tree.n_leaves
    sums = np.empty((2 * m - 1, x.shape[1]), dtype=np.float64)
    sums[:m] = x
    for i, (a, b) in enumerate(tree.children):
        sums[m + i] = sums[a] + sums[b]
    size = tree.weight
    # Mean pairwise cosine of w unit vectors with sum S is (|S|^2 - w) / (w (w - 1)); unlike |S| / w it
    # does not flatter small groups, so two loosely related points are not a theme just because they are two.
    sq = np.einsum("ij,ij->i", sums, sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_sim = np.where(size > 1, (sq - size) / (size * (size - 1)), 1.0)
    nodes, stack = [], [tree.root]
    while stack:
        node = stack.pop()
        if node >= m and mean_sim[node] < min_similarity:
            stack.extend(int(c) for c in tree.children[node - m])
        else:
            nodes.append(node)
    if split_min_size is not None:
        nodes = _split_oversized(tree, nodes, sums, mean_sim, min_size=split_min_size)
    labels = np.empty(m, dtype=np.int64)
    for theme, node in enumerate(nodes):
        labels[leaves_under(tree, node)] = theme
    return labels


def _split_oversized(
    tree: WardTree, nodes: list[int], sums: np.ndarray, mean_sim: np.ndarray, *, min_size: int
) -> list[int]:
    """`nodes`, with each theme more than `OVERSIZED` times the median theme size replaced by its two branches
    where those are distinct: their members are less similar across the branches than `DISTINCT` times their
    mean similarity within them.

    In a tree over the spectral embedding, closely related problems (a blocked PIN and changing a PIN; a
    refund asked for and one not yet showing) pass the similarity cut together and come out as one theme
    several times the typical size; its two branches are usually those problems, each of which a manager can
    act on (Banking77: NMI 0.817 -> 0.823; there the cross-branch similarity is 0.73-0.89 of the within).
    A large theme of one problem is not halved: its halves are about as similar across as within (0.99 on
    synthetic groups). Only used over the spectral embedding: with the few themes of a small volume, the
    median is too noisy to call a theme oversized (the demo's pain points lost NMI 0.597 -> 0.584). Only
    themes of at least `min_size` count towards the median; a branch too small dissolves as usual.
    """
    m = tree.n_leaves
    size = tree.weight
    sizes = [size[node] for node in nodes if size[node] >= min_size]
    if not sizes:
        return nodes
    limit = OVERSIZED * float(np.median(sizes))
    out = []
    for node in nodes:
        if node >= m and size[node] > limit:
            a, b = (int(c) for c in tree.children[node - m])
            across = float(sums[a] @ sums[b]) / (size[a] * size[b])
            if across < DISTINCT * (mean_sim[a] + mean_sim[b]) / 2:
                out += [a, b]
                continue
        out.append(node)
    return out


def _centroids(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(theme ids, their L2-normalised centroids) for labels >= 0."""
    themes = np.unique(labels[labels >= 0])
    sums = np.zeros((len(themes), x.shape[1]), dtype=np.float64)
    pos = np.searchsorted(themes, labels[labels >= 0])
    np.add.at(sums, pos, x[labels >= 0])
    return themes, _normalise(sums)


def _dissolve_small(x: np.ndarray, labels: np.ndarray, *, min_size: int, join: float) -> np.ndarray:
    """Members of groups smaller than `min_size`, and members less than `join` similar to their own theme's
    centroid, join the nearest real theme if at least `join` similar to it, else become unthemed (-1)."""
    sizes = np.bincount(labels)
    out = labels.copy()
    out[sizes[labels] < min_size] = UNTHEMED
    if not (out >= 0).any():
        return out
    themes, cents = _centroids(x, out)
    themed = np.flatnonzero(out >= 0)
    own = np.einsum("ij,ij->i", x[themed], cents[np.searchsorted(themes, out[themed])])
    out[themed[own < join]] = UNTHEMED
    stray = np.flatnonzero(out == UNTHEMED)
    if not len(stray):
        return out
    sims = x[stray] @ cents.T
    best = np.argmax(sims, axis=1)
    joined = sims[np.arange(len(best)), best] >= join
    out[stray[joined]] = themes[best[joined]]
    return out


def _refine(space: np.ndarray, labels: np.ndarray, passes: int = 5) -> np.ndarray:
    """A few spherical k-means passes over the themed points, in the space the tree was built in."""
    out = labels.copy()
    themed = np.flatnonzero(out >= 0)
    for _ in range(passes):
        themes, cents = _centroids(space, out)
        if len(themes) < 2:
            break
        new = themes[np.argmax(space[themed] @ cents.T, axis=1)]
        if np.array_equal(new, out[themed]):
            break
        out[themed] = new
    return out


def _assign_by_neighbours(x: np.ndarray, sample: np.ndarray, sample_labels: np.ndarray, k: int = VOTERS):
    """Each point's label: the similarity-weighted majority of its `k` nearest sampled points' labels."""
    idx, sim = nearest_neighbours(x, sample, k)
    return _vote(sample_labels[idx], sim)


def _neighbour_vote(labels: np.ndarray, idx: np.ndarray, sim: np.ndarray, k: int = VOTERS) -> np.ndarray:
    """Each point takes the similarity-weighted majority theme of itself (weight 1) and its `k` nearest
    neighbours: smooths theme borders and lets a stray whose neighbours agree on a theme join it."""
    votes = np.column_stack([labels, labels[idx[:, :k]]])
    weights = np.column_stack([np.ones(len(labels), dtype=np.float32), sim[:, :k]])
    return _vote(votes, weights)


def _vote(votes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row, the label (-1 allowed) with the largest total weight in `votes` (n, k)."""
    votes = votes + 1  # shift so "unthemed" is 0
    n_labels = int(votes.max()) + 1 if votes.size else 1
    out = np.empty(len(votes), dtype=np.int64)
    for start in range(0, len(votes), 8192):
        v = votes[start : start + 8192]
        w = np.maximum(weights[start : start + 8192], 1e-6)
        tally = np.zeros((len(v), n_labels))
        np.add.at(tally, (np.repeat(np.arange(len(v)), v.shape[1]), v.ravel()), w.ravel())
        out[start : start + len(v)] = np.argmax(tally, axis=1) - 1
    return out


def _cap_unthemed(x: np.ndarray, labels: np.ndarray, *, floor: float) -> np.ndarray:
    """If more than `MAX_UNTHEMED` are unthemed, the strays closest to a theme join it until the cap holds,
    but never one whose similarity to the theme is below `floor`: a point that fits nothing stays unthemed."""
    out = labels.copy()
    stray = np.flatnonzero(out == UNTHEMED)
    allowed = int(MAX_UNTHEMED * len(out))
    if len(stray) <= allowed or not (out >= 0).any():
        return out
    themes, cents = _centroids(x, out)
    sims = x[stray] @ cents.T
    best = np.argmax(sims, axis=1)
    best_sim = sims[np.arange(len(stray)), best]
    order = np.argsort(-best_sim)[: len(stray) - allowed]
    order = order[best_sim[order] >= floor]
    out[stray[order]] = themes[best[order]]
    return out


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    themed = labels >= 0
    if not themed.any():
        return labels
    themes, counts = np.unique(labels[themed], return_counts=True)
    order = themes[np.lexsort((themes, -counts))]
    mapping = np.full(int(labels.max()) + 1, UNTHEMED, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    out = labels.copy()
    out[themed] = mapping[labels[themed]]
    return out


def _normalise(v: np.ndarray) -> np.ndarray:
    if v.size == 0:
        return v.astype(np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)
