"""One dashboard session: a scenario's model stepped on demand, and optionally a variant beside it.

The dashboard (``viz/dashboard.py``) keeps one :class:`Session` per browser session, so two
users never share a model. The model is seeded exactly as replicate 0 of
``alliance-sim run --seed S`` (child 0 of ``SeedSequence(S).spawn``), so what the dashboard shows
can be reproduced from the command line; a variant runs beside it with the same seed (common
random numbers), so where the two diverge is the variant's effect, not noise.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simulation.compare import bands_of, calendar_problems, long_table
from simulation import hindcast, limits
from simulation.data import canonical, region
from simulation.model import AllianceModel, make_model
from simulation.runner import events_table, resolve_params
from simulation.scenario import LoadedScenario, ScenarioError, load_scenario


def upload_name(name: str | None) -> str:
    """A safe file name for an upload: its last component, plain characters only."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", Path(str(name or "")).name)[:100].lstrip(".")
    return base or "uploaded.yaml"


def check_upload_size(name: str, size: int | None) -> None:
    """Refuse an upload above the file limit before its content is read."""
    if size is not None and size > limits.MAX_FILE_BYTES:
        raise ScenarioError([f"{upload_name(name)}:1: the file is {size / 2**20:.1f} MiB: scenario files are "
                             f"limited to {limits.MAX_FILE_BYTES // 2**20} MiB"])


def load_upload(name: str, data: bytes) -> LoadedScenario:
    """Validate an uploaded YAML file with the same loader and limits as the command line (raise
    :class:`ScenarioError` with file:line messages). It may extend a shipped scenario by name,
    nothing outside its own (temporary) folder; the folder is removed afterwards.
    """
    check_upload_size(name, len(data))
    with tempfile.TemporaryDirectory(prefix="alliance-sim-upload-") as folder:
        path = Path(folder) / upload_name(name)
        path.write_bytes(data)
        return load_scenario(path, root=Path(folder))


@dataclass(eq=False)  # identity matters: a new session must re-render the page even with equal settings
class Session:
    """A scenario's model (and a variant's) stepped together."""

    loaded: LoadedScenario
    params: dict = field(default_factory=dict)
    seed: int | None = None
    variant: LoadedScenario | None = None

    def __post_init__(self) -> None:
        self.seed = self.loaded.scenario.seed if self.seed is None else int(self.seed)
        self.resolved = resolve_params(self.loaded, self.params)
        self.model = self._model(self.loaded)
        self.variant_model = None
        if self.variant is not None:
            problems = calendar_problems(self.loaded, self.variant)
            if problems:
                raise ScenarioError(problems)
            self.variant_model = self._model(self.variant)

    def _model(self, loaded: LoadedScenario) -> AllianceModel:
        return make_model(loaded.scenario, resolve_params(loaded, self.params), self.seed)

    # -- time ------------------------------------------------------------------------------
    @property
    def step_index(self) -> int:
        return self.model.recorder.last

    @property
    def n_steps(self) -> int:
        return self.model.n_steps

    @property
    def finished(self) -> bool:
        return not self.model.running

    @property
    def date(self):
        return self.model.dates[self.step_index]

    def step(self) -> None:
        """Advance one step (both models); nothing happens once the calendar is over."""
        for model in (self.model, self.variant_model):
            if model is not None and model.running:
                model.step()

    # -- views -----------------------------------------------------------------------------
    def tables(self, variant: bool = False, among=None) -> dict[str, pd.DataFrame]:
        """The run so far; ``among`` (ids) keeps only those states' pairs (a view of a large world)."""
        model = self.variant_model if variant else self.model
        tables = model.recorder.item(0).tables(0, among)
        return tables | {"events": events_table(model.fired)}

    def pairs(self, among) -> pd.DataFrame:
        """The pairs of the states ``among`` (ids) over the run so far."""
        return self.model.recorder.item(0).pair_table(range(self.step_index + 1), 0, among)

    def pairs_now(self) -> pd.DataFrame:
        """Every pair at the current step (the coalitions by region, a state's partners and rivals)."""
        return self.model.recorder.item(0).pair_table([self.step_index])

    def meta(self) -> dict:
        sc = self.loaded.scenario
        anchor = self.model.ids[self.model.anchor]
        world = self.model.world
        return {"title": sc.title, "scenario": sc.name, "states": {r.id: r.name for r in world.records},
                "regions": {r.id: region(r.ccode) for r in world.records}, "actors": world.actors,
                "anchor": anchor, "coalition_names": {"A": f"with {anchor}", "B": f"against {anchor}"}}

    def overlay(self) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
        """Bands (one replicate each, so lo = med = hi) of base and variant so far, and their events."""
        runs = {self.loaded.scenario.name: self.tables(), self.variant.scenario.name: self.tables(variant=True)}
        bands = pd.concat([bands_of(name, long_table(t)) for name, t in runs.items()], ignore_index=True)
        return bands, {name: t["events"] for name, t in runs.items()}

    def hindcast(self) -> tuple[pd.DataFrame | None, list, list]:
        """The scenario's observed outcomes against the run so far: (the score of those whose span
        has ended by the current date — one run, so each P is 0 or 1 — or None, those outcomes, those
        not yet due).
        """
        sc = self.loaded.scenario
        ends = {o.id: hindcast.span(o, sc.calendar.start)[1] for o in sc.observed}
        due = [o for o in sc.observed if ends[o.id] <= self.date]
        later = [o for o in sc.observed if ends[o.id] > self.date]
        if not due:
            return None, due, later
        ids = {canonical(i) for o in due for sub in (o, o.relative_to) if sub is not None
               for i in (sub.pair or ([sub.state] if sub.state else []))}
        return hindcast.score(self.tables(among=sorted(ids)), sc.model_copy(update={"observed": due})), due, later
