"""Combat experience: forces that fight learn; rotation brings the lessons home; unused, they fade.

Theory: learning curves — Wright (1936) "Factors affecting the cost of airplanes", J.
Aeronautical Sciences 3(4):122-128; with forgetting, Argote, Beckman & Epple (1990) "The
persistence and transfer of learning in industrial settings", Management Science 36(2):140-154
(knowledge acquired by doing depreciates unless renewed). In combat: experienced units fight
better than unblooded ones of the same size and equipment — Dupuy (1987) *Understanding War*
(combat effectiveness values), Biddle (2004) *Military Power* (force employment is learned).
The precedent the seed article cites: South Korea rotated about 320,000 troops through Vietnam
in one-year tours, 1964-1973, and modernised its forces with what they brought back (Larsen &
Collins 1975, *Allied Participation in Vietnam*, Dept. of the Army, ch. VI).

Three stocks per state, all in thousand troops:

* ``field`` ℓ — experience held by its troops in combat (at its own front or abroad): it grows
  toward the number fighting f with time constant ``learning_years`` (a saturating learning
  curve in the time *and* the size of a deployment) and is lost with the troops who fall;
* ``veterans`` V — experience at home: rotation brings ℓ home at rate 1/``tour_years``;
  it fades with time constant ``experience_years`` (retirement, forgetting);
* force ``experience`` E = 1 - exp(-V / (veteran_share × M⁰)) in [0, 1): a force in which a share
  ``veteran_share`` of its personnel has come back from combat has most of the institutional
  learning (instructors, doctrine); E has diminishing returns in V.

Force quality q = 1 + ``experience_gain`` × E multiplies capability relative to the start (and
so the threat others perceive) and front firepower relative to a fully experienced force
(``fighting_quality``: front losses are calibrated on seasoned belligerents).

Parameters: ``learning_years``, ``tour_years``, ``experience_years``, ``veteran_share``,
``experience_gain``.
"""

from __future__ import annotations

import numpy as np


def learn(field: np.ndarray, fighting: np.ndarray, dt_years: float, learning_years: float) -> np.ndarray:
    """ℓ after dt: exact solution of dℓ/dt = (f - ℓ) / learning_years with f held fixed."""
    return fighting + (field - fighting) * np.exp(-dt_years / learning_years)


def lose(field: np.ndarray, fighting: np.ndarray, lost: np.ndarray) -> np.ndarray:
    """Experience that survives losses: the fallen take their share of ℓ with them."""
    survived = np.divide(fighting - lost, fighting, out=np.ones_like(field), where=fighting > 0)
    return field * np.clip(survived, 0.0, 1.0)


def bring_home(veterans: np.ndarray, field: np.ndarray, dt_years: float, tour_years: float,
               experience_years: float) -> np.ndarray:
    """V after dt: dV/dt = ℓ / tour_years - V / experience_years (exact with ℓ held fixed)."""
    decay = np.exp(-dt_years / experience_years)
    steady = field * experience_years / tour_years
    return steady + (veterans - steady) * decay


def force_experience(veterans: np.ndarray, manpower0: np.ndarray, veteran_share: float) -> np.ndarray:
    """E = 1 - exp(-V / (veteran_share × M⁰)), in [0, 1)."""
    scale = veteran_share * np.maximum(manpower0, 1.0)
    return -np.expm1(-np.maximum(veterans, 0.0) / scale)


def quality(experience: np.ndarray, gain: float) -> np.ndarray:
    """Force quality multiplier q = 1 + gain × E."""
    return 1.0 + gain * experience


def fighting_quality(experience: np.ndarray, gain: float) -> np.ndarray:
    """Q / (1 + gain): fighting quality relative to a fully experienced force, in (0, 1].

    Front losses (``attrition_rate``) are calibrated on the seasoned belligerents of 2024, so a
    fully experienced force fights at 1 and an unblooded contingent at 1 / (1 + gain).
    """
    return quality(experience, gain) / (1.0 + gain)


def advance(field: np.ndarray, veterans: np.ndarray, fighting: np.ndarray, lost: np.ndarray, dt_years: float,
            learning_years: float, tour_years: float, experience_years: float) -> tuple[np.ndarray, np.ndarray]:
    """One step: the fighting learn, the fallen take their experience with them, rotation brings it home."""
    field = lose(learn(field, fighting, dt_years, learning_years), fighting, lost)
    return field, bring_home(veterans, field, dt_years, tour_years, experience_years)


def before_start(fighting: np.ndarray, years_at_war: np.ndarray, learning_years: float, tour_years: float,
                 experience_years: float, dt_years: float = 1.0 / 12.0) -> tuple[np.ndarray, np.ndarray]:
    """(ℓ, V) of states that have fought ``years_at_war`` with ``fighting`` troops before the start
    (monthly steps of ``advance``, no losses; zero for states not at war).
    """
    field = np.zeros_like(fighting, dtype=float)
    veterans = np.zeros_like(fighting, dtype=float)
    months = np.round(np.asarray(years_at_war, dtype=float) / dt_years).astype(int)
    for k in range(int(months.max(initial=0))):
        active = months > k
        f, v = advance(field, veterans, np.where(active, fighting, 0.0), np.zeros_like(field), dt_years,
                       learning_years, tour_years, experience_years)
        field, veterans = np.where(active, f, field), np.where(active, v, veterans)
    return field, veterans
