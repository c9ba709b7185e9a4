"""Where each node of the graph page sits: a seeded force layout computed in Python.

The browser gets fixed coordinates and runs no physics, so the page opens at once and looks the
same from one build to the next (the same graph gives the same picture). Below
``SMALL_LAYOUT`` nodes networkx's ``spring_layout`` does it; above, a numpy version of the same
Fruchterman-Reingold model, because networkx then needs scipy and its sparse path is slow.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

__all__ = ["positions"]

SMALL_LAYOUT = 500      # networkx's dense spring layout below this many nodes
SPRING = 2.5            # the springs' rest length, in units of networkx's default


def _layout_large(n: int, pairs: np.ndarray, seed: int, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold in numpy (the force model of networkx's spring_layout), without scipy.

    Repulsion is exact, computed in cache-sized blocks of rows (O(n) memory, O(n^2) time: about
    0.05 s an iteration at 5,000 nodes); attraction runs over the edge list.
    """
    rng = np.random.default_rng(seed)
    x = rng.random(n, dtype=np.float32)
    y = rng.random(n, dtype=np.float32)
    k2 = np.float32(1.0 / n)
    k = np.float32(math.sqrt(1.0 / n))
    t = np.float32(0.1)
    dt = t / (iterations + 1)
    block = max(16, min(256, 600_000 // n))
    i, j = (pairs[:, 0], pairs[:, 1]) if len(pairs) else (None, None)
    dispx = np.empty(n, dtype=np.float32)
    dispy = np.empty(n, dtype=np.float32)
    for _ in range(iterations):
        for start in range(0, n, block):
            stop = start + block
            dx = x[start:stop, None] - x[None, :]
            dy = y[start:stop, None] - y[None, :]
            d2 = dx * dx
            d2 += dy * dy
            np.maximum(d2, np.float32(1e-4), out=d2)
            np.divide(k2, d2, out=d2)
            dispx[start:stop] = np.einsum("ij,ij->i", dx, d2)
            dispy[start:stop] = np.einsum("ij,ij->i", dy, d2)
        if i is not None:
            ex, ey = x[i] - x[j], y[i] - y[j]
            f = np.sqrt(ex * ex + ey * ey) / k
            fx, fy = ex * f, ey * f
            np.subtract.at(dispx, i, fx)
            np.add.at(dispx, j, fx)
            np.subtract.at(dispy, i, fy)
            np.add.at(dispy, j, fy)
        length = np.maximum(np.sqrt(dispx * dispx + dispy * dispy), np.float32(0.01))
        step = t / length
        x += dispx * step
        y += dispy * step
        t -= dt
    return np.stack([x, y], axis=1)


def positions(n: int, pairs: list[tuple[int, int]], seed: int = 7) -> dict[int, tuple[float, float]]:
    """Canvas coordinates for nodes 0..n-1: a seeded force layout of the linked nodes, the
    unlinked ones in a grid below it (left in the force layout they would only push the rest
    into a small ball)."""
    if n == 0:
        return {}
    linked = sorted({i for pair in pairs for i in pair})
    local = {node: k for k, node in enumerate(linked)}
    m = len(linked)
    out: dict = {}
    if m:
        local_pairs = [(local[a], local[b]) for a, b in pairs]
        if m < SMALL_LAYOUT:
            G = nx.Graph()
            G.add_nodes_from(range(m))
            G.add_edges_from(local_pairs)
            # A longer spring than networkx's default (1/sqrt(n)) keeps the leaves of a hub (the
            # firms and places one call names) clear of the hubs' own cluster.
            pos = nx.spring_layout(G, seed=seed, k=SPRING / math.sqrt(m), iterations=200, scale=1.0)
            arr = np.array([pos[k] for k in range(m)], dtype=float)
        else:  # networkx needs scipy from 500 nodes on, and its sparse path is slow
            iterations = max(25, min(50, int(50 * 3000 / m)))
            arr = _layout_large(m, np.array(local_pairs, dtype=np.int64).reshape(-1, 2), seed,
                                iterations).astype(float)
        arr -= arr.mean(axis=0)
        extent = np.abs(arr).max() or 1.0
        arr *= (75.0 * math.sqrt(m) + 100.0) / extent
        for node, (x, y) in zip(linked, arr):
            out[node] = (round(float(x), 1), round(float(y), 1))
    alone = [i for i in range(n) if i not in local]
    if alone:
        step = 90.0
        if m:
            xs = [p[0] for p in out.values()]
            left, width = min(xs), max(max(xs) - min(xs), step)
            top = max(p[1] for p in out.values()) + 2 * step
        else:
            width = step * math.ceil(math.sqrt(len(alone)))
            left, top = -width / 2, -width / 2
        cols = max(1, int(width // step) + 1)
        for k, node in enumerate(alone):
            out[node] = (round(left + (k % cols) * step, 1), round(top + (k // cols) * step, 1))
    return out
