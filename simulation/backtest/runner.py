"""Run the model from the real world of origin years and collect its dyadic forecasts.

For each origin T the world of 1 June T (every state of the system, ``simulation/system.py``) is
run with **no scripted events** for the longest horizon h (monthly steps); replicate r of every
origin is seeded as replicate r of ``alliance-sim run --seed S`` (the same seed for all origins).
Every dyad of the states of T gets, at T + h:

- ``predicted``: the model's affinity, mean over replicates (``predicted_sd``: their spread);
- ``start``: the model's own affinity at T (after its spin-up, docs/ODD.md 5.3);
- ``observed`` and ``observed_start``: the affinity of the UNGA ideal points *as voted* in
  T + h and in T, through the map that sets the model's initial ideology affinity
  (``homophily.ideology_affinity`` with ``ideal_point_scale``); a dyad is kept only where both
  states voted in both years (nothing imputed on the observed side);
- ``ar1``: a mean-reversion forecast fitted, for each origin and horizon, on the pairs
  (observed at t, observed at t + h) with t + h ≤ T only — what a forecaster knew at T.

``change_only`` is the model used for change alone: ``observed_start + (predicted − start)``,
which removes the model's level offset at T (its spin-up and treaties move affinity away from
the voting map before the first step).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import parallel, system
from .. import params as P
from ..mechanisms import homophily
from ..metrics import PAIR_COLUMNS
from ..model import make_model
from ..scenario import LoadedScenario
from ..scenario.schema import Scenario
from ..world import build_world
from . import skill

LAST_OBSERVED = 2023  # origins T and horizons h with T + h <= 2023 (the design: T = 1991 … 2023 − h)
FIRST_ORIGIN = system.FIRST_YEAR + 1
DEFAULT_HORIZONS = (1, 3, 5)
SEVEN = ("RUS", "PRK", "CHN", "IRN", "ROK", "USA", "UKR")  # the default scenario's states
COLUMNS = ["origin", "horizon", "a", "b", "predicted", "predicted_sd", "start", "observed_start", "observed",
           "ar1", "change_only"]


def check_design(origins: Sequence[int], horizons: Sequence[int]) -> list[str]:
    """One line per problem with the origins and horizons asked for (empty: fine)."""
    problems = []
    if not origins:
        problems.append("--origins: no origin year")
    if not horizons or any(h < 1 for h in horizons):
        problems.append(f"--horizons: each horizon is a whole number of years >= 1 (got {list(horizons)})")
    for year in origins:
        if not FIRST_ORIGIN <= year <= LAST_OBSERVED - min(horizons or [1]):
            problems.append(f"--origins: {year} is outside {FIRST_ORIGIN}–{LAST_OBSERVED - min(horizons or [1])} "
                            f"(the observed data end in {LAST_OBSERVED}; origin + horizon must not pass it)")
    return problems


def origin_scenario(year: int, years: int, seed: int) -> LoadedScenario:
    """The world of 1 June ``year`` run for ``years`` years with no scripted events."""
    sc = Scenario(name=f"backtest_{year}", title=f"The world of 1 June {year}, no scripted events",
                  calendar={"start": dt.date(year, 6, 1), "end": dt.date(year + years, 6, 1), "step": "month"},
                  system="all", seed=seed)
    digest = hashlib.sha256(sc.model_dump_json().encode()).hexdigest()
    return LoadedScenario(sc, Path(f"<backtest origin {year}>"), [], digest)


def observed_affinity(ideal_points: np.ndarray, scale: float) -> np.ndarray:
    """The voting map of the model's initial ideology affinity; NaN for a state that did not vote."""
    affinity = homophily.ideology_affinity(np.nan_to_num(ideal_points), scale)
    missing = np.isnan(ideal_points)
    affinity[missing, :] = np.nan
    affinity[:, missing] = np.nan
    return affinity


@lru_cache(maxsize=4)
def _origin_world(year: int, years: int, seed: int):
    """The compiled world of an origin (built once per process, for all its replicates)."""
    return build_world(origin_scenario(year, years, seed).scenario)


def _replicate(context: tuple, task: tuple[int, int]) -> tuple[int, int, np.ndarray]:
    """Replicate r of origin T: affinity (pairs in the recorder's order) at step 0 and after each horizon."""
    horizons, params, seed = context
    year, r = task
    model = make_model(_origin_world(year, max(horizons[year]), seed), params, seed, r).run()
    affinity = model.recorder.item(0).pairs[:, PAIR_COLUMNS.index("affinity")]
    return year, r, affinity[[0, *(12 * h for h in horizons[year])]]  # monthly: step 12h ends on 31 May of T + h


def _ar1(records, origin: int, horizon: int, scale: float, iu) -> tuple[float, float]:
    """Mean reversion over h years fitted on what was observed by ``origin`` (t + h <= origin)."""
    xs, ys = [], []
    for t in range(system.FIRST_YEAR, origin - horizon + 1):
        a = observed_affinity(system.voted(records, t), scale)[iu]
        b = observed_affinity(system.voted(records, t + horizon), scale)[iu]
        keep = np.isfinite(a) & np.isfinite(b)
        xs.append(a[keep])
        ys.append(b[keep])
    if not xs:
        return 1.0, 0.0
    return skill.fit_ar1(np.concatenate(xs), np.concatenate(ys))


def usable(year: int, horizons: Sequence[int]) -> list[int]:
    """The horizons an origin can be scored at (T + h <= the last observed year)."""
    return sorted(h for h in horizons if year + h <= LAST_OBSERVED)


