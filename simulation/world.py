"""The initial world of a scenario: state records and the N×N relations, as arrays.

Built once from a validated :class:`~simulation.scenario.Scenario` and shared by every
replicate: a :class:`World` is immutable — frozen, its arrays read-only — and each
:class:`~simulation.model.AllianceModel` copies what it changes. What is computed once per
world (the spin-up, the schedule of a calendar) is kept beside it, in ``once``'s cache, never in it.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace

import numpy as np

from . import data, system
from .calendar import Calendar
from . import events
from .events import ONE_DAY, TREATY_STRENGTH
from .scenario.schema import Aid, AidSuspension, EventBase, Scenario, Weights

DEFAULT_RISK_TOLERANCE = 0.5
KEEP = 8  # results of one kind kept per world (``once``)


@dataclass(frozen=True, eq=False)
class World:
    """A scenario compiled once: canonical ids, initial arrays (read-only), events indexed by step.

    Shared by every replicate (each model copies the arrays it changes); compared by identity.
    """

    calendar: Calendar
    records: list[data.StateRecord]
    weights: list[dict[str, float]]
    risk_tolerance: np.ndarray
    front_share: list[float | None]
    recruitment: np.ndarray
    munitions: np.ndarray  # NaN = derive from military expenditure
    neighbours: np.ndarray
    treaty: np.ndarray
    at_war: np.ndarray
    war_years: np.ndarray  # years each state has been at war before the start (experience)
    sanctions: np.ndarray
    affinity_overrides: dict[tuple[str, str], float]
    events: list[EventBase]  # as written, in date order (labels, the events table)
    compiled: list[events.Compiled]  # the same events with integer state indices
    regions: dict[str, tuple[np.ndarray, np.ndarray]]
    anchor: str | None
    # support flowing at the start: (giver, receiver, years it has flowed (inf: steady), per-year amounts)
    support: list[tuple[int, int, float, dict[str, float]]] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)  # system: all — the year's data and what was imputed

    def __post_init__(self):
        for f in fields(self):  # read-only arrays: a model that wrote into the shared world would fail here
            value = getattr(self, f.name)
            for array in value.values() if isinstance(value, dict) else [value]:
                for a in array if isinstance(array, tuple) else [array]:
                    if isinstance(a, np.ndarray):
                        a.setflags(write=False)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.records]

    @property
    def actors(self) -> list[str]:
        """The states the scenario's events name, in order of first appearance (each once)."""
        known = set(self.ids)
        named = dict.fromkeys(data.canonical(ref) for e in self.events for ref in events.involved(e))
        return [state for state in named if state in known]

    def _column(self, name: str) -> np.ndarray:
        return np.array([getattr(r, name) for r in self.records], dtype=float)

    manpower = property(lambda self: self._column("manpower"))
    milex = property(lambda self: self._column("milex"))
    gdp = property(lambda self: self._column("gdp"))
    cinc = property(lambda self: self._column("cinc"))
    ideal_points = property(lambda self: self._column("ideal_point"))
    lat = property(lambda self: self._column("lat"))
    lon = property(lambda self: self._column("lon"))
    population = property(lambda self: self._column("population"))

    def cow(self, state: str) -> str:
        """The COW id of a state named any way (``data.resolve_id``'s one rule)."""
        return data.canonical(state)

    def schedule(self, boundaries: list[dt.date]) -> list[list[tuple[events.Compiled, float]]]:
        """The compiled events acting in each step of a calendar and their shares (once per calendar)."""
        return once(self, ("schedule", tuple(boundaries)), lambda: events.schedule(self.compiled, boundaries))


_ONCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # world → {key: what was computed for it}


def once(world: World, key: tuple, compute: Callable):
    """``compute()`` once per world and key (deterministic results shared by every replicate),
    kept beside the world as long as it lives. At most KEEP results of each kind (``key[0]``) are
    kept, the most recently used: a sweep that gives every run its own parameters does not grow.
    """
    return once_each(world, [key], lambda missing: [compute()])[0]


def once_each(world: World, keys: list[tuple], compute: Callable[[list[int]], list]) -> list:
    """``once`` for several keys of one kind, the missing ones computed together:
    ``compute(missing)`` gets the positions in ``keys`` of those not kept and returns their values.
    """
    cache = _ONCE.setdefault(world, {})
    missing = [i for i, key in enumerate(keys) if key not in cache]
    computed = dict(zip(missing, compute(missing), strict=True)) if missing else {}
    values = []
    for i, key in enumerate(keys):
        value = computed[i] if i in computed else cache.pop(key)
        cache[key] = value  # most recently used last
        values.append(value)
    for old in [k for k in cache if k[0] == keys[0][0]][:-KEEP]:
        del cache[old]
    return values


