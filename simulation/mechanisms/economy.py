"""Economies under sanctions: output falls toward a sanctioned target and recovers when they end.

Theory: Hufbauer, Schott, Elliott & Oegg (2007) *Economic Sanctions Reconsidered* (3rd ed.) —
the cost to the target is a share of its GDP, larger the more comprehensive the measures;
Neuenkirch & Neumeier (2015) "The impact of UN and US economic sanctions on GDP growth",
European Journal of Political Economy 40:110-125 — the effect builds up and fades over years.
Only sanctions imposed after the start count: the shipped GDP already reflects older ones.

Parameters: ``sanction_cost``, ``economy_years``.
"""

from __future__ import annotations

import numpy as np


def new_sanctions(sanctions: np.ndarray, at_start: np.ndarray) -> np.ndarray:
    """Each target's strongest sanction (by anyone) above what it was already under at the start."""
    return np.maximum(sanctions - at_start, 0.0).max(axis=-2)


def adjust(economy: np.ndarray, baseline: np.ndarray, sanctioned: np.ndarray, cost: float, years: float,
           dt: float) -> np.ndarray:
    """Output after ``dt``: relaxes toward baseline × (1 − cost × new sanctions) with e-folding ``years``."""
    target = baseline * (1.0 - cost * sanctioned)
    return target + (economy - target) * np.exp(-dt / years)
