"""Sweep specifications: YAML validated like scenarios (file, line, field in every error).

A spec names a scenario, the factors to vary (model parameters, an event's amount or date:
``events.<id>.<field>``; categorical: an event switched on or off, ``events.<id>.enabled``, or the
scenario itself among variants, ``variant``), a design (grid, Latin hypercube, Sobol/Saltelli,
Morris), the number of samples and replicates, and the outputs to record (a metric at a date, or
a summary over the run or a window). See ``docs/sweeps.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from ..params import PARAMETERS
from ..scenario import LoadedScenario, ScenarioError, find, load_scenario
from ..scenario.checks import date_order_problems, known_metrics, members_of, metric_kind, subject_problems
from ..scenario.loader import SCENARIO_KEYS, SWEEP_KEYS, display, format_problems, shipped_root, validation_problems
from .. import limits
from ..scenario.schema import Date, Int, Num, StateId, Strict
from ..scenario.yamlmap import YamlError, load

Number = Int | Num
BUILT_IN_COLUMNS = ("run_id", "sample_id", "replicate", "seed", "status", "error", "seconds")
MAX_LEVELS = 10_000  # levels of one grid factor
VARIANT = "variant"  # the categorical factor that picks the scenario: the spec's own or one of its variants
ENABLED = "enabled"  # events.<id>.enabled: the categorical factor that switches an event on or off


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "names"
    return "dates" if isinstance(value, dt.date) else "numbers"


def _level(value: object) -> object:
    """A level written as an ISO date string (the Python API, a stored manifest) is a date."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


Level = Annotated[Number | Date | bool | str, BeforeValidator(_level)]


class Factor(Strict):
    """A range (low, high) for sampled designs, or explicit levels: numbers or dates (any design),
    true/false (``events.<id>.enabled``) or scenario names (``variant``) — categorical levels,
    which sampled designs draw by their index (:func:`simulation.sweep.design.design`).
    """

    low: Number | Date | None = None
    high: Number | Date | None = None
    levels: list[Level] | None = Field(None, min_length=1, max_length=MAX_LEVELS)

    @model_validator(mode="after")
    def _range_or_levels(self) -> "Factor":
        if self.levels is None and (self.low is None or self.high is None):
            raise ValueError("give low and high, or levels")
        values = [v for v in (self.low, self.high, *(self.levels or [])) if v is not None]
        kinds = sorted({_kind(v) for v in values})
        if len(kinds) > 1:
            raise ValueError(f"the values must all be of one kind (got {' and '.join(kinds)})")
        if self.categorical and self.low is not None or self.categorical and self.high is not None:
            raise ValueError(f"{kinds[0]} are levels, not a range: give levels only")
        if self.categorical and len(set(self.levels)) < len(self.levels):
            raise ValueError("a level is given twice")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low must be below high (got {self.low} and {self.high})")
        return self

    @property
    def categorical(self) -> bool:
        """Levels that are not numbers or dates: switches (true/false) or scenario names."""
        return any(isinstance(v, (bool, str)) for v in (self.low, self.high, *(self.levels or [])))


class Output(Strict):
    """A recorded number: the metric at a date, or a summary over the run or a window."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    metric: str
    state: StateId | None = None
    pair: list[StateId] | None = Field(None, min_length=2, max_length=2)
    at: Date | None = None
    summary: Literal["final", "max", "min", "mean", "change"] = Field(
        "final", description="change: the value at the window's end minus the value at its start")
    window: list[Date] | None = Field(None, min_length=2, max_length=2)

    @model_validator(mode="after")
    def _change_needs_window(self) -> "Output":
        if self.summary == "change" and (self.window is None or self.at is not None):
            raise ValueError("summary: change needs a window: [from, to] (and no at:)")
        if self.window is not None and self.window[0] > self.window[1]:
            raise ValueError(f"the window ends before it starts ({self.window[0]} to {self.window[1]})")
        return self


class SweepSpec(Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    scenario: str | None = Field(None, description="scenario file (next to the spec) or shipped name")
    seed: Int = Field(0, ge=0, le=2**63 - 1)
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: Int = Field(8, ge=1, le=limits.MAX_SWEEP_RUNS, description="lhs: points; sobol: base samples N "
                         "(runs N(2D+2)); morris: trajectories (runs r(D+1)); grid: unused")
    levels: Int = Field(4, ge=2, le=MAX_LEVELS, description="morris grid levels")
    replicates: Int = Field(1, ge=1, le=limits.MAX_SWEEP_REPLICATES)
    random_numbers: Literal["common", "independent"] = Field(
        "common", description="common: replicate r of every sample uses the same seed (common random numbers, "
                              "less noise between samples); independent: every run its own seed")
    factors: dict[str, Factor] = Field(min_length=1)
    outputs: list[Output] = Field(default_factory=list)
    expectations: list[str] = Field(default_factory=list, max_length=1000, description=(
        "ids of the scenario's expectations: each run records whether it holds (a column of that name, 1 or 0)"))
    series: bool = Field(False, description="also store every output metric at every step")
    until: Date | None = None

    @model_validator(mode="after")
    def _bounded(self) -> "SweepSpec":
        runs = size(self)
        if runs > limits.MAX_SWEEP_RUNS:
            raise ValueError(f"the design asks for {runs:,} runs: sweeps are limited to {limits.MAX_SWEEP_RUNS:,}")
        return self

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def output_columns(spec: "SweepSpec") -> list[str]:
    """The results' columns a run records: the outputs, then each expectation (1 if it holds, else 0)."""
    return [o.name for o in spec.outputs] + list(spec.expectations)


