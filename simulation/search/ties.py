"""The searches' one rule among candidate partitions: the lowest exact value, and among exact
equals the first in order (the enumeration's order, or the order of the descents' starts).

"Exact" is the definition — ``mechanisms.coalitions.energy``, ``mechanisms.blocs.frustration`` —
computed for one network at a time, so that what a search keeps for a network never depends on
the other networks of its stack. Scoring every candidate that way would cost (M, N, N) arrays;
the searches score all candidates at once by matrix products (or compiled loops), which round
otherwise, and this module scores exactly only the candidates within WINDOW of the lowest
product — far wider than any rounding of a product of N ≤ 2,000 terms — one candidate per
distinct partition (candidates with equal keys are the same partition, of equal value).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WINDOW = 1e-8  # relative to 1 + Σ|w|: rows further above the lowest product cannot be the lowest exactly


def near_lowest(approx: np.ndarray, scale: float) -> np.ndarray:
    """The rows within WINDOW of the lowest approximate value (every row, if any value is not finite)."""
    if not np.isfinite(approx).all():
        return np.arange(len(approx))
    return np.flatnonzero(approx <= approx.min() + WINDOW * (1.0 + scale))


def lowest(approx: np.ndarray, keys: np.ndarray | Callable[[np.ndarray], np.ndarray],
           exact: Callable[[np.ndarray], np.ndarray], scale: float) -> tuple[int, float]:
    """The row kept among candidates with approximate values ``approx`` (M,), and its exact value.

    ``keys``: one key row per candidate (or a function of candidate rows giving theirs): equal keys
    are the same partition; ``exact(rows)``: the exact values of candidate rows; ``scale``: Σ|w|.
    """
    near = near_lowest(approx, scale)
    near_keys = keys(near) if callable(keys) else keys[near]
    first: dict[bytes, int] = {}
    group = np.array([first.setdefault(np.asarray(key).tobytes(), len(first)) for key in near_keys])
    leaders = near[np.unique(group, return_index=True)[1]]  # the first candidate of each partition
    values = np.atleast_1d(exact(leaders))
    j = int(np.argmin(values))  # the first of the lowest: leaders are in candidate order
    return int(leaders[j]), float(values[j])


def lowest_each(approx: np.ndarray, groups: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``lowest`` for a stack of networks scored against the same candidates, where it needs no
    exact score: ``approx`` (B, M), ``groups`` (M,) partition ids of the candidates, ``scales`` (B,).

    For each network: its first candidate near the lowest, and whether every candidate near the
    lowest is that one's partition (``settled``: then it is the one ``lowest`` keeps). The others
    (ties between partitions, values that are not finite) go through ``lowest`` one by one.
    """
    low = approx.min(axis=-1, keepdims=True)
    near = approx <= low + WINDOW * (1.0 + scales)[:, None]
    first = near.argmax(axis=-1)
    settled = ~(near & (groups[None, :] != groups[first][:, None])).any(axis=-1) & np.isfinite(approx).all(axis=-1)
    return first, settled

