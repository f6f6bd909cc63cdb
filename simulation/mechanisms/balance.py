"""Structural balance: the friend of my enemy becomes my enemy.

Theory: Heider (1946) "Attitudes and cognitive organization", J. Psychology 21:107-112;
Cartwright & Harary (1956) "Structural balance: a generalization of Heider's theory",
Psychological Review 63(5):277-293. Continuous dynamics: Kułakowski, Gawroński & Gronek (2005)
"The Heider balance: a continuous approach", Int. J. Mod. Phys. C 16(5):707-716, with the bounded
form dR/dt = (1 - (R/R_max)^2) R·R; Marvel, Kleinberg, Kleinberg & Strogatz (2011) "Continuous-time
model of structural balance", PNAS 108(5):1771-1776, dX/dt = X^2, whose solution splits into the
two factions given by the signs of the leading eigenvector of X(0).

The model's relation dynamics (``balance_drift``, parameter ``balance_rate`` in 1/year) is the
bounded form normalised by the number of third parties; it is computed by ``heider_rhs``, the same
function that the validation against both papers integrates (``docs/validation.md``). The
validation-only helpers (Marvel et al.'s closed form and blow-up time, RK4, the bounded Kułakowski
integration, faction and balance tests) are in ``simulation.validation.heider``; discrete triad
dynamics (Antal, Krapivsky & Redner 2005) are in ``simulation.validation.triads``. The model
imports neither.
"""

from __future__ import annotations

import numpy as np

from .algebra import zero_diagonal


def heider_rhs(relations: np.ndarray, r_max: float | None = None, rate: float = 1.0,
               third_parties: float = 1.0) -> np.ndarray:
    """Right-hand side of the continuous Heider dynamics, with a zero diagonal.

    ``rate · (1 - (R/r_max)^2) ⊙ (R·R) / third_parties`` (Kułakowski et al. 2005), or without the
    bounding factor when ``r_max`` is None. R has a zero diagonal, so (R·R)_ij sums R_ik R_kj over
    third parties k only.
    """
    triads = relations @ relations / third_parties
    drift = rate * triads if r_max is None else rate * (1.0 - (relations / r_max) ** 2) * triads
    return zero_diagonal(drift)


def balance_drift(affinity: np.ndarray, rate: float) -> np.ndarray:
    """dA/dt of the bounded Kułakowski form, normalised by the number of third parties.

    ``affinity`` is symmetric with a zero diagonal and entries in [-1, 1]; so (A·A)_ij sums
    A_ik A_kj over third parties k only. The factor (1 - A^2) keeps entries inside [-1, 1].
    """
    n = affinity.shape[-1]
    if n < 3:
        return np.zeros_like(affinity)
    return heider_rhs(affinity, r_max=1.0, rate=rate, third_parties=n - 2)