def size(spec: "SweepSpec") -> int:
    """Runs the design asks for (exact integers: no overflow, nothing allocated)."""
    d = len(spec.factors)
    per_sample = {"grid": math.prod(len(f.levels) if f.levels is not None else spec.levels
                                     for f in spec.factors.values()),
                  "lhs": spec.samples, "sobol": spec.samples * (d + 2), "morris": spec.samples * (d + 1)}
    return per_sample[spec.design] * spec.replicates


def _knob_problems(factor: Factor, event, field: str, sc) -> list[str]:
    """An event knob's values must pass the event's own schema; dates must fall inside the calendar."""
    values = [v for v in (factor.low, factor.high, *(factor.levels or [])) if v is not None]
    current = getattr(event, field)
    if any(isinstance(v, dt.date) != isinstance(current, dt.date) for v in values):
        return [f"values must be {'dates' if isinstance(current, dt.date) else 'numbers'} like the event's ({current})"]
    out = []
    for v in values:
        if isinstance(v, dt.date) and not sc.calendar.start <= v <= sc.calendar.end:
            out.append(f"{v} is outside the calendar of {sc.name} ({sc.calendar.start} to {sc.calendar.end})")
            continue
        try:
            changed = type(event).model_validate(event.model_dump() | {field: v})
        except ValidationError as exc:
            out.append(f"{v}: {exc.errors()[0]['msg'].lower()}")
            continue
        out += [f"{v}: the event would then start after it ends ({problem})"
                if name != field else f"{v}: {problem}" for name, problem in date_order_problems(changed)]
    return out


def name_problems(spec: SweepSpec) -> list[tuple[tuple, str]]:
    """Output names must be unique and must not clash with the results' own columns."""
    out, seen = [], set()
    for i, o in enumerate(spec.outputs):
        if o.name in seen:
            out.append((("outputs", i, "name"), f"another output is named {o.name!r}"))
        if o.name in BUILT_IN_COLUMNS or o.name in spec.factors:
            out.append((("outputs", i, "name"), f"{o.name!r} is a column of the results already (a built-in "
                                                "column or a factor): choose another name"))
        seen.add(o.name)
    for i, eid in enumerate(spec.expectations):
        if eid in seen or eid in BUILT_IN_COLUMNS or eid in spec.factors:
            out.append((("expectations", i), f"{eid!r} is a column of the results already (an output, a factor, "
                                              "a built-in column or another expectation)"))
        seen.add(eid)
    return out


