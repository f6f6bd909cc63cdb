"""Tension between states, per pair and aggregated by region and globally.

Theory: tension as the readiness for conflict of hostile, proximate, militarily active pairs —
the "dangerous dyads" of Bremer (1992) "Dangerous dyads", J. Conflict Resolution 36(2):309-341
(contiguity, power parity, alignment); power transition (Organski 1958 *World Politics*), the
steps-to-war account of Vasquez (1993) *The War Puzzle*
(alliances and arms build-ups raise hostility), and the spiral model of Jervis (1976)
*Perception and Misperception in International Politics* (one side's military activity is read
as threat by the other). Tension relaxes toward a target with a lag: it is memoryful.

Parameters: ``tension_rate``, ``tension_hostility``, ``tension_parity``, ``tension_activity``,
``tension_alarm``.
"""

from __future__ import annotations

import numpy as np

from .algebra import upper_flat, zero_diagonal


def parity(capability: np.ndarray) -> np.ndarray:
    """Power parity of each pair, 2·min(C_i, C_j) / (C_i + C_j) in [0, 1] (1: equal power)."""
    c = np.asarray(capability, dtype=float)
    total = c[..., :, None] + c[..., None, :]
    smaller = np.minimum(c[..., :, None], c[..., None, :])
    return np.divide(2.0 * smaller, total, out=np.zeros_like(total), where=total > 0)


def tension_target(hostile: np.ndarray, prox: np.ndarray, parity_: np.ndarray, activity: np.ndarray,
                   war_parties: np.ndarray, alarms: np.ndarray, w_hostility: float, w_parity: float,
                   w_activity: float, w_alarm: float) -> np.ndarray:
    """Target tension in [0, 1] of each pair: the chance of a militarized dispute.

    Each source is a hazard λ and tension is the probability that at least one incident occurs
    (a Poisson count: 1 − exp(−λ)), combined with being a party to a war:

        λ_ij  = η_ij · P_ij · ( w_hostility · (1 − w_parity + w_parity · parity_ij)
                                + w_activity · (tanh α_i + tanh α_j) / 2 )
                + w_alarm · (a_ij + a_ji) / 2
        T*_ij = 1 − (1 − Wp_ij) · exp(−λ_ij)

    Hostile dyads that can reach each other are dangerous (Bremer 1992: contiguity, no alliance),
    more so near power parity (Bremer 1992; Organski 1958, power transition), and more so when
    they are militarily active or one of them is alarmed by the other's growth (Jervis 1976).
    Activity counts only where the pair can reach each other (P: the opportunity of Most & Starr
    1989, *Inquiry, Logic and International Politics*; politically relevant dyads, Maoz & Russett
    1993, Lemke & Reed 2001) — a war far away does not make distant hostile states dangerous.
    T* = 1 for formal belligerents; a co-belligerent's tension with the enemy grows with its
    belligerence. The weights are anchored to the rates of militarized disputes between states
    (``scenarios/data/tension_anchors.csv``, ``docs/calibration.md``).
    """
    pair_activity = (np.tanh(activity)[..., :, None] + np.tanh(activity)[..., None, :]) / 2.0
    balance = 1.0 - w_parity + w_parity * parity_
    hazard = (hostile * prox * (w_hostility * balance + w_activity * pair_activity)
              + w_alarm * (alarms + alarms.mT) / 2.0)
    target = 1.0 - (1.0 - np.clip(war_parties, 0.0, 1.0)) * np.exp(-np.maximum(hazard, 0.0))
    return zero_diagonal(target)


def relax(tension: np.ndarray, target: np.ndarray, rate: float, dt_years: float) -> np.ndarray:
    """Move tension toward its target: exact solution of dT/dt = rate (target - T) over dt."""
    return target + (tension - target) * np.exp(-rate * dt_years)


def region_weights(core: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Pair weights of a region: pairs inside core ∪ members with at least one core state."""
    inside = members | core
    w = (inside[:, None] & inside[None, :]) & (core[:, None] | core[None, :])
    np.fill_diagonal(w, False)
    return w.astype(float)


def weighted_mean(tension: np.ndarray, weights: np.ndarray) -> float | np.ndarray:
    """Mean of the upper triangle of ``tension`` with pair ``weights`` (0 if no weight)."""
    iu = upper_flat(tension.shape[-1])  # (..., N, N) → (..., pairs), C-ordered (np.take): sums as for one item
    w = np.take(weights.reshape(*weights.shape[:-2], -1), iu, axis=-1)
    weighted = (np.take(tension.reshape(*tension.shape[:-2], -1), iu, axis=-1) * w).sum(axis=-1)
    total = w.sum(axis=-1)
    if np.ndim(weighted) == 0:  # one item
        return float(weighted / total) if total > 0 else 0.0
    return np.divide(weighted, total, out=np.zeros(np.broadcast_shapes(weighted.shape, total.shape)),
                     where=total > 0)


def global_tension(tension: np.ndarray, capability: np.ndarray) -> float | np.ndarray:
    """Capability-weighted mean pair tension: tension between great powers counts more."""
    return weighted_mean(tension, capability[..., :, None] * capability[..., None, :])
