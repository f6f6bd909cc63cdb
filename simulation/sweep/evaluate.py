"""Evaluators: what the runs of a sweep compute. Pluggable: any picklable ``f(context, tasks)``
that returns one (row, series or None) per task, in order; the tasks of one call are runs of one
sample (the same factor values), or runs that share ``run_sweep``'s ``together`` key, at most
``run_sweep``'s ``batch`` of them.

``evaluate_model`` runs the alliance model with the tasks' factor values — runs of different
samples and replicates stepped together (``make_batch``: a parameter point and a replicate per
item, grouped by ``batching``), each the run it is alone — and records the spec's outputs.
By default replicate r of every sample is seeded with child r of ``SeedSequence(sweep seed)`` —
the same seed as replicate r of ``alliance-sim run --seed S`` — so samples share random numbers
(common random numbers); with ``random_numbers: independent`` run i gets child i. Either way a
run's result depends only on the spec and its run id, never on the backend, the number of
workers, the batches or the order of completion.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import data
from .. import params as P
from ..statements import as_of, passes, window_rows
from ..events import kind_of
from ..model import batch_size as model_batch_size
from ..model import make_batch
from ..scenario.checks import metric_kind
from ..scenario.schema import Scenario
from ..world import build_world
from .spec import ENABLED, VARIANT, Output, SweepSpec, output_columns


@dataclass(frozen=True)
class Task:
    run_id: int
    sample_id: int
    replicate: int
    factors: dict


@dataclass(frozen=True)
class ModelContext:
    """Everything a worker needs, sent once per worker (not once per task): the spec, its
    scenario and, for a ``variant`` factor, the scenario of each level.
    """

    spec: SweepSpec
    scenario: Scenario
    variants: dict[str, Scenario] = field(default_factory=dict)

    def scenario_of(self, factors: dict) -> Scenario:
        """The scenario a run starts from: its variant's, or the spec's."""
        return self.variants[factors[VARIANT]] if VARIANT in factors else self.scenario


def seed_key(spec: SweepSpec, task: "Task") -> tuple[int]:
    """The spawn key of a run: its replicate (common random numbers) or its run id (independent)."""
    return (task.replicate,) if spec.random_numbers == "common" else (task.run_id,)


_WORLDS: dict[int, tuple[Scenario, object]] = {}  # per worker: the world of a scenario without event knobs


def world_of(scenario: Scenario, changed: bool):
    """The initial world (built once per worker when no event is changed)."""
    if changed:
        return build_world(scenario)
    key = id(scenario)
    if key not in _WORLDS or _WORLDS[key][0] is not scenario:
        _WORLDS[key] = (scenario, build_world(scenario))
    return _WORLDS[key][1]


def overrides_of(factors: dict) -> dict:
    """The parameter values among a run's factors (the others are event knobs and the variant)."""
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in factors.items()
            if not k.startswith("events.") and k != VARIANT}


def apply_factors(scenario: Scenario, knobs: dict) -> Scenario:
    """The scenario with event knobs (``events.<id>.<field>``) set: a copy, if any is given. An
    amount (``events.Kind.amounts``) may be an array, one value per item of a batch; an event
    whose ``enabled`` knob is false is left out (with its other knobs). Knobs of an event the
    scenario does not have (a variant removed it) do nothing.
    """
    fields: dict[str, dict] = {}
    for name, value in knobs.items():
        if name.startswith("events."):
            _, eid, key = name.split(".")
            plain = hasattr(value, "item") and not isinstance(value, np.ndarray)  # a NumPy or pandas scalar
            fields.setdefault(eid, {})[key] = value.item() if plain else value
    if not fields:
        return scenario
    events = []
    for event in scenario.events:
        if event.id in fields and fields[event.id].pop(ENABLED, True) is False:
            continue
        if fields.get(event.id):
            event = event.model_copy(update=fields[event.id])
            if getattr(event, "until", None) is not None and event.until < event.date:
                raise ValueError(f"events.{event.id}.date = {event.date}: the event would start after it ends "
                                 f"({event.until})")
        events.append(event)
    return scenario.model_copy(update={"events": events})


def per_item_knobs(scenario: Scenario) -> set[str]:
    """The event knobs whose values may differ between the runs of a batch: amounts (``Kind.amounts``)."""
    return {f"events.{e.id}.{field}" for e in scenario.events for field in kind_of(e).amounts}


def batching(scenario: Scenario) -> Callable[[Task], tuple]:
    """What the runs stepped together must share (``run_sweep``'s ``together``): the scenario's
    events but for their amounts, and the searches' structure (``params.SHARED``); every other
    parameter may differ from run to run of a batch.
    """
    per_item = per_item_knobs(scenario)

    def key(task: Task) -> tuple:
        return tuple(sorted((k, factor_value(v)) for k, v in task.factors.items()
                            if (k.startswith("events.") and k not in per_item) or k in P.SHARED or k == VARIANT))
    return key


def batch_scenario(scenario: Scenario, tasks: list[Task]) -> Scenario:
    """The scenario the runs of a batch share, an amount knob holding one value per run where they differ."""
    knobs = {k: v for k, v in tasks[0].factors.items() if k.startswith("events.")}
    for name in per_item_knobs(scenario).intersection(knobs):
        column = [task.factors[name] for task in tasks]
        knobs[name] = column[0] if all(v == column[0] for v in column) else np.array(column, dtype=float)
    return apply_factors(scenario, knobs)


