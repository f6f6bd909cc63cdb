"""Blocs in a signed network: partitions into k blocs that minimise frustration.

Theory: Davis (1967) "Clustering and structural balance in graphs", Human Relations 20(2):181-187
— weak balance: a signed graph is k-clusterable when no negative tie lies inside a bloc and no
positive tie between blocs; Doreian & Mrvar (1996) "A partitioning approach to structural
balance", Social Networks 18(2):149-168 — the best partition minimises the frustration
(weighted positive ties between blocs + negative ties within).

Exact for small networks (vectorised enumeration of all labelings, EXACT_LIMIT of them at most),
relocation descent from random starts beyond (Doreian & Mrvar's local search). The heuristic
only ever reports the frustration of a partition it actually holds.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

EXACT_LIMIT = 2_000_000
CHUNK = 1 << 15


def frustration(weights: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Frustration of one labeling (N,) or a batch (M, N): Σ_{i<j} pos between + |neg| within."""
    lab = np.atleast_2d(labels)
    same = lab[:, :, None] == lab[:, None, :]
    upper = np.triu(np.ones(weights.shape, dtype=bool), 1)
    pos = np.where(upper, np.maximum(weights, 0.0), 0.0)
    neg = np.where(upper, np.maximum(-weights, 0.0), 0.0)
    f = (np.where(same, neg, 0.0) + np.where(same, 0.0, pos)).sum(axis=(1, 2))
    return f if np.ndim(labels) == 2 else f[0]


def exact_blocs(weights: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Minimum-frustration partition into at most k blocs, by enumeration (last node in bloc 0)."""
    n = weights.shape[0]
    count = k ** max(n - 1, 0)
    if count > EXACT_LIMIT:
        raise ValueError(f"exact search needs k^(N-1) = {count} labelings (limit {EXACT_LIMIT})")
    powers = k ** np.arange(n - 1, dtype=np.int64)
    best, best_f = None, np.inf
    for start in range(0, count, CHUNK):
        codes = np.arange(start, min(count, start + CHUNK), dtype=np.int64)
        labels = (codes[:, None] // powers) % k
        labels = np.hstack([labels, np.zeros((len(codes), 1), dtype=np.int64)])
        f = frustration(weights, labels)
        i = int(np.argmin(f))
        if f[i] < best_f - 1e-12:
            best, best_f = labels[i].astype(int), float(f[i])
    return canonical(best), best_f


def relocate(labels: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Move single nodes to the bloc that lowers frustration most, until no move helps."""
    lab = labels.astype(int).copy()
    pos, neg = np.maximum(weights, 0.0), np.maximum(-weights, 0.0)
    np.fill_diagonal(pos, 0.0)
    np.fill_diagonal(neg, 0.0)
    pos_total = pos.sum(axis=1)
    for _ in range(len(lab) ** 2 + 1):  # each move lowers the frustration: this bound is never reached
        onehot = np.eye(k)[lab]
        cost = neg @ onehot + pos_total[:, None] - pos @ onehot  # (node, bloc)
        current = cost[np.arange(len(lab)), lab]
        gain = current - cost.min(axis=1)
        i = int(np.argmax(gain))
        if not gain[i] > 1e-12:
            return lab
        lab[i] = int(np.argmin(cost[i]))
    return lab


def heuristic_blocs(weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int,
                    start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Best relocation-descent partition over random starts (plus ``start``)."""
    n = weights.shape[0]
    starts = [start] if start is not None else []
    starts += [rng.integers(0, k, n) for _ in range(restarts)]
    best, best_f = None, np.inf
    for s in starts:
        lab = relocate(s, weights, k)
        f = float(frustration(weights, lab))
        if f < best_f - 1e-12:
            best, best_f = lab, f
    return canonical(best), best_f


def best_blocs(weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int,
               start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Exact when the enumeration is small enough, heuristic beyond."""
    if k ** max(weights.shape[0] - 1, 0) <= EXACT_LIMIT:
        return exact_blocs(weights, k)
    return heuristic_blocs(weights, k, rng, restarts, start)


def canonical(labels: np.ndarray) -> np.ndarray:
    """Relabel blocs in order of first appearance (0, 1, 2, …)."""
    mapping: dict[int, int] = {}
    return np.array([mapping.setdefault(int(x), len(mapping)) for x in labels], dtype=int)


def align_labels(labels: np.ndarray, previous: np.ndarray, k: int) -> np.ndarray:
    """Permute bloc labels to agree with ``previous`` as much as possible (stable colours)."""
    best, best_overlap = labels, -1
    for perm in permutations(range(k)):
        candidate = np.asarray(perm)[labels]
        overlap = int((candidate == previous).sum())
        if overlap > best_overlap:
            best, best_overlap = candidate, overlap
    return best
