"""Scheduled events: when they fall due and what they do to the world.

Each event type is one :class:`Kind`: its share of a step, its effect and its label. A flow
event (deployment, arms, technology, aid) with ``until`` is delivered evenly per day over
[date, until]; without it, all at once in the step that contains ``date``. Aid is not delivered
on the days an ``aid_suspension`` covers. ``schedule`` indexes the events by step once per
calendar. Loading compiles each event once (:func:`compile_events`): its states become integer
indices, so a step never looks up an id. Effects change the arrays of the step being computed
through :mod:`simulation.effects` (``deploy``, ``transfer_*``, ``gather``, ``shock`` …); the
mechanisms then respond in the same step.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Callable

from . import effects as fx
from .calendar import overlap_days
from .effects import Step
from .scenario import schema as s

ONE_DAY = dt.timedelta(days=1)
TREATY_STRENGTH = {"mutual_defence": 1.0, "strategic_partnership": 0.5, "non_aggression": 0.25, "other": 0.25}


def window(event: s.EventBase) -> tuple[dt.date, dt.date]:
    """Half-open day interval over which the event acts."""
    until = getattr(event, "until", None)
    return event.date, (until or event.date) + ONE_DAY


def share_due(event: s.EventBase, start: dt.date, stop: dt.date,
              paused: list[tuple[dt.date, dt.date]] = ()) -> float:
    """Share of the event's total delivered in the step [start, stop), net of paused days."""
    a, b = window(event)
    days = overlap_days(a, b, start, stop)
    days -= sum(overlap_days(max(a, p0), min(b, p1), start, stop) for p0, p1 in paused)
    return max(days, 0) / (b - a).days


def arms_mse(shells: float, missiles: float, drones: float, artillery: float, p: dict) -> float:
    """Million shell-equivalents of a delivery of shells, missiles, drones and guns."""
    return shells / 1e6 + missiles * p["missile_mse"] + drones * p["drone_mse"] + artillery * p["artillery_mse"]


def involved(event: s.EventBase) -> list[str]:
    """State ids an event names, in order (each once)."""
    return list(dict.fromkeys(ref for _, ref in s.state_refs(event)))


# --------------------------------------------------------------------------- event kinds
class Kind:
    """One event type: when it acts (its share of a step), what it does, how it is labelled.

    A subclass per type; ``KINDS`` maps each scenario-schema class to its kind. Adding an event
    type means a schema class (``scenario/schema.py``) and one subclass here, nothing else.
    """

    schema: type = s.EventBase
    # numeric fields ``apply`` scales the effect by: each may hold one value per item of a batch
    # (a sweep's event knob), since the effects take one value per item (``simulation.effects``)
    amounts: tuple[str, ...] = ()
    # what the event sets directly (the hindcast leaves out an outcome an event forces): pair
    # columns of every pair of the states it names, state columns of every state it names
    pair_writes: tuple[str, ...] = ()
    state_writes: tuple[str, ...] = ()

    @classmethod
    def writes(cls, e) -> set[tuple[str, frozenset]]:
        """(metric, states) the event sets directly: a pair's column (two states) or a state's (one)."""
        ids = involved(e)
        out = {(m, frozenset(p)) for m in cls.pair_writes for p in itertools.combinations(ids, 2)}
        return out | {(m, frozenset([i])) for m in cls.state_writes for i in ids}

    @staticmethod
    def share(event, start: dt.date, stop: dt.date, paused=()) -> float:
        """Instantaneous events act fully (1) in the step containing their date (or ``in_force``,
        ``lifted``), else 0.
        """
        days = [event.date] + [getattr(event, k) for k in ("in_force", "lifted") if getattr(event, k, None)]
        return 1.0 if any(start <= d < stop for d in days) else 0.0

    @staticmethod
    def compile(e, at: Callable[[str], int]) -> tuple:
        """The event's states as integer indices (``at``: id → index), in the order ``apply`` reads them."""
        return at(e.from_), at(e.to)

    @staticmethod
    def apply(x: Step, e, at: tuple, share: float) -> None:
        """Change the step's arrays: ``share`` of the event acts (``at``: its compiled indices)."""
        raise NotImplementedError

    @staticmethod
    def label(event) -> str:
        return event.type


FLOWS = ("flow_ab", "flow_ba", "commitment_ab", "commitment_ba")
STOCKS = ("support_given", "support_received", "munitions", "economy", "tech", "foreign_troops", "troops_abroad",
          "manpower")
FIGHTING = ("losses", "front_strength", "manpower_strain")


class Flow(Kind):
    """Delivered evenly per day over [date, until], or all at once without ``until``."""

    pair_writes, state_writes = FLOWS, STOCKS

    @staticmethod
    def share(event, start, stop, paused=()) -> float:
        return share_due(event, start, stop)