def _problems_for_model(spec: SweepSpec, loaded: LoadedScenario) -> list[tuple[tuple, str]]:
    sc, out = loaded.scenario, name_problems(spec)
    members = members_of(sc)
    events = {e.id: e for e in sc.events}
    for name, factor in spec.factors.items():
        path = ("factors", name)
        if factor.categorical != (name == VARIANT or name.startswith("events.") and name.endswith(f".{ENABLED}")):
            out.append((path, _categorical_problem(name, factor)))
            continue
        if name == VARIANT:
            continue  # its levels are scenarios: see variant_problems
        if name.startswith("events."):
            parts = name.split(".")
            if len(parts) != 3 or parts[1] not in events:
                hint = difflib.get_close_matches(parts[1] if len(parts) > 1 else name, list(events), n=1)
                more = f" (did you mean {hint[0]!r}?)" if hint else ""
                out.append((path, f"no event {parts[1] if len(parts) > 1 else name!r} in {sc.name}{more}"))
                continue
            if parts[2] == ENABLED:
                continue
            value = getattr(events[parts[1]], parts[2], None)
            if not isinstance(value, (int, float, dt.date)) or isinstance(value, bool):
                out.append((path, f"events.{parts[1]} has no number or date field {parts[2]!r}"))
                continue
            out += [(path, problem) for problem in _knob_problems(factor, events[parts[1]], parts[2], sc)]
        elif name in PARAMETERS:
            p = PARAMETERS[name]
            for bound in [v for v in (factor.low, factor.high, *(factor.levels or [])) if v is not None]:
                if not isinstance(bound, (int, float)) or not p.low <= bound <= p.high:
                    out.append((path, f"{bound} is outside the parameter's bounds [{p.low:g}, {p.high:g}]"))
        else:
            hint = difflib.get_close_matches(name, list(PARAMETERS), n=1)
            more = f" (did you mean {hint[0]!r}?)" if hint else " (a parameter, or events.<id>.<field>)"
            out.append((path, f"unknown factor{more}"))
    expectations = {e.id: e for e in sc.expectations}
    for i, eid in enumerate(spec.expectations):
        if eid not in expectations:
            hint = difflib.get_close_matches(eid, list(expectations), n=1)
            more = (f" (did you mean {hint[0]!r}?)" if hint
                    else f" ({len(expectations)} in it: alliance-sim check lists them)")
            out.append((("expectations", i), f"no expectation {eid!r} in {sc.name}{more}"))
        elif expectations[eid].versus_base is not None:
            out.append((("expectations", i), f"{eid!r} compares a variant with its base, which one run cannot say "
                                              "(sweep the variant factor and compare the outputs instead)"))
        elif spec.until is not None and _last_day(expectations[eid]) > spec.until:
            out.append((("expectations", i), f"{eid!r} is measured up to {_last_day(expectations[eid])}, after "
                                              f"until ({spec.until}): the runs stop before"))
    if spec.until is not None and not sc.calendar.start < spec.until <= sc.calendar.end:
        out.append((("until",), f"{spec.until} is outside the calendar of {sc.name} "
                                f"({sc.calendar.start} to {sc.calendar.end})"))
    for name, factor in spec.factors.items():
        dates = [v for v in (factor.low, factor.high, *(factor.levels or [])) if isinstance(v, dt.date)]
        if spec.until is not None and dates and max(dates) > spec.until:
            out.append((("factors", name), f"{max(dates)} is after until ({spec.until}): the run stops before"))
    for i, o in enumerate(spec.outputs):
        kind = metric_kind(o.metric, sc)
        if kind == "membership":
            out.append((("outputs", i, "metric"), f"{o.metric!r} is a label, not a number: outputs are numbers"))
        elif kind is None:
            hint = difflib.get_close_matches(o.metric, known_metrics(sc), n=1)
            out.append((("outputs", i, "metric"), f"unknown metric {o.metric!r}"
                        + (f" (did you mean {hint[0]!r}?)" if hint else "")))
        else:
            out += list(subject_problems(kind, o.state, o.pair, ("outputs", i), members))
        for day in [d for d in (o.at, *(o.window or [])) if d is not None]:
            if not sc.calendar.start <= day <= sc.calendar.end:
                out.append((("outputs", i), f"{day} is outside the calendar of {sc.name}"))
    return out


def _last_day(statement) -> dt.date:
    """The last day a statement reads: its ``to``, its ``at`` or its window's end."""
    return max(d for d in (statement.to, statement.at, *(statement.window or [])) if d is not None)


def _categorical_problem(name: str, factor: Factor) -> str:
    """What is wrong with a factor whose levels are of the wrong kind for its name."""
    if name == VARIANT:
        return "levels must be scenario names: the spec's scenario and its variants (variant: {levels: [a, b]})"
    if name.startswith("events.") and name.endswith(f".{ENABLED}"):
        return "levels must be true and/or false (switch the event on or off)"
    kind = "true/false" if any(isinstance(v, bool) for v in factor.levels or []) else "names"
    return (f"{kind} levels are for the categorical factors events.<id>.{ENABLED} and {VARIANT}: "
            "this factor takes numbers or dates")


