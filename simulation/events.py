"""Scheduled events: when they fall due and what they do to the world.

A flow event (deployment, arms, technology, aid) with ``until`` is delivered evenly per day over
[date, until]; without it, all at once in the step that contains ``date``. Aid is not delivered
on the days an ``aid_suspension`` covers. Each ``apply_*`` function changes the model's arrays
through :class:`simulation.model.AllianceModel`'s small API (``transfer``, ``shock`` …); the
mechanisms then respond in the same step.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from .calendar import overlap_days
from .scenario import schema as s

if TYPE_CHECKING:
    from .model import AllianceModel

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


def default_label(event: s.EventBase) -> str:
    """A short human description of an event."""
    match event:
        case s.TroopDeployment():
            return f"{event.from_}→{event.to}: {event.troops:,} troops"
        case s.ArmsTransfer():
            parts = [f"{getattr(event, k):,} {k}" for k in ("shells", "missiles", "drones", "artillery")
                     if getattr(event, k)]
            return f"{event.from_}→{event.to}: " + ", ".join(parts)
        case s.TechnologyTransfer():
            return f"{event.from_}→{event.to}: technology"
        case s.Aid():
            return f"{event.from_}→{event.to}: {event.kind} aid US${event.value_usd_bn:g} bn"
        case s.AidSuspension():
            return f"{event.from_} suspends aid to {event.to}"
        case s.Summit():
            return f"summit hosted by {event.host}"
        case s.Treaty():
            return f"{'–'.join(event.parties)} {event.kind.replace('_', ' ')} treaty"
        case s.Sanctions():
            return f"sanctions on {event.target}"
        case s.LeadershipChange():
            return f"{event.state}: {event.leader}"
        case s.PolicyChange():
            return f"{event.state} changes course"
        case s.Ceasefire():
            return f"ceasefire {'–'.join(event.parties)}"
        case s.WarOutbreak():
            return f"war {'–'.join(event.parties)}"
        case s.MilitaryOperation():
            return f"{event.actor} operation against {event.target}"
        case s.RelationShock():
            return f"shock {'–'.join(event.pair)}"
    return event.type


def involved(event: s.EventBase) -> list[str]:
    """State ids an event names, in order."""
    out: list[str] = []
    for name in ("from_", "to", "host", "state", "actor", "target"):
        value = getattr(event, name, None)
        if isinstance(value, str):
            out.append(value)
    for name in ("participants", "parties", "by", "pair"):
        out += list(getattr(event, name, None) or [])
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- effects
def apply_deployment(m: "AllianceModel", e: s.TroopDeployment, share: float) -> None:
    m.deploy(e.from_, e.to, e.troops / 1000.0 * share)


def arms_mse(shells: float, missiles: float, drones: float, artillery: float, p: dict) -> float:
    """Million shell-equivalents of a delivery of shells, missiles, drones and guns."""
    return shells / 1e6 + missiles * p["missile_mse"] + drones * p["drone_mse"] + artillery * p["artillery_mse"]


def apply_arms(m: "AllianceModel", e: s.ArmsTransfer, share: float) -> None:
    m.transfer_munitions(e.from_, e.to, arms_mse(e.shells, e.missiles, e.drones, e.artillery, m.params) * share)


def apply_technology(m: "AllianceModel", e: s.TechnologyTransfer, share: float) -> None:
    m.transfer_technology(e.from_, e.to, e.level * share)


def apply_aid(m: "AllianceModel", e: s.Aid, share: float) -> None:
    value = e.value_usd_bn * share
    if e.kind == "military":
        m.transfer_munitions(e.from_, e.to, value * m.params["mse_per_usd_bn"], bought=True)
    else:
        m.transfer_economy(e.from_, e.to, value)


def apply_summit(m: "AllianceModel", e: s.Summit, share: float) -> None:
    attendees = [e.host] + [p for p in e.participants if p != e.host]
    m.gather(attendees, m.params["summit_gain"] * e.strength, host=e.host)


def apply_treaty(m: "AllianceModel", e: s.Treaty, share: float) -> None:
    strength = e.strength if e.strength is not None else TREATY_STRENGTH[e.kind]
    if m.step_contains(e.date):
        m.set_treaty(e.parties, strength / 2.0 if e.in_force else strength)
        m.gather(e.parties, m.params["signing_gain"] * strength)
    if e.in_force and m.step_contains(e.in_force):
        m.set_treaty(e.parties, strength)


def apply_sanctions(m: "AllianceModel", e: s.Sanctions, share: float) -> None:
    if m.step_contains(e.date):
        m.set_sanctions(e.by, e.target, e.intensity)
    if e.lifted and m.step_contains(e.lifted):
        m.set_sanctions(e.by, e.target, 0.0)


def apply_leadership(m: "AllianceModel", e: s.LeadershipChange | s.PolicyChange, share: float) -> None:
    m.change_leadership(e.state, e.ideal_point, e.weights, e.risk_tolerance, e.stance)


def apply_ceasefire(m: "AllianceModel", e: s.Ceasefire, share: float) -> None:
    m.set_war(e.parties, False)


def apply_war(m: "AllianceModel", e: s.WarOutbreak, share: float) -> None:
    m.set_war(e.parties, True)


def apply_operation(m: "AllianceModel", e: s.MilitaryOperation, share: float) -> None:
    m.operate(e.actor, e.target, e.intensity * share)


def apply_shock(m: "AllianceModel", e: s.RelationShock, share: float) -> None:
    m.shock(e.pair, e.affinity, e.tension)


def apply_suspension(m: "AllianceModel", e: s.AidSuspension, share: float) -> None:
    """Nothing to do at the time: aid streams consult the suspensions (see ``share_due``)."""


APPLY: dict[type, Callable] = {
    s.TroopDeployment: apply_deployment, s.ArmsTransfer: apply_arms,
    s.TechnologyTransfer: apply_technology, s.Aid: apply_aid, s.AidSuspension: apply_suspension,
    s.Summit: apply_summit, s.Treaty: apply_treaty, s.Sanctions: apply_sanctions,
    s.LeadershipChange: apply_leadership, s.PolicyChange: apply_leadership, s.Ceasefire: apply_ceasefire,
    s.WarOutbreak: apply_war,
    s.MilitaryOperation: apply_operation, s.RelationShock: apply_shock,
}
FLOWS = (s.TroopDeployment, s.ArmsTransfer, s.TechnologyTransfer, s.Aid)


def step_share(event: s.EventBase, start: dt.date, stop: dt.date,
               paused: list[tuple[dt.date, dt.date]] = ()) -> float:
    """How much of the event acts in the step [start, stop); 0 when it does not act.

    Flows: share of the total delivered. Operations: share of the step's days covered.
    Instantaneous events (including a treaty's entry into force or lifted sanctions): 1.
    """
    if isinstance(event, FLOWS):
        return share_due(event, start, stop, paused if isinstance(event, s.Aid) else ())
    if isinstance(event, s.MilitaryOperation):
        a, b = window(event)
        return overlap_days(a, b, start, stop) / max((stop - start).days, 1)
    days = [event.date] + [getattr(event, k) for k in ("in_force", "lifted") if getattr(event, k, None)]
    return 1.0 if any(start <= d < stop for d in days) else 0.0