class Deployment(Flow):
    schema = s.TroopDeployment
    amounts = ("troops",)

    @staticmethod
    def apply(x, e, at, share):
        fx.deploy(x, *at, e.troops / 1000.0 * share)

    @staticmethod
    def label(e):
        return f"{e.from_}→{e.to}: {e.troops:,} troops"


class Arms(Flow):
    schema = s.ArmsTransfer
    amounts = ("shells", "missiles", "drones", "artillery")

    @staticmethod
    def apply(x, e, at, share):
        fx.transfer_munitions(x, *at, arms_mse(e.shells, e.missiles, e.drones, e.artillery, x.params) * share)

    @staticmethod
    def label(e):
        parts = [f"{getattr(e, k):,} {k}" for k in ("shells", "missiles", "drones", "artillery") if getattr(e, k)]
        return f"{e.from_}→{e.to}: " + ", ".join(parts)


class Technology(Flow):
    schema = s.TechnologyTransfer
    amounts = ("level",)

    @staticmethod
    def apply(x, e, at, share):
        fx.transfer_technology(x, *at, e.level * share)

    @staticmethod
    def label(e):
        return f"{e.from_}→{e.to}: technology"


class AidFlow(Flow):
    """Aid is not delivered on the days an ``aid_suspension`` of the same giver and receiver covers."""

    schema = s.Aid
    amounts = ("value_usd_bn",)

    @staticmethod
    def share(event, start, stop, paused=()) -> float:
        return share_due(event, start, stop, paused)

    @staticmethod
    def apply(x, e, at, share):
        value = e.value_usd_bn * share
        if e.kind == "military":
            fx.transfer_munitions(x, *at, value * x.params["mse_per_usd_bn"], bought=True)
        else:
            fx.transfer_economy(x, *at, value)

    @staticmethod
    def label(e):
        return f"{e.from_}→{e.to}: {e.kind} aid US${e.value_usd_bn:g} bn"


class Suspension(Kind):
    schema = s.AidSuspension
    pair_writes, state_writes = FLOWS, STOCKS

    @staticmethod
    def apply(x, e, at, share):
        """Nothing to do at the time: aid streams consult the suspensions (see ``AidFlow.share``)."""

    @staticmethod
    def label(e):
        return f"{e.from_} suspends aid to {e.to}"


class Summit(Kind):
    schema = s.Summit
    pair_writes = ("affinity",)

    @staticmethod
    def compile(e, at):
        host = at(e.host)
        return (host, *[i for i in dict.fromkeys(map(at, e.participants)) if i != host])

    @staticmethod
    def apply(x, e, at, share):
        fx.gather(x, list(at), x.params.nn("summit_gain") * e.strength, host=at[0])

    @staticmethod
    def label(e):
        return f"summit hosted by {e.host}"


class Treaty(Kind):
    schema = s.Treaty
    pair_writes = ("affinity", "treaty", "alliance_depth")

    @staticmethod
    def compile(e, at):
        return tuple(map(at, e.parties))

    @staticmethod
    def apply(x, e, at, share):
        strength = e.strength if e.strength is not None else TREATY_STRENGTH[e.kind]
        if x.contains(e.date):
            fx.set_treaty(x, at, strength / 2.0 if e.in_force else strength)
            fx.gather(x, list(at), x.params.nn("signing_gain") * strength)
        if e.in_force and x.contains(e.in_force):
            fx.set_treaty(x, at, strength)

    @staticmethod
    def label(e):
        return f"{'–'.join(e.parties)} {e.kind.replace('_', ' ')} treaty"


class Sanctions(Kind):
    schema = s.Sanctions
    state_writes = ("economy",)

    @classmethod
    def writes(cls, e):
        """The target's economy, and the affinity of each sanctioner with the target: a sanction
        enters both sides' leaning as written (``StateAgent.utility``'s economic term), as a stance does.
        """
        return {("economy", frozenset([e.target]))} | {("affinity", frozenset([b, e.target])) for b in e.by}

    @staticmethod
    def compile(e, at):
        return tuple(map(at, e.by)), at(e.target)

    @staticmethod
    def apply(x, e, at, share):
        if x.contains(e.date):
            fx.set_sanctions(x, *at, e.intensity)
        if e.lifted and x.contains(e.lifted):
            fx.set_sanctions(x, *at, 0.0)

    @staticmethod
    def label(e):
        return f"sanctions on {e.target}"


class Leadership(Kind):
    schema = s.LeadershipChange

    @classmethod
    def writes(cls, e):
        """Its leaning toward the states of its stance; toward every state with a new ideal point (``*``)."""
        others = list(e.stance) + (["*"] if e.ideal_point is not None else [])
        return {("affinity", frozenset([e.state, j])) for j in others} | {("alignment", frozenset([e.state]))}

    @staticmethod
    def compile(e, at):
        return at(e.state), tuple((at(other), shift) for other, shift in e.stance.items())

    @staticmethod
    def apply(x, e, at, share):
        weights = e.weights.model_dump(exclude_unset=True) if e.weights is not None else None
        fx.change_leadership(x, at[0], e.ideal_point, weights, e.risk_tolerance, at[1])

    @staticmethod
    def label(e):
        return f"{e.state}: {e.leader}"