def variant_problems(spec: SweepSpec, folder: Path | None) -> tuple[dict[str, LoadedScenario], list[tuple[tuple, str]]]:
    """The scenarios of the ``variant`` factor's levels (a file next to the spec, or a shipped
    name), each validated against the spec: its outputs, ``until`` and the knobs of the events it has
    (a knob of an event a variant removes does nothing in that variant's runs).
    """
    factor = spec.factors.get(VARIANT)
    if factor is None or not all(isinstance(v, str) for v in factor.levels or [None]):
        return {}, []  # wrong kinds of levels are _problems_for_model's
    found, out = {}, []
    for level in factor.levels:
        candidate = folder / level if folder is not None else None
        try:
            loaded = load_scenario(candidate if candidate is not None and candidate.is_file() else find(level))
        except ScenarioError as exc:
            message = str(exc.problems[0])
            out.append((("factors", VARIANT), message if level in message.split(":", 1)[0] else f"{level}: {message}"))
            continue
        except (OSError, ValueError):
            out.append((("factors", VARIANT), f"{level}: cannot be read"))
            continue
        events = {e.id for e in loaded.scenario.events}
        kept = {k: f for k, f in spec.factors.items()
                if k != VARIANT and (not k.startswith("events.") or k.split(".")[1] in events)}
        problems = _problems_for_model(spec.model_copy(update={"factors": kept}), loaded)
        out += [(("factors", VARIANT), f"{level}: {'.'.join(map(str, path))}: {msg}") for path, msg in problems]
        found[level] = loaded
    return found, out


def shipped_specs() -> list[str]:
    """Names of the sweep specs that ship with the package (scenarios/sweeps/)."""
    return sorted(p.stem for p in (shipped_root() / "sweeps").glob("*.yaml"))


def _shipped_spec(reference: str) -> Path:
    """A shipped sweep spec by its exact name (``small``), or a clear error with the names."""
    name = reference.removesuffix(".yaml")
    if name in shipped_specs():
        return shipped_root() / "sweeps" / f"{name}.yaml"
    hint = difflib.get_close_matches(reference, shipped_specs(), n=3)
    more = f" (did you mean {', '.join(hint)}?)" if hint else f" (shipped: {', '.join(shipped_specs())})"
    raise ScenarioError([f"{reference}: no such sweep spec file or shipped sweep spec{more}"])


def spec_path(path: str | Path) -> Path:
    """The file of a spec: a path, or a shipped spec's name; a clear error for a folder or an unknown name."""
    path = Path(path)
    if path.is_dir():
        raise ScenarioError([f"{path}: is a folder: expected a sweep spec file (YAML; see scenarios/sweeps/)"])
    return path if path.is_file() else _shipped_spec(str(path))


def load_spec(path: str | Path, for_model: bool = True) -> tuple[SweepSpec, LoadedScenario | None]:
    """Validate a spec file (and its scenario); raise :class:`ScenarioError` with file:line messages."""
    path = spec_path(path)
    try:
        located = load(path)
    except YamlError as exc:
        raise ScenarioError([f"{exc.file}:{exc.line}: {exc.message}"]) from None
    keys = set(located.data) if isinstance(located.data, dict) else set()
    if SCENARIO_KEYS & keys and not SWEEP_KEYS & keys:
        raise ScenarioError([f"{display(path)}:1: is a scenario ({', '.join(sorted(SCENARIO_KEYS & keys))}), not a "
                             f"sweep spec: run it with `alliance-sim run {display(path)}`, or sweep it from a spec "
                             "that names it (scenario:) and the factors to vary (docs/sweeps.md)"])
    try:
        spec = SweepSpec.model_validate(located.data)
    except ValidationError as exc:
        raise ScenarioError(format_problems(validation_problems(exc, located.lines), located.lines)) from None
    if not for_model:
        problems = name_problems(spec)
        if problems:
            raise ScenarioError(format_problems(problems, located.lines))
        return spec, None
    if spec.scenario is None:
        raise ScenarioError(format_problems([(("scenario",), "required to sweep the model")], located.lines))
    candidate = path.parent / spec.scenario
    try:
        reference = candidate if spec.scenario.strip() and candidate.is_file() else find(spec.scenario)
    except (ScenarioError, OSError, ValueError) as exc:
        message = str(exc.problems[0]).split(": ", 1)[-1] if isinstance(exc, ScenarioError) else "cannot be read"
        problem = [(("scenario",), f"{spec.scenario!r}: {message}")]
        raise ScenarioError(format_problems(problem, located.lines)) from None
    loaded = load_scenario(reference)
    problems = _problems_for_model(spec, loaded) or variant_problems(spec, path.parent)[1]
    if problems:
        raise ScenarioError(format_problems(problems, located.lines))
    return spec, loaded