def _record(record: data.StateRecord, spec) -> data.StateRecord:
    """A state's shipped record with the scenario's overrides (each with its source)."""
    if spec is None:
        return record
    given = spec.model_dump(exclude_none=True)
    numbers = {k: v for k, v in given.items() if k in data.NUMERIC_FIELDS}
    record = record.with_overrides(numbers, spec.source or "scenario") if numbers else record
    others = {k: f"{spec.source or 'scenario'} (scenario override)" for k in given
              if k not in set(numbers) | {"name", "source"}}
    record = replace(record, sources=record.sources | others) if others else record
    return record if spec.name is None else replace(record, name=spec.name)


def _pair_matrix(n: int, index: dict[str, int], groups, value_of) -> np.ndarray:
    out = np.zeros((n, n))
    for group in groups:
        members, value = value_of(group)
        idx = [index[m] for m in members]
        for i in idx:
            for j in idx:
                if i != j:
                    out[i, j] = max(out[i, j], value)
    return out


def build_world(scenario: Scenario) -> World:
    """Arrays of the scenario's initial state (the scenario must have passed validation)."""
    cow = data.canonical  # every id written in the scenario → COW id, one rule
    written = {cow(k): v for k, v in scenario.states.items()}
    world = system.system(scenario.calendar.start) if scenario.system else None
    shipped = {r.id: r for r in world.records} if world else {sid: data.state_record(sid) for sid in written}
    specs = {sid: written.get(sid) for sid in shipped}  # system: all → every state, COW order
    ids = list(specs)
    index = {sid: i for i, sid in enumerate(ids)}
    n = len(ids)
    records = [_record(shipped[sid], specs[sid]) for sid in ids]
    rel = scenario.relations
    weights = [(spec.weights if spec and spec.weights else Weights()).model_dump() for spec in specs.values()]
    neighbours = np.array([[b in r.neighbours for b in ids] for r in records], dtype=bool)
    treaties = [([cow(p) for p in t.parties], t.strength if t.strength is not None else TREATY_STRENGTH[t.kind])
                for t in rel.treaties]
    treaties += [(list(t.parties), t.strength if t.strength is not None else TREATY_STRENGTH[t.kind])
                 for t in (world.treaties if world else ())]
    wars = [([cow(p) for p in w.parties], w.since) for w in rel.wars]
    wars += [(list(w.parties), w.since) for w in (world.wars if world else ())]
    treaty = _pair_matrix(n, index, treaties, lambda t: t)
    at_war = _pair_matrix(n, index, wars, lambda w: (w[0], 1.0)).astype(bool)
    war_years = np.zeros(n)
    for parties, since in wars:
        years = (scenario.calendar.start - since).days / 365.25 if since else 0.0
        for party in parties:
            war_years[index[party]] = max(war_years[index[party]], years, 0.0)
    sanctions = np.zeros((n, n))
    for item in rel.sanctions:
        for by in item.by:
            sanctions[index[cow(by)], index[cow(item.target)]] = item.intensity
    regions = {}
    for name, region in scenario.regions.items():
        core = np.isin(ids, [cow(s) for s in region.core])
        members = np.isin(ids, [cow(s) for s in region.with_])
        regions[name] = (core, members)
    support = [(index[cow(item.from_)], index[cow(item.to)],
                (scenario.calendar.start - item.since).days / 365.25 if item.since else float("inf"),
                item.model_dump(include={"shells", "missiles", "drones", "artillery", "military_aid_usd_bn",
                                         "economic_aid_usd_bn"}))
               for item in rel.support]
    pauses: dict[tuple[str, str], list] = {}  # suspensions of aid, giver and receiver
    for e in scenario.events:
        if isinstance(e, AidSuspension):
            end = e.until or dt.date.max - ONE_DAY
            pauses.setdefault((cow(e.from_), cow(e.to)), []).append((e.date, end))
    in_order = sorted(scenario.events, key=lambda e: e.date)
    return World(
        calendar=Calendar(scenario.calendar.start, scenario.calendar.end, scenario.calendar.step),
        records=records,
        weights=weights,
        risk_tolerance=np.array([spec.risk_tolerance if spec and spec.risk_tolerance is not None
                                 else DEFAULT_RISK_TOLERANCE for spec in specs.values()]),
        front_share=[spec.front_share if spec else None for spec in specs.values()],
        recruitment=np.array([spec.recruitment if spec and spec.recruitment is not None else 1.0
                              for spec in specs.values()]),
        munitions=np.array([spec.munitions if spec and spec.munitions is not None else np.nan
                            for spec in specs.values()]),
        neighbours=neighbours,
        treaty=treaty,
        at_war=at_war,
        war_years=war_years,
        sanctions=sanctions,
        affinity_overrides={(cow(a.pair[0]), cow(a.pair[1])): a.value for a in rel.affinity},
        events=in_order,
        compiled=events.compile_events(
            in_order, lambda ref: index[cow(ref)],
            lambda e: pauses.get((cow(e.from_), cow(e.to)), []) if isinstance(e, Aid) else []),
        regions=regions,
        anchor=cow(scenario.coalition_anchor) if scenario.coalition_anchor else None,
        support=support,
        provenance=world.provenance() if world else {},
    )