class Policy(Leadership):
    """The same effect as a leadership change, without a new leader: a change of course."""

    schema = s.PolicyChange

    @staticmethod
    def label(e):
        return f"{e.state} changes course"


class Ceasefire(Kind):
    schema = s.Ceasefire
    pair_writes, state_writes = ("at_war", "tension", "war_party"), FIGHTING

    @staticmethod
    def compile(e, at):
        return tuple(map(at, e.parties))

    @staticmethod
    def apply(x, e, at, share):
        fx.set_war(x, *at, False)

    @staticmethod
    def label(e):
        return f"ceasefire {'–'.join(e.parties)}"


class War(Kind):
    schema = s.WarOutbreak
    pair_writes, state_writes = ("at_war", "tension", "war_party"), FIGHTING

    @staticmethod
    def compile(e, at):
        return tuple(map(at, e.parties))

    @staticmethod
    def apply(x, e, at, share):
        fx.set_war(x, *at, True)

    @staticmethod
    def label(e):
        return f"war {'–'.join(e.parties)}"


class Operation(Kind):
    """Acts on the share of each step's days that [date, until] covers."""

    schema = s.MilitaryOperation
    pair_writes, state_writes = ("tension",), FIGHTING

    @staticmethod
    def share(event, start, stop, paused=()) -> float:
        a, b = window(event)
        return overlap_days(a, b, start, stop) / max((stop - start).days, 1)

    @staticmethod
    def compile(e, at):
        return at(e.actor), at(e.target)

    @staticmethod
    def apply(x, e, at, share):
        fx.operate(x, *at, e.intensity * share)

    @staticmethod
    def label(e):
        return f"{e.actor} operation against {e.target}"


class Shock(Kind):
    schema = s.RelationShock

    @classmethod
    def writes(cls, e):
        return {(m, frozenset(e.pair)) for m in ("affinity", "tension") if getattr(e, m)}

    @staticmethod
    def compile(e, at):
        return tuple(map(at, e.pair))

    @staticmethod
    def apply(x, e, at, share):
        fx.shock(x, *at, e.affinity, e.tension)

    @staticmethod
    def label(e):
        return f"shock {'–'.join(e.pair)}"


KINDS: dict[type, type[Kind]] = {k.schema: k for k in (Deployment, Arms, Technology, AidFlow, Suspension, Summit,
                                                         Treaty, Sanctions, Leadership, Policy, Ceasefire, War,
                                                         Operation, Shock)}


def kind_of(event: s.EventBase) -> type[Kind]:
    return KINDS[type(event)]


def default_label(event: s.EventBase) -> str:
    """A short human description of an event."""
    return kind_of(event).label(event)


def step_share(event: s.EventBase, start: dt.date, stop: dt.date,
               paused: list[tuple[dt.date, dt.date]] = ()) -> float:
    """How much of the event acts in the step [start, stop); 0 when it does not act.

    Flows: share of the total delivered. Operations: share of the step's days covered.
    Instantaneous events (including a treaty's entry into force or lifted sanctions): 1.
    """
    return kind_of(event).share(event, start, stop, paused)


@dataclass(frozen=True, slots=True)
class Compiled:
    """An event compiled once: its kind and its states as integer indices (``Kind.compile``)."""

    event: s.EventBase
    kind: type[Kind]
    at: tuple
    paused: tuple[tuple[dt.date, dt.date], ...] = ()  # days an aid stream is suspended

    def share(self, start: dt.date, stop: dt.date) -> float:
        return self.kind.share(self.event, start, stop, self.paused)

    def apply(self, x: Step, share: float) -> None:
        self.kind.apply(x, self.event, self.at, share)


def compile_events(events: list[s.EventBase], at: Callable[[str], int],
                   pauses_of: Callable[[s.EventBase], list]) -> list[Compiled]:
    """Each event with its kind, its states resolved to indices (``at``) and its pauses, once."""
    return [Compiled(e, kind_of(e), kind_of(e).compile(e, at), tuple(pauses_of(e))) for e in events]


def schedule(events: list[Compiled], boundaries: list[dt.date]) -> list[list[tuple[Compiled, float]]]:
    """For each step k (1 … len(boundaries) − 1), the compiled events that act in it and their
    shares, in the order of ``events``: computed once, so a step only applies what it holds.
    """
    out: list[list[tuple[Compiled, float]]] = [[] for _ in boundaries]
    for event in events:
        for k in range(1, len(boundaries)):
            share = event.share(boundaries[k - 1], boundaries[k])
            if share > 0:
                out[k].append((event, share))
    return out
