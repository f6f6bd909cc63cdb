"""Blocs in a signed network: partitions into k blocs that minimise frustration.

Theory: Davis (1967) "Clustering and structural balance in graphs", Human Relations 20(2):181-187
— weak balance: a signed graph is k-clusterable when no negative tie lies inside a bloc and no
positive tie between blocs; Doreian & Mrvar (1996) "A partitioning approach to structural
balance", Social Networks 18(2):149-168 — the best partition minimises the frustration
(weighted positive ties between blocs + negative ties within).

Exact for small networks (vectorised enumeration of all labelings, EXACT_LIMIT of them at most),
relocation descent from random starts beyond (Doreian & Mrvar's local search). The heuristic
only ever reports the frustration of a partition it actually holds.

For a signed network given as data (``alliance-sim blocs``), ``solve`` goes further: relocation
descent gives an upper bound, then a depth-first branch and bound over partitions (each bloc
opened in order, so no partition is visited twice under another naming) either proves it optimal
or finds a better one, within a budget of search nodes (``node_budget``: WORK_LIMIT / (N k));
beyond that the heuristic partition is reported as such. ``blocs_by_k`` and ``choose_k`` pick the
number of blocs: the smallest k whose optimum equals the best frustration over k = 1 … k_max.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations

import numpy as np

EXACT_LIMIT = 2_000_000
CHUNK = 1 << 15
WORK_LIMIT = 25_000_000  # branch-and-bound budget: search nodes × N × k (about 10 s)
BRANCH_LIMIT = 300  # nodes above which branch and bound is not tried (it could prove nothing in its budget)


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


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


def relocate(labels: np.ndarray, weights: np.ndarray, k: int, deadline: float | None = None) -> np.ndarray:
    """Move single nodes to the bloc that lowers frustration most, until no move helps (or the
    ``deadline``, a ``time.monotonic()`` value, passes: the partition reached so far is returned).
    """
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
        if not gain[i] > 1e-12 or _late(deadline):
            return lab
        lab[i] = int(np.argmin(cost[i]))
    return lab


def heuristic_blocs(weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int,
                    start: np.ndarray | None = None, deadline: float | None = None,
                    progress: Callable[[], None] | None = None) -> tuple[np.ndarray, float]:
    """Best relocation-descent partition over random starts (plus ``start``); with a ``deadline``,
    the starts not begun by then are skipped (at least one always runs).
    """
    n = weights.shape[0]
    starts = [start] if start is not None else []
    starts += [rng.integers(0, k, n) for _ in range(restarts)]
    best, best_f = None, np.inf
    for s in starts:
        if best is not None and _late(deadline):
            break
        lab = relocate(s, weights, k, deadline)
        f = float(frustration(weights, lab))
        if f < best_f - 1e-12:
            best, best_f = lab, f
        if progress:
            progress()
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


@dataclass(frozen=True)
class Solution:
    """A partition into at most k blocs, its frustration, and whether it is proven optimal."""

    k: int
    labels: np.ndarray
    frustration: float
    exact: bool
    method: str  # "enumeration", "branch and bound" or "heuristic"


def node_budget(n: int, k: int) -> int:
    """Default number of branch-and-bound search nodes: WORK_LIMIT / (N k), at least 1,000."""
    return max(1_000, WORK_LIMIT // max(n * k, 1))


def branch_and_bound(weights: np.ndarray, k: int, incumbent: np.ndarray | None = None,
                     node_limit: int | None = None, deadline: float | None = None) -> tuple[np.ndarray, float, bool]:
    """Minimum-frustration partition into at most k blocs by depth-first branch and bound.

    Nodes are placed in order of decreasing total tie weight; node v may join an open bloc or
    open the next one (blocs are numbered in order of opening, which visits every partition
    once). A branch is cut when the frustration among the placed nodes plus, for each unplaced
    node, its cheapest placement with respect to the placed ones cannot beat the best partition
    found so far (``incumbent``, e.g. from ``heuristic_blocs``). Returns (labels, frustration,
    proven): ``proven`` is False when ``node_limit`` search nodes did not suffice, and then the
    labels are the best partition met (never worse than the incumbent).
    """
    n = weights.shape[0]
    node_limit = node_budget(n, k) if node_limit is None else node_limit
    pos, neg = np.maximum(weights, 0.0), np.maximum(-weights, 0.0)
    np.fill_diagonal(pos, 0.0)
    np.fill_diagonal(neg, 0.0)
    order = np.argsort(-(pos + neg).sum(axis=1), kind="stable")
    pos, neg = pos[np.ix_(order, order)], neg[np.ix_(order, order)]
    if incumbent is None:
        best_labels, best = np.zeros(n, dtype=int), float(frustration(weights, np.zeros(n, dtype=int)))
    else:
        best_labels, best = np.asarray(incumbent, dtype=int).copy(), float(frustration(weights, incumbent))
    # cost[v, b]: frustration of v's ties to placed nodes if v joins bloc b
    # = (positive ties to placed nodes outside b) + (negative ties to placed nodes in b)
    cost = np.zeros((n, k))
    labels = np.zeros(n, dtype=int)
    nodes = 0
    exhausted = False

    def visit(m: int, opened: int, partial: float) -> None:
        nonlocal best, best_labels, nodes, exhausted
        if m == n:
            if partial < best - 1e-12:
                best = partial
                found = np.empty(n, dtype=int)
                found[order] = labels
                best_labels = found
            return
        nodes += 1
        if nodes > node_limit or (nodes % 1024 == 0 and _late(deadline)):
            exhausted = True
            return
        choices = min(opened + 1, k)
        for b in np.argsort(cost[m, :choices], kind="stable"):
            b = int(b)
            add = cost[m, b]
            if partial + add + cost[m + 1:].min(axis=1).sum() >= best - 1e-12:
                continue
            labels[m] = b
            delta = pos[m, :, None] + np.zeros((1, k))
            delta[:, b] = neg[m]
            cost[:] += delta
            visit(m + 1, max(opened, b + 1), partial + add)
            cost[:] -= delta
            if exhausted:
                return

    visit(0, 0, 0.0)
    return canonical(best_labels), float(frustration(weights, best_labels)), not exhausted


def solve(weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int,
          start: np.ndarray | None = None, node_limit: int | None = None, deadline: float | None = None,
          progress: Callable[[], None] | None = None) -> Solution:
    """The best partition into at most k blocs, proven optimal when the search allows it.

    Enumeration when k^(N-1) ≤ EXACT_LIMIT; otherwise relocation descent from ``restarts`` random
    starts (plus ``start``) and, up to BRANCH_LIMIT nodes, branch and bound from there within
    ``node_limit`` search nodes (default ``node_budget``). A ``deadline`` (``time.monotonic()``)
    stops the search where it is: the best partition found is returned, marked not proven.
    """
    n = weights.shape[0]
    if k ** max(n - 1, 0) <= EXACT_LIMIT:
        labels, f = exact_blocs(weights, k)
        return Solution(k, labels, f, True, "enumeration")
    labels, f = heuristic_blocs(weights, k, rng, restarts, start, deadline, progress)
    if f <= 1e-12:  # zero frustration cannot be beaten
        return Solution(k, labels, f, True, "heuristic (zero frustration is optimal)")
    if _late(deadline):
        return Solution(k, labels, f, False, "heuristic (stopped at the time budget)")
    if n > BRANCH_LIMIT:
        return Solution(k, labels, f, False, "heuristic")
    found, found_f, proven = branch_and_bound(weights, k, labels, node_limit, deadline)
    if proven:
        return Solution(k, found, found_f, True, "branch and bound")
    stopped = " (stopped at the time budget)" if _late(deadline) else ""
    return Solution(k, found, found_f, False, "heuristic" + stopped)


def blocs_by_k(weights: np.ndarray, k_max: int, rng: np.random.Generator, restarts: int,
               node_limit: int | None = None, deadline: float | None = None,
               progress: Callable[[], None] | None = None) -> list[Solution]:
    """``solve`` for k = 1 … k_max, each search started from the previous partition.

    A partition into at most k − 1 blocs is also one into at most k, so the frustrations found
    never increase with k.
    """
    out: list[Solution] = []
    for k in range(1, k_max + 1):
        start = out[-1].labels if out else None
        out.append(solve(weights, k, rng, restarts, start, node_limit, deadline, progress))
    return out


def choose_k(solutions: list[Solution]) -> Solution:
    """The solution with the smallest k whose frustration equals the lowest over all k tried."""
    lowest = min(s.frustration for s in solutions)
    return next(s for s in solutions if s.frustration <= lowest + 1e-9)
