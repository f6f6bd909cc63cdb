"""War attrition: Lanchester square-law losses fed by manpower, munitions and outside support.

Theory: Lanchester (1916) *Aircraft in Warfare: the Dawn of the Fourth Arm*, ch. V (square law:
each side's losses are proportional to the enemy's fighting strength); Epstein (1985) *The
Calculus of Conventional War*, Brookings (attrition with resupply and withdrawal); Biddle (2004)
*Military Power* (force employment and materiel both matter). Here a side's firepower is its
front manpower × technology × munitions sufficiency; deployments add foreign troops to the
front, deliveries add munitions, and fighting consumes both.

Parameters: ``attrition_rate``, ``munitions_use``, ``reserve_years``, ``min_effect``,
``production_per_milex``, ``stock_years``, ``recruitment_rate``, ``front_share``.
"""

from __future__ import annotations

import numpy as np


def front_forces(manpower: np.ndarray, front_share: np.ndarray, deployed: np.ndarray,
                 at_war: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(national, foreign) front troops of each state; zero for states not at war."""
    fighting = at_war.any(axis=-1)
    national = np.where(fighting, front_share * manpower, 0.0)
    foreign = np.where(fighting, deployed.sum(axis=-2), 0.0)
    return national, foreign


def firepower(front: np.ndarray, munitions: np.ndarray, tech: np.ndarray, use: float,
              reserve_years: float = 1.0, min_effect: float = 0.3) -> np.ndarray:
    """Front strength: troops × technology × (min_effect + (1 - min_effect) × munitions sufficiency).

    Sufficiency is the stock over ``reserve_years`` of fire: below that, states ration shells;
    troops with no munitions left keep ``min_effect`` of their firepower.
    """
    need = use * front * reserve_years
    sufficiency = np.divide(munitions, need, out=np.ones_like(front), where=need > 0)
    return front * tech * (min_effect + (1.0 - min_effect) * np.clip(sufficiency, 0.0, 1.0))


def recruits(manpower: np.ndarray, manpower0: np.ndarray, fighting: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Troops raised this step: a state at war replaces losses up to ``capacity``, never past its
    strength at the start (Epstein 1985: attrition with replacement).
    """
    return np.where(fighting, np.minimum(capacity, np.maximum(manpower0 - manpower, 0.0)), 0.0)


def restock(munitions: np.ndarray, munitions0: np.ndarray, production: np.ndarray, used: np.ndarray,
            dt: float) -> np.ndarray:
    """Stock after a step: production replaces what ages out (stocks start in steady state, ageing at
    rate production / initial stock), minus what was fired; never negative.
    """
    return np.maximum(munitions + (production * (1.0 - munitions / munitions0) * dt - used), 0.0)


def losses(power: np.ndarray, war_intensity: np.ndarray, rate: float, dt_years: float,
           front: np.ndarray) -> np.ndarray:
    """Square-law losses of each state this step (never more than its front).

    ``war_intensity[i, j]`` > 0 when i and j fight; an attacker with several enemies splits its
    fire in proportion to the intensity of each front.
    """
    split = war_intensity / np.maximum(war_intensity.sum(axis=-1, keepdims=True), 1e-12)
    incoming = (split * power[..., :, None]).sum(axis=-2) * (war_intensity.max(axis=-2) > 0)
    return np.minimum(rate * dt_years * incoming, front)


def munitions_used(front: np.ndarray, war_intensity: np.ndarray, use: float, dt_years: float,
                   munitions: np.ndarray) -> np.ndarray:
    """Munitions fired this step: proportional to front and intensity, limited by the stock."""
    intensity = war_intensity.sum(axis=-1)
    return np.minimum(use * front * intensity * dt_years, munitions)
