"""Finding minimum-frustration partitions into k blocs (the frustration: ``mechanisms.blocs``,
Davis 1967; Doreian & Mrvar 1996).

Exact for small networks (vectorised enumeration of all labelings, EXACT_LIMIT of them at most),
relocation descent from random starts beyond (Doreian & Mrvar's local search), then simulated
annealing when the best descent leaves a glassy network's share of the ties frustrated
(``annealing``). The heuristic only ever reports the frustration of a partition it actually holds.

The descent keeps the (node, bloc) cost matrix and, after a move, updates only the two blocs
concerned (O(N) per move instead of a fresh O(N² k) product), in a compiled loop (numba:
``kernels``, imported on the first descent only). It makes the same moves, in the same order, as
recomputing the matrix before every move: a move (or the stop) is decided on the kept matrix only
when its margin over every alternative exceeds a bound on the rounding of both ways of computing
it (``cost_margin``); a closer call is decided on the matrix recomputed with numpy, which also
re-syncs the kept one. On weights whose sums are exact in floating point (``exact_sums``: signs
±1, halves, small integers) both are the same numbers and no call is close.

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
from functools import lru_cache
from itertools import permutations

import numpy as np

from simulation.mechanisms.algebra import upper
from simulation.mechanisms.blocs import frustration, frustration_parts
from simulation.search import annealing
from simulation.search.ties import lowest, lowest_each

EXACT_LIMIT = 2_000_000
TABLE_LIMIT = 1 << 21  # labelings × pairs of an enumeration table kept in memory (float64: 16 MB)
WORK_LIMIT = 25_000_000  # branch-and-bound budget: search nodes × N × k (about 10 s)
BRANCH_LIMIT = 300  # nodes above which branch and bound is not tried (it could prove nothing in its budget)
MOVE_GAIN = 1e-12  # a relocation is made when it lowers the frustration by more than this
BATCH_ELEMENTS = 1 << 22  # array elements per batch of descents (R k N)
DEADLINE_MOVES = 256  # moves per row between two checks of a deadline


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


@lru_cache(maxsize=4)
def _table(n: int, k: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(labelings (M, N), "in the same bloc" (M, pairs)) of the enumeration, or None beyond TABLE_LIMIT:
    code c puts node i < N-1 in bloc (c // k^i) % k, the last node in bloc 0.
    """
    count, pairs = k ** max(n - 1, 0), n * (n - 1) // 2
    if count * pairs > TABLE_LIMIT:
        return None
    labels = _labelings(np.arange(count, dtype=np.int64), n, k)
    return labels, _same(labels)


