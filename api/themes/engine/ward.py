"""Ward agglomeration (nearest-neighbour chain) keeping the whole tree with each node's size and sum.

The theme cut walks that tree top-down and needs every node's members, which scipy's linkage output does
not carry; this version also takes optional point weights and stores its cost matrix in float32, so 10,000
points need one (m, m) matrix of 400 MB and a few seconds on two cores. Keep m at or below about 10,000.
"""

from __future__ import annotations

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

    node_of_slot = np.arange(m)
    active = np.ones(m, dtype=bool)
    chain: list[int] = []
    merges = 0
    while merges < m - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        a = chain[-1]
        row = dist[a]
        b = int(np.argmin(row))
        if len(chain) > 1 and row[chain[-2]] <= row[b]:
            b = chain[-2]
        if len(chain) > 1 and b == chain[-2]:
            chain.pop()
            chain.pop()
            merge_cost = row[b]
            wa, wb = w[a], w[b]
            # Lance-Williams for Ward: the merged cluster lives on in slot a, slot b is retired.
            new_row = ((wa + w) * dist[a] + (wb + w) * dist[b] - w * merge_cost) / (wa + wb + w)
            new_row[a] = np.inf
            new_row[~active] = np.inf
            new_row[b] = np.inf
            dist[a, :] = new_row
            dist[:, a] = new_row
            dist[b, :] = np.inf
            dist[:, b] = np.inf
            active[b] = False
            w[a] = wa + wb
            node = m + merges
            children[merges] = (node_of_slot[a], node_of_slot[b])
            costs[merges] = merge_cost
            node_weight[node] = node_weight[node_of_slot[a]] + node_weight[node_of_slot[b]]
            node_sums[node] = node_sums[node_of_slot[a]] + node_sums[node_of_slot[b]]
            node_of_slot[a] = node
            merges += 1
        else:
            chain.append(b)
    return WardTree(children, costs, node_weight, node_sums)


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
