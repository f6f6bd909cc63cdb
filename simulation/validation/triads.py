"""Discrete triad dynamics of social balance on a complete graph.

Theory: Antal, Krapivsky & Redner (2005) "Dynamics of social balance on networks", Physical
Review E 72(3):036121 (arXiv:cond-mat/0506476). Every pair of N actors is friendly (+1) or
unfriendly (−1). A triad is imbalanced when it has one or three unfriendly links (Heider 1946).

- **Local triad dynamics (LTD).** Pick a triad at random. If it is imbalanced: with one unfriendly
  link, that link turns friendly with probability p, otherwise one of its two friendly links
  (chosen at random) turns unfriendly; with three unfriendly links, one of them (at random) turns
  friendly. The mean-field stationary density of friendly links is
  ρ∞ = 1 / (1 + √(3(1 − 2p))) for p < 1/2, and 1 ("paradise") for p ≥ 1/2. A finite network ends
  in a balanced absorbing state; for p < 1/2 it lingers near ρ∞ for a time that grows
  exponentially with N, for p > 1/2 it reaches paradise in a time of order ln N.
- **Constrained triad dynamics (CTD).** Pick a link at random; flip it if that lowers the number
  of imbalanced triads, flip it with probability 1/2 if the number is unchanged, never if it
  rises. The network reaches balance or a jammed state, where every flip would raise it.

Implementation: incremental counts. ``U[i, j]`` is the number of imbalanced triads that contain
link ij, U = (N − 2 − S ⊙ S²)/2; flipping ij changes only row/column i and j of U (O(N) per
flip) and the imbalanced total by N − 2 − 2·U[i, j]. Picks that change nothing are skipped in one
draw (rejection-free): LTD draws an imbalanced triad uniformly (a link with weight U[i, j], then
one of its U[i, j] imbalanced third parties) and advances time by a geometric number of wasted
picks. Time is counted in picks per link: one unit of time is L = N(N − 1)/2 picks, in which the
rate equations do not depend on N. All randomness comes from the ``numpy.random.Generator``
passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class TriadRun:
    """Outcome of a run: final signs, time, number of flips, and the density of friendly links over time."""

    signs: np.ndarray
    time: float
    flips: int
    outcome: str  # "paradise", "balanced" (two hostile cliques), "jammed" (CTD) or "running" (time ran out)
    times: list[float] = field(default_factory=list)
    density: list[float] = field(default_factory=list)


def stationary_density(p: float) -> float:
    """Mean-field stationary density of friendly links under LTD (Antal et al. 2005)."""
    return 1.0 / (1.0 + np.sqrt(3.0 * (1.0 - 2.0 * p))) if p < 0.5 else 1.0


def random_signs(n: int, friendly: float, rng: np.random.Generator) -> np.ndarray:
    """A complete signed graph (int8, zero diagonal) whose links are friendly with probability ``friendly``."""
    upper = np.triu(np.where(rng.random((n, n)) < friendly, 1, -1), 1).astype(np.int8)
    return upper + upper.T


def imbalance_per_link(signs: np.ndarray) -> np.ndarray:
    """U[i, j]: the number of imbalanced triads that contain link ij (zero diagonal)."""
    s = signs.astype(np.int64)
    n = s.shape[0]
    u = (n - 2 - s * (s @ s)) // 2
    np.fill_diagonal(u, 0)
    return u


def count_imbalanced(signs: np.ndarray) -> int:
    """Number of imbalanced triads of a complete signed graph."""
    return int(imbalance_per_link(signs).sum() // 6)


def friendly_density(signs: np.ndarray) -> float:
    n = signs.shape[0]
    return float((np.triu(signs, 1) > 0).sum() / (n * (n - 1) / 2)) if n > 1 else 1.0


class _Network:
    """Signs and per-link imbalance counts, updated together one flip at a time."""

    def __init__(self, signs: np.ndarray):
        s = np.asarray(signs)
        n = s.shape[0]
        off = ~np.eye(n, dtype=bool)
        if s.ndim != 2 or s.shape != (n, n) or not np.array_equal(s, s.T) or not np.all(np.abs(s[off]) == 1):
            raise ValueError("signs must be a symmetric ±1 matrix (the diagonal is ignored)")
        self.s = s.astype(np.int8).copy()
        np.fill_diagonal(self.s, 0)
        self.n = n
        self.links = n * (n - 1) // 2
        self.u = imbalance_per_link(self.s)
        self.imbalanced = int(self.u.sum() // 6)
        self.friendly = int((np.triu(self.s, 1) > 0).sum())

    def flip(self, a: int, b: int) -> None:
        s = self.s
        new = -s[a, b]
        s[a, b] = s[b, a] = new
        self.friendly += 1 if new > 0 else -1
        # triads (a, b, k) all change parity: +1 where imbalanced now, −1 where balanced now
        delta = np.where(new * s[a].astype(np.int64) * s[b] < 0, 1, -1)
        delta[a] = delta[b] = 0
        self.u[a] += delta
        self.u[:, a] += delta
        self.u[b] += delta
        self.u[:, b] += delta
        before = int(self.u[a, b])
        self.u[a, b] = self.u[b, a] = self.n - 2 - before
        self.imbalanced += self.n - 2 - 2 * before

    def outcome(self) -> str:
        if self.imbalanced:
            return "running"
        return "paradise" if self.friendly == self.links else "balanced"


def local_triad_dynamics(signs: np.ndarray, p: float, rng: np.random.Generator, max_time: float,
                         record_every: float | None = None) -> TriadRun:
    """LTD from ``signs`` until balance or ``max_time`` (in picks per link)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1] (got {p})")
    net = _Network(signs)
    n = net.n
    triads = n * (n - 1) * (n - 2) // 6
    run = TriadRun(net.s, 0.0, 0, "running")
    next_record = 0.0
    while True:
        if record_every is not None and run.time >= next_record:
            run.times.append(run.time)
            run.density.append(net.friendly / net.links)
            next_record += record_every
        if not net.imbalanced:
            break
        picks = rng.geometric(net.imbalanced / triads)  # the picks until (and including) an imbalanced triad
        if run.time + picks / net.links > max_time:
            run.time = max_time
            break
        run.time += picks / net.links
        # an imbalanced triad, uniformly: a link with weight U, then one of its imbalanced third parties
        flat = np.cumsum(net.u, axis=None)
        pick = int(np.searchsorted(flat, rng.random() * flat[-1], side="right"))
        i, j = divmod(pick, n)
        third = np.flatnonzero(net.s[i, j] * net.s[i].astype(np.int64) * net.s[j] < 0)
        k = int(third[rng.integers(len(third))])
        links = [(i, j), (i, k), (j, k)]
        negative = [e for e in links if net.s[e] < 0]
        if len(negative) == 3:
            a, b = negative[rng.integers(3)]
        elif rng.random() < p:
            a, b = negative[0]
        else:
            positive = [e for e in links if net.s[e] > 0]
            a, b = positive[rng.integers(2)]
        net.flip(a, b)
        run.flips += 1
    run.signs, run.outcome = net.s, net.outcome()
    return run


