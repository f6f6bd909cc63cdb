"""Collect the model's state into preallocated arrays; build tidy DataFrames once, at the end.

Three tables (one row per step; per step × state; per step × unordered pair) and the log of
events that fired. Columns are documented in ``docs/outputs.md``. A model's batch of replicates
is recorded into arrays with a leading replicate axis (:class:`Recorder`); ``item(b)`` is
replicate b's record (:class:`Record`: views of those arrays), which gives its tables and series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .mechanisms import tension
from .mechanisms.algebra import upper_flat
from .metrics import DIRECTED, MODEL_METRICS, PAIR_COLUMNS, STATE_COLUMNS

if TYPE_CHECKING:
    from .model import AllianceModel


class Recorder:
    """Arrays sized for the whole run and every replicate of the batch, filled step by step."""

    def __init__(self, model: "AllianceModel"):
        self.model = model
        n, steps = model.n, model.n_steps + 1
        lead = (model.size,)  # replicate first
        self.iu = np.triu_indices(n, 1)
        self.flat, self.flat_t = upper_flat(n), self.iu[1] * n + self.iu[0]  # row-major offsets of (i, j) and (j, i)
        self.metric_names = MODEL_METRICS + tuple(f"tension_{r}" for r in model.world.regions)
        self.region_weights = [tension.region_weights(core, members)
                               for core, members in model.world.regions.values()]
        self.metrics = np.zeros((*lead, steps, len(self.metric_names)))
        self.states = np.zeros((*lead, steps, n, len(STATE_COLUMNS)))
        self.coalition = np.zeros((*lead, steps, n), dtype=np.int8)
        self.bloc = np.zeros((*lead, steps, n), dtype=np.int8)
        # (step, column, pair): columns contiguous
        self.pairs = np.zeros((*lead, steps, len(PAIR_COLUMNS), len(self.iu[0])))
        self.last = -1

    def item(self, b: int) -> "Record":
        """Replicate b's record so far (views of the arrays): its tables and series."""
        return Record(self.model, self.metric_names, self.iu, self.metrics[b], self.states[b], self.coalition[b],
                      self.bloc[b], self.pairs[b], self.last)

    def record(self, k: int) -> None:
        m = self.model
        s, b, f, seen = m.state, m.base, m.flows, m.seen
        regional = [tension.weighted_mean(s.tension, w) for w in self.region_weights]
        self.metrics[..., k, :] = np.stack([tension.global_tension(s.tension, s.capability), s.energy, s.frustration,
                                            s.polarization, *regional], axis=-1)
        strain = np.where(s.at_war.any(axis=-1), 1.0 - s.manpower / np.maximum(b.manpower0, 1e-9), 0.0)
        self.states[..., k, :, :] = np.stack([
            s.manpower, s.munitions, s.economy, s.capability, s.tech, s.front_strength,
            s.deployed.sum(axis=-2), s.deployed.sum(axis=-1), f.losses, strain, seen.threat.sum(axis=-1),
            s.alignment, f.value.sum(axis=-1), f.value.sum(axis=-2), s.experience, seen.alarm.sum(axis=-1),
        ], axis=-1)
        self.coalition[..., k, :] = s.coalition
        self.bloc[..., k, :] = s.bloc
        row, flat, flat_t = self.pairs[..., k, :, :], self.flat, self.flat_t  # pairs i < j; j > i read as (j, i)
        lead = s.affinity.shape[:-2]
        for c, (matrix, where) in enumerate((
                (s.affinity, flat), (s.tension, flat), (s.treaty, flat), (s.at_war, flat), (f.value, flat),
                (f.value, flat_t), (seen.war_parties, flat), (s.depth, flat), (seen.involvement, flat),
                (seen.involvement, flat_t))):
            np.take(matrix.reshape(*lead, -1), where, axis=-1, out=row[..., c, :])
        self.last = k


