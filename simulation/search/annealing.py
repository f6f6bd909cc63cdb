"""Simulated annealing for glassy signed networks: the second stage of the bloc and coalition searches.

Theory: Kirkpatrick, Gelatt & Vecchi (1983) "Optimization by simulated annealing", Science
220(4598):671-680 — Metropolis moves at a slowly falling temperature escape the local minima a
descent stops in. Frustrated ("glassy") signed networks — spin glasses, Sherrington & Kirkpatrick
(1975) — have many local minima of nearly equal frustration, where relocation descent from
random starts (Doreian & Mrvar 1996) misses the best; near-balanced networks, like the model's
own affinities, do not need it (how often each happens: docs/performance.md §7).

So the searches escalate: ``blocs.heuristic_blocs`` and ``coalitions.heuristic_minimum`` first
descend from their random starts, and only when the best partition found leaves more than
GLASSY of the tie weight frustrated do they anneal CHAINS chains of SWEEPS sweeps (N proposals
each), finish each chain with their own descent, and keep a chain's partition when it is better
than the descents' (otherwise their result stands unchanged). The coalition split is the case
k = 2: its energy Σ_{i<j, apart} w_ij is the frustration less the constant Σ_{i<j} min(w_ij, 0).

Cooling: geometric over the sweeps, from T0 = ½ mean_i Σ_j |w_ij| / √N (most moves accepted) to
T_end = END_SHARE × the mean non-zero |w_ij| (uphill moves of a typical tie almost never are):
both scale with the weights, so the schedule does not depend on their units.
"""

from __future__ import annotations

import time

import numpy as np

GLASSY = 0.20  # share of Σ_{i<j} |w_ij| frustrated by the best descent, above which the search anneals
CHAINS = 16
SWEEPS = 1000
END_SHARE = 0.04


def frustrated_share(frustration: float, scale: float) -> float:
    """The share of the tie weight Σ_{i<j} |w_ij| (``scale``) a partition leaves frustrated."""
    return frustration / scale if scale > 0 else 0.0


def schedule(weights: np.ndarray, sweeps: int = SWEEPS) -> np.ndarray:
    """The temperature of each sweep (geometric cooling from T0 to T_end; module docstring)."""
    w = np.abs(weights)
    n = w.shape[0]
    nonzero = w[w > 0]
    if not nonzero.size:  # no ties: every move is free, any temperature will do
        return np.ones(sweeps)
    t_start = 0.5 * w.sum(axis=1).mean() / np.sqrt(n)
    t_end = min(END_SHARE * nonzero.mean(), t_start)
    return t_start * (t_end / t_start) ** (np.arange(sweeps) / max(sweeps - 1, 1))


def anneal(weights: np.ndarray, k: int, rng: np.random.Generator, chains: int = CHAINS,
           sweeps: int = SWEEPS, deadline: float | None = None) -> np.ndarray:
    """Annealed labelings (chains, N) in 0 … k − 1 of a signed network (symmetric, zero diagonal
    ignored), each the lowest-frustration labeling its chain met; to be finished by a descent.

    Draws from ``rng`` first: the starts (``rng.integers(0, k, (chains, N))``) and one seed per
    chain for its compiled proposals (``kernels.anneal_rows``). The chains run one after the other;
    with a ``deadline`` (``time.monotonic()``) those not begun by then are left out (the first
    always runs).
    """
    from simulation.search import kernels  # numba: imported (and compiled or loaded) on first use only

    n = weights.shape[0]
    w = np.array(weights, dtype=float)
    np.fill_diagonal(w, 0.0)
    pos, neg = np.maximum(w, 0.0), np.maximum(-w, 0.0)
    ties, pos_total = np.ascontiguousarray((neg - pos).T), pos.sum(axis=1)
    lab = rng.integers(0, k, (chains, n)).astype(np.int64)
    seeds = rng.integers(0, 2**32, chains)
    if n < 2 or k < 2:
        return lab
    temperatures = schedule(w, sweeps)
    for c in range(chains):
        if c and deadline is not None and time.monotonic() > deadline:
            return lab[:c]
        kernels.anneal_rows(lab[c:c + 1], ties, pos_total, k, temperatures, int(seeds[c]))
    return lab
