"""Ward agglomeration (nearest-neighbour chain) keeping the whole tree with each node's size and sum.

The theme cut walks that tree top-down and needs every node's members, which scipy's linkage output does
not carry; this version also takes optional point weights and stores its cost matrix in float32, so 10,000
points need one (m, m) matrix of 400 MB and a few seconds on two cores. Keep m at or below about 10,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WardTree:
    """A binary merge tree. Nodes 0..m-1 are the leaves; node m+i is the i-th merge.

    `children[i]` are the two nodes merged by merge i, `cost[i]` the increase in within-cluster sum of
    squares it caused, `weight[node]` the number of original points under a node and `sums[node]` the sum of
    their vectors. Merges are listed in the order the algorithm made them, so a node's children always come
    before it.
    """

    children: np.ndarray  # (m-1, 2) int
    cost: np.ndarray  # (m-1,) float
    weight: np.ndarray  # (2m-1,) float
    sums: np.ndarray  # (2m-1, d) float

    @property
    def n_leaves(self) -> int:
        return len(self.children) + 1

    @property
    def root(self) -> int:
        return 2 * self.n_leaves - 2


def ward_tree(centroids: np.ndarray, weights: np.ndarray | None = None) -> WardTree:
    """Build the Ward tree of `centroids` (m, d), where row i stands for `weights[i]` points (default 1 each).

    Uses the Lance-Williams update on a dense matrix of merge costs and the nearest-neighbour chain, which
    is exact for Ward because Ward's criterion is reducible.
    """
    x = np.asarray(centroids, dtype=np.float64)
    m, d = x.shape
    w = np.ones(m) if weights is None else np.asarray(weights, dtype=np.float64).copy()
    if m == 0:
        raise ValueError("ward_tree needs at least one point")
    total_nodes = 2 * m - 1
    node_weight = np.zeros(total_nodes)
    node_sums = np.zeros((total_nodes, d))
    node_weight[:m] = w
    node_sums[:m] = x * w[:, None]
    children = np.zeros((max(m - 1, 0), 2), dtype=np.int64)
    costs = np.zeros(max(m - 1, 0))
    if m == 1:
        return WardTree(children, costs, node_weight, node_sums)

    # cost(i, j) = w_i w_j / (w_i + w_j) * |c_i - c_j|^2 : the increase in the sum of squares if i and j
    # merge. float32 and in-place steps keep the peak at about one (m, m) matrix: 400 MB for 10,000 points.
    x32 = x.astype(np.float32)
    sq = np.einsum("ij,ij->i", x32, x32)
    dist = x32 @ x32.T
    dist *= -2.0
    dist += sq[:, None]
    dist += sq[None, :]
    np.maximum(dist, 0.0, out=dist)
    if np.all(w == w[0]):
        dist *= np.float32(w[0] / 2.0)
    else:
        for i in range(m):
            dist[i] *= (w[i] * w / (w[i] + w)).astype(np.float32)
    np.fill_diagonal(dist, np.inf)

    for merges, (a, b, merge_cost) in enumerate(_nn_chain(dist, w.astype(np.float32))):
        node = m + merges
        children[merges] = (a, b)
        costs[merges] = merge_cost
        node_weight[node] = node_weight[a] + node_weight[b]
        node_sums[node] = node_sums[a] + node_sums[b]
    return WardTree(children, costs, node_weight, node_sums)


def _nn_chain(dist: np.ndarray, w: np.ndarray) -> Iterator[tuple[int, int, float]]:
    """Ward merges from the (m, m) cost matrix `dist` (inf on the diagonal; overwritten) and cluster weights
    `w`, as (node, node, cost) in merge order; the node made by the i-th merge is m + i.

    Every step touches one row and one column of the matrix, so the matrix is compacted to its live slots
    whenever half of them have been merged away: the total work halves, and the rows stay contiguous.
    """
    m = len(w)
    node_of_slot = np.arange(m)
    active = np.ones(m, dtype=bool)
    live = m
    chain: list[int] = []
    buf, tmp = np.empty(m, dtype=np.float32), np.empty(m, dtype=np.float32)
    for merges in range(m - 1):
        if live <= len(active) // 2 and live > 64:
            keep = np.flatnonzero(active)
            position = np.cumsum(active) - 1
            chain = [int(position[c]) for c in chain]
            dist = dist[np.ix_(keep, keep)]
            w, node_of_slot = w[keep], node_of_slot[keep]
            active = np.ones(len(keep), dtype=bool)
            buf, tmp = buf[: len(keep)], tmp[: len(keep)]
        while True:
            if not chain:
                chain.append(int(np.argmax(active)))
            a = chain[-1]
            row = dist[a]
            b = int(np.argmin(row))
            if len(chain) > 1 and row[chain[-2]] <= row[b]:
                b = chain[-2]
            if len(chain) > 1 and b == chain[-2]:
                break
            chain.append(b)
        chain.pop()
        chain.pop()
        cost = float(row[b])
        wa, wb = w[a], w[b]
        # Lance-Williams for Ward, in place: the merged cluster lives on in slot a, slot b is retired. Retired
        # slots hold inf in rows a and b, and inf stays inf through the update.
        np.add(w, wa, out=buf)
        buf *= dist[a]
        np.add(w, wb, out=tmp)
        tmp *= dist[b]
        buf += tmp
        np.multiply(w, np.float32(cost), out=tmp)
        buf -= tmp
        np.add(w, wa + wb, out=tmp)
        buf /= tmp
        buf[a] = buf[b] = np.inf
        dist[a, :] = buf
        dist[:, a] = buf
        dist[b, :] = np.inf
        dist[:, b] = np.inf
        active[b] = False
        live -= 1
        w[a] = wa + wb
        yield int(node_of_slot[a]), int(node_of_slot[b]), cost
        node_of_slot[a] = m + merges


def leaves_under(tree: WardTree, node: int) -> list[int]:
    """The leaf indices under `node` (iterative, so deep trees do not hit the recursion limit)."""
    m = tree.n_leaves
    out: list[int] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n < m:
            out.append(n)
        else:
            stack.extend(int(c) for c in tree.children[n - m])
    return out
