"""Array helpers shared by mechanisms (no theory of their own)."""

from __future__ import annotations

import numpy as np


def max_product(dense: np.ndarray, sparse: np.ndarray) -> np.ndarray:
    """``out[a, b] = max_k dense[a, k] · sparse[k, b]`` for non-negative arrays, 0 where no k has
    ``sparse[k, b] > 0``.

    The (max, ×) product visits only the non-zero entries of ``sparse`` (treaties and wars are a
    few per state): O(N · nnz) instead of O(N³), and the same floats as the dense product.
    """
    k, b = np.nonzero(sparse)
    out = np.zeros((dense.shape[0], sparse.shape[1]))
    if len(b):
        order = np.argsort(b, kind="stable")
        k, b = k[order], b[order]
        starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
        candidates = dense[:, k] * sparse[k, b][None, :]
        out[:, b[starts]] = np.maximum.reduceat(candidates, starts, axis=1)
    return out
