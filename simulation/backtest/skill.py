"""Forecast skill of predicted dyadic affinity against what was observed (pure functions).

- MSE skill score against a reference forecast: ``SS = 1 − MSE(model) / MSE(reference)``
  (Murphy 1988, "Skill scores based on the mean square error and their relationships to the
  correlation coefficient", Monthly Weather Review 116:2417–2424): 1 for a perfect forecast,
  0 for one no better than the reference, negative for a worse one. References: persistence
  (the observed affinity at the origin) and a fitted AR(1) mean reversion (:func:`fit_ar1`).
- Intervals: a bootstrap over origins (Efron & Tibshirani 1993, ch. 6 and 13): origins are
  resampled with replacement and the pooled score recomputed, so that the dependence between
  the dyads of one origin is kept; the 2.5 and 97.5 % quantiles.
- Change: the Pearson correlation of predicted with observed change since the origin, and the
  AUC of the direction of change (Hanley & McNeil 1982) over dyads that moved by more than a
  threshold: the probability that a dyad that rose is given a higher predicted change than one
  that fell (Mann–Whitney U / (n₊ n₋), ties count one half).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

CHANGE_THRESHOLD = 0.05  # dyads whose observed affinity moved less than this are left out of the AUC


def mse(forecast: np.ndarray, observed: np.ndarray) -> float:
    return float(np.mean((np.asarray(forecast) - np.asarray(observed)) ** 2))


def skill_score(forecast: np.ndarray, reference: np.ndarray, observed: np.ndarray) -> float:
    """``1 − MSE(forecast) / MSE(reference)``; NaN when the reference is perfect."""
    ref = mse(reference, observed)
    return float("nan") if ref == 0 else 1.0 - mse(forecast, observed) / ref


def bootstrap_skill(groups: np.ndarray, forecast: np.ndarray, reference: np.ndarray, observed: np.ndarray,
                    rng: np.random.Generator, draws: int = 1000) -> tuple[float, float, float]:
    """The pooled skill score and its 95 % bootstrap interval over ``groups`` (the origin of each dyad)."""
    groups = np.asarray(groups)
    labels, index = np.unique(groups, return_inverse=True)
    err_f = np.bincount(index, weights=(forecast - observed) ** 2, minlength=len(labels))
    err_r = np.bincount(index, weights=(reference - observed) ** 2, minlength=len(labels))
    point = 1.0 - err_f.sum() / err_r.sum() if err_r.sum() > 0 else float("nan")
    if len(labels) < 2:
        return float(point), float("nan"), float("nan")
    picks = rng.integers(0, len(labels), size=(draws, len(labels)))
    f, r = err_f[picks].sum(axis=1), err_r[picks].sum(axis=1)
    scores = 1.0 - f / np.where(r > 0, r, np.nan)
    lo, hi = np.nanquantile(scores, [0.025, 0.975])
    return float(point), float(lo), float(hi)


def change_correlation(predicted_change: np.ndarray, observed_change: np.ndarray) -> float:
    """Pearson correlation of predicted with observed change (NaN if either does not vary)."""
    p, o = np.asarray(predicted_change, float), np.asarray(observed_change, float)
    if len(p) < 2 or p.std() == 0 or o.std() == 0:
        return float("nan")
    return float(np.corrcoef(p, o)[0, 1])


def direction_auc(predicted_change: np.ndarray, observed_change: np.ndarray,
                  threshold: float = CHANGE_THRESHOLD) -> tuple[float, int]:
    """AUC of the direction of change among dyads with |observed change| > ``threshold``, and how many."""
    p, o = np.asarray(predicted_change, float), np.asarray(observed_change, float)
    moved = np.abs(o) > threshold
    p, up = p[moved], o[moved] > 0
    n_up, n_down = int(up.sum()), int((~up).sum())
    if n_up == 0 or n_down == 0:
        return float("nan"), int(moved.sum())
    ranks = rankdata(p)
    u = ranks[up].sum() - n_up * (n_up + 1) / 2
    return float(u / (n_up * n_down)), int(moved.sum())


def fit_ar1(start: np.ndarray, end: np.ndarray) -> tuple[float, float]:
    """Mean reversion ``end − μ = φ (start − μ)`` fitted by least squares (``end = a + φ start``,
    μ = a / (1 − φ)); returns (φ, μ). With fewer than two pairs, or no spread, persistence (1, 0).
    """
    x, y = np.asarray(start, float), np.asarray(end, float)
    if len(x) < 2 or x.std() == 0:
        return 1.0, 0.0
    phi, a = np.polyfit(x, y, 1)
    mu = a / (1.0 - phi) if abs(1.0 - phi) > 1e-9 else 0.0
    return float(phi), float(mu)


def ar1_forecast(start: np.ndarray, phi: float, mu: float) -> np.ndarray:
    return mu + phi * (np.asarray(start, float) - mu)
