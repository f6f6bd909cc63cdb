"""Finding the lowest-energy coalition split (the energy: ``mechanisms.coalitions``, Axelrod & Bennett 1993).

Exact minimum by vectorised enumeration of all 2^(N-1) configurations for N ≤ EXACT_MAX;
above that, single-flip descent from random starts (``heuristic_restarts``), then simulated
annealing if the best split leaves a glassy network's share of the ties frustrated (``annealing``).
The random starts descend together (``descend_each``), each keeping its local fields and
updating them by one column after a flip (O(N) instead of a fresh O(N²) product), in a compiled
loop (numba: ``kernels``, imported on the first descent only); a flip is taken from the kept
fields only when its margin over every alternative exceeds a bound on the rounding
(``field_margin``), closer calls are decided on fields recomputed with numpy, so the flips are
those of ``descend``.

The landscape itself (Axelrod & Bennett's "basins of attraction"): ``local_minima`` lists every
configuration that no single state can leave to lower the energy (equivalently, to lower its own
frustration F_i = Σ_j s_j p_ij d_ij: their footnote 2 shows the two are the same), with the share
of all 2^(N-1) starts whose steepest descent ends there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulation.mechanisms.algebra import upper
from simulation.mechanisms.coalitions import energy
from simulation.search import annealing
from simulation.search.blocs import TABLE_LIMIT, _stack, exact_sums
from simulation.search.ties import lowest, lowest_each

EXACT_MAX = 20
CHUNK = 1 << 16  # configurations of local_minima's enumeration a chunk
FLIP_GAIN = 1e-12  # a flip is made when it lowers the energy by more than this


def _configurations(n: int, start: int, stop: int) -> np.ndarray:
    """Configurations ``start..stop`` with the last state fixed in coalition 0 (symmetry)."""
    codes = np.arange(start, stop, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n - 1)) & 1).astype(np.int8) if n > 1 else np.zeros((stop - start, 0), np.int8)


@lru_cache(maxsize=4)
def _table(n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(configurations (M, N), "in different coalitions" (M, pairs)) of the enumeration, or None
    beyond TABLE_LIMIT.
    """
    count, pairs = 1 << max(n - 1, 0), n * (n - 1) // 2
    if count * pairs > TABLE_LIMIT:
        return None
    configs = np.hstack([_configurations(n, 0, count), np.zeros((count, 1), np.int8)]).astype(int)
    iu = np.triu_indices(n, 1)
    return configs, (configs[:, iu[0]] != configs[:, iu[1]]).astype(float)