def _labelings(codes: np.ndarray, n: int, k: int) -> np.ndarray:
    """The enumeration's labelings of ``codes``: code c puts node i < N-1 in bloc (c // k^i) % k, the last in 0."""
    labels = np.zeros((len(codes), n), dtype=int)
    if n > 1:
        labels[:, :-1] = (codes[:, None] // k ** np.arange(n - 1, dtype=np.int64)) % k
    return labels


def _same(labels: np.ndarray) -> np.ndarray:
    """"In the same bloc" (M, pairs i < j) of labelings (M, N): what identifies a partition."""
    i, j = upper(labels.shape[1])
    return (labels[:, i] == labels[:, j]).astype(float)


def exact_blocs(weights: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The minimum-frustration partition into at most k blocs of every network of a stack
    (B, N, N), by enumeration (the last node in bloc 0): labels (B, N), blocs numbered in order of
    first appearance, and frustrations (B,).

    Every labeling of every network is scored at once — by one matrix product against a table
    kept per (N, k), or, when the table would be too large, by a compiled loop per network
    (``kernels.bloc_frustrations``) — and the rule of ``ties`` picks: the lowest exact
    frustration, the first labeling among exact equals.
    """
    n = weights.shape[-1]
    count = k ** max(n - 1, 0)
    if count > EXACT_LIMIT:
        raise ValueError(f"exact search needs k^(N-1) = {count} labelings (limit {EXACT_LIMIT})")
    w = weights[..., *upper(n)]
    pos, neg = np.maximum(w, 0.0), np.maximum(-w, 0.0)
    scales = np.abs(w).sum(axis=-1)
    table = _table(n, k)
    if table is not None:
        labels, same = table
        approx = pos.sum(axis=-1)[:, None] + (neg - pos) @ same.T
        first, settled = lowest_each(approx, _groups(n, k), scales)
        found = labels[first]
        for b in np.flatnonzero(~settled).tolist():
            found[b] = labels[lowest(approx[b], same, lambda rows, b=b: frustration(weights[b], labels[rows]),
                                     scales[b])[0]]
    else:
        from simulation.search import kernels  # numba: imported (and compiled or loaded) on first use only

        found = np.empty((len(weights), n), dtype=int)
        for b, network in enumerate(weights):
            parts = frustration_parts(network)
            i, _ = lowest(kernels.bloc_frustrations(*parts, k, count), lambda rows: _same(_labelings(rows, n, k)),
                          lambda rows, parts=parts, network=network: frustration(network, _labelings(rows, n, k),
                                                                                 parts), scales[b])
            found[b] = _labelings(np.array([i]), n, k)[0]
    found = canonical(found)
    return found, frustration(weights, found)


@lru_cache(maxsize=4)
def _groups(n: int, k: int) -> np.ndarray:
    """Partition ids of the rows of ``_table(n, k)``: rows that label the same partition share one."""
    return np.unique(_table(n, k)[1], axis=0, return_inverse=True)[1].ravel()


def _stack(found: list[tuple[np.ndarray, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(labels, values) of every item, stacked."""
    return np.stack([x for x, _ in found]), np.array([float(v) for _, v in found])


def best_blocs(weights: np.ndarray, k: int, rngs: list[np.random.Generator], restarts: int,
               start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The best partition into at most k blocs of every network of a stack (B, N, N): exact when
    the enumeration is small enough, else the heuristic, network b searching with ``rngs[b]``
    from ``start[b]``.
    """
    if k ** max(weights.shape[-1] - 1, 0) <= EXACT_LIMIT:
        return exact_blocs(weights, k)
    starts = [None] * len(weights) if start is None else start
    return _stack([heuristic_blocs(w, k, g, restarts, s) for w, g, s in zip(weights, rngs, starts, strict=True)])


def exact_sums(weights: np.ndarray) -> bool:
    """True when every sum of entries of a row of ``weights`` (any subset, in any order, and the
    difference of two such sums) is exact in floating point: all entries are integer multiples of
    2^-s with 8 × (largest row sum of absolute values) × 2^s < 2^53 (e.g. signs ±1, halves,
    small integers).
    """
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    if w.size == 0:
        return True

    def fits(part: np.ndarray) -> bool:  # the condition on the entries of ``part`` alone
        nonzero = part[part != 0.0]
        if nonzero.size == 0:
            return True
        if not np.isfinite(nonzero).all():
            return False
        mantissa, exponent = np.frexp(nonzero)  # nonzero = mantissa × 2^exponent, 53 significant bits
        ints = np.abs(mantissa * 2.0**53).astype(np.int64)
        trailing = np.log2(ints & -ints).astype(np.int64)  # exact: a power of two
        scale = max(int((53 - trailing - exponent).max()), 0)  # nonzero × 2^scale are integers
        return bool(8.0 * np.abs(part).sum(axis=-1).max() * 2.0**scale < 2.0**53)

    return fits(w[0]) and fits(w)  # the first row alone usually tells continuous weights


def cost_margin(n: int, abs_rows: float, exact: bool = False) -> float:
    """Bound on |kept − recomputed| for one (node, bloc) cost of ``relocate``, with N = ``n`` and
    rows of absolute weight at most ``abs_rows`` (R); 0 when ``exact`` (``exact_sums``).

    With u = eps / 2 (sums in any order, Higham 2002 §4.2): the recomputed cost (two matrix
    products of N terms, two additions) is within (2N + 4) u R of the true value; the kept one
    (recomputed, or computed by ``kernels`` as a sum of N terms and one addition, then at most N
    one-term updates before it is re-synced) within (4N + 4) u R. The
    bound returned, 4 (6N + 8) eps R, is eight times their sum.
    """
    if exact:
        return 0.0
    return 4.0 * (6 * n + 8) * float(np.finfo(float).eps) * max(abs_rows, 1e-300)


def _exact_step(labels: np.ndarray, pos: np.ndarray, neg: np.ndarray, pos_total: np.ndarray,
                k: int) -> tuple[int, int, np.ndarray]:
    """One step of the recomputing descent: (node to move or -1, its new bloc, the (k, N) costs)."""
    onehot = np.eye(k)[labels]
    cost = neg @ onehot + pos_total[:, None] - pos @ onehot  # (node, bloc), as recomputed before every move
    current = cost[np.arange(len(labels)), labels]
    gain = current - cost.min(axis=1)
    i = int(np.argmax(gain))
    if not gain[i] > MOVE_GAIN:
        return -1, -1, cost.T
    return i, int(np.argmin(cost[i])), cost.T


def relocate_all(labels: np.ndarray, weights: np.ndarray, k: int, deadline: float | None = None) -> np.ndarray:
    """``relocate`` applied to every row of a batch (R, N) of labelings: the same moves, in the same order.

    Each row keeps its costs cost[b, i] = pos_i + Σ_{j in bloc b} (neg_ij − pos_ij) (pos_i: i's
    total positive weight); a move of node m from bloc a to bloc b changes only cost[a] and
    cost[b], by m's ties. A row moves on its kept costs when the best gain beats MOVE_GAIN, the
    next best gain and the next best bloc by more than the rounding bound (``cost_margin``; blocs
    left empty cost exactly pos_i and are all alike), and stops when every node's gain is below
    MOVE_GAIN by more than twice the bound or its own bloc is cheaper than every other by more than
    that (its recomputed gain is then exactly 0); otherwise the step is the recomputed one
    (``_exact_step``), which also re-syncs the row, as does every N-th move. The kept-cost moves
    run compiled (``kernels.relocate_rows``); with a ``deadline`` they run in rounds of at most
    DEADLINE_MOVES moves per row, the deadline checked between rounds.
    """
    lab = np.array(labels, dtype=np.int64, ndmin=2, copy=True)
    runs, n = lab.shape
    if runs == 0 or n == 0:
        return lab
    if lab.min() < 0 or lab.max() >= k:
        raise ValueError(f"bloc labels must lie in 0 … {k - 1}")
    from simulation.search import kernels  # numba: imported (and compiled or loaded) on first use only

    pos, neg = np.maximum(weights, 0.0), np.maximum(-weights, 0.0)
    np.fill_diagonal(pos, 0.0)
    np.fill_diagonal(neg, 0.0)
    pos_total = pos.sum(axis=1)
    tie = neg - pos
    ties = np.ascontiguousarray(tie.T, dtype=float)  # ties[m, i]: what m adds to i's cost of m's bloc
    exact = exact_sums(tie)  # the sums of the costs run along rows
    margin = cost_margin(n, float((pos + neg).sum(axis=1).max()), exact)
    limit = n ** 2 + 1  # each move lowers the frustration: this bound is never reached
    budget = limit if deadline is None else DEADLINE_MOVES
    cost = np.empty((runs, k, n))
    count = np.zeros((runs, k), dtype=np.int64)
    since = np.zeros(runs, dtype=np.int64)  # moves since the row was computed or re-synced
    moves = np.zeros(runs, dtype=np.int64)
    status = np.full(runs, kernels.NEW, dtype=np.int64)
    pending = np.full((runs, 2), -1, dtype=np.int64)  # (node, bloc) of a recomputed step still to make
    while not _late(deadline):
        kernels.relocate_rows(lab, cost, count, since, moves, status, pending, ties, pos_total, MOVE_GAIN, margin,
                              exact, budget, limit)
        for r in np.flatnonzero(status == kernels.EXACT):
            i, to, cost[r] = _exact_step(lab[r], pos, neg, pos_total, k)
            since[r] = 0
            pending[r] = i, to
            status[r] = kernels.RUNNING if i >= 0 else kernels.DONE
        if not (status == kernels.RUNNING).any():
            break
    return lab


def canonical(labels: np.ndarray) -> np.ndarray:
    """Labelings (..., N) with their blocs renumbered in order of first appearance (0, 1, 2, …),
    row by row: the name of a partition.
    """
    lab = np.asarray(labels, dtype=int)
    flat = lab.reshape(-1, lab.shape[-1])
    rows, n = flat.shape
    k = int(flat.max()) + 1 if flat.size else 1
    member = flat[:, :, None] == np.arange(k)  # (M, N, k)
    first = np.where(member.any(axis=1), member.argmax(axis=1), n)  # (M, k): where each bloc first appears
    rank = np.empty((rows, k), dtype=int)
    rank[np.arange(rows)[:, None], np.argsort(first, axis=1, kind="stable")] = np.arange(k)
    return rank[np.arange(rows)[:, None], flat].reshape(lab.shape)


def heuristic_blocs(weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int,
                    start: np.ndarray | None = None, deadline: float | None = None,
                    progress: Callable[[], None] | None = None) -> tuple[np.ndarray, float]:
    """The best relocation-descent partition of one network over random starts (plus ``start``,
    which comes first): the lowest exact frustration, the first found among exact equals (``ties``).

    The starts are drawn first (one ``rng.integers(0, k, N)`` each) and descend together in batches
    of at most BATCH_ELEMENTS / (k N) (the batches change nothing in the result). With a
    ``deadline`` or ``progress`` the batches grow from one start (1, 2, 4, …), so that finished
    descents come early; the batches not begun by the deadline are skipped (at least one always
    runs) and the descents under way stop where they are. ``progress`` is called once per start.
    The partitions found are scored by matrix products (``_same_sums``) and only those near the
    best by ``frustration`` itself (``ties.lowest``). When the best leaves more than
    ``annealing.GLASSY`` of the tie weight frustrated (a glassy network, not the model's), annealed
    chains (``annealing.anneal``), each finished by the descent, replace it if one is lower.
    """
    n = weights.shape[0]
    starts = [start] if start is not None else []
    starts += [rng.integers(0, k, n) for _ in range(restarts)]
    most = max(1, BATCH_ELEMENTS // max(n * k, 1))
    size = most if deadline is None and progress is None else 1
    tie, total, scale = _scoring(weights)
    parts = frustration_parts(weights)
    best, best_f = None, np.inf
    first = 0
    while first < len(starts):
        if best is not None and _late(deadline):
            break
        batch = np.asarray(starts[first:first + size]).astype(int).reshape(-1, n)
        first, size = first + size, min(2 * size, most)
        found = relocate_all(batch, weights, k, deadline)
        best, best_f = _keep(found, k, weights, parts, tie, total, scale, best, best_f)
        if progress:
            for _ in range(len(found)):
                progress()
    if not _late(deadline) and annealing.frustrated_share(best_f, scale) > annealing.GLASSY:  # a glassy network
        found = relocate_all(annealing.anneal(weights, k, rng, deadline=deadline), weights, k, deadline)
        best, best_f = _keep(found, k, weights, parts, tie, total, scale, best, best_f)
    return canonical(best), best_f


def _keep(found: np.ndarray, k: int, weights: np.ndarray, parts: tuple, tie: np.ndarray, total: float, scale: float,
          best: np.ndarray | None, best_f: float) -> tuple[np.ndarray | None, float]:
    """The best of ``found`` (``ties.lowest``), if exactly lower than the best found before (``best``)."""
    keys = canonical(found)
    i, f = lowest(total + _same_sums(tie, found, k), keys, lambda rows: frustration(weights, keys[rows], parts), scale)
    return (found[i], f) if f < best_f else (best, best_f)


def _scoring(weights: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(ties of the pairs i < j: neg − pos, upper triangle; Σ_{i<j} pos; Σ_{i<j} |w|) for ``_same_sums``."""
    w = np.triu(weights, 1)
    pos = np.maximum(w, 0.0)
    return np.maximum(-w, 0.0) - pos, float(pos.sum()), float(np.abs(w).sum())


def _same_sums(tie: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Σ_{i<j, same bloc} tie_ij of every row of a batch (M, N) of labels: the frustration less
    Σ pos, by matrix products (Σ_b x_bᵀ T x_b with x_b the members of bloc b), O(M N² k) in BLAS
    instead of ``frustration``'s (M, N, N) arrays.
    """
    rows, n = labels.shape
    members = (labels.T[:, :, None] == np.arange(k)).astype(float).reshape(n, rows * k)  # column (m, b): x_b of row m
    return (members * (tie @ members)).sum(axis=0).reshape(rows, k).sum(axis=1)


def align_labels(labels: np.ndarray, previous: np.ndarray, k: int) -> np.ndarray:
    """Permute bloc labels to agree with ``previous`` as much as possible (stable colours): the
    first permutation (in ``itertools.permutations`` order) with the most labels in common; for
    a stack of labelings (..., N), each item's own.
    """
    candidates = _permutations(k)[:, labels]  # (k!, ..., N)
    best = (candidates == previous).sum(axis=-1).argmax(axis=0)  # the first of the largest overlaps
    return candidates[best] if best.ndim == 0 else candidates[best, np.arange(len(best))]


@lru_cache(maxsize=8)
def _permutations(k: int) -> np.ndarray:
    """Every permutation of 0 … k − 1, one a row, in ``itertools.permutations`` order."""
    perms = np.array(list(permutations(range(k))))
    perms.setflags(write=False)
    return perms


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
        labels, f = exact_blocs(weights[None], k)
        return Solution(k, labels[0], float(f[0]), True, "enumeration")
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