def output_values(recorder, out: Output, scenario: Scenario) -> np.ndarray:
    """The output's metric at every step of the run, from its recorder."""
    kind = metric_kind(out.metric, scenario)
    return recorder.values(kind, out.metric, out.state and data.canonical(out.state),
                           out.pair and [data.canonical(s) for s in out.pair])


SUMMARIES = {"final": lambda v: v[-1], "max": np.nanmax, "min": np.nanmin, "mean": np.nanmean}


def output_value(dates: np.ndarray, values: np.ndarray, out: Output) -> float:
    """The number an output records, read as ``check`` reads it: the value as of a date, a change
    between the values as of two dates, or a summary over the run or a window.
    """
    if out.at is not None:
        return float(values[as_of(dates, out.at)])
    if out.summary == "change":
        return float(values[as_of(dates, out.window[1])] - values[as_of(dates, out.window[0])])
    if out.window is not None:
        values = values[window_rows(dates, out.window)]
    with warnings.catch_warnings():  # all NaN: NaN, as pandas gives
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(SUMMARIES[out.summary](values))


def _series_rows(dates: np.ndarray, columns: dict[str, np.ndarray], run_id: int) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"run_id": run_id, "date": dates, "output": name, "value": values})
                      for name, values in columns.items()], ignore_index=True)


def batch_size(context: ModelContext) -> int:
    """How many runs to evaluate together (``model.batch_size`` of the scenario's world)."""
    return model_batch_size(len(world_of(context.scenario, changed=False).records))


def evaluate_model(context: ModelContext, tasks: list[Task]) -> list[tuple[dict, pd.DataFrame | None]]:
    """Run the model for runs that share a ``batching`` key, stepped together (each with its own
    parameters and replicate); failures are recorded, never raised.

    If the batch fails, each run is run alone, so that an error is recorded against the run that raised it.
    """
    spec, start = context.spec, time.perf_counter()
    try:
        base = context.scenario_of(tasks[0].factors)
        sc = batch_scenario(base, tasks)
        points = [P.resolve(sc.parameters, overrides_of(task.factors)) for task in tasks]
        world = world_of(sc, changed=sc is not base)
        keys = [seed_key(spec, task)[0] for task in tasks]
        batch = make_batch(world, points, spec.seed, keys, spec.until).run()
        recorders = [batch.recorder.item(b) for b in range(len(tasks))]
    except Exception as exc:  # noqa: BLE001 - a failed run is data, not a crash of the sweep
        if len(tasks) > 1:
            return [result for task in tasks for result in evaluate_model(context, [task])]
        return [_failed(spec, tasks[0], exc, start)]
    seconds = (time.perf_counter() - start) / len(tasks)  # the batch's time, shared by its runs
    return [_outputs(spec, sc, task, recorder, seconds) for task, recorder in zip(tasks, recorders, strict=True)]


def _row(spec: SweepSpec, task: Task) -> dict:
    return {"run_id": task.run_id, "sample_id": task.sample_id, "replicate": task.replicate,
            "seed": f"SeedSequence({spec.seed}).spawn_key=({seed_key(spec, task)[0]},)"} | task.factors


def expectation_holds(recorder, exp, scenario: Scenario) -> float:
    """1.0 if the expectation's statement holds in the run of ``recorder``, else 0.0 (``check``'s
    rule, ``statements.passes``, on the tables of the states it names).
    """
    named = {data.canonical(s) for sub in (exp, exp.relative_to) if sub is not None
             for s in (sub.pair or ([sub.state] if sub.state else []))}
    flags, _ = passes(recorder.tables(among=sorted(named)), exp, scenario)
    return float(flags[0])


def _outputs(spec: SweepSpec, sc: Scenario, task: Task, recorder, seconds: float) -> tuple[dict, pd.DataFrame | None]:
    """The row (and series) of one finished run."""
    start = time.perf_counter()
    try:
        dates = recorder.dates()
        columns = {o.name: output_values(recorder, o, sc) for o in spec.outputs}
        outputs = {o.name: output_value(dates, columns[o.name], o) for o in spec.outputs}
        expectations = {e.id: e for e in sc.expectations}
        outputs |= {eid: expectation_holds(recorder, expectations[eid], sc) for eid in spec.expectations}
    except Exception as exc:  # noqa: BLE001
        return _failed(spec, task, exc, start, seconds)
    extra = _series_rows(dates, columns, task.run_id) if spec.series else None
    return _row(spec, task) | outputs | {"status": "ok", "error": "",
                                         "seconds": seconds + time.perf_counter() - start}, extra


def _failed(spec: SweepSpec, task: Task, exc: Exception, start: float, seconds: float = 0.0) -> tuple[dict, None]:
    text = f"{type(exc).__name__}: {exc}"
    tail = traceback.format_exc(limit=2).strip().splitlines()[-1]
    return _row(spec, task) | {name: np.nan for name in output_columns(spec)} | {
        "status": "error", "error": text if tail in text else f"{text} ({tail})",
        "seconds": seconds + time.perf_counter() - start}, None


def ishigami(context, tasks: list[Task]) -> list[tuple[dict, None]]:
    """Ishigami & Homma (1990) test function, a = 7, b = 0.1, for checking the Sobol machinery."""
    out = []
    for task in tasks:
        x1, x2, x3 = (float(task.factors[k]) for k in ("x1", "x2", "x3"))
        y = np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)
        out.append(({"run_id": task.run_id, "sample_id": task.sample_id, "replicate": task.replicate,
                     "seed": "", **task.factors, "y": y, "status": "ok", "error": "", "seconds": 0.0}, None))
    return out


def factor_value(value):
    """Factor values as stored in tables (dates as ISO strings)."""
    return value.isoformat() if isinstance(value, dt.date) else value