def exact_minimum(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest-energy two-coalition configuration of every network of a stack (B, N, N):
    configurations (B, N) and their energies (B,), by enumeration (the last state in coalition 0).

    Every configuration of every network is scored at once — by one matrix product against a
    table kept per N, or, when the table would be too large, by a compiled loop per network
    (``kernels.coalition_energies``) — and the rule of ``ties`` picks: the lowest exact energy,
    the first configuration among exact equals.
    """
    n = weights.shape[-1]
    if n > EXACT_MAX:
        raise ValueError(f"exact search is limited to {EXACT_MAX} states (got {n})")
    w = weights[..., *upper(n)]
    scales = np.abs(w).sum(axis=-1)
    table = _table(n)
    if table is not None:
        configs, apart = table
        approx = w @ apart.T
        first, settled = lowest_each(approx, np.arange(len(configs)), scales)
        found = configs[first]
        for b in np.flatnonzero(~settled).tolist():
            found[b] = configs[lowest(approx[b], configs, lambda rows, b=b: energy(configs[rows], weights[b]),
                                      scales[b])[0]]
        return found, energy(found, weights)
    from simulation.search import kernels  # numba: imported (and compiled or loaded) on first use only

    count = 1 << max(n - 1, 0)
    found = np.stack([_configs(np.array([lowest(kernels.coalition_energies(np.triu(weights[b], 1), count),
                                                lambda rows: _configs(rows, n),
                                                lambda rows, b=b: energy(_configs(rows, n), weights[b]),
                                                scales[b])[0]]), n)[0] for b in range(len(weights))])
    return found, energy(found, weights)


def _configs(codes: np.ndarray, n: int) -> np.ndarray:
    """The enumeration's configurations of ``codes`` (M, N): node i < N-1 in coalition (c >> i) & 1, the last in 0."""
    configs = np.zeros((len(codes), n), dtype=int)
    if n > 1:
        configs[:, :-1] = (codes[:, None] >> np.arange(n - 1)) & 1
    return configs


def field_margin(n: int, abs_rows: float, exact: bool = False) -> float:
    """Bound on |kept − recomputed| for one local field Σ_j w_ij σ_j of ``descend_each``, with
    N = ``n`` and rows of absolute weight at most ``abs_rows`` (R); 0 when ``exact``.

    With u = eps / 2 (sums in any order, Higham 2002 §4.2): the recomputed field (a product of N
    terms) is within N u R of the true value; the kept one (recomputed, or computed by ``kernels``
    as a sum of N terms, then at most N one-term updates before it is re-synced) within 2N u R.
    The bound returned, 4 (3N + 4) eps R, is eight times their sum.
    """
    if exact:
        return 0.0
    return 4.0 * (3 * n + 4) * float(np.finfo(float).eps) * max(abs_rows, 1e-300)


def _exact_flip(assignment: np.ndarray, weights: np.ndarray) -> tuple[int, np.ndarray]:
    """One step of the recomputing descent: (state to flip or -1, the recomputed fields)."""
    spins = 1 - 2 * assignment
    field = weights @ spins  # σ_i field_i < 0 ⇒ flipping i lowers energy
    gain = spins * field
    i = int(np.argmin(gain))
    return (i if gain[i] < -FLIP_GAIN else -1), field


def descend_each(assignments: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Single-flip steepest descent of every row of a batch (M, N) of splits of one network to a
    local minimum: the state whose flip lowers the energy most moves first (ties: the lowest
    state), until no flip lowers it by more than FLIP_GAIN (each state then is on its better side).

    Each row keeps its fields f = W σ; flipping state m changes them by −2 σ_m W[:, m]. A row
    flips on its kept fields when the best gain σ_i f_i is below −FLIP_GAIN and the next best by
    more than the rounding bound (``field_margin``), stops when it is above −FLIP_GAIN by more
    than the bound, and otherwise takes the recomputed step (``_exact_flip``), which also
    re-syncs the row, as does every N-th flip. The kept-field flips run compiled
    (``kernels.descend_rows``).
    """
    a = np.array(assignments, dtype=np.int64, ndmin=2, copy=True)
    runs, n = a.shape
    if runs == 0 or n == 0:
        return a
    from simulation.search import kernels  # numba: imported (and compiled or loaded) on first use only

    w = np.asarray(weights)
    columns = np.ascontiguousarray(w.T, dtype=float)  # columns[m] = W[:, m]
    exact = exact_sums(w)
    margin = field_margin(n, float(np.abs(w).sum(axis=1).max()), exact)
    spins = np.empty((runs, n))
    field = np.empty((runs, n))
    since = np.zeros(runs, dtype=np.int64)  # flips since the row was computed or re-synced
    moves = np.zeros(runs, dtype=np.int64)
    status = np.full(runs, kernels.NEW, dtype=np.int64)
    pending = np.full(runs, -1, dtype=np.int64)  # a recomputed flip still to make
    while True:
        kernels.descend_rows(a, spins, field, since, moves, status, pending, columns, FLIP_GAIN, margin, exact,
                             n ** 2 + 1)  # each flip lowers the energy: this bound is never reached
        close = np.flatnonzero(status == kernels.EXACT)
        if not close.size:
            return a
        for r in close:
            pending[r], field[r] = _exact_flip(a[r], w)
            since[r] = 0
            status[r] = kernels.RUNNING if pending[r] >= 0 else kernels.DONE


@dataclass(frozen=True)
class LocalMinimum:
    """A configuration no single state can leave to lower the energy."""

    config: np.ndarray  # 0/1 labels, last state in coalition 0
    energy: float
    basin: float  # share of all 2^(N-1) starts whose steepest descent ends here
    starts: int  # number of those starts


def local_minima(weights: np.ndarray) -> list[LocalMinimum]:
    """Every single-flip local minimum with its energy and basin of attraction, lowest energy first.

    Enumerates all 2^(N-1) configurations (the last state fixed in coalition 0; a configuration
    and its mirror image are the same split), keeps those where no flip lowers the energy, and
    runs ``descend`` (steepest single flip) from every configuration to measure the basins. A
    configuration from which several flips are equally steep follows the first, as ``descend``
    does. Limited to N ≤ EXACT_MAX.
    """
    n = weights.shape[0]
    if n > EXACT_MAX:
        raise ValueError(f"the landscape can be enumerated for at most {EXACT_MAX} states (got {n})")
    count = 1 << max(n - 1, 0)
    ends = np.empty(count, dtype=np.int64)
    minima: dict[int, float] = {}
    powers = 1 << np.arange(n, dtype=np.int64)
    for start in range(0, count, CHUNK):
        configs = _configurations(n, start, min(count, start + CHUNK))
        configs = np.hstack([configs, np.zeros((len(configs), 1), np.int8)])
        spins = 1.0 - 2.0 * configs
        gain = spins * (spins @ weights.T)
        is_min = gain.min(axis=1) >= -1e-12
        for code in np.flatnonzero(is_min) + start:
            minima[int(code)] = 0.0
        final = descend_each(configs, weights)
        final = np.where(final[:, -1:] == 1, 1 - final, final)  # mirror image: last state in coalition 0
        ends[start:start + len(configs)] = final.astype(np.int64) @ powers
    codes, sizes = np.unique(ends, return_counts=True)
    basin = dict(zip(codes.tolist(), sizes.tolist()))
    out = []
    for code in minima:
        config = ((code >> np.arange(n)) & 1).astype(int)
        out.append(LocalMinimum(config, float(energy(config, weights)), basin.get(code, 0) / count,
                                basin.get(code, 0)))
    return sorted(out, key=lambda m: (m.energy, -m.starts))


def heuristic_minimum(weights: np.ndarray, rng: np.random.Generator, restarts: int,
                      start: np.ndarray | None = None) -> tuple[np.ndarray | None, float]:
    """The best local minimum of one network over ``restarts`` random starts (plus ``start`` if
    given, which comes first): the lowest exact energy, the first found among exact equals
    (``ties``). The starts are drawn first (one ``rng.integers(0, 2, N)`` each) and descend
    together (``descend_each``). When the best split leaves more than ``annealing.GLASSY`` of the
    tie weight frustrated (energy above Σ_{i<j} min(w_ij, 0); a glassy network, not the model's),
    annealed chains (``annealing.anneal`` with k = 2), each finished by the descent, replace it if
    one is lower.
    """
    n = weights.shape[0]
    starts = [start] if start is not None else []
    starts += [rng.integers(0, 2, n) for _ in range(restarts)]
    if not starts:
        return None, np.inf
    upper_w = np.triu(weights, 1)
    scale = float(np.abs(upper_w).sum())
    found, e = _best_of(descend_each(np.asarray(starts).astype(int).reshape(-1, n), weights), weights, upper_w, scale)
    if annealing.frustrated_share(e - np.minimum(upper_w, 0.0).sum(), scale) > annealing.GLASSY:
        annealed, e_annealed = _best_of(descend_each(annealing.anneal(weights, 2, rng), weights), weights, upper_w,
                                        scale)
        if e_annealed < e:  # only an exactly lower split replaces one found before
            found, e = annealed, e_annealed
    return found, e


def _best_of(found: np.ndarray, weights: np.ndarray, upper_w: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
    """The row of ``found`` that ``ties.lowest`` keeps, scored by one product and, near the lowest,
    by ``energy``; its energy.
    """
    spins = 1.0 - 2.0 * found
    approx = (upper_w.sum() - np.einsum("mi,mi->m", spins @ upper_w, spins)) / 2.0  # the energies by one product
    mirror = np.where(found[:, -1:] == 1, 1 - found, found)  # a split and its mirror image have one energy
    i, e = lowest(approx, mirror, lambda rows: energy(found[rows], weights), scale)
    return found[i], e


def minimum(weights: np.ndarray, rngs: list[np.random.Generator], restarts: int,
            start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The lowest-energy split of every network of a stack (B, N, N): exact for N <= EXACT_MAX,
    else the heuristic, network b searching with ``rngs[b]`` from ``start[b]``.
    """
    if weights.shape[-1] <= EXACT_MAX:
        return exact_minimum(weights)
    starts = [None] * len(weights) if start is None else start
    return _stack([heuristic_minimum(w, g, restarts, s) for w, g, s in zip(weights, rngs, starts, strict=True)])
