"""Designs of experiments over a spec's factors: full grid, Latin hypercube, Sobol, Morris.

Latin hypercubes come from ``scipy.stats.qmc`` (seeded Generator); the Sobol (Saltelli) and
Morris designs from SALib, seeded, in the row order SALib's analysers expect. Factors that are
dates are sampled as day numbers and rounded to a day; integer parameters and event counts are
rounded. Every design is a DataFrame: ``sample_id`` plus one column per factor.

Categorical factors (an event on or off, a variant) are encoded by the index of their level: a
grid takes every level; a sampled design draws a number u in [0, k) for k levels, uniformly like
any factor, and takes level ⌊u⌋ (the last for u = k) — so each level has probability 1/k, and
variance-based indices (Sobol, RBD-FAST) read the factor as the categorical variable it is. Morris's
elementary effects move along the level index, whose order is the order written in the spec.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from ..params import PARAMETERS
from .spec import Factor, SweepSpec, size


def _number(v) -> float:
    return float(v.toordinal()) if isinstance(v, dt.date) else float(v)


def _bounds(f: Factor) -> list[float]:
    if f.categorical:
        return [0.0, float(len(f.levels))]
    if f.levels is None:
        return [_number(f.low), _number(f.high)]
    return [min(map(_number, f.levels)), max(map(_number, f.levels))]


def problem(spec: SweepSpec) -> dict:
    """The SALib problem: names and numeric bounds (dates as day numbers, categorical factors as
    their level index u in [0, k)).
    """
    names = list(spec.factors)
    return {"num_vars": len(names), "names": names, "bounds": [_bounds(f) for f in spec.factors.values()]}


def level_of(factor: Factor, u: float):
    """The level of a categorical factor for its encoded value u in [0, k]."""
    return factor.levels[min(int(np.floor(u)), len(factor.levels) - 1)]


def _is_integer(name: str, factor: Factor) -> bool:
    if name in PARAMETERS:
        return PARAMETERS[name].integer
    values = [v for v in (factor.low, factor.high, *(factor.levels or [])) if v is not None]
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _finish(values: np.ndarray, spec: SweepSpec) -> pd.DataFrame:
    """Numbers → each factor's type (dates, integers) and a sample_id column."""
    frame = pd.DataFrame(values, columns=list(spec.factors))
    for name, factor in spec.factors.items():
        is_date = isinstance(factor.low if factor.levels is None else factor.levels[0], dt.date)
        if factor.categorical:
            frame[name] = pd.Series([level_of(factor, u) for u in frame[name]], dtype=object)
        elif is_date:
            frame[name] = [dt.date.fromordinal(int(round(v))) for v in frame[name]]
        elif _is_integer(name, factor):
            frame[name] = frame[name].round().astype(int)
    frame.insert(0, "sample_id", np.arange(len(frame)))
    return frame


def _grid(spec: SweepSpec) -> np.ndarray:
    axes = [np.arange(len(f.levels), dtype=float) if f.categorical
            else list(map(_number, f.levels)) if f.levels is not None
            else np.linspace(_number(f.low), _number(f.high), spec.levels)
            for f in spec.factors.values()]
    return np.array(list(itertools.product(*axes)), dtype=float)


def _scaled(unit: np.ndarray, spec: SweepSpec) -> np.ndarray:
    bounds = np.array(problem(spec)["bounds"])
    return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])


def values(spec: SweepSpec) -> np.ndarray:
    """The design as numbers, one row per sample (dates as day numbers, categorical factors as
    their encoded index), as the samplers give it and SALib's analysers read it.
    """
    d = len(spec.factors)
    if spec.design == "grid":
        return _grid(spec)
    if spec.design == "lhs":
        from scipy.stats import qmc  # imported here: worker processes never need scipy.stats

        unit = qmc.LatinHypercube(d=d, rng=np.random.default_rng(spec.seed)).random(spec.samples)
        return _scaled(unit, spec)
    if spec.design == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(problem(spec), spec.samples, calc_second_order=False, seed=spec.seed)
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(problem(spec), spec.samples, num_levels=spec.levels, seed=spec.seed)


def design(spec: SweepSpec) -> pd.DataFrame:
    """The design matrix of ``spec`` (deterministic for a given spec and seed)."""
    return _finish(values(spec), spec)


def expected_runs(spec: SweepSpec) -> int:
    """Number of runs the design asks for (samples × replicates)."""
    return size(spec)
