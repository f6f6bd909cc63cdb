"""Coalition formation: Axelrod & Bennett's landscape theory of aggregation.

Theory: Axelrod & Bennett (1993) "A landscape theory of aggregation", British J. Political
Science 23(2):211-233. Each configuration splits the states into two coalitions; its energy is
E = Σ_{i<j} s_i s_j p_ij d_ij with sizes s (capability shares), propensities p (here: affinity,
positive = wants to be together) and d_ij = 1 when i and j are in different coalitions. Low
energy = states with positive propensities together, negative ones apart; predicted
configurations are minima. Written with spins σ = ±1 this is a zero-field Ising spin glass.

This module holds the theory: the weights, the energy, the labels. Finding the minima — exact
enumeration, descents, annealing — is ``simulation.search.coalitions``.
"""

from __future__ import annotations

import numpy as np

from simulation.mechanisms.algebra import zero_diagonal


def pair_weights(sizes: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """w_ij = s_i s_j p_ij with a zero diagonal."""
    return zero_diagonal(sizes[..., :, None] * sizes[..., None, :] * propensity)


def energy(assignments: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """E = Σ_{i<j} w_ij d_ij of 0/1 coalition labels (..., N) in networks of weights (..., N, N),
    leading axes broadcast (many splits of one network, or one split of each network of a stack):
    each value summed over the pairs of its own network alone, in one order.
    """
    a = np.asarray(assignments)
    apart = a[..., :, None] != a[..., None, :]
    return np.where(apart, np.triu(weights, 1), 0.0).sum(axis=(-2, -1))


def label_against(assignment: np.ndarray, anchor: int) -> np.ndarray:
    """Relabel so that the anchor state is in coalition 0 (called "A"); each item of a stack (..., N)."""
    return np.where(assignment[..., anchor, None] == 0, assignment, 1 - assignment)

