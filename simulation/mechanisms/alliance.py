"""Alliances that deepen: treaty partners tighten their coordination when threats grow.

Theory: Snyder (1984) "The security dilemma in alliance politics", World Politics
36(4):461-495 — a rising external threat raises the fear of abandonment, and allies answer it
by tightening their commitment (joint planning, forward deployment, new consultation
mechanisms); Liska (1962) *Nations in Alliance*, and Holsti, Hopmann & Sullivan (1973) *Unity
and Disintegration in International Alliances* — alliance cohesion rises with external threat
and decays without it. The US–ROK and US–Japan alliances' 2023-2025 steps (Washington
Declaration, Camp David, command upgrades) are of this kind.

Depth D_ij in [0, 1] is the deepening of an existing treaty beyond where it stood at the start
(0: as at the start; 1: full integration). It grows with the threat the partners share — the
alarm (``simulation.mechanisms.alarm``) both perceive from the same growing power, counted at
the smaller of the two — in proportion to the treaty's strength and to how much the partners
like each other, and fades without it:

    S_ij  = Σ_k min(a_ik, a_jk)
    dD/dt = depth_rate · K_ij · max(A_ij, 0) · S_ij · (1 − D) − D / depth_years

An ally alarmed alone does not deepen the alliance: its partner must share the threat (Snyder's
fear of entrapment restrains the partner that is not threatened). A deeper alliance weighs more
in the partners' leaning (the treaty term × (1 + D)). Third parties do not read depth as
backing: that would close a spiral (Jervis 1976) whose strength no data here constrain.

Parameters: ``depth_rate``, ``depth_years``.
"""

from __future__ import annotations

import numpy as np

from .algebra import by_columns, zero_diagonal


def shared_alarm(alarms: np.ndarray) -> np.ndarray:
    """S_ij = Σ_k min(a_ik, a_jk): the alarm i and j share about the same sources (zero diagonal)."""
    if alarms.ndim > 2:  # the sources differ from item to item: the items with the same ones together
        return by_columns(_shared, alarms.any(axis=-2), alarms)
    return _shared(np.flatnonzero(alarms.any(axis=0)), alarms)


def _shared(sources: np.ndarray, alarms: np.ndarray) -> np.ndarray:
    """``shared_alarm`` over ``sources`` (those someone is alarmed at); a stack alike."""
    a = alarms[..., sources]
    return zero_diagonal(np.minimum(a[..., :, None, :], a[..., None, :, :]).sum(axis=-1))


def drive(treaty: np.ndarray, affinity: np.ndarray, alarms: np.ndarray) -> np.ndarray:
    """K_ij · max(A_ij, 0) · S_ij: what pushes a treaty alliance to deepen."""
    return treaty * np.maximum(affinity, 0.0) * shared_alarm(alarms)


def deepen(depth: np.ndarray, push: np.ndarray, rate: float, years: float, dt_years: float) -> np.ndarray:
    """D after dt: exact solution of dD/dt = rate·push·(1 − D) − D/years with push held fixed."""
    k = rate * push + 1.0 / years
    steady = np.divide(rate * push, k, out=np.zeros_like(depth), where=k > 0)
    return steady + (depth - steady) * np.exp(-k * dt_years)

