"""Threat on the change: third parties recalibrate when a threat grows.

Theory: Walt (1987) *The Origins of Alliances*, ch. 2 — states balance against threats, and a
threat's *aggregate* power includes what its allies put behind it. What moves policy here is the
*change* of that power: a rival's growing capability and commitments are read as hostile intent
(Jervis 1976, *Perception and Misperception in International Politics*, ch. 3), and rising power
is the danger (power transition, Organski 1958 *World Politics*). Fearon (1997) and Snyder
(1984), as in ``simulation.mechanisms.commitment``: a partner's costly commitment is what makes
its power count behind the state it supports.

* ``aggregate_power`` Π_j = C_j + Σ_k b_kj C_k: j's power plus the power its partners stand
  behind it with (b from ``commitment.backing``);
* ``baseline`` Π̄: the power of each state its neighbours have got used to, an exponential
  average with memory ``alarm_years``;
* ``alarm`` a_ij = 1 − exp(−g_ij), g_ij = 4 (s_ij − s̄_ij)⁺ P_ij η_ij with s_ij = Π_j / (Π_j + Ψ_i):
  how far j's growth has shifted the balance between j's aggregate power and the power i can
  call on (Ψ_i = C_i + Σ_k K_ik C_k, its own and its treaty partners'; power transition,
  Organski & Kugler 1980 *The War Ledger*), as far as j can reach i (proximity P) and is hostile
  to it (η), with diminishing returns — a state near parity with a growing hostile power is
  alarmed the most; one already outmatched, or whose allies dwarf the grower, hardly at all.
  Only growth in power counts, not i's own rising hostility, so alarm cannot feed on itself;
* ``recalibration``: the leaning an alarmed state adds toward its protectors (treaty partners)
  and the threatened side (the states hostile to the growing power, those fighting it first),
  and away from the growing power and its committed backers. The agent weighs it like its other
  security concerns (``alarm_gain`` × security weight).

Parameters: ``alarm_years``, ``alarm_gain``.
"""

from __future__ import annotations

import numpy as np

from .algebra import by_columns, zero_diagonal


def aggregate_power(capability: np.ndarray, backing: np.ndarray) -> np.ndarray:
    """Π_j = C_j + Σ_k b_kj C_k: each state's power with what its partners put behind it."""
    return capability + np.matvec(backing.mT, capability)


def baseline(previous: np.ndarray, current: np.ndarray, dt_years: float, memory_years: float) -> np.ndarray:
    """Π̄ after dt: exponential averaging with memory ``memory_years``."""
    keep = np.exp(-dt_years / memory_years)
    return current + (previous - current) * keep


def backed(capability: np.ndarray, treaty: np.ndarray) -> np.ndarray:
    """Ψ_i = C_i + Σ_k K_ik C_k: the power a state can call on, its own and its treaty partners'."""
    return capability + np.matvec(treaty, capability)


def alarm(power: np.ndarray, reference: np.ndarray, prox: np.ndarray, hostile: np.ndarray,
          capability: np.ndarray, treaty: np.ndarray) -> np.ndarray:
    """a_ij = 1 − exp(−g_ij), g_ij = 4 · (s_ij − s̄_ij)⁺ · P_ij · η_ij, in [0, 1).

    s_ij = Π_j / (Π_j + Ψ_i) is j's share of the balance between its aggregate power and the
    power i can call on (``backed``), s̄_ij the same share at the baseline Π̄_j: alarm is the shift
    of the dyadic balance toward j (power transition: Organski & Kugler 1980, *The War Ledger*),
    as far as j can reach i and is hostile to it. Scaled by 4, a small growth between equals
    alarms as ΔΠ / Ψ. A balance that cannot shift does not alarm: a micro-state already
    outmatched by a distant power, or a state whose allies dwarf the grower. Zero diagonal.
    """
    psi = backed(np.asarray(capability, dtype=float), treaty)[..., :, None]
    now, then = power[..., None, :] + psi, reference[..., None, :] + psi
    growth = np.maximum(power - reference, 0.0)[..., None, :]
    shift = np.divide(4.0 * psi * growth, now * then, out=np.zeros(np.broadcast_shapes(now.shape, growth.shape)),
                      where=(now > 0) & (then > 0))
    return zero_diagonal(-np.expm1(-shift * prox * hostile))


def recalibration(alarms: np.ndarray, hostile: np.ndarray, backing: np.ndarray, treaty: np.ndarray) -> np.ndarray:
    """R_ik: the leaning alarm adds toward k (positive) or away from it (negative).

    R_ik = Σ_j a_ij · max(K_ik, η_kj)  −  a_ik  −  Σ_j a_ij · b_kj

    toward protectors (treaty strength K) and the states hostile to the growing power j (η_kj:
    those at war with it count fully); away from the growing power itself and from the partners
    that back it (b_kj).
    """
    if alarms.ndim > 2:  # the sources differ from item to item: the items with the same ones together
        return by_columns(_recalibration, alarms.any(axis=-2), alarms, hostile, backing, treaty)
    return _recalibration(np.flatnonzero(alarms.any(axis=0)), alarms, hostile, backing, treaty)


def _recalibration(growing: np.ndarray, alarms: np.ndarray, hostile: np.ndarray, backing: np.ndarray,
                   treaty: np.ndarray) -> np.ndarray:
    """``recalibration`` over the sources ``growing`` (those someone is alarmed at); a stack alike."""
    a = alarms[..., growing]
    value = np.maximum(treaty[..., :, :, None], hostile[..., growing, :].mT[..., None, :, :])  # (i, k, j)
    toward = np.einsum("...ij,...ikj->...ik", a, value)
    return zero_diagonal(toward - alarms - a @ backing[..., :, growing].mT)
