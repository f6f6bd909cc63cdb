"""Structural balance: the friend of my enemy becomes my enemy.

Theory: Heider (1946) "Attitudes and cognitive organization", J. Psychology 21:107-112;
Cartwright & Harary (1956) "Structural balance: a generalization of Heider's theory",
Psychological Review 63(5):277-293. Continuous dynamics: Kułakowski, Gawroński & Gronek (2005)
"The Heider balance: a continuous approach", Int. J. Mod. Phys. C 16(5):707-716, with the bounded
form dR/dt = (1 - (R/R_max)^2) R·R; Marvel, Kleinberg, Kleinberg & Strogatz (2011) "Continuous-time
model of structural balance", PNAS 108(5):1771-1776, dX/dt = X^2, whose solution splits into the
two factions given by the signs of the leading eigenvector of X(0).

Parameter: ``balance_rate`` (1/year).
"""

from __future__ import annotations

import numpy as np


def balance_drift(affinity: np.ndarray, rate: float) -> np.ndarray:
    """dA/dt of the bounded Kułakowski form, normalised by the number of third parties.

    ``affinity`` is symmetric with a zero diagonal and entries in [-1, 1]; so (A·A)_ij sums
    A_ik A_kj over third parties k only. The factor (1 - A^2) keeps entries inside [-1, 1].
    """
    n = affinity.shape[0]
    if n < 3:
        return np.zeros_like(affinity)
    triads = affinity @ affinity / (n - 2)
    drift = rate * (1.0 - affinity**2) * triads
    np.fill_diagonal(drift, 0.0)
    return drift


def leading_eigenvector_factions(matrix: np.ndarray) -> np.ndarray:
    """Faction labels (0/1) from the signs of the leading eigenvector (Marvel et al. 2011)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    lead = vectors[:, np.argmax(values)]
    lead = lead if lead[np.argmax(np.abs(lead))] > 0 else -lead
    return (lead < 0).astype(int)


def is_balanced(signs: np.ndarray) -> bool:
    """True when every triad of the complete signed graph has a positive product."""
    s = np.sign(signs)
    n = s.shape[0]
    triads = np.einsum("ij,jk,ki->ijk", s, s, s)
    mask = np.ones((n, n, n), dtype=bool)
    idx = np.arange(n)
    mask[idx, idx, :] = mask[idx, :, idx] = mask[:, idx, idx] = False
    return bool(np.all(triads[mask] > 0))