class Record:
    """One replicate's recorded arrays (steps first), and the tables and series built from them."""

    def __init__(self, model: "AllianceModel", metric_names: tuple[str, ...], iu: tuple, metrics: np.ndarray,
                 states: np.ndarray, coalition: np.ndarray, bloc: np.ndarray, pairs: np.ndarray, last: int):
        self.model, self.metric_names, self.iu = model, metric_names, iu
        self.metrics, self.states, self.coalition, self.bloc, self.pairs = metrics, states, coalition, bloc, pairs
        self.last = last

    # ------------------------------------------------------------------ one series
    def series(self, kind: str, metric: str, state: str | None = None, pair=None) -> pd.Series:
        """One metric over time (index: dates), straight from the arrays; equal to the column
        :meth:`tables` would give for this state or (unordered) pair, without building the tables.
        """
        return pd.Series(self.values(kind, metric, state, pair), index=pd.DatetimeIndex(self.dates(), name="date"),
                         name=metric)

    def dates(self) -> np.ndarray:
        """The dates of the steps recorded so far (datetime64[ns])."""
        return np.array(self.model.dates[:self.last + 1], dtype="datetime64[ns]")

    def values(self, kind: str, metric: str, state: str | None = None, pair=None) -> np.ndarray:
        """The values of :meth:`series`, one per step recorded."""
        m, steps = self.model, self.last + 1
        if kind == "model":
            values = self.metrics[:steps, self.metric_names.index(metric)]
        elif kind == "state":
            values = self.states[:steps, m.ids.index(state), STATE_COLUMNS.index(metric)]
        else:
            a, b = sorted(pair)  # tables write pairs with a < b; flow_ab flows from a to b
            i, j = m.ids.index(a), m.ids.index(b)
            column = metric
            if i > j:
                i, j = j, i
                column = DIRECTED.get(metric, metric)
            k = int(np.flatnonzero((self.iu[0] == i) & (self.iu[1] == j))[0])
            values = self.pairs[:steps, PAIR_COLUMNS.index(column), k]
        return values

    # ------------------------------------------------------------------ tables
    def tables(self, replicate: int = 0, among=None) -> dict[str, pd.DataFrame]:
        """The three tables of the run so far; ``among`` (state ids) keeps only the pairs of those
        states (a view of a large world: a few states of ~190 need their pairs, not all 18,000).
        """
        m = self.model
        steps = np.arange(self.last + 1)
        dates = pd.to_datetime(pd.Series(m.dates[: self.last + 1])).values
        model = pd.DataFrame({"replicate": np.full(len(steps), replicate), "step": steps, "date": dates,
                              **dict(zip(self.metric_names, self.metrics[steps].T))})
        n = m.n
        states = pd.DataFrame({"replicate": np.full(len(steps) * n, replicate), "step": np.repeat(steps, n),
                               "date": np.repeat(dates, n), "state": np.tile(m.ids, len(steps)),
                               **dict(zip(STATE_COLUMNS, self.states[steps].reshape(-1, len(STATE_COLUMNS)).T)),
                               "coalition": np.where(self.coalition[steps].ravel() == 0, "A", "B"),
                               "bloc": self.bloc[steps].ravel().astype(int)})
        return {"model": model, "states": states, "pairs": self.pair_table(steps, replicate, among)}

    def pair_table(self, steps, replicate: int = 0, among=None) -> pd.DataFrame:
        """The pairs table at ``steps`` (an array of step numbers), of the pairs of ``among`` (ids; None: all)."""
        m = self.model
        steps = np.asarray(steps, dtype=int)
        dates = pd.to_datetime(pd.Series([m.dates[k] for k in steps], dtype=object)).values
        ids = np.array(m.ids)
        keep = np.arange(len(self.iu[0]))
        if among is not None:
            inside = np.isin(ids, list(among))
            keep = np.flatnonzero(inside[self.iu[0]] & inside[self.iu[1]])
        a, b = ids[self.iu[0][keep]], ids[self.iu[1][keep]]
        swap = a > b  # unordered pairs are written with a < b
        p = len(a)
        columns = self.pairs[steps][:, :, keep].transpose(1, 0, 2).reshape(len(PAIR_COLUMNS), -1)  # (column, row)
        values = dict(zip(PAIR_COLUMNS, columns))
        swap_rows = np.tile(swap, len(steps))
        values |= {column: np.where(swap_rows, values[other], values[column]) for column, other in DIRECTED.items()}
        values["at_war"] = values["at_war"].astype(bool)
        return pd.DataFrame({"replicate": np.full(len(steps) * p, replicate), "step": np.repeat(steps, p),
                             "date": np.repeat(dates, p), "a": np.tile(np.where(swap, b, a), len(steps)),
                             "b": np.tile(np.where(swap, a, b), len(steps)), **values})
