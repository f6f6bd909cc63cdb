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
from ..mechanisms import homophily, threat
from ..metrics import PAIR_COLUMNS
from ..model import make_model
from ..scenario import LoadedScenario
from ..scenario.schema import Scenario
from ..world import build_world
from . import ensemble, observation, skill
from .observation import FIT_LAST  # the last year any estimate may see

LAST_OBSERVED = 2023  # origins T and horizons h with T + h <= 2023 (the design: T = 1991 … 2023 − h)
FIRST_ORIGIN = system.FIRST_YEAR + 1
DEFAULT_HORIZONS = (1, 3, 5)
SEVEN = ("RUS", "PRK", "CHN", "IRN", "ROK", "USA", "UKR")  # the default scenario's states
COLUMNS = ["origin", "horizon", "a", "b", "predicted", "predicted_sd", "start", "observed_start", "observed",
           "ar1", "ar1_dyad", "regression", "change_only", "crps", "crps_persistence", "spread", "in50", "in90", "pit"]


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


def _history(records, origin: int, horizon: int, scale: float, iu) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What was observed by ``origin``: each dyad's affinity at t and at t + h for every t with
    t + h <= origin (rows: t; NaN where a state did not vote), and the years t.
    """
    years = np.arange(system.FIRST_YEAR, origin - horizon + 1)
    voted = {t: observed_affinity(system.voted(records, t), scale)[iu]
             for t in range(system.FIRST_YEAR, origin + 1)}
    start = np.array([voted[t] for t in years]).reshape(len(years), len(iu[0]))
    end = np.array([voted[t + horizon] for t in years]).reshape(len(years), len(iu[0]))
    return start, end, years


def dyad_covariates(world, iu) -> np.ndarray:
    """What a regression of change may know of each dyad besides its affinity: whether the two
    share a land border, and the log of the distance between their capitals (in 1,000 km).
    """
    km = threat.great_circle_km(world.lat, world.lon)[iu]
    return np.column_stack([world.neighbours[iu].astype(float), np.log1p(km / 1000.0)])


def _baselines(records, origin: int, horizon: int, scale: float, iu, seen_start: np.ndarray,
               covariates: np.ndarray) -> dict[str, np.ndarray]:
    """The ladder of baselines at T + h, each fitted on what was observed by T (t + h <= T):
    a pooled AR(1); each dyad's own AR(1) (the pooled one where a dyad has too little history);
    a regression of the h-year change on the affinity at its start and the dyad's ``covariates``;
    and the spread of the persistence ensemble — the SD of h-year changes of the fit period
    (t + h <= min(T, FIT_LAST)), so that no held-out observation sets it.
    """
    start, end, years = _history(records, origin, horizon, scale, iu)
    both = np.isfinite(start) & np.isfinite(end)
    phi, mu = skill.fit_ar1(start[both], end[both]) if both.any() else (1.0, 0.0)
    pooled = skill.ar1_forecast(seen_start, phi, mu)
    a, phi_each = skill.fit_ar1_each(start, end)
    own = np.where(np.isfinite(phi_each), a + phi_each * seen_start, pooled)
    rows = np.nonzero(both)
    design = np.column_stack([np.ones(len(rows[0])), start[rows], covariates[rows[1]]])
    coef = (np.linalg.lstsq(design, (end - start)[rows], rcond=None)[0] if len(rows[0]) > design.shape[1]
            else np.zeros(design.shape[1]))
    regression = seen_start + np.column_stack([np.ones(len(seen_start)), seen_start, covariates]) @ coef
    fit = both & (years + horizon <= FIT_LAST)[:, None]
    spread = ensemble.spread(start[fit], end[fit]) if fit.sum() > 1 else float("nan")
    return {"ar1": pooled, "ar1_dyad": own, "regression": regression, "spread": np.full(len(seen_start), spread)}


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
    covariates = dyad_covariates(world, iu)
    rng = np.random.default_rng([seed, year])  # the PIT's tie-breaking: the same for the same run
    for k, h in enumerate(horizons, start=1):
        seen = observed_affinity(system.voted(world.records, year + h), scale)[iu]
        members = stacked[:, k]
        frame = pd.DataFrame({"origin": year, "horizon": h, "a": ids[iu[0]], "b": ids[iu[1]],
                              "predicted": members.mean(axis=0), "predicted_sd": members.std(axis=0),
                              "start": stacked[:, 0].mean(axis=0), "observed_start": seen_start, "observed": seen,
                              **_baselines(world.records, year, h, scale, iu, seen_start, covariates)})
        frame["change_only"] = frame["observed_start"] + frame["predicted"] - frame["start"]
        keep = np.isfinite(seen) & np.isfinite(seen_start)
        frame = frame[keep].copy()
        observed = frame["observed"].to_numpy()
        frame["crps"] = ensemble.crps(members[:, keep], observed)
        frame["crps_persistence"] = ensemble.crps_normal(frame["observed_start"].to_numpy(),
                                                         frame["spread"].to_numpy(), observed)
        for level in ensemble.LEVELS:
            frame[f"in{round(100 * level)}"] = ensemble.inside(members[:, keep], observed, level)
        frame["pit"] = ensemble.pit(members[:, keep], observed, rng)
        frames.append(frame)
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


# the ladder of baselines: name → the dyads' column (persistence, pooled AR(1), each dyad's AR(1),
# a regression of change on the start and the dyad's geography)
BASELINES = {"persistence": "observed_start", "ar1": "ar1", "ar1_dyad": "ar1_dyad", "regression": "regression"}


def skill_table(dyads: pd.DataFrame, seed: int = 0, draws: int = 1000) -> pd.DataFrame:
    """Per horizon, for all dyads and for the dyads among the seven states of the default scenario:
    MSE skill of the model (and of the model used for change only) against persistence, the
    pooled AR(1) and the best baseline of the ladder (with Diebold–Mariano tests against it); the
    ensemble's CRPS skill against the persistence ensemble and its interval coverage; correlation
    and direction AUC of the change (pooled, and per origin). Every interval: 95 %, a moving-block
    bootstrap over origins in blocks of h consecutive origins (their forecast windows overlap).
    """
    rng = np.random.default_rng(seed)
    rows = []
    seven = dyads["a"].isin(SEVEN) & dyads["b"].isin(SEVEN)
    for h, by_h in dyads.groupby("horizon"):
        for subset, part in (("all dyads", by_h), ("the seven", by_h[seven.loc[by_h.index]])):
            if not part.empty:
                rows.append(_skill_row(int(h), subset, part.sort_values("origin", kind="stable"), rng, draws))
    return pd.DataFrame(rows)


def _skill_row(h: int, subset: str, part: pd.DataFrame, rng: np.random.Generator, draws: int) -> dict:
    o, origins = part["observed"].to_numpy(), part["origin"].to_numpy()
    row = {"horizon": h, "dyads": subset, "n": len(part), "origins": part["origin"].nunique()}
    mse = {name: skill.mse(part[column], o) for name, column in BASELINES.items()}
    best = min(mse, key=mse.get)
    row |= {"best_baseline": best} | {f"mse_{name}": value for name, value in mse.items()}
    row["mse_model"] = skill.mse(part["predicted"], o)
    per_origin = part.assign(**{f"se_{c}": (part[c] - part["observed"]) ** 2 for c in
                                ("predicted", "change_only", *BASELINES.values())}).groupby("origin")
    for name in ("predicted", "change_only"):
        f = part[name].to_numpy()
        label = "model" if name == "predicted" else "change_only"
        for ref, column in (("persistence", "observed_start"), ("ar1", "ar1"), ("best", BASELINES[best])):
            point, lo, hi = skill.bootstrap_skill(origins, f, part[column].to_numpy(), o, rng, draws, block=h)
            row |= {f"{label}_vs_{ref}": point, f"{label}_vs_{ref}_lo": lo, f"{label}_vs_{ref}_hi": hi}
        row[f"{label}_dm"], row[f"{label}_dm_p"] = skill.diebold_mariano(
            per_origin[f"se_{name}"].mean().to_numpy(), per_origin[f"se_{BASELINES[best]}"].mean().to_numpy(), h)
    scored = part[np.isfinite(part["crps_persistence"])]  # origins with a fit-period spread (t + h <= T)
    row["crps_n"], row["crps_model"], row["crps_persistence"] = len(scored), scored["crps"].mean(), \
        scored["crps_persistence"].mean()
    row["crps_skill"], row["crps_skill_lo"], row["crps_skill_hi"] = skill.bootstrap_ratio(
        scored["origin"].to_numpy(), scored["crps"].to_numpy(), scored["crps_persistence"].to_numpy(), rng, draws,
        block=h)
    row |= {f"coverage{round(100 * level)}": part[f"in{round(100 * level)}"].mean() for level in ensemble.LEVELS}
    predicted_change = (part["predicted"] - part["start"]).to_numpy()
    observed_change = (part["observed"] - part["observed_start"]).to_numpy()
    row["change_correlation"] = skill.change_correlation(predicted_change, observed_change)
    row["direction_auc"], row["direction_n"] = skill.direction_auc(predicted_change, observed_change)
    by_origin = [skill.direction_auc((g["predicted"] - g["start"]).to_numpy(),
                                     (g["observed"] - g["observed_start"]).to_numpy())[0]
                 for _, g in part.groupby("origin")]
    row["auc_per_origin"], row["auc_per_origin_lo"], row["auc_per_origin_hi"] = skill.bootstrap_mean(
        np.array(by_origin), rng, draws, block=h)
    return row


HELD_OUT_FIRST = FIT_LAST + 1  # origins scored out of sample


def held_out_table(dyads: pd.DataFrame, maps: pd.DataFrame, seed: int = 0, draws: int = 1000) -> pd.DataFrame:
    """The observation model's forecast (``observation.apply``) scored on the held-out origins
    (2010 on), per horizon, for all dyads and the seven: MSE skill against persistence and the
    best baseline of the ladder on the same dyads (Diebold–Mariano against it), CRPS of its normal
    predictive distribution against the persistence ensemble, coverage of its 50 and 90 % intervals.
    """
    rng = np.random.default_rng(seed)
    mapped = observation.apply(dyads[dyads["origin"] >= HELD_OUT_FIRST], maps)
    mapped = mapped[np.isfinite(mapped["mapped"])]
    rows = []
    seven = mapped["a"].isin(SEVEN) & mapped["b"].isin(SEVEN)
    for h, by_h in mapped.groupby("horizon"):
        for subset, part in (("all dyads", by_h), ("the seven", by_h[seven.loc[by_h.index]])):
            if part.empty:
                continue
            part = part.sort_values("origin", kind="stable")
            o, origins, f = part["observed"].to_numpy(), part["origin"].to_numpy(), part["mapped"].to_numpy()
            mse = {name: skill.mse(part[column], o) for name, column in BASELINES.items()}
            best = min(mse, key=mse.get)
            row = {"horizon": int(h), "dyads": subset, "n": len(part), "origins": part["origin"].nunique(),
                   "best_baseline": best, "mse_mapped": skill.mse(f, o), "mse_model": skill.mse(part["predicted"], o),
                   **{f"mse_{name}": value for name, value in mse.items()}}
            for ref, column in (("persistence", "observed_start"), ("best", BASELINES[best])):
                point, lo, hi = skill.bootstrap_skill(origins, f, part[column].to_numpy(), o, rng, draws, block=h)
                row |= {f"mapped_vs_{ref}": point, f"mapped_vs_{ref}_lo": lo, f"mapped_vs_{ref}_hi": hi}
            per_origin = part.assign(se_f=(f - o) ** 2, se_b=(part[BASELINES[best]] - part["observed"]) ** 2)
            by_origin = per_origin.groupby("origin")
            row["mapped_dm"], row["mapped_dm_p"] = skill.diebold_mariano(by_origin["se_f"].mean().to_numpy(),
                                                                         by_origin["se_b"].mean().to_numpy(), h)
            crps = ensemble.crps_normal(f, part["mapped_sd"].to_numpy(), o)
            row["crps_mapped"], row["crps_persistence"] = crps.mean(), part["crps_persistence"].mean()
            row["crps_skill"], row["crps_skill_lo"], row["crps_skill_hi"] = skill.bootstrap_ratio(
                origins, crps, part["crps_persistence"].to_numpy(), rng, draws, block=h)
            for level in ensemble.LEVELS:
                row[f"coverage{round(100 * level)}"] = ensemble.inside_normal(f, part["mapped_sd"].to_numpy(), o,
                                                                              level).mean()
            rows.append(row)
    return pd.DataFrame(rows)


def pit_table(dyads: pd.DataFrame) -> pd.DataFrame:
    """The PIT histogram of each horizon and subset of dyads: the share of observations in each of
    ``ensemble.PIT_BINS`` equal bins (flat at 1 / bins when the ensemble is calibrated).
    """
    rows = []
    seven = dyads["a"].isin(SEVEN) & dyads["b"].isin(SEVEN)
    edges = np.linspace(0.0, 1.0, ensemble.PIT_BINS + 1)
    for h, by_h in dyads.groupby("horizon"):
        for subset, part in (("all dyads", by_h), ("the seven", by_h[seven.loc[by_h.index]])):
            if part.empty:
                continue
            counts = np.histogram(part["pit"], bins=edges)[0] / len(part)
            rows += [{"horizon": int(h), "dyads": subset, "bin_low": lo, "bin_high": hi, "share": c}
                     for lo, hi, c in zip(edges[:-1], edges[1:], counts)]
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
