"""Forecast skill of predicted dyadic affinity against what was observed (pure functions).

- MSE skill score against a reference forecast: ``SS = 1 − MSE(model) / MSE(reference)``
  (Murphy 1988, "Skill scores based on the mean square error and their relationships to the
  correlation coefficient", Monthly Weather Review 116:2417–2424): 1 for a perfect forecast,
  0 for one no better than the reference, negative for a worse one. References: persistence
  (the observed affinity at the origin) and a fitted AR(1) mean reversion (:func:`fit_ar1`).
- Intervals: a moving-block bootstrap over origins (Künsch 1989, "The jackknife and the
  bootstrap for general stationary observations", Ann. Statist. 17:1217–1241): blocks of
  ``block`` consecutive origins are resampled with replacement and the pooled score recomputed,
  so that the dependence between the dyads of one origin is kept, and that between origins whose
  h-year forecast windows overlap (block = h); the 2.5 and 97.5 % quantiles.
- Equal accuracy: the Diebold & Mariano (1995) test ("Comparing predictive accuracy", J. Bus.
  Econ. Stat. 13:253–263) on the per-origin mean loss differential, its variance from the
  autocovariances to lag h − 1, and the small-sample correction of Harvey, Leybourne & Newbold (1997, Int. J.
  Forecasting 13:281–291), two-sided against Student's t with n − 1 degrees of freedom.
- Change: the Pearson correlation of predicted with observed change since the origin, and the
  AUC of the direction of change (Hanley & McNeil 1982) over dyads that moved by more than a
  threshold: the probability that a dyad that rose is given a higher predicted change than one
  that fell (Mann–Whitney U / (n₊ n₋), ties count one half).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata
from scipy.stats import t as t_dist

CHANGE_THRESHOLD = 0.05  # dyads whose observed affinity moved less than this are left out of the AUC


def mse(forecast: np.ndarray, observed: np.ndarray) -> float:
    return float(np.mean((np.asarray(forecast) - np.asarray(observed)) ** 2))


def skill_score(forecast: np.ndarray, reference: np.ndarray, observed: np.ndarray) -> float:
    """``1 − MSE(forecast) / MSE(reference)``; NaN when the reference is perfect."""
    ref = mse(reference, observed)
    return float("nan") if ref == 0 else 1.0 - mse(forecast, observed) / ref


def block_resample(n: int, block: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, n) indices of a moving-block bootstrap of n ordered items: blocks of ``block``
    consecutive items, their starts drawn uniformly with replacement, joined and cut at n.
    """
    block = max(1, min(block, n))
    starts = rng.integers(0, n - block + 1, size=(draws, -(-n // block)))
    return (starts[:, :, None] + np.arange(block)).reshape(draws, -1)[:, :n]


def bootstrap_skill(groups: np.ndarray, forecast: np.ndarray, reference: np.ndarray, observed: np.ndarray,
                    rng: np.random.Generator, draws: int = 1000, block: int = 1) -> tuple[float, float, float]:
    """The pooled skill score and its 95 % moving-block bootstrap interval over ``groups`` (the
    origin of each dyad, resampled in blocks of ``block`` consecutive origins).
    """
    return bootstrap_ratio(groups, (forecast - observed) ** 2, (reference - observed) ** 2, rng, draws, block)


def bootstrap_ratio(groups: np.ndarray, loss: np.ndarray, reference_loss: np.ndarray, rng: np.random.Generator,
                    draws: int = 1000, block: int = 1) -> tuple[float, float, float]:
    """``1 − Σ loss / Σ reference_loss`` (a skill score of any loss) and its 95 % moving-block
    bootstrap interval over ``groups``.
    """
    labels, index = np.unique(np.asarray(groups), return_inverse=True)
    err_f = np.bincount(index, weights=loss, minlength=len(labels))
    err_r = np.bincount(index, weights=reference_loss, minlength=len(labels))
    point = 1.0 - err_f.sum() / err_r.sum() if err_r.sum() > 0 else float("nan")
    if len(labels) < 2:
        return float(point), float("nan"), float("nan")
    picks = block_resample(len(labels), block, draws, rng)
    f, r = err_f[picks].sum(axis=1), err_r[picks].sum(axis=1)
    scores = 1.0 - f / np.where(r > 0, r, np.nan)
    lo, hi = np.nanquantile(scores, [0.025, 0.975])
    return float(point), float(lo), float(hi)


def bootstrap_mean(values: np.ndarray, rng: np.random.Generator, draws: int = 1000,
                   block: int = 1) -> tuple[float, float, float]:
    """The mean of per-origin ``values`` (in origin order; NaN left out) and its 95 % moving-block interval."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return (float(v.mean()) if len(v) else float("nan")), float("nan"), float("nan")
    means = v[block_resample(len(v), block, draws, rng)].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(v.mean()), float(lo), float(hi)


def diebold_mariano(loss_a: np.ndarray, loss_b: np.ndarray, horizon: int = 1) -> tuple[float, float]:
    """(statistic, two-sided p) of equal expected loss of two forecasts, from their losses per
    origin (in origin order): negative when ``a`` has the smaller loss. The autocovariances of the
    differential to lag h − 1 (an h-step forecast's errors overlap h − 1 origins; Bartlett-weighted
    where their plain sum is not positive, Newey & West 1987), the Harvey–Leybourne–Newbold
    correction, Student's t with n − 1 degrees of freedom.
    """
    d = np.asarray(loss_a, float) - np.asarray(loss_b, float)
    n = len(d)
    if n < 3:
        return float("nan"), float("nan")
    u = d - d.mean()
    autocovariance = [u[lag:] @ u[:n - lag] / n for lag in range(min(horizon, n))]
    variance = autocovariance[0] + 2.0 * sum(autocovariance[1:])
    if variance <= 0:  # the truncated sum can fall below zero in short samples: Bartlett weights, which cannot
        variance = autocovariance[0] + 2.0 * sum((1 - lag / horizon) * g for lag, g in enumerate(autocovariance)
                                                 if lag > 0)
    if variance <= 0:
        return float("nan"), float("nan")
    correction = np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    statistic = correction * d.mean() / np.sqrt(variance / n)
    return float(statistic), float(2.0 * t_dist.sf(abs(statistic), n - 1))


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


def fit_ar1_each(start: np.ndarray, end: np.ndarray, least: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Each dyad's own mean reversion ``end = a + φ start``, by least squares over its pairs
    (rows: times, columns: dyads; NaN: not observed), φ kept in [0, 1] (between persistence and
    the dyad's mean); (a, φ), NaN for dyads with fewer than ``least`` pairs or no spread.
    """
    x, y = np.asarray(start, float), np.asarray(end, float)
    seen = np.isfinite(x) & np.isfinite(y)
    n = seen.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.where(seen, x, 0.0).sum(axis=0) / n
        my = np.where(seen, y, 0.0).sum(axis=0) / n
        dx, dy = np.where(seen, x - mx, 0.0), np.where(seen, y - my, 0.0)
        phi = np.clip((dx * dy).sum(axis=0) / (dx * dx).sum(axis=0), 0.0, 1.0)
    ok = (n >= least) & ((dx * dx).sum(axis=0) > 0)
    phi = np.where(ok, phi, np.nan)
    return my - phi * mx, phi
