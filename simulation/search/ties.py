"""Which of several near-equal partitions a search keeps: scores by one product, exact scores near
the minimum, and the searches' rule among them.
"""

from __future__ import annotations

import numpy as np


def first_minimum(values: np.ndarray, keys, exact, chunk: int, scale: float) -> tuple[int, float]:
    """The row a chunked enumeration keeps, from approximate ``values`` of every row.

    The enumerations of ``blocs.exact_blocs`` and ``coalitions.exact_minimum`` keep, chunk after
    chunk of ``chunk`` rows, the first minimum of the chunk if it beats the best so far by more
    than 1e-12. Only rows within rounding of the minimum can end up kept: ``exact(rows)`` (the
    enumeration's own function, which gives the same numbers row by row as over a whole chunk)
    recomputes one row of each distinct ``keys`` among those (rows with equal keys have equal
    values), and the enumeration's rule picks among them. So the result is the enumeration's,
    while every other row costs one matrix-vector product (or a compiled loop, ``kernels``).
    """
    near = np.flatnonzero(values <= values.min() + 1e-10 * (1.0 + scale))
    first: dict[bytes, int] = {}
    near_keys = keys(near) if callable(keys) else keys[near]  # ``keys``: an array of rows, or rows → their keys
    group = [first.setdefault(key.tobytes(), len(first)) for key in near_keys]
    if len(first) == 1:
        return int(near[0]), float(np.atleast_1d(exact(near[:1]))[0])
    leaders = np.array([int(near[group.index(g)]) for g in range(len(first))])
    exact_values = np.atleast_1d(exact(leaders))[group]
    best, best_value = -1, np.inf
    for c in np.unique(near // chunk):
        inside = near // chunk == c
        j = int(np.argmin(exact_values[inside]))
        if exact_values[inside][j] < best_value - 1e-12:
            best, best_value = int(near[inside][j]), float(exact_values[inside][j])
    return best, best_value


def first_minima(values: np.ndarray, groups: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``first_minimum`` for a stack of items at once, where it needs no exact scores.

    ``values`` (B, M): approximate values of the rows of each item; ``groups`` (M,): the rows' key
    ids (equal keys, equal ids); ``scales`` (B,). For each item: its first row within the window of
    ``first_minimum`` and whether every row in the window is in that row's group (``settled``) —
    then ``first_minimum`` keeps that row, whatever the rounding of the values. An item that is not
    settled (ties between partitions, values that are not finite) goes through ``first_minimum``.
    """
    low = values.min(axis=-1, keepdims=True)
    near = values <= low + 1e-10 * (1.0 + scales)[:, None]
    first = near.argmax(axis=-1)
    settled = ~(near & (groups[None, :] != groups[first][:, None])).any(axis=-1) & np.isfinite(low[:, 0])
    return first, settled


KEPT_WINDOW = 1e-8  # relative window of ``first_kept``: far above rounding, far above a chain of 1e-12 steps


def first_kept(approx: np.ndarray, keys: np.ndarray, exact, scale: float,
               incumbent: float = np.inf) -> tuple[int, float]:
    """The row the loop ``if value < best - 1e-12: keep it`` keeps over rows in order (the first
    found among equals), and its exact value, from approximate values ``approx`` of every row.

    ``exact(rows)`` is the searches' own scoring function (``blocs.frustration``,
    ``coalitions.energy``); ``approx`` the same sum computed otherwise (a matrix product), within
    a few N·eps·``scale`` of it. Only rows within KEPT_WINDOW · (1 + ``scale``) of the lowest can
    be kept: a row further up is replaced by any row near the minimum that follows it, and
    cannot replace one that precedes it, whatever its exact value. Those rows are scored
    exactly, once per distinct ``keys`` row (equal keys, e.g. the same partition, have equal
    values), and the loop's rule runs on them; so the result is the loop's, while every other row
    costs one product. The loop starts from ``incumbent`` (the best value of earlier rows not
    given here); when no row beats it, the row returned is −1.
    """
    if np.isfinite(approx).all():
        near = np.flatnonzero(approx <= approx.min() + KEPT_WINDOW * (1.0 + scale))
    else:  # the products overflowed (or the weights hold NaN): every row scored exactly, as the loop does
        near = np.arange(len(approx))
    first: dict[bytes, int] = {}
    group = [first.setdefault(keys[i].tobytes(), len(first)) for i in near.tolist()]
    leaders = np.array([int(near[group.index(g)]) for g in range(len(first))])
    values = np.atleast_1d(exact(leaders))[group].tolist()
    best, best_value = -1, incumbent
    for i, value in zip(near.tolist(), values):
        if value < best_value - 1e-12:
            best, best_value = i, float(value)
    return best, best_value
