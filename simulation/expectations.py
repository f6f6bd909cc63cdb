"""Check a scenario's expectations (stylized facts) over an ensemble of runs.

Each expectation is evaluated replicate by replicate on the run's tables; it holds when the
share of replicates that pass reaches its required ``share``. With ``versus_base`` the variant's
measure is compared with the base scenario's measure of the *same* replicate (same seed: common
random numbers), so the comparison is of the counterfactual effect, not of noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compare import calendar_problems
from .runner import RunResult, run
from .scenario import LoadedScenario, ScenarioError, load_scenario
from . import data
from .scenario.checks import metric_kind
from .scenario.schema import Expectation, Scenario, Subject

CHECK_COLUMNS = ["id", "claim", "metric", "subject", "test", "required", "share", "passed", "median", "source"]
EXIT_FAILED = 3  # `alliance-sim check` exit code when an expectation is not met


def _subject_text(state, pair) -> str:
    return state or ("–".join(pair) if pair else "")


def subject_of(exp: Expectation) -> str:
    text = _subject_text(exp.state, exp.pair)
    if exp.relative_to:
        text += f" minus {_subject_text(exp.relative_to.state, exp.relative_to.pair)}"
    return text


def series(tables: dict[str, pd.DataFrame], metric: str, kind: str, state: str | None = None,
           pair: list[str] | None = None) -> pd.DataFrame:
    """The metric over time: index date, one column per replicate."""
    if kind == "model":
        frame = tables["model"]
    elif kind == "state":
        frame = tables["states"][tables["states"]["state"] == data.canonical(state)]
    else:
        a, b = sorted(data.canonical(s) for s in pair)
        frame = tables["pairs"][(tables["pairs"]["a"] == a) & (tables["pairs"]["b"] == b)]
    return frame.pivot(index="date", columns="replicate", values=metric)


def as_of(dates: np.ndarray, day: dt.date) -> int:
    """The row of ascending ``dates`` (datetime64) as of ``day``: the last dated on or before it
    (the last row if none is).
    """
    k = int(np.searchsorted(dates, np.datetime64(day, "ns"), side="right")) - 1
    return k if k >= 0 else len(dates) - 1


def window_rows(dates: np.ndarray, window: list[dt.date]) -> np.ndarray:
    """The rows of ascending ``dates`` inside the window; if none falls inside, the row as of its end."""
    lo, hi = (np.datetime64(d, "ns") for d in window)
    inside = np.flatnonzero((dates >= lo) & (dates <= hi))
    return inside if len(inside) else np.array([as_of(dates, window[1])])


def value_at(table: pd.DataFrame, day: dt.date) -> pd.Series:
    """Each replicate's value as of ``day`` (the last row dated on or before it)."""
    return table.iloc[as_of(table.index.values, day)]


def in_window(table: pd.DataFrame, window: list[dt.date]) -> pd.DataFrame:
    """Rows dated inside the window; if none falls inside, the row as of its end."""
    return table.iloc[window_rows(table.index.values, window)]


def _measure(table: pd.DataFrame, exp: Expectation) -> pd.Series:
    if exp.from_ is not None and exp.to is not None:
        return value_at(table, exp.to) - value_at(table, exp.from_)
    if exp.at is not None:
        return value_at(table, exp.at)
    return in_window(table, exp.window).mean()


def _membership(tables: dict, exp: Expectation) -> np.ndarray:
    """Per replicate: whether the test (same / different) holds at ``at`` or throughout ``window``."""
    a, b = (series(tables, exp.metric, "state", s) for s in exp.pair)
    holds = (a == b) if exp.test == "same" else (a != b)
    if exp.at is not None:
        return value_at(holds, exp.at).to_numpy(bool)
    return in_window(holds, exp.window).all().to_numpy(bool)


def measure(tables: dict, exp: Expectation, scenario: Scenario) -> np.ndarray:
    """The expectation's measure for every replicate."""
    kind = metric_kind(exp.metric, scenario)
    value = _measure(series(tables, exp.metric, kind, exp.state, exp.pair), exp)
    if exp.relative_to is not None:
        rel: Subject = exp.relative_to
        value = value - _measure(series(tables, exp.metric, kind, rel.state, rel.pair), exp)
    return value.to_numpy(float)


def passes(tables: dict, exp: Expectation, scenario: Scenario,
           base_tables: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(pass flags, measures) per replicate."""
    if exp.test in ("same", "different"):
        holds = _membership(tables, exp)
        return holds, holds.astype(float)
    m = measure(tables, exp, scenario)
    if exp.versus_base:
        effect = m - measure(base_tables, exp, scenario)
        return (effect > exp.value if exp.versus_base == "higher" else effect < -exp.value), effect
    if exp.test in ("rises", "above"):
        return m > exp.value, m
    return (m < -exp.value if exp.test == "falls" else m < exp.value), m


@dataclass
class CheckResult:
    loaded: LoadedScenario
    replicates: int
    seed: int
    table: pd.DataFrame
    run: RunResult
    base_run: RunResult | None = None

    @property
    def passed(self) -> bool:
        return bool(self.table["passed"].all())


def check(loaded: LoadedScenario, replicates: int = 100, seed: int | None = None,
          params: dict | None = None, progress=None, workers: int | None = 1) -> CheckResult:
    """Run the ensemble (and the base's, with the same seeds, when needed) and check every expectation."""
    sc = loaded.scenario
    result = run(loaded, seed=seed, replicates=replicates, params=params, progress=progress, workers=workers)
    base_run = None
    if any(e.versus_base for e in sc.expectations):
        base = load_scenario(loaded.base)
        problems = calendar_problems(base, loaded)
        if problems:
            raise ScenarioError(problems)
        base_run = run(base, seed=result.seed, replicates=replicates, params=params,
                       progress=progress, workers=workers)
    rows = []
    for exp in sc.expectations:
        ok, values = passes(result.tables, exp, sc, base_run.tables if base_run else None)
        rows.append({"id": exp.id, "claim": exp.claim, "metric": exp.metric, "subject": subject_of(exp),
                     "test": exp.test + (f" vs base ({exp.versus_base})" if exp.versus_base else ""),
                     "required": exp.share, "share": float(ok.mean()), "passed": bool(ok.mean() >= exp.share),
                     "median": float(np.median(values)), "source": exp.source})
    return CheckResult(loaded, replicates, result.seed, pd.DataFrame(rows, columns=CHECK_COLUMNS), result, base_run)

