"""Tension between states, per pair and aggregated by region and globally.

Theory: tension as the readiness for conflict of hostile, proximate, militarily active pairs —
the "dangerous dyads" of Bremer (1992) "Dangerous dyads", J. Conflict Resolution 36(2):309-341
(contiguity, power, alignment), the steps-to-war account of Vasquez (1993) *The War Puzzle*
(alliances and arms build-ups raise hostility), and the spiral model of Jervis (1976)
*Perception and Misperception in International Politics* (one side's military activity is read
as threat by the other). Tension relaxes toward a target with a lag: it is memoryful.

Parameters: ``tension_rate``, ``tension_activity``, ``tension_threat``.
"""

from __future__ import annotations

import numpy as np


def tension_target(hostile: np.ndarray, prox: np.ndarray, activity: np.ndarray,
                   mutual_threat: np.ndarray, at_war: np.ndarray,
                   w_activity: float, w_threat: float) -> np.ndarray:
    """Target tension in [0, 1] of each pair.

    hostility × (proximity + w_activity × mean military activity of the two) + w_threat × mutual
    threat, and 1 for pairs at war.
    """
    pair_activity = (activity[:, None] + activity[None, :]) / 2.0
    target = hostile * (prox + w_activity * pair_activity) + w_threat * mutual_threat
    target = np.where(at_war, 1.0, np.clip(target, 0.0, 1.0))
    np.fill_diagonal(target, 0.0)
    return target


def relax(tension: np.ndarray, target: np.ndarray, rate: float, dt_years: float) -> np.ndarray:
    """Move tension toward its target: exact solution of dT/dt = rate (target - T) over dt."""
    return target + (tension - target) * np.exp(-rate * dt_years)


def region_weights(core: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Pair weights of a region: pairs inside core ∪ members with at least one core state."""
    inside = members | core
    w = (inside[:, None] & inside[None, :]) & (core[:, None] | core[None, :])
    np.fill_diagonal(w, False)
    return w.astype(float)


def weighted_mean(tension: np.ndarray, weights: np.ndarray) -> float:
    """Mean of the upper triangle of ``tension`` with pair ``weights`` (0 if no weight)."""
    iu = np.triu_indices(tension.shape[0], 1)
    w = weights[iu]
    return float((tension[iu] * w).sum() / w.sum()) if w.sum() > 0 else 0.0


def global_tension(tension: np.ndarray, capability: np.ndarray) -> float:
    """Capability-weighted mean pair tension: tension between great powers counts more."""
    return weighted_mean(tension, np.outer(capability, capability))
