"""Compare a base scenario with its counterfactual variants over ensembles.

Base and variants run with the *same* seeds (``SeedSequence(seed).spawn(K)``): common random
numbers, so replicate r of a variant differs from replicate r of the base only by what the
variant changes, and paired differences have far less noise than independent ensembles.
Results are tidy tables: ``bands`` (median and 5–95% per scenario, metric, subject and date)
and ``effects`` (variant − base, paired by replicate, at chosen dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import Calendar
from .runner import RunResult, package_version, run, shifted
from .scenario import LoadedScenario, ScenarioError
from .scenario.loader import display

STATE_METRICS = ("front_strength", "manpower", "munitions", "economy", "capability", "tech",
                 "foreign_troops", "manpower_strain", "alignment")
PAIR_METRICS = ("affinity", "tension")
MODEL_SKIP = ("replicate", "step", "date")
QUANTILES = (0.05, 0.5, 0.95)


def calendar_problems(base: LoadedScenario, variant: LoadedScenario) -> list[str]:
    """Why two scenarios cannot be compared step by step (empty when they can)."""
    a, b = base.scenario.calendar, variant.scenario.calendar
    where = display(variant.path)
    problems = []
    if a.start != b.start:
        problems.append(f"{where}: calendar.start {b.start} differs from the base's {a.start}: "
                        "runs cannot be compared date by date")
    if a.step != b.step:
        problems.append(f"{where}: calendar.step {b.step!r} differs from the base's {a.step!r}")
    return problems


def long_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every compared series of a run's tables in long form: replicate, date, metric, subject, value."""
    model = tables["model"].drop(columns=["step"]).melt(id_vars=["replicate", "date"], var_name="metric")
    model["subject"] = ""
    states = tables["states"].melt(id_vars=["replicate", "date", "state"], value_vars=list(STATE_METRICS),
                                var_name="metric").rename(columns={"state": "subject"})
    pairs = tables["pairs"].assign(subject=tables["pairs"]["a"] + "–" + tables["pairs"]["b"]).melt(
        id_vars=["replicate", "date", "subject"], value_vars=list(PAIR_METRICS), var_name="metric")
    out = pd.concat([model, states, pairs], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out[["replicate", "date", "metric", "subject", "value"]]


def bands_of(name: str, long: pd.DataFrame) -> pd.DataFrame:
    """Median and 5–95% band over replicates for every series."""
    grouped = long.groupby(["metric", "subject", "date"], sort=True)["value"]
    q = grouped.quantile(list(QUANTILES)).unstack()
    q.columns = ["lo", "med", "hi"]
    q["n"] = grouped.size()
    q = q.reset_index()
    q.insert(0, "scenario", name)
    return q


def effects_of(name: str, base: pd.DataFrame, variant: pd.DataFrame, dates: list[pd.Timestamp]) -> pd.DataFrame:
    """Paired variant − base differences at ``dates`` (replicate by replicate)."""
    keys = ["metric", "subject", "date", "replicate"]
    b = base[base["date"].isin(dates)].set_index(keys)["value"]
    v = variant[variant["date"].isin(dates)].set_index(keys)["value"]
    both = pd.concat({"base": b, "variant": v}, axis=1, join="inner").reset_index()
    both["effect"] = both["variant"] - both["base"]
    both["positive"] = both["effect"] > 0
    both["negative"] = both["effect"] < 0
    g = both.groupby(["metric", "subject", "date"], sort=True)
    out = pd.DataFrame({
        "base_median": g["base"].median(), "variant_median": g["variant"].median(),
        "effect_median": g["effect"].median(), "effect_lo": g["effect"].quantile(QUANTILES[0]),
        "effect_hi": g["effect"].quantile(QUANTILES[2]), "share_positive": g["positive"].mean(),
        "share_negative": g["negative"].mean(),
        "replicates": g.size(),
    }).reset_index()
    # relative to the base, but never to a base smaller than the metric's typical size at that date
    # (the mean |base| over its subjects): among 18,000 pairs, a pair whose base is ~0 would
    # otherwise have the largest relative effect of all for a change of 0.001
    typical = out.groupby(["metric", "date"])["base_median"].transform(lambda b: b.abs().mean())
    scale = np.maximum(out["base_median"].abs(), typical)
    out["relative_effect"] = (out["effect_median"] / scale).where(scale > 1e-9)
    out.insert(0, "variant", name)
    return out


def default_dates(dates: list[pd.Timestamp]) -> list[pd.Timestamp]:
    """A third of the way, two thirds, and the end."""
    picks = [dates[len(dates) // 3], dates[2 * len(dates) // 3], dates[-1]]
    return list(dict.fromkeys(picks))


@dataclass
class Comparison:
    base: RunResult
    variants: dict[str, RunResult]
    bands: pd.DataFrame
    effects: pd.DataFrame
    dates: list[pd.Timestamp]

    @property
    def events(self) -> dict[str, pd.DataFrame]:
        runs = {self.base.loaded.scenario.name: self.base} | self.variants
        return {name: r.events for name, r in runs.items()}

    def manifest(self) -> dict:
        base = self.base.manifest()
        return base | {
            "command": "compare",
            "comparison": {
                "base": self.base.loaded.scenario.name,
                "variants": {name: {"file": str(r.loaded.path), "sha256": r.loaded.sha256,
                                    "files": r.loaded.file_hashes, "parameters": r.params}
                             for name, r in self.variants.items()},
                "common_random_numbers": "base and every variant use the same seeds: replicate r of each "
                                         "is seeded with child r of SeedSequence(seed).spawn(replicates); "
                                         "effects are paired differences, replicate by replicate",
                "effect_dates": [str(d.date()) for d in self.dates],
                "version": package_version(),
            }
        }


def compare(base: LoadedScenario, variants: list[LoadedScenario], replicates: int = 100,
            seed: int | None = None, params: dict | None = None, at: list[dt.date] | None = None,
            progress: Callable[[int], None] | None = None, workers: int | None = 1) -> Comparison:
    """Ensembles of the base and each variant with common random numbers; bands and effects."""
    problems = [p for v in variants for p in calendar_problems(base, v)]
    names = [base.scenario.name] + [v.scenario.name for v in variants]
    if len(set(names)) != len(names):
        problems.append(f"scenario names must differ to be compared (got {', '.join(names)}): "
                        "give each variant its own name")
    if problems:
        raise ScenarioError(problems)
    horizon = [pd.Timestamp(d) for d in Calendar(base.scenario.calendar.start, min(
        [base.scenario.calendar.end] + [v.scenario.calendar.end for v in variants])).dates()]
    chosen = list(dict.fromkeys(_row_date(horizon, day) for day in at)) if at else None  # fails before any run
    seed = base.scenario.seed if seed is None else seed
    ensemble = dict(seed=seed, replicates=replicates, params=params, workers=workers)
    base_run = run(base, progress=shifted(progress, 0), **ensemble)
    runs = {v.scenario.name: run(v, progress=shifted(progress, (i + 1) * replicates), **ensemble)
            for i, v in enumerate(variants)}
    longs = {base.scenario.name: long_table(base_run.tables)} | {n: long_table(r.tables) for n, r in runs.items()}
    common = set.intersection(*(set(t["date"]) for t in longs.values()))
    all_dates = sorted(pd.Timestamp(d) for d in common)
    dates = chosen or default_dates(all_dates)
    bands = pd.concat([bands_of(name, t[t["date"].isin(common)]) for name, t in longs.items()], ignore_index=True)
    base_long = longs[base.scenario.name]
    effects = pd.concat([effects_of(name, base_long, longs[name], dates) for name in runs], ignore_index=True)
    return Comparison(base_run, runs, bands, effects, dates)


def _row_date(dates: list[pd.Timestamp], day: dt.date) -> pd.Timestamp:
    """The output row describing ``day``: the last one dated on or before it."""
    ts = pd.Timestamp(day)
    before = [d for d in dates if d <= ts]
    if not before or ts > dates[-1] + pd.Timedelta(days=31):
        raise ScenarioError([f"--at {day}: outside the compared dates ({dates[0].date()} to {dates[-1].date()})"])
    return before[-1]

