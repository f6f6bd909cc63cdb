"""Checks that need more than one field: states exist, dates fall in the calendar, ids are unique.

Each check yields ``(path, message)``; the loader turns paths into ``file:line``.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator

from .. import data, system
from ..params import PARAMETERS
from .. import metrics
from .schema import STATE_LISTS, Scenario, state_refs

Problem = tuple[tuple, str]
DATE_FIELDS = ("until", "in_force", "lifted")


def canonical_states(scenario: Scenario) -> dict[str, str]:
    """Map each id written under ``states:`` to its COW abbreviation (unknown ids are left out)."""
    out = {}
    for key in scenario.states:
        cow = data.resolve_id(key)
        if cow is not None:
            out[key] = cow
    return out


def the_system(scenario: Scenario):
    """The international system a ``system: all`` scenario starts from, or None (none, or a start out of range)."""
    if scenario.system is None or not system.FIRST_YEAR <= scenario.calendar.start.year <= system.LAST_YEAR:
        return None
    return system.system(scenario.calendar.start)


def members_of(scenario: Scenario) -> set[str]:
    """The COW ids of the scenario's states: its ``states:``, or the whole system with ``system: all``."""
    world = the_system(scenario)
    return set(world.ids) if world is not None else set(canonical_states(scenario).values())


def _state_problems(scenario: Scenario) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    world = the_system(scenario)
    if scenario.system is not None and world is None:
        yield ("calendar", "start"), (f"system: all needs a start in {system.FIRST_YEAR}–{system.LAST_YEAR} "
                                      f"(got {scenario.calendar.start})")
    if scenario.system is None and len(scenario.states) < 2:
        yield ("states",), f"at least 2 states are needed, or system: all (got {len(scenario.states)})"
    for key, spec in scenario.states.items():
        cow = data.resolve_id(key)
        if cow is None:
            yield ("states", key), (f"unknown state {key!r}{data.suggest(key)}; "
                                    "ids are COW abbreviations, ISO3 codes or names")
            continue
        if cow in seen:
            yield ("states", key), f"{key!r} is the same state as {seen[cow]!r}"
        seen[cow] = key
        overridden = set(spec.model_dump(exclude_none=True)) - {"name", "source"} if spec else set()
        if world is not None and cow not in world.ids:
            past = [f"{p} ({row['name']})" for p, row in data.historical().iterrows()
                    if p in world.ids and key.strip().upper() == p]
            hint = f"; for COW's {past[0]} write its name" if past else ""
            yield ("states", key), f"{cow} is not a state of the international system on {world.on}{hint}"
            continue
        if world is None and cow not in data.world().index:
            yield ("states", key), (f"{cow} ({data.historical().loc[cow, 'name']}) is a state of the past: "
                                    "use system: all with a start in its years")
            continue
        record = world.record(cow) if world is not None else data.state_record(cow)
        for name in data.missing_fields(record):
            if name not in overridden:
                yield ("states", key), (f"the shipped data has no {name} for {cow}; "
                                        f"set states.{key}.{name} and its source")
        if overridden and not (spec and spec.source):
            yield ("states", key), ("needs a source: every overridden number must cite where it comes from "
                                    f"(overridden: {', '.join(sorted(overridden))})")


