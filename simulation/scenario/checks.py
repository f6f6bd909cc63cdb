"""Checks that need more than one field: states exist, dates fall in the calendar, ids are unique.

Each check yields ``(path, message)``; the loader turns paths into ``file:line``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from .. import data
from ..params import PARAMETERS
from .schema import Scenario

Problem = tuple[tuple, str]
STATE_FIELDS = ("from_", "to", "host", "state", "actor", "target")
STATE_LISTS = ("participants", "parties", "by", "pair")
DATE_FIELDS = ("until", "in_force", "lifted")


def canonical_states(scenario: Scenario) -> dict[str, str]:
    """Map each id written under ``states:`` to its COW abbreviation (unknown ids are left out)."""
    out = {}
    for key in scenario.states:
        cow = data.resolve_id(key)
        if cow is not None:
            out[key] = cow
    return out


def _state_problems(scenario: Scenario) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for key, spec in scenario.states.items():
        cow = data.resolve_id(key)
        if cow is None:
            yield ("states", key), f"unknown state {key!r}{data.suggest(key)}; ids are COW abbreviations or ISO3 codes"
            continue
        if cow in seen:
            yield ("states", key), f"{key!r} is the same state as {seen[cow]!r}"
        seen[cow] = key
        record = data.state_record(cow)
        overridden = set(spec.model_dump(exclude_none=True)) - {"name", "source"} if spec else set()
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
    return (f"state {ref!r} is not in this scenario's states "
            f"({', '.join(sorted(members))}); add it under states:")


def _event_problems(scenario: Scenario, members: set[str]) -> Iterator[Problem]:
    start, end = scenario.calendar.start, scenario.calendar.end
    ids: dict[str, int] = {}
    for i, event in enumerate(scenario.events):
        if event.id in ids:
            yield ("events", i, "id"), f"duplicate event id {event.id!r} (first at events[{ids[event.id]}])"
        ids.setdefault(event.id, i)
        if not start <= event.date <= end:
            yield ("events", i, "date"), f"{event.date} is outside the calendar ({start} to {end})"
        for name in DATE_FIELDS:
            when = getattr(event, name, None)
            if when is not None and not event.date <= when:
                yield ("events", i, name), f"{when} is before the event's date {event.date}"
        refs = []
        for name in STATE_FIELDS:
            refs += [((name.rstrip("_"),), r) for r in _refs(getattr(event, name, None))]
        for name in STATE_LISTS:
            refs += [((name, j), r) for j, r in enumerate(_refs(getattr(event, name, None)))]
        refs += [(("stance", r), r) for r in getattr(event, "stance", {}) or {}]
        for sub, ref in refs:
            if not _in_scenario(ref, members):
                yield ("events", i) + sub, _unknown(ref, members)
        endpoints = [r for sub, r in refs if sub[0] in ("from", "to", "actor", "target")]
        if len(endpoints) == 2 and data.resolve_id(endpoints[0]) == data.resolve_id(endpoints[1]):
            yield ("events", i), f"a state cannot act on itself ({endpoints[0]})"
        for name in STATE_LISTS:
            yield from _repeats(getattr(event, name, None), ("events", i, name))


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
    for name, region in scenario.regions.items():
        for key, refs in (("core", region.core), ("with", region.with_)):
            for j, ref in enumerate(refs):
                if not _in_scenario(ref, members):
                    yield ("regions", name, key, j), _unknown(ref, members)
    if scenario.coalition_anchor and not _in_scenario(scenario.coalition_anchor, members):
        yield ("coalition_anchor",), _unknown(scenario.coalition_anchor, members)


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


def semantic_problems(scenario: Scenario) -> list[Problem]:
    """Every cross-field problem of a schema-valid scenario."""
    problems: list[Problem] = []
    if scenario.calendar.end <= scenario.calendar.start:
        problems.append((("calendar", "end"), f"must be after start {scenario.calendar.start} "
                                              f"(got {scenario.calendar.end})"))
    problems += _state_problems(scenario)
    members = set(canonical_states(scenario).values())
    problems += _event_problems(scenario, members)
    problems += _relation_problems(scenario, members)
    problems += _parameter_problems(scenario)
    return problems
