"""Statements about a run: a metric of a subject measured over time, evaluated replicate by replicate.

What expectations (``simulation.expectations``) and observed outcomes (``simulation.hindcast``)
share: the series of a metric, its change or level over dates, and whether a statement holds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import data
from .scenario.checks import metric_kind
from .scenario.schema import Scenario, Statement, Subject


def _subject_text(state, pair) -> str:
    return state or ("–".join(pair) if pair else "")


def subject_of(exp: Statement) -> str:
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


def _measure(table: pd.DataFrame, exp: Statement) -> pd.Series:
    if exp.from_ is not None and exp.to is not None:
        return value_at(table, exp.to) - value_at(table, exp.from_)
    if exp.at is not None:
        return value_at(table, exp.at)
    return in_window(table, exp.window).mean()


def _membership(tables: dict, exp: Statement) -> np.ndarray:
    """Per replicate: whether the test (same / different) holds at ``at`` or throughout ``window``."""
    a, b = (series(tables, exp.metric, "state", s) for s in exp.pair)
    holds = (a == b) if exp.test == "same" else (a != b)
    if exp.at is not None:
        return value_at(holds, exp.at).to_numpy(bool)
    return in_window(holds, exp.window).all().to_numpy(bool)


def measure(tables: dict, exp: Statement, scenario: Scenario) -> np.ndarray:
    """The expectation's measure for every replicate."""
    kind = metric_kind(exp.metric, scenario)
    value = _measure(series(tables, exp.metric, kind, exp.state, exp.pair), exp)
    if exp.relative_to is not None:
        rel: Subject = exp.relative_to
        value = value - _measure(series(tables, exp.metric, kind, rel.state, rel.pair), exp)
    return value.to_numpy(float)


def passes(tables: dict, exp: Statement, scenario: Scenario,
           base_tables: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(pass flags, measures) per replicate."""
    if exp.test in ("same", "different"):
        holds = _membership(tables, exp)
        return holds, holds.astype(float)
    m = measure(tables, exp, scenario)
    if getattr(exp, "versus_base", None):
        effect = m - measure(base_tables, exp, scenario)
        return (effect > exp.value if exp.versus_base == "higher" else effect < -exp.value), effect
    if exp.test in ("rises", "above"):
        return m > exp.value, m
    return (m < -exp.value if exp.test == "falls" else m < exp.value), m
