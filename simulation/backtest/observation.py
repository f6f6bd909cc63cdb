"""The observation model: what the model's affinity is in data (issue 27, item 1).

The model's affinity A is a latent alignment; what is observed is the affinity of two states'
UN votes, y (``runner.observed_affinity``). Their link is estimated, not assumed, on the fit
period only (forecasts with origin + h <= 2009, ``runner.FIT_LAST``), for each horizon h:

- the **level map** ``y_{T+h} = a + b · Â_{T+h} + ε`` (Â: the ensemble mean): how much of the
  model's affinity shows in the votes (b, R²);
- the **forecast map** ``y_{T+h} = a + b · Â_{T+h} + c · y_T + ε``, ε ~ N(0, σ²): the model's
  forecast given what was observed at the origin, a "model output statistics" correction (Glahn &
  Lowry 1972, "The use of model output statistics (MOS) in objective weather forecasting", J.
  Appl. Meteor. 11:1203–1211). b says what the model adds to persistence (c ≈ 1, b ≈ 0: nothing);
  σ is the spread of the predictive distribution N(a + b Â + c y_T, σ² + b² s²), s² the
  ensemble's own variance.

Applied to every origin; scored only on the held-out origins (2010 on), where nothing of them
entered the fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FIT_LAST = 2009  # the last year any estimate may see: the fit period ends here, the held-out one starts after


def training(dyads: pd.DataFrame) -> pd.DataFrame:
    """The dyads an estimate may see: origin + horizon <= FIT_LAST (so origin <= FIT_LAST too)."""
    return dyads[dyads["origin"] + dyads["horizon"] <= FIT_LAST]


def _least_squares(columns: list[np.ndarray], y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(coefficients, residual SD, R²) of y on [1, *columns]."""
    design = np.column_stack([np.ones(len(y)), *columns])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    total = ((y - y.mean()) ** 2).sum()
    return coef, float(resid.std(ddof=design.shape[1])), float(1.0 - (resid @ resid) / total) if total > 0 else 0.0


def fit(dyads: pd.DataFrame) -> pd.DataFrame:
    """Both maps for each horizon, estimated on the fit period's dyads (one row a horizon)."""
    rows = []
    for h, part in training(dyads).groupby("horizon"):
        y, model, start = (part[c].to_numpy(float) for c in ("observed", "predicted", "observed_start"))
        (a0, b0), sd0, r2_0 = _least_squares([model], y)
        (a, b, c), sd, r2 = _least_squares([model, start], y)
        rows.append({"horizon": int(h), "n": len(part), "origins": part["origin"].nunique(),
                     "level_a": a0, "level_b": b0, "level_sd": sd0, "level_r2": r2_0,
                     "a": a, "b": b, "c": c, "sd": sd, "r2": r2})
    return pd.DataFrame(rows)


def apply(dyads: pd.DataFrame, maps: pd.DataFrame) -> pd.DataFrame:
    """``dyads`` with the forecast map's mean (``mapped``) and spread (``mapped_sd``) for every
    origin; NaN for a horizon the fit period has no dyads of.
    """
    m = maps.set_index("horizon").reindex(dyads["horizon"])
    mean = m["a"].to_numpy() + m["b"].to_numpy() * dyads["predicted"].to_numpy() \
        + m["c"].to_numpy() * dyads["observed_start"].to_numpy()
    sd = np.sqrt(m["sd"].to_numpy() ** 2 + (m["b"].to_numpy() * dyads["predicted_sd"].to_numpy()) ** 2)
    return dyads.assign(mapped=mean, mapped_sd=sd)
