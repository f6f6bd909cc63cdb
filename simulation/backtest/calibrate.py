"""Calibration with a held-out period: fit a declared subset of the parameters on early origins,
score the fit on later ones.

- **Split.** The fit sees origins T <= :data:`TRAIN_LAST` (2009) and, of those, only forecasts
  with T + h <= 2009: no observation after 2009 enters it. The held-out origins are T >= 2010.
- **Objective.** The pooled MSE of the model's predicted affinity (the ensemble mean) against the
  observed one over the training dyads, origins and horizons (what ``skill_table`` scores, before
  normalising); or (``objective="crps"``) the mean CRPS of the ensemble, which also sees its
  spread — the objective for noise parameters, which move the mean little.
- **Optimiser.** SciPy's bounded Powell method (``scipy.optimize.minimize(method="Powell")``;
  Powell 1964, *Comput. J.* 7:155–162): derivative-free — the objective is a simulation with no
  gradient — bounded by each parameter's declared range, and deterministic here, because every
  evaluation runs the same seeds (common random numbers), so the objective is a fixed function of
  the parameters. SciPy is already installed for SALib. ``max_evaluations`` caps its cost; it
  stops (converged) when a round of line searches improves the objective by less than 0.1 % —
  far below what the training origins can tell apart (the objective's standard error across
  origins is about 5 %, docs/calibration.md §0).
- **Identification.** ``Calibration.evidence`` compares the fitted point with the start origin by
  origin (each evaluation's objective by origin is kept): the mean paired difference and its
  standard error. A fit whose improvement is within two standard errors is not evidence for
  moving the defaults.
- ``ideal_point_scale`` is not fitted: it also defines the observed affinity, so fitting it
  would move the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from .. import params as P
from . import runner, skill

TRAIN_LAST = runner.FIT_LAST
TEST_FIRST = 2010
OBJECTIVES = {"mse": lambda rows: skill.mse(rows["predicted"], rows["observed"]),
              "crps": lambda rows: float(rows["crps"].mean())}
DEFAULT_FIT = ("lean_rate", "balance_rate", "homophily_strength", "threat_sensitivity")
NOT_FITTED = {"ideal_point_scale": "it also defines the observed affinity (fitting it would move the target)"}


def split(origins: Sequence[int]) -> tuple[list[int], list[int]]:
    """(training origins <= 2009, held-out origins >= 2010)."""
    return [o for o in origins if o <= TRAIN_LAST], [o for o in origins if o >= TEST_FIRST]


def training_rows(dyads: pd.DataFrame) -> pd.DataFrame:
    """The dyads the fit may see: origin <= 2009 and origin + horizon <= 2009."""
    return dyads[(dyads["origin"] <= TRAIN_LAST) & (dyads["origin"] + dyads["horizon"] <= TRAIN_LAST)]


def check_names(names: Sequence[str]) -> list[str]:
    problems = []
    for name in names:
        if name not in P.PARAMETERS:
            problems.append(f"--fit {name}: unknown parameter (see `alliance-sim params`)")
        elif name in NOT_FITTED:
            problems.append(f"--fit {name}: not fitted: {NOT_FITTED[name]}")
    if not names:
        problems.append("--fit: no parameter to fit")
    return problems


@dataclass
class Calibration:
    names: list[str]
    default: dict[str, float]
    fitted: dict[str, float]
    history: list[dict] = field(default_factory=list)  # every evaluation: the parameters and the training objective
    message: str = ""
    objective: str = "mse"
    base: dict = field(default_factory=dict)  # the point the fit starts from (every other parameter's value)
    converged: bool = False  # the optimiser stopped by its tolerance, not by the cap on evaluations

    def evidence(self) -> dict[str, float]:
        """The fitted point against the start, origin by origin: the objective at each, the mean
        paired difference (fitted − start) over the training origins and its standard error.
        """
        first, best = self.history[0], min(self.history, key=lambda h: h[self.objective])
        diff = np.array([best["by_origin"][o] - first["by_origin"][o] for o in first["by_origin"]])
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
        return {"start": first[self.objective], "fitted": best[self.objective], "difference": float(diff.mean()),
                "se": se, "origins": len(diff)}

    def history_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.history, columns=["evaluation", *self.names, self.objective])

    def table(self) -> pd.DataFrame:
        rows = [{"parameter": n, "default": self.default[n], "fitted": self.fitted[n],
                 "low": P.PARAMETERS[n].low, "high": P.PARAMETERS[n].high} for n in self.names]
        return pd.DataFrame(rows)


def calibrate(names: Sequence[str], origins: Sequence[int], horizons: Sequence[int], replicates: int, seed: int,
              workers: int | None = 1, max_evaluations: int = 40, base: dict | None = None,
              progress: Callable[[int], None] | None = None, objective: str = "mse") -> Calibration:
    """Fit ``names`` on the training origins among ``origins`` (see the module docstring)."""
    train, _ = split(origins)
    train = [o for o in train if any(o + h <= TRAIN_LAST for h in horizons)]
    spans = sorted({h for h in horizons if min(train) + h <= TRAIN_LAST}) if train else []
    if not train or not spans:
        raise ValueError(f"no training origin with origin + horizon <= {TRAIN_LAST}")
    start = P.resolve(base or {})
    history: list[dict] = []

    def loss(x: np.ndarray) -> float:
        values = start | {n: float(v) for n, v in zip(names, x)}
        rows = training_rows(runner.backtest(train, spans, replicates, seed, values, workers))
        error = OBJECTIVES[objective](rows)
        by_origin = {int(o): OBJECTIVES[objective](group) for o, group in rows.groupby("origin")}
        history.append({n: values[n] for n in names} | {"evaluation": len(history) + 1, objective: error,
                                                         "by_origin": by_origin})
        if progress:
            progress(1)
        return error

    bounds = [(P.PARAMETERS[n].low, P.PARAMETERS[n].high) for n in names]
    result = minimize(loss, np.array([start[n] for n in names]), method="Powell", bounds=bounds,
                      options={"maxfev": max_evaluations, "xtol": 1e-2, "ftol": 1e-3})
    best = min(history, key=lambda h: h[objective])
    return Calibration(list(names), {n: start[n] for n in names}, {n: best[n] for n in names}, history,
                       str(result.message), objective, dict(base or {}), bool(result.success))


def held_out(cal: Calibration, origins: Sequence[int], horizons: Sequence[int], replicates: int, seed: int,
             workers: int | None = 1) -> pd.DataFrame:
    """The skill table of the held-out ``origins`` with the default and with the fitted values
    (column ``parameters``), the same seeds for both.
    """
    tables = []
    for label, values in (("default", cal.base | cal.default), ("fitted", cal.base | cal.fitted)):
        dyads = runner.backtest(origins, horizons, replicates, seed, values, workers)
        tables.append(runner.skill_table(dyads, seed).assign(parameters=label))
    return pd.concat(tables, ignore_index=True)


def manifest(cal: Calibration, train: Sequence[int], test: Sequence[int], horizons: Sequence[int],
             replicates: int, seed: int, max_evaluations: int) -> dict:
    return runner.manifest([*train, *test], horizons, replicates, seed) | {
        "command": "calibrate",
        "fit": {"parameters": cal.names, "train_origins": list(train), "test_origins": list(test),
                "rule": f"origin <= {TRAIN_LAST} and origin + horizon <= {TRAIN_LAST}",
                "objective": {"mse": "pooled MSE of predicted against observed affinity",
                              "crps": "mean CRPS of the ensemble against observed affinity"}[cal.objective],
                "base": {k: v for k, v in cal.base.items()},
                "optimiser": "scipy.optimize.minimize(method='Powell', bounds = the declared ranges)",
                "max_evaluations": max_evaluations, "evaluations": len(cal.history), "message": cal.message,
                "converged": cal.converged, "evidence": cal.evidence(), "default": cal.default,
                "fitted": cal.fitted}}
