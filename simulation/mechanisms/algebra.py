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
