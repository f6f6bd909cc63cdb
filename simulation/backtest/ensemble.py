"""Scores of the ensemble, not only of its mean: is the model's uncertainty the world's?

- **CRPS** (continuous ranked probability score; Matheson & Winkler 1976; Gneiting & Raftery
  2007, "Strictly proper scoring rules, prediction, and estimation", JASA 102:359–378), by
  ``scoringrules`` with the *fair* estimator (Ferro 2014, "Fair scores for ensemble forecasts",
  QJRMS 140:1917–1923): the score the ensemble would get if it had infinitely many members, so
  that a four-member ensemble is not penalised for its size. The reference forecast is a
  *persistence ensemble*: the observed affinity at the origin with a normal spread, the standard
  deviation of the observed h-year changes of the fit period (``spread``).
- **Coverage**: the share of observations inside the ensemble's central 50 % and 90 % intervals
  (its quantiles at the Weibull plotting positions): well calibrated near 0.5 and 0.9.
- **PIT** (probability integral transform; Dawid 1984; for ensembles the rank of the observation
  among the members, ties split at random — Hamill 2001, "Interpretation of rank histograms",
  Monthly Weather Review 129:550–560): uniform on [0, 1] when the ensemble is calibrated, U-shaped
  when it is too narrow, peaked when too wide.
"""

from __future__ import annotations

import numpy as np

LEVELS = (0.5, 0.9)  # central intervals whose coverage is scored
PIT_BINS = 10


def crps(members: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Each forecast's CRPS: ``members`` (members, forecasts) against ``observed`` (forecasts); for a
    single member, where the fair estimator is undefined, its absolute error.
    """
    import scoringrules as sr  # on first use: it imports numba

    members = np.asarray(members, float)
    return np.asarray(sr.crps_ensemble(np.asarray(observed, float), members, m_axis=0,
                                       estimator="fair" if members.shape[0] > 1 else "nrg"), dtype=float)


def crps_normal(mean: np.ndarray, sd: float | np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Each forecast's CRPS for a normal predictive distribution N(mean, sd²)."""
    import scoringrules as sr

    return np.asarray(sr.crps_normal(np.asarray(observed, float), np.asarray(mean, float), sd), dtype=float)


def inside(members: np.ndarray, observed: np.ndarray, level: float) -> np.ndarray:
    """Whether each observation lies in the ensemble's central ``level`` interval: its quantiles at
    the Weibull plotting positions p (m + 1), between which an observation exchangeable with the m
    members falls with probability ``level`` (an ensemble of m members cannot cover more than
    (m − 1) / (m + 1): 0.6 for four).
    """
    lo, hi = np.quantile(np.asarray(members, float), [(1 - level) / 2, (1 + level) / 2], axis=0, method="weibull")
    return (observed >= lo) & (observed <= hi)


def inside_normal(mean: np.ndarray, sd: np.ndarray, observed: np.ndarray, level: float) -> np.ndarray:
    """Whether each observation lies in the central ``level`` interval of N(mean, sd²)."""
    from scipy.stats import norm

    return np.abs(np.asarray(observed, float) - mean) <= norm.ppf((1 + level) / 2) * np.asarray(sd, float)


def pit(members: np.ndarray, observed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each observation's randomised PIT among the members: (below + U · (equal + 1)) / (m + 1),
    U uniform on [0, 1) — uniform when the observation is exchangeable with the members.
    """
    members = np.asarray(members, float)
    below = (members < observed).sum(axis=0)
    equal = (members == observed).sum(axis=0)
    return (below + rng.random(np.shape(observed)) * (equal + 1)) / (members.shape[0] + 1)


def spread(start: np.ndarray, end: np.ndarray) -> float:
    """The standard deviation of observed changes ``end − start`` (the persistence ensemble's spread)."""
    change = np.asarray(end, float) - np.asarray(start, float)
    return float(change.std()) if len(change) > 1 else float("nan")
