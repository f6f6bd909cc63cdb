"""Alignment of each state between the two coalitions, and the polarization of the system.

Theory: Axelrod & Bennett (1993) "A landscape theory of aggregation", British Journal of
Political Science 23(2):211-233 — the system splits into two coalitions weighted by size; a
state's alignment is how much nearer it stands to one than to the other, and polarization is
the size-weighted agreement of affinities with the split (the negative of the landscape's
energy, normalised), cf. Esteban & Ray (1994) on polarization as identification within groups
and alienation between them.
"""

from __future__ import annotations

import numpy as np


def alignment(affinity: np.ndarray, sizes: np.ndarray, in_first: np.ndarray) -> np.ndarray:
    """(mean affinity to the first coalition − to the second) / 2, size-weighted: in [−1, 1]."""
    sa, sb = sizes * in_first, sizes * ~in_first
    total_a = np.maximum(sa.sum(axis=-1, keepdims=True), 1e-12)
    total_b = np.maximum(sb.sum(axis=-1, keepdims=True), 1e-12)
    return (np.matvec(affinity, sa) / total_a - np.matvec(affinity, sb) / total_b) / 2.0


def polarization(affinity: np.ndarray, sizes: np.ndarray, coalition: np.ndarray) -> float | np.ndarray:
    """Σ_{i<j} s_i s_j A_ij (+1 same coalition, −1 not) / Σ_{i<j} s_i s_j: 1 when friends are together
    and enemies apart.
    """
    same = np.where(coalition[..., :, None] == coalition[..., None, :], 1.0, -1.0)
    w = np.triu(sizes[..., :, None] * sizes[..., None, :], 1)
    out = (w * affinity * same).sum(axis=(-2, -1)) / w.sum(axis=(-2, -1))
    return float(out) if out.ndim == 0 else out