def constrained_triad_dynamics(signs: np.ndarray, rng: np.random.Generator, max_time: float,
                               record_every: float | None = None) -> TriadRun:
    """CTD from ``signs`` until balance, a jammed state, or ``max_time`` (in picks per link)."""
    net = _Network(signs)
    n = net.n
    iu = np.triu_indices(n, 1)
    run = TriadRun(net.s, 0.0, 0, "running")
    next_record = 0.0
    while True:
        if record_every is not None and run.time >= next_record:
            run.times.append(run.time)
            run.density.append(net.friendly / net.links)
            next_record += record_every
        if not net.imbalanced:
            break
        change = n - 2 - 2 * net.u[iu]  # change in imbalanced triads if the link flips
        rate = np.where(change < 0, 1.0, np.where(change == 0, 0.5, 0.0))
        total = rate.sum()
        if total == 0.0:
            run.outcome = "jammed"
            break
        picks = rng.geometric(total / net.links)
        if run.time + picks / net.links > max_time:
            run.time = max_time
            break
        run.time += picks / net.links
        cumulative = np.cumsum(rate)
        e = int(np.searchsorted(cumulative, rng.random() * total, side="right"))
        net.flip(int(iu[0][e]), int(iu[1][e]))
        run.flips += 1
    run.signs = net.s
    if run.outcome != "jammed":
        run.outcome = net.outcome()
    return run
