"""Run a scenario: replicates seeded from ``SeedSequence(seed).spawn``, stepped in batches.

``run`` is the Python API (``from simulation import load_scenario, run``); the CLI and the
sweeps call it too. Replicate r always gets child r of the seed sequence, so replicate 0 is the
same run whether 1 or 100 replicates are asked for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import platform
import sys
from collections.abc import Callable, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from . import data, parallel
from . import params as P
from .events import default_label, involved
from .model import batch_size, make_batch
from .scenario import LoadedScenario, ScenarioError, load_scenario
from .world import World, build_world

EVENT_COLUMNS = ["id", "type", "date", "step", "label", "source", "states"]


def shifted(progress: Callable[[int], None] | None, by: int) -> Callable[[int], None] | None:
    """A run's progress (replicates done in it) as the progress of a whole made of several runs:
    ``by`` runs done before it (``check`` with its base, ``compare`` with its variants).
    """
    return None if progress is None else (lambda done: progress(by + done))


def package_version() -> str:
    try:
        return version("alliance-sim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@dataclass
class RunResult:
    """The tables of a run (all replicates stacked) and what is needed to reproduce it."""

    loaded: LoadedScenario
    params: dict[str, float]
    seed: int
    replicates: int
    until: dt.date | None
    model: pd.DataFrame
    states: pd.DataFrame
    pairs: pd.DataFrame
    events: pd.DataFrame
    names: dict[str, str] = field(default_factory=dict)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    world: dict = field(default_factory=dict)  # system: all — the day, the NMC year, the imputed values
    regions: dict[str, str] = field(default_factory=dict)  # id -> COW region (data.region)
    actors: list[str] = field(default_factory=list)  # the states the scenario's events name

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"model": self.model, "states": self.states, "pairs": self.pairs, "events": self.events}

    def to_xarray(self):
        """The model, states and pairs tables as one labelled ``xarray.Dataset`` (``simulation.labelled``)."""
        from .labelled import to_dataset

        return to_dataset(self.tables)

    def manifest(self) -> dict:
        """Everything needed to reproduce the run (written as ``manifest.json``)."""
        sc = self.loaded.scenario
        return {
            "package": "alliance-sim",
            "version": package_version(),
            "command": "run",
            "scenario": {"name": sc.name, "title": sc.title, "file": str(self.loaded.path),
                         "sha256": self.loaded.sha256, "files": self.loaded.file_hashes},
            "calendar": {"start": str(sc.calendar.start), "end": str(sc.calendar.end),
                         "step": sc.calendar.step, "until": str(self.until) if self.until else None},
            "parameters": self.params,
            "seeds": {"seed": self.seed, "replicates": self.replicates,
                      "scheme": "numpy.random.SeedSequence(seed).spawn(replicates); replicate r uses child r",
                      "spawn_keys": [[r] for r in range(self.replicates)]},
            "states": self.names,
            "data": data_hashes(years=bool(self.world)),
            "state_sources": self.sources,
            **({"world": self.world} if self.world else {}),
            "platform": platform_info(),
        }


def platform_info() -> dict[str, str]:
    """The interpreter and the libraries a result was computed with (in every manifest)."""
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "system": platform.platform(), "numpy": np.__version__, "pandas": pd.__version__,
            "mesa": version("mesa")}


def data_hashes(years: bool = False) -> dict[str, str]:
    """SHA-256 of the shipped data tables every initial number comes from (``years``: and the
    tables of the worlds of 1990–2024, for ``system: all`` scenarios).
    """
    return {name: hashlib.sha256(data.data_file(name).read_bytes()).hexdigest()
            for name in data.TABLES + (data.YEAR_TABLES if years else ())}


def run_replicates(world: World, params: dict[str, float], seed: int, replicates: list[int],
                   until: dt.date | None = None) -> list[tuple[int, dict[str, pd.DataFrame], list]]:
    """Replicates ``replicates`` of a run seeded ``seed``, stepped together (``make_batch``): for
    each, (replicate, its tables, the events that fired as (step, event)) — the same in any batch.
    """
    model = make_batch(world, params, seed, replicates, until).run()
    return [(r, model.recorder.item(b).tables(r), model.fired) for b, r in enumerate(replicates)]


def events_table(fired: list) -> pd.DataFrame:
    rows = [{"id": e.id, "type": e.type, "date": pd.Timestamp(e.date), "step": k,
             "label": e.label or default_label(e), "source": e.source, "states": ",".join(involved(e))}
            for k, e in fired]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def resolve_params(loaded: LoadedScenario, overrides: Mapping[str, object] | None = None) -> dict[str, float]:
    """Defaults ← scenario ``parameters:`` ← ``overrides`` (e.g. ``--set``)."""
    try:
        return P.resolve(loaded.scenario.parameters, overrides or {})
    except KeyError as exc:
        raise ScenarioError([f"--set {exc.args[0]}: unknown parameter"]) from None
    except ValueError as exc:
        raise ScenarioError([f"--set: {exc}"]) from None


def _replicates(context: tuple, replicates: list[int]) -> list[tuple[int, dict, list]]:
    """A batch of replicates of an ensemble (an evaluator for ``parallel.results``)."""
    world, params, seed, until = context
    return run_replicates(world, params, seed, replicates, until)


def run(scenario: str | Path | LoadedScenario, seed: int | None = None, replicates: int = 1,
        until: dt.date | None = None, params: Mapping[str, object] | None = None,
        progress: Callable[[int], None] | None = None, workers: int | None = 1) -> RunResult:
    """Run ``replicates`` replicates of a scenario and return the stacked tables.

    ``workers`` > 1 runs batches of replicates in that many processes (None: on every core when
    that pays, ``parallel.automatic``); the tables are the same bytes whatever the number of
    workers and batches (replicate r is seeded by child r and stacked in order r).
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    if until is not None and not sc.calendar.start < until:
        raise ScenarioError([f"--until {until}: must be after the scenario start {sc.calendar.start}"])
    resolved = resolve_params(loaded, params)
    seed = sc.seed if seed is None else seed
    world = build_world(sc)
    done: dict[int, tuple[dict, list]] = {}
    workers = None if workers is None else min(workers, replicates)
    work = parallel.batches(list(range(replicates)), batch_size(len(world.records)), workers or parallel.cores())
    try:
        with contextlib.closing(parallel.results(work, _replicates, (world, resolved, seed, until), workers,
                                                 preload=("simulation.runner",))) as stream:
            for batch in stream:
                for r, tables, fired_r in batch:
                    done[r] = tables, fired_r
                if progress:
                    progress(len(done))
    except BrokenProcessPool:
        raise RuntimeError("a worker process died (in a script, call run(..., workers=N) under "
                           "`if __name__ == '__main__':`, since worker processes import the main module)") from None
    order = [done[r] for r in range(replicates)]
    stacked = {name: pd.concat([tables[name] for tables, _ in order], ignore_index=True)
               for name in ("model", "states", "pairs")}
    fired = next((f for _, f in order if f), [])
    return RunResult(loaded, resolved, seed, replicates, until, stacked["model"], stacked["states"],
                     stacked["pairs"], events_table(fired), {r.id: r.name for r in world.records},
                     {r.id: dict(r.sources) for r in world.records}, world.provenance,
                     {r.id: data.region(r.ccode) for r in world.records}, world.actors)
