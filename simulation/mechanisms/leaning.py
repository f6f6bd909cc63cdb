"""Affinity relaxing toward the states' mutual leaning, with random shocks.

Theory: relations move toward what both sides want at a finite speed — a first-order lag, as in
Richardson's (1960) *Arms and Insecurity* reaction processes — and are buffeted by events no
model names, a Wiener increment (the diffusion term of stochastic models of interstate relations,
e.g. Schrodt 1978 "Statistical problems associated with the Richardson arms race model").
The leaning itself is the states' decision (``StateAgent.decide_leanings``, McFadden 1974).

Parameters: ``lean_rate``, ``affinity_noise``.
"""

from __future__ import annotations

import numpy as np


def mutual(lean: np.ndarray) -> np.ndarray:
    """The stance both sides of each pair want: the mean of i's leaning toward j and j's toward i."""
    return (lean + lean.mT) / 2.0


def relax(affinity: np.ndarray, target: np.ndarray, rate: float, dt: float) -> np.ndarray:
    """Exact first-order lag over ``dt``: A → target + (A − target) e^(−rate dt)."""
    return target + (affinity - target) * np.exp(-rate * dt)


def shocks(normal: np.ndarray, sd: float, dt: float) -> np.ndarray:
    """Symmetric Wiener increments sd √dt ξ from standard normal draws (..., N, N): one per pair,
    the upper triangle's; zero diagonal.
    """
    z = np.triu(normal, 1)
    return sd * np.sqrt(dt) * (z + z.mT)
