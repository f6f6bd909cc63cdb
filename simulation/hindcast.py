"""The hindcast: a scenario's observed outcomes (``observed:``) scored against its ensemble.

Each observed outcome is a statement (a metric of a pair or state, a test, dates) that reality
made true (``happened: true``) or false. The model's forecast of it is the share of replicates
in which the statement holds; its Brier score (Brier 1950) is ``(p − o)²``. The skill is
``1 − B / B_ref`` against a reference forecast (Murphy 1973): ``persistence`` (the world as at
the scenario's start: a change up or down with even odds, a level or a membership as it was),
``coin`` (0.5), or a stated base rate. Intervals are percentile bootstraps over the outcomes.

An outcome the scenario forces — an event acting inside its span that directly sets the metric
of its subject (``Kind.writes`` in :mod:`simulation.events`) — is *scripted*: it is shown,
flagged with the events, and left out of the score, since the model did not find it.

A militarized dispute (``metric: dispute``, ``test: occurs``) is forecast through the pair's
tension, read as the chance of a dispute within ``DISPUTE_YEARS`` (the window of the Correlates
of War rates it is anchored to, docs/calibration.md §3): held as a constant hazard over each step,
the chance of at least one dispute from ``from`` to ``to`` is 1 − Π (1 − tension)^(Δt / 4).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import data
from .events import kind_of, window
from .statements import passes, series, subject_of, window_rows
from .scenario.checks import metric_kind
from .scenario.schema import Observed, Scenario

HINDCAST_COLUMNS = ["id", "what", "metric", "subject", "test", "happened", "model", "reference", "reference_kind",
                    "brier", "brier_reference", "right", "scripted_by", "median", "low", "high", "source"]
BOOTSTRAP = 2000  # resamples of the outcomes for the intervals
BOOTSTRAP_SEED = 0  # fixed: the intervals depend on the outcomes alone
DISPUTE_YEARS = 4.0  # tension is the chance of a dispute within this many years (COW windows)


def span(obs: Observed, start: dt.date) -> tuple[dt.date, dt.date]:
    """The days the outcome's statement covers: [from, to], the window, or [scenario start, at]."""
    if obs.from_ is not None and obs.to is not None:
        return obs.from_, obs.to
    if obs.window is not None:
        return obs.window[0], obs.window[1]
    return start, obs.at


def _acts(event) -> tuple[dt.date, dt.date]:
    """First and last day an event acts (its window, entry into force and lifting included)."""
    a, b = window(event)
    days = [a, b - dt.timedelta(days=1)]
    days += [getattr(event, k) for k in ("in_force", "lifted") if getattr(event, k, None)]
    return min(days), max(days)


def _targets(obs: Observed, scenario: Scenario) -> set[tuple[str, frozenset]]:
    """(metric, states) the outcome reads; coalition and bloc membership read the pair's affinity."""
    kind = metric_kind(obs.metric, scenario)
    metric = "affinity" if kind == "membership" else "tension" if obs.metric == "dispute" else obs.metric
    out = set()
    for state, pair in ((obs.state, obs.pair), *(((obs.relative_to.state, obs.relative_to.pair),)
                                                  if obs.relative_to else ())):
        ids = [pair[0], pair[1]] if pair else [state] if state else []
        if ids:
            out.add((metric, frozenset(data.canonical(i) for i in ids)))
    return out


def scripted_by(obs: Observed, scenario: Scenario) -> list[str]:
    """Ids of the events that force the outcome: acting inside its span, setting its metric directly."""
    lo, hi = span(obs, scenario.calendar.start)
    targets = _targets(obs, scenario)
    found = []
    for e in scenario.events:
        first, last = _acts(e)
        if last < lo or first > hi:
            continue
        writes = {(m, frozenset(i if i == "*" else data.canonical(i) for i in ids))
                  for m, ids in kind_of(e).writes(e)}
        for metric, ids in targets:
            if (metric, ids) in writes or any((metric, frozenset([i, "*"])) in writes for i in ids):
                found.append(e.id)
                break
    return found


