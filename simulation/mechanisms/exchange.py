"""Transactional exchange: support flows move resources and bind giver and receiver.

Theory: Morrow (1991) "Alliances and asymmetry: an alternative to the capability aggregation
model of alliances", AJPS 35(4):904-933 — asymmetric partners trade security for autonomy (here:
North Korea's troops and shells for Russian money and technology); Keohane (1986) "Reciprocity
in international relations", International Organization 40(1):1-27 — support creates
obligations that are repaid in kind or in another currency; Fearon (1997) "Signaling foreign
policy interests", J. Conflict Resolution 41(1):68-90 — costly transfers are credible signals,
so both the receiver's gain and the giver's cost raise affinity.

Values are relative: a transfer is worth ``amount / (stock + amount)`` to the receiver (what it
means to it) and costs ``amount / stock`` of the giver's own stock.

Parameters: ``exchange_gain``, ``reciprocity``, ``repayment_gdp_share``, ``tech_transfer``,
``memory_years``.
"""

from __future__ import annotations

import numpy as np

from .algebra import zero_diagonal


def relative_value(amount: np.ndarray | float, stock: np.ndarray | float) -> np.ndarray:
    """Value of ``amount`` to a holder of ``stock``: amount / (stock + amount), in [0, 1)."""
    amount = np.asarray(amount, dtype=float)
    stock = np.asarray(stock, dtype=float)
    return np.divide(amount, stock + amount, out=np.zeros(np.broadcast(amount, stock).shape),
                     where=(stock + amount) > 0)


def affinity_gain(affinity: np.ndarray, value: np.ndarray, gain: float) -> np.ndarray:
    """ΔA from directed values ``value[g, r]`` (receiver's gain plus giver's cost).

    ΔA = (1 - A)(1 - exp(-gain × (v_gr + v_rg))): proportional to the value for small flows and
    never past +1, however large the flow.
    """
    mutual = value + value.mT
    return zero_diagonal((1.0 - affinity) * -np.expm1(-gain * mutual))


def resentment(affinity: np.ndarray, military_value: np.ndarray, at_war: np.ndarray, gain: float) -> np.ndarray:
    """ΔA (≤ 0) between a giver of military support and the receiver's enemies.

    Arming a belligerent is a hostile act toward its enemy: ``military_value[g, r]`` counts
    against g–e for every e at war with r, with the same saturating form as ``affinity_gain``.
    """
    if military_value.any():
        against = military_value @ at_war.astype(float)  # (g, e)
    else:  # nobody armed anyone this step: the product is zeros (+0.0; its own sums start from +0.0)
        against = np.zeros(military_value.shape)
    mutual = against + against.mT
    return zero_diagonal(-(1.0 + affinity) * -np.expm1(-gain * mutual))


def decay(memory: np.ndarray, dt_years: float, memory_years: float) -> np.ndarray:
    """Exponential forgetting of past flows."""
    return memory * np.exp(-dt_years / memory_years)


def repayments(debt: np.ndarray, rate: float, dt_years: float) -> np.ndarray:
    """Share of each debt ``debt[debtor, creditor]`` repaid this step (1 - exp(-rate dt))."""
    return debt * (1.0 - np.exp(-rate * dt_years))


def catch_up(teacher: np.ndarray | float, learner: np.ndarray | float, level: np.ndarray | float) -> np.ndarray:
    """Technology gained by ``learner`` from ``teacher``: ``level`` (≤ 1) of the gap, never past the teacher."""
    gap = np.maximum(np.asarray(teacher, float) - np.asarray(learner, float), 0.0)
    return np.clip(level, 0.0, 1.0) * gap