def origin_dyads(year: int, horizons: Sequence[int], stacked: np.ndarray, seed: int,
                 params: dict[str, float]) -> pd.DataFrame:
    """Every dyad's forecast and observation for one origin (the rows of :data:`COLUMNS`);
    ``stacked``: replicate × (start, each horizon) × pair, from :func:`_replicate`.
    """
    world = _origin_world(year, max(horizons), seed)
    ids = np.array(world.ids)
    iu = np.triu_indices(len(ids), 1)
    scale = params["ideal_point_scale"]
    seen_start = observed_affinity(system.voted(world.records, year), scale)[iu]
    frames = []
    for k, h in enumerate(horizons, start=1):
        seen = observed_affinity(system.voted(world.records, year + h), scale)[iu]
        phi, mu = _ar1(world.records, year, h, scale, iu)
        frame = pd.DataFrame({"origin": year, "horizon": h, "a": ids[iu[0]], "b": ids[iu[1]],
                              "predicted": stacked[:, k].mean(axis=0), "predicted_sd": stacked[:, k].std(axis=0),
                              "start": stacked[:, 0].mean(axis=0), "observed_start": seen_start, "observed": seen,
                              "ar1": skill.ar1_forecast(seen_start, phi, mu)})
        frame["change_only"] = frame["observed_start"] + frame["predicted"] - frame["start"]
        frames.append(frame[np.isfinite(seen) & np.isfinite(seen_start)])
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def backtest(origins: Sequence[int], horizons: Sequence[int] = DEFAULT_HORIZONS, replicates: int = 4,
             seed: int = 20241023, params: dict | None = None, workers: int | None = 1,
             progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """The dyads table of every origin, in origin order. The runs (origin × replicate) share one
    pool of ``workers``; an origin's rows are built as soon as its replicates are in.
    """
    resolved = P.resolve(params or {})
    spans = {year: usable(year, horizons) for year in origins}
    tasks = [(year, r) for year in origins for r in range(replicates)]
    runs: dict[int, dict[int, np.ndarray]] = {year: {} for year in origins}
    frames = {}
    with contextlib.closing(parallel.results(tasks, _replicate, (spans, resolved, seed), workers)) as stream:
        for year, r, affinity in stream:
            runs[year][r] = affinity
            if len(runs[year]) == replicates:
                stacked = np.stack([runs[year].pop(i) for i in range(replicates)])
                frames[year] = origin_dyads(year, spans[year], stacked, seed, resolved)
                if progress:
                    progress(1)
    return pd.concat([frames[year] for year in origins], ignore_index=True)


def skill_table(dyads: pd.DataFrame, seed: int = 0, draws: int = 1000) -> pd.DataFrame:
    """Per horizon, for all dyads and for the dyads among the seven states of the default scenario:
    MSE skill of the model (and of the model used for change only) against persistence and AR(1),
    with 95 % bootstrap intervals over origins; correlation and direction AUC of the change.
    """
    rng = np.random.default_rng(seed)
    rows = []
    seven = dyads["a"].isin(SEVEN) & dyads["b"].isin(SEVEN)
    for h, by_h in dyads.groupby("horizon"):
        for subset, part in (("all dyads", by_h), ("the seven", by_h[seven.loc[by_h.index]])):
            if part.empty:
                continue
            o = part["observed"].to_numpy()
            row = {"horizon": int(h), "dyads": subset, "n": len(part), "origins": part["origin"].nunique()}
            for name in ("predicted", "change_only"):
                f = part[name].to_numpy()
                for ref in ("observed_start", "ar1"):
                    point, lo, hi = skill.bootstrap_skill(part["origin"].to_numpy(), f, part[ref].to_numpy(), o,
                                                          rng, draws)
                    key = f"{'model' if name == 'predicted' else 'change_only'}_vs_" \
                          f"{'persistence' if ref == 'observed_start' else 'ar1'}"
                    row |= {key: point, f"{key}_lo": lo, f"{key}_hi": hi}
            predicted_change = (part["predicted"] - part["start"]).to_numpy()
            observed_change = (part["observed"] - part["observed_start"]).to_numpy()
            row["change_correlation"] = skill.change_correlation(predicted_change, observed_change)
            row["direction_auc"], row["direction_n"] = skill.direction_auc(predicted_change, observed_change)
            row |= {f"mse_{name}": skill.mse(part[column], o) for name, column in
                    (("model", "predicted"), ("persistence", "observed_start"), ("ar1", "ar1"))}
            rows.append(row)
    return pd.DataFrame(rows)


def manifest(origins: Sequence[int], horizons: Sequence[int], replicates: int, seed: int,
             params: dict | None = None) -> dict:
    """Everything needed to reproduce a backtest (written as ``manifest.json``)."""
    from ..runner import data_hashes, package_version, platform_info

    return {"package": "alliance-sim", "version": package_version(), "command": "backtest",
            "design": {"origins": list(origins), "horizons": list(horizons), "start": "1 June of the origin",
                       "step": "month", "events": "none", "last_observed_year": LAST_OBSERVED,
                       "observed": "affinity of the UNGA ideal points as voted (homophily.ideology_affinity)",
                       "ar1": "mean reversion fitted on observations with t + h <= origin"},
            "parameters": P.resolve(params or {}),
            "seeds": {"seed": seed, "replicates": replicates,
                      "scheme": "replicate r of every origin: SeedSequence(seed, spawn_key=(r,)), as alliance-sim run"},
            "data": data_hashes(years=True), "platform": platform_info()}