def dispute_chance(tension: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The chance of at least one dispute over steps of ``years`` at ``tension`` (rows: steps):
    1 − Π (1 − tension)^(years / DISPUTE_YEARS), per column.
    """
    keep = np.clip(1.0 - np.asarray(tension, float), 0.0, 1.0) ** (np.asarray(years, float)[:, None] / DISPUTE_YEARS)
    return 1.0 - keep.prod(axis=0)


def disputes(tables: dict, obs: Observed) -> np.ndarray:
    """Each replicate's chance of a militarized dispute between the pair from ``from`` to ``to``:
    the tension of every step ending inside the span, each over its step's length.
    """
    table = series(tables, "tension", "pair", pair=obs.pair)
    dates = table.index.values
    rows = window_rows(dates, [obs.from_, obs.to])
    lengths = np.diff(dates.astype("datetime64[D]").astype(np.int64).astype(float), prepend=np.nan)
    step = np.nanmedian(lengths) if len(dates) > 1 else 30.0
    years = np.where(np.isnan(lengths[rows]), step, lengths[rows]) / 365.25
    return dispute_chance(table.iloc[rows].to_numpy(float), years)


def _persistence(obs: Observed, tables: dict, scenario: Scenario) -> float:
    """No change from the scenario's start: a change (from/to) is up or down with even odds; a
    level or a membership is as it was on the first day; a dispute as likely as the first day's
    tension makes it.
    """
    if obs.metric == "dispute":
        first = series(tables, "tension", "pair", pair=obs.pair).iloc[0].to_numpy(float)
        years = (obs.to - obs.from_).days / 365.25
        return float(dispute_chance(first[None, :], np.array([years])).mean())
    if obs.from_ is not None and obs.to is not None:
        return 0.5
    start = obs.model_copy(update={"at": scenario.calendar.start, "window": None, "from_": None, "to": None})
    ok, _ = passes(tables, start, scenario)
    return float(ok.mean())


def reference_probability(obs: Observed, tables: dict, scenario: Scenario) -> float:
    if obs.reference == "coin":
        return 0.5
    if obs.reference == "persistence":
        return _persistence(obs, tables, scenario)
    return float(obs.reference)


def brier(p: np.ndarray | float, happened: np.ndarray | bool) -> np.ndarray:
    """The Brier score of forecasts ``p`` of binary outcomes (Brier 1950): (p − o)²."""
    return (np.asarray(p, float) - np.asarray(happened, float)) ** 2


def right(p: np.ndarray | float, happened: np.ndarray | bool) -> np.ndarray:
    """Whether the forecast points the way reality went (an even 0.5 points nowhere: not right)."""
    p, o = np.asarray(p, float), np.asarray(happened, bool)
    return np.where(o, p > 0.5, p < 0.5)


def score(tables: dict, scenario: Scenario) -> pd.DataFrame:
    """One row per observed outcome: the model's probability, the reference's, Brier scores,
    whether it points the right way, the events that script it, and the model's band.
    """
    rows = []
    for obs in scenario.observed:
        if obs.metric == "dispute":
            values = disputes(tables, obs)
            p = float(values.mean())
        else:
            ok, values = passes(tables, obs, scenario)
            p = float(ok.mean())
        ref = reference_probability(obs, tables, scenario)
        lo, med, hi = np.quantile(values, [0.05, 0.5, 0.95])
        rows.append({"id": obs.id, "what": obs.what, "metric": obs.metric, "subject": subject_of(obs),
                     "test": obs.test, "happened": obs.happened, "model": p, "reference": ref,
                     "reference_kind": obs.reference if isinstance(obs.reference, str) else "base rate",
                     "brier": float(brier(p, obs.happened)), "brier_reference": float(brier(ref, obs.happened)),
                     "right": bool(right(p, obs.happened)), "scripted_by": " ".join(scripted_by(obs, scenario)),
                     "median": float(med), "low": float(lo), "high": float(hi), "source": obs.source})
    return pd.DataFrame(rows, columns=HINDCAST_COLUMNS)


def _interval(values: np.ndarray) -> list[float]:
    return [float(v) for v in np.quantile(values, [0.025, 0.975])]


def summary(table: pd.DataFrame) -> dict:
    """The score over the outcomes the scenario does not script, with 95 % bootstrap intervals:
    the share pointing the right way, the mean Brier scores, the Brier skill against the reference.
    """
    free = table[table["scripted_by"] == ""]
    out = {"outcomes": int(len(table)), "scored": int(len(free)), "scripted": int(len(table) - len(free))}
    if free.empty:
        return out
    b, r, ok = (free[c].to_numpy(float) for c in ("brier", "brier_reference", "right"))
    idx = np.random.default_rng(BOOTSTRAP_SEED).integers(0, len(free), size=(BOOTSTRAP, len(free)))
    bb, rr = b[idx].mean(axis=1), r[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        skill = 1.0 - bb / rr
    out |= {"right": float(ok.mean()), "right_interval": _interval(ok[idx].mean(axis=1)),
            "brier": float(b.mean()), "brier_interval": _interval(bb),
            "brier_reference": float(r.mean()),
            "skill": float(1.0 - b.mean() / r.mean()) if r.mean() > 0 else float("nan"),
            "skill_interval": _interval(skill[np.isfinite(skill)]) if np.isfinite(skill).any() else [np.nan] * 2}
    return out
