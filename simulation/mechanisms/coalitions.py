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


def energy(assignment: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Energy of one assignment (N,) or of a batch (M, N) of 0/1 coalition labels."""
    a = np.atleast_2d(assignment)
    spins = 1.0 - 2.0 * a  # 0 → +1, 1 → -1
    total = np.triu(weights, 1).sum()
    # Σ_{i<j} w_ij d_ij with d_ij = (1 - σ_i σ_j) / 2
    agree = np.einsum("mi,ij,mj->m", spins, np.triu(weights, 1), spins)
    e = (total - agree) / 2.0
    return e if np.ndim(assignment) == 2 else e[0]


def label_against(assignment: np.ndarray, anchor: int) -> np.ndarray:
    """Relabel so that the anchor state is in coalition 0 (called "A"); each item of a stack (..., N)."""
    return np.where(assignment[..., anchor, None] == 0, assignment, 1 - assignment)