def _refs(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _in_scenario(ref: str, members: set[str]) -> bool:
    cow = data.resolve_id(ref)
    return cow is not None and cow in members


def _unknown(ref: str, members: set[str]) -> str:
    listed = ", ".join(sorted(members)) if len(members) <= 12 else f"{len(members)} states"
    return f"state {ref!r} is not in this scenario's states ({listed}); add it under states:"


@functools.lru_cache(maxsize=None)
def _fields(cls: type, names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields among ``names`` that an event class has (getattr on a missing pydantic field is slow)."""
    return tuple(n for n in names if n in cls.model_fields)


def date_order_problems(event) -> Iterator[tuple[str, str]]:
    """(field, problem) for each of the event's end dates (``until``, ``in_force``, ``lifted``) before its date."""
    for name in _fields(type(event), DATE_FIELDS):
        when = getattr(event, name)
        if when is not None and not event.date <= when:
            yield name, f"{when} is before the event's date {event.date}"


def _event_problems(scenario: Scenario, members: set[str]) -> Iterator[Problem]:
    start, end = scenario.calendar.start, scenario.calendar.end
    ids: dict[str, int] = {}
    for i, event in enumerate(scenario.events):
        if event.id in ids:
            yield ("events", i, "id"), f"duplicate event id {event.id!r} (first at events[{ids[event.id]}])"
        ids.setdefault(event.id, i)
        if not start <= event.date <= end:
            yield ("events", i, "date"), f"{event.date} is outside the calendar ({start} to {end})"
        cls = type(event)
        for name, problem in date_order_problems(event):
            yield ("events", i, name), problem
        refs = state_refs(event, stance=True)
        lists = _fields(cls, STATE_LISTS)
        stance = list(event.stance or {}) if "stance" in cls.model_fields else []
        for sub, ref in refs:
            if not _in_scenario(ref, members):
                yield ("events", i) + sub, _unknown(ref, members)
        endpoints = [r for sub, r in refs if sub[0] in ("from", "to", "actor", "target")]
        if len(endpoints) == 2 and data.resolve_id(endpoints[0]) == data.resolve_id(endpoints[1]):
            yield ("events", i), f"a state cannot act on itself ({endpoints[0]})"
        for name in lists:
            yield from _repeats(getattr(event, name), ("events", i, name))
        yield from _repeats(stance, ("events", i, "stance"))
        host = event.host if "host" in cls.model_fields else None
        if host and any(data.resolve_id(p) == data.resolve_id(host) for p in event.participants):
            yield ("events", i, "participants"), f"the host {host!r} is listed among the participants"


def _repeats(refs: object, path: tuple) -> Iterator[Problem]:
    """A state named twice in one list (a war with itself, a treaty with itself…)."""
    seen: set[str] = set()
    for j, ref in enumerate(_refs(refs)):
        cow = data.resolve_id(ref) or ref
        if cow in seen:
            yield path + (j,), f"{ref!r} is named twice"
        seen.add(cow)


def _relation_problems(scenario: Scenario, members: set[str]) -> Iterator[Problem]:
    rel = scenario.relations
    for group, key in (("wars", "parties"), ("treaties", "parties"), ("affinity", "pair"), ("sanctions", "by")):
        for i, item in enumerate(getattr(rel, group)):
            for j, ref in enumerate(getattr(item, key)):
                if not _in_scenario(ref, members):
                    yield ("relations", group, i, key, j), _unknown(ref, members)
            yield from _repeats(getattr(item, key), ("relations", group, i, key))
    for i, item in enumerate(rel.sanctions):
        if not _in_scenario(item.target, members):
            yield ("relations", "sanctions", i, "target"), _unknown(item.target, members)
    for i, item in enumerate(rel.support):
        for key, ref in (("from", item.from_), ("to", item.to)):
            if not _in_scenario(ref, members):
                yield ("relations", "support", i, key), _unknown(ref, members)
        if data.resolve_id(item.from_) is not None and data.resolve_id(item.from_) == data.resolve_id(item.to):
            yield ("relations", "support", i), f"a state cannot support itself ({item.from_})"
        if item.since is not None and item.since > scenario.calendar.start:
            yield ("relations", "support", i, "since"), (f"{item.since} is after the start "
                                                         f"({scenario.calendar.start}): "
                                                         "support that begins later is an event")
    for name, region in scenario.regions.items():
        for key, refs in (("core", region.core), ("with", region.with_)):
            for j, ref in enumerate(refs):
                if not _in_scenario(ref, members):
                    yield ("regions", name, key, j), _unknown(ref, members)
        yield from _repeats(region.core + region.with_, ("regions", name))
    if scenario.coalition_anchor and not _in_scenario(scenario.coalition_anchor, members):
        yield ("coalition_anchor",), _unknown(scenario.coalition_anchor, members)


def metric_kind(metric: str, scenario: Scenario) -> str | None:
    """'model', 'state', 'pair' or 'membership' for a known metric of this scenario, else None."""
    return metrics.metric_kind(metric, scenario.regions)


def known_metrics(scenario: Scenario) -> list[str]:
    return metrics.known_metrics(scenario.regions)


def subject_problems(kind: str, state, pair, path: tuple, members: set[str]) -> Iterator[Problem]:
    need = {"model": (False, False), "state": (True, False), "pair": (False, True), "membership": (False, True)}[kind]
    for name, value, wanted in (("state", state, need[0]), ("pair", pair, need[1])):
        if wanted and value is None:
            yield path, f"this metric needs a {name}"
        if not wanted and value is not None:
            yield path + (name,), f"this metric takes no {name}"
    for j, ref in enumerate(pair or []):
        if not _in_scenario(ref, members):
            yield path + ("pair", j), _unknown(ref, members)
    if pair and len(pair) == 2 and data.resolve_id(pair[0]) is not None and \
            data.resolve_id(pair[0]) == data.resolve_id(pair[1]):
        yield path + ("pair",), f"a pair is two different states (got {pair[0]} and {pair[1]})"
    if state is not None and not _in_scenario(state, members):
        yield path + ("state",), _unknown(state, members)


def _timing_problems(exp, path: tuple, start, end) -> Iterator[Problem]:
    change = exp.from_ is not None or exp.to is not None
    level = [name for name in ("at", "window") if getattr(exp, name) is not None]
    if exp.test in ("rises", "falls") and (exp.from_ is None or exp.to is None or level):
        yield path, f"'{exp.test}' needs from: and to: (and no at:/window:)"
    elif exp.test in ("above", "below", "same", "different") and len(level) + (exp.from_ is not None
                                                                              and exp.to is not None) != 1:
        yield path, f"'{exp.test}' needs exactly one of at:, window:, or from: with to:"
    elif exp.test in ("same", "different") and change:
        yield path, f"'{exp.test}' is checked at: a date or over a window:, not as a change"
    for name, day in (("from", exp.from_), ("to", exp.to), ("at", exp.at), *(
            (("window", j), d) for j, d in enumerate(exp.window or []))):
        if day is not None and not start <= day <= end:
            sub = name if isinstance(name, tuple) else (name,)
            yield path + sub, f"{day} is outside the calendar ({start} to {end})"
    if exp.from_ and exp.to and exp.to <= exp.from_:
        yield path + ("to",), f"must be after from: {exp.from_}"
    if exp.window and exp.window[1] < exp.window[0]:
        yield path + ("window",), "the window must run forward in time"


def _dispute_problems(scenario: Scenario, stmt, path: tuple, members: set[str], observed: bool) -> Iterator[Problem]:
    """Problems of a militarized dispute (``metric: dispute``, ``test: occurs``), an observed outcome only."""
    if not observed:
        yield path + ("metric" if stmt.metric == "dispute" else "test",), \
            "a militarized dispute ('dispute', 'occurs') is an observed outcome (observed:), not an expectation"
        return
    if stmt.metric != "dispute":
        yield path + ("test",), "'occurs' applies to the metric dispute only"
        return
    if stmt.test != "occurs":
        yield path + ("test",), "the metric dispute is tested with 'occurs'"
        return
    yield from subject_problems("pair", stmt.state, stmt.pair, path, members)
    yield from _repeats(stmt.pair, path + ("pair",))
    if stmt.relative_to is not None:
        yield path + ("relative_to",), "a dispute has nothing to subtract"
    if stmt.from_ is None or stmt.to is None or stmt.at is not None or stmt.window is not None:
        yield path, "'occurs' needs from: and to: (and no at:/window:)"
    yield from _timing_problems(stmt, path, scenario.calendar.start, scenario.calendar.end)


def _statement_problems(scenario: Scenario, stmt, path: tuple, members: set[str],
                        observed: bool = False) -> Iterator[Problem]:
    """Problems of one expectation or observed outcome: its metric, subject, test and dates."""
    if stmt.metric == "dispute" or stmt.test == "occurs":
        yield from _dispute_problems(scenario, stmt, path, members, observed)
        return
    kind = metric_kind(stmt.metric, scenario)
    if kind is None:
        choices = known_metrics(scenario) + (["dispute"] if observed else [])
        hint = difflib.get_close_matches(stmt.metric, choices, n=1)
        more = f" (did you mean {hint[0]!r}?)" if hint else f" (one of: {', '.join(choices)})"
        yield path + ("metric",), f"unknown metric {stmt.metric!r}{more}"
        return
    yield from subject_problems(kind, stmt.state, stmt.pair, path, members)
    yield from _repeats(stmt.pair, path + ("pair",))
    if stmt.relative_to is not None:
        yield from _repeats(stmt.relative_to.pair, path + ("relative_to", "pair"))
    if stmt.relative_to is not None and kind == "membership":
        yield path + ("relative_to",), "coalition and bloc membership has nothing to subtract"
        return
    if stmt.relative_to is not None:
        yield from subject_problems(kind, stmt.relative_to.state, stmt.relative_to.pair,
                                     path + ("relative_to",), members)
    if (kind == "membership") != (stmt.test in ("same", "different")):
        yield path + ("test",), ("coalition and bloc are tested with 'same' or 'different'" if kind == "membership"
                                 else f"'{stmt.test}' applies to coalition or bloc only")
    yield from _timing_problems(stmt, path, scenario.calendar.start, scenario.calendar.end)


def _expectation_problems(scenario: Scenario, members: set[str], is_variant: bool) -> Iterator[Problem]:
    for section in ("expectations", "observed"):
        seen: set[str] = set()
        for i, stmt in enumerate(getattr(scenario, section)):
            path = (section, i)
            if stmt.id in seen:
                yield path + ("id",), f"duplicate {'expectation' if section == 'expectations' else 'observed'} " \
                                      f"id {stmt.id!r}"
            seen.add(stmt.id)
            yield from _statement_problems(scenario, stmt, path, members, observed=section == "observed")
            if section == "observed":
                continue
            kind = metric_kind(stmt.metric, scenario)
            if stmt.versus_base and not is_variant:
                yield path + ("versus_base",), "only a variant (a file with extends:) has a base to compare with"
            if stmt.versus_base and kind == "membership":
                yield path + ("versus_base",), "coalition and bloc membership cannot be compared with the base"


def _parameter_problems(scenario: Scenario) -> Iterator[Problem]:
    for name, value in scenario.parameters.items():
        if name not in PARAMETERS:
            hint = difflib.get_close_matches(name, list(PARAMETERS), n=1)
            more = f" (did you mean {hint[0]!r}?)" if hint else " (see `alliance-sim params`)"
            yield ("parameters", name), f"unknown parameter{more}"
            continue
        try:
            PARAMETERS[name].check(value)
        except ValueError as exc:
            yield ("parameters", name), str(exc)


def semantic_problems(scenario: Scenario, is_variant: bool = False) -> list[Problem]:
    """Every cross-field problem of a schema-valid scenario."""
    problems: list[Problem] = []
    if scenario.calendar.end <= scenario.calendar.start:
        problems.append((("calendar", "end"), f"must be after start {scenario.calendar.start} "
                                              f"(got {scenario.calendar.end})"))
    problems += _state_problems(scenario)
    members = members_of(scenario)
    problems += _event_problems(scenario, members)
    problems += _relation_problems(scenario, members)
    problems += _parameter_problems(scenario)
    problems += _expectation_problems(scenario, members, is_variant)
    return problems
