"""Array helpers shared by mechanisms (no theory of their own).

Every mechanism takes one state's arrays — (N,) per state, (N, N) per pair — or a stack of them
with leading axes (a batch of replicates, (..., N) and (..., N, N)) and returns, item by item,
the same bits: it transposes with ``.mT``, reduces along ``axis=-1`` / ``-2``, multiplies a
matrix by a vector with ``np.matvec`` / ``np.vecmat``, and zeroes diagonals with
``zero_diagonal``; a step whose work depends on the item's values (a subset of columns, a
sparse pattern) runs item by item through ``each`` (``test_batch_axis``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

DENSE_MAX = 32  # up to this many states the dense (max, ×) product is faster than the sparse one


@lru_cache(maxsize=16)
def upper(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(n, 1)``, kept per n (read-only): the pairs i < j."""
    iu = np.triu_indices(n, 1)
    for a in iu:
        a.setflags(write=False)
    return iu


@lru_cache(maxsize=16)
def upper_flat(n: int) -> np.ndarray:
    """Row-major offsets of the pairs i < j in an (n, n) array (read-only): ``a.ravel()[upper_flat(n)]``
    is ``a[upper(n)]``, the same values in the same order, gathered along one axis.
    """
    i, j = upper(n)
    flat = i * n + j
    flat.setflags(write=False)
    return flat


@lru_cache(maxsize=16)
def _range(n: int) -> np.ndarray:
    r = np.arange(n)
    r.setflags(write=False)
    return r


def zero_diagonal(a: np.ndarray) -> np.ndarray:
    """Set the diagonal of every (N, N) item of ``a`` to zero, in place (``np.fill_diagonal`` for stacks)."""
    if a.ndim == 2:
        np.fill_diagonal(a, 0)
    else:
        r = _range(a.shape[-1])
        a[..., r, r] = 0
    return a


def at(index: np.ndarray) -> tuple:
    """Fancy indices that pick, for every row i of every item, the entry ``index[..., i]``:
    ``x[at(index)]`` is ``x[..., i, index[..., i]]`` of a stack of matrices, ``x[..., index[..., i]]``
    of a stack of vectors (rows of a matrix when ``x`` is one): for ``index`` (N,) or (B, N).
    """
    rows = _range(index.shape[-1])
    if index.ndim == 1:
        return rows, index
    return _range(index.shape[0])[:, None], rows, index


def of(index: np.ndarray) -> tuple:
    """Fancy indices that pick, for every row i of every item, the vector or row ``index[..., i]``
    of that item: ``x[of(index)]`` is ``x[..., index[..., i]]`` (for ``index`` (N,) or (B, N)).
    """
    return (index,) if index.ndim == 1 else (_range(index.shape[0])[:, None], index)


def each(function, *arrays: np.ndarray) -> np.ndarray:
    """``function`` of one item, applied to every item of stacks with one leading axis, stacked again."""
    return np.stack([function(*items) for items in zip(*arrays, strict=True)])


def by_columns(function, sources: np.ndarray, *arrays: np.ndarray) -> np.ndarray:
    """``function(columns, *items)`` for every item of stacks with one leading axis, where ``columns``
    are the item's columns of ``sources`` (B, N) that hold; the items that share their columns are
    computed as one stack (``function`` takes a stack, and gives each item the bits it gets alone).
    """
    keys = np.packbits(sources, axis=-1)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    out = None
    for g in range(group.max() + 1):
        rows = np.flatnonzero(group == g)
        part = function(np.flatnonzero(sources[rows[0]]), *(a[rows] for a in arrays))
        if out is None:
            out = np.empty((len(sources), *part.shape[1:]), dtype=part.dtype)
        out[rows] = part
    return out


def max_product(dense: np.ndarray, sparse: np.ndarray) -> np.ndarray:
    """``out[a, b] = max_k dense[a, k] · sparse[k, b]`` for non-negative arrays, 0 where no k has
    ``sparse[k, b] > 0``.

    The (max, ×) product visits only the non-zero entries of ``sparse`` (treaties and wars are a
    few per state): O(N · nnz) instead of O(N³), and the same floats as the dense product.
    """
    if (dense.ndim > 2 or sparse.ndim > 2) and dense.shape[-2] <= DENSE_MAX:  # a stack, small: at once
        return np.maximum((dense[..., :, :, None] * sparse[..., None, :, :]).max(axis=-2), 0.0)
    if dense.ndim > 2 or sparse.ndim > 2:  # a stack: the sparse pattern is each item's own
        if sparse.ndim == 2:
            return each(lambda d: max_product(d, sparse), dense)
        if dense.ndim == 2:
            return each(lambda s: max_product(dense, s), sparse)
        return each(max_product, dense, sparse)
    if dense.shape[0] <= DENSE_MAX:  # the same products and maxima, by broadcasting
        if not dense.size or not sparse.size:
            return np.zeros((dense.shape[0], sparse.shape[1]))
        return np.maximum((dense[:, :, None] * sparse[None, :, :]).max(axis=1), 0.0)
    k, b = np.nonzero(sparse)
    out = np.zeros((dense.shape[0], sparse.shape[1]))
    if len(b):
        order = np.argsort(b, kind="stable")
        k, b = k[order], b[order]
        starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
        candidates = dense[:, k] * sparse[k, b][None, :]
        out[:, b[starts]] = np.maximum.reduceat(candidates, starts, axis=1)
    return out


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
