"""Blocs in a signed network: partitions into k blocs and their frustration.

Theory: Davis (1967) "Clustering and structural balance in graphs", Human Relations 20(2):181-187
— weak balance: a signed graph is k-clusterable when no negative tie lies inside a bloc and no
positive tie between blocs; Doreian & Mrvar (1996) "A partitioning approach to structural
balance", Social Networks 18(2):149-168 — the best partition minimises the frustration
(weighted positive ties between blocs + negative ties within).

This module holds the theory: the frustration of a partition. Finding the best partitions —
enumeration, relocation descent, annealing, branch and bound — is ``simulation.search.blocs``.
"""

from __future__ import annotations

import numpy as np


def frustration(weights: np.ndarray, labels: np.ndarray,
                parts: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Σ_{i<j} (positive ties between blocs + |negative ties| within) of bloc labels (..., N) in
    networks of weights (..., N, N), leading axes broadcast (many labelings of one network, or one
    labeling of each network of a stack): each value summed over its own network's pairs alone.

    ``parts``: ``frustration_parts(weights)``, when the caller scores many labelings of one network.
    """
    lab = np.asarray(labels)
    same = lab[..., :, None] == lab[..., None, :]
    pos, neg = frustration_parts(weights) if parts is None else parts
    return np.where(same, neg, pos).sum(axis=(-2, -1))


def frustration_parts(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positive, |negative|) weights of the pairs i < j, zero elsewhere: what ``frustration`` sums."""
    pos = np.triu(np.maximum(weights, 0.0), 1)
    neg = np.triu(np.maximum(-weights, 0.0), 1)
    pos += 0.0  # no negative zeros
    neg += 0.0
    return pos, neg

