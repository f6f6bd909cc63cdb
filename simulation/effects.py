"""What events and repayments do to the state, by integer state index.

Every function changes the arrays of one step's :class:`Step` — the state being built for the
step, its flows, the run's baseline — and nothing else: no model, no string ids (events are
compiled to indices once, ``simulation.events.compile_events``). Transfers are booked as flows
(value to the receiver, cost to the giver) that the exchange mechanism then turns into affinity
and memory (``mechanisms/exchange.py``: Blau 1964; Keohane 1986).

Every effect acts on a batch of replicates stacked along a leading axis, or alike on one
replicate's arrays (``x.at(g, r)`` indexing after any leading axes, ``np.minimum``/``np.maximum``):
an event does the same to every replicate of a batch, each from its own values, with the bits it
gives that replicate alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .mechanisms import exchange
from .mechanisms.algebra import zero_diagonal
from .params import Points
from .state import Baseline, Flows, State

WEIGHTS = ("security", "economy", "ideology")  # columns of State.preference_weights


@dataclass(slots=True)
class Step:
    """The step [start, stop) being computed: the new state, its flows and what they are measured against."""

    state: State
    flows: Flows
    base: Baseline
    params: Points
    dt: float  # years
    start: dt.date
    stop: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.stop

    @staticmethod
    def at(*index) -> tuple:
        """``index`` into the step's arrays, after the replicate axis (any leading axes)."""
        return (Ellipsis, *index)

    def item(self, b: int) -> "Step":
        """Replicate b of a batch's step (views of its arrays)."""
        return Step(self.state.item(b), self.flows.item(b), self.base.item(b), self.params.item(b), self.dt,
                    self.start, self.stop)


def _book(x: Step, g: int, r: int, value: float, cost: float, military: bool, settles: float | None = None) -> None:
    """Book a transfer g → r: its value and cost, and what it does to debts.

    A transfer creates a debt of the receiver to the giver, unless it repays one (``settles``:
    the part of the giver's debt to the receiver it extinguishes).
    """
    f, s = x.flows, x.state
    f.value[x.at(g, r)] += value
    f.cost[x.at(g, r)] += cost
    if settles is None:
        s.debt[x.at(r, g)] += value
    else:
        s.debt[x.at(g, r)] = np.maximum(s.debt[x.at(g, r)] - settles, 0.0)
    if military:
        f.military_value[x.at(g, r)] += value
        s.activity[x.at(g)] += value + cost
        s.activity[x.at(r)] += value


def deploy(x: Step, g: int, r: int, thousands: float) -> None:
    """Troops of giver g sent to fight for r (at most the troops g has at home)."""
    s = x.state
    troops = np.minimum(thousands, s.manpower[x.at(g)])
    front = x.base.front_share[x.at(r)] * s.manpower[x.at(r)] + s.deployed[..., :, r].sum(axis=-1)
    value = exchange.relative_value(troops, front)
    s.manpower[x.at(g)] -= troops
    s.deployed[x.at(g, r)] += troops
    _book(x, g, r, value, troops / np.maximum(x.base.manpower0[x.at(g)], 1e-9), military=True)


def affordable(x: Step, g: int, usd_bn: float | np.ndarray) -> np.ndarray:
    """What a giver can still pay this step: all its payments together at most its output over the step."""
    room = np.maximum(x.state.economy[x.at(g)], 0.0) * x.dt - x.flows.paid[x.at(g)]
    paid = np.minimum(usd_bn, np.maximum(room, 0.0))
    x.flows.paid[x.at(g)] += paid
    return paid


def _share_of(amount: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """The share ``amount / whole`` where the whole is positive, else 0."""
    return np.divide(amount, whole, out=np.zeros(np.broadcast(amount, whole).shape), where=whole > 0)


def transfer_munitions(x: Step, g: int, r: int, mse: float, bought: bool = False) -> None:
    """Munitions g → r: from g's stock, or (``bought``: military aid) paid for from g's economy."""
    s, p = x.state, x.params
    if bought:  # military aid: the giver pays money, its own stock is untouched
        usd_bn = affordable(x, g, mse / p["mse_per_usd_bn"])
        delivered = usd_bn * p["mse_per_usd_bn"]
        cost = usd_bn / s.economy[x.at(g)]
        s.economy[x.at(g)] -= usd_bn
    else:
        delivered = np.minimum(mse, s.munitions[x.at(g)])
        cost = delivered / x.base.munitions0[x.at(g)]
        s.munitions[x.at(g)] -= delivered
    value = exchange.relative_value(delivered, s.munitions[x.at(r)])
    s.munitions[x.at(r)] += delivered
    x.flows.delivered_munitions[x.at(g, r)] += delivered
    _book(x, g, r, value, cost, military=True)


def transfer_economy(x: Step, g: int, r: int, usd_bn: float, repayment: float | None = None) -> None:
    """Money g → r within g's means; a repayment settles ``repayment`` of g's debt to r."""
    s = x.state
    usd_bn = affordable(x, g, usd_bn)
    value = exchange.relative_value(usd_bn, s.economy[x.at(r)])
    cost = _share_of(usd_bn, s.economy[x.at(g)])
    s.economy[x.at(g)] -= usd_bn
    s.economy[x.at(r)] += usd_bn
    if repayment is None:  # a repayment settles a debt: money, but no commitment
        x.flows.paid_money[x.at(g, r)] += usd_bn
    _book(x, g, r, value, cost, military=False, settles=repayment)


def transfer_technology(x: Step, g: int, r: int, level: float, repayment: float | None = None) -> None:
    """Technology g → r: r catches up ``level`` of its gap to g."""
    s = x.state
    gained = exchange.catch_up(s.tech[x.at(g)], s.tech[x.at(r)], level)
    value = exchange.relative_value(gained, s.tech[x.at(r)])
    s.tech[x.at(r)] += gained
    _book(x, g, r, value, 0.0, military=True, settles=repayment)


def gather(x: Step, idx: list[int], gain: float, host: int | None = None) -> None:
    """Summits and signings: affinity among the attendees rises (more with the host, ``host_factor``)."""
    a = x.state.affinity
    sub = (Ellipsis, *np.ix_(idx, idx))
    bump = gain * (1.0 - a[sub])
    if host is not None:
        h = idx.index(host)
        bump[..., h, :] *= x.params.n("host_factor")
        bump[..., :, h] *= x.params.n("host_factor")
    zero_diagonal(bump)
    a[sub] = np.clip(a[sub] + bump, -1.0, 1.0)


def set_treaty(x: Step, idx: list[int], strength: float) -> None:
    """A treaty among the parties at least this strong (0: the treaty ends)."""
    t = x.state.treaty
    for i in idx:
        for j in idx:
            if i != j:
                t[x.at(i, j)] = np.maximum(t[x.at(i, j)], strength) if strength > 0 else 0.0


def set_sanctions(x: Step, by: list[int], target: int, intensity: float) -> None:
    for i in by:
        x.state.sanctions[x.at(i, target)] = intensity


def set_war(x: Step, i: int, j: int, at_war: bool) -> None:
    x.state.at_war[x.at(i, j)] = x.state.at_war[x.at(j, i)] = at_war


def operate(x: Step, actor: int, target: int, intensity: float) -> None:
    """An offensive: more fighting on that front this step (activity is counted with the war)."""
    x.flows.operations[x.at(actor, target)] += intensity


def shock(x: Step, i: int, j: int, affinity: float, tension_delta: float) -> None:
    a, t = x.state.affinity, x.flows.tension_shock
    a[x.at(i, j)] = a[x.at(j, i)] = np.clip(a[x.at(i, j)] + affinity, -1, 1)
    t[x.at(i, j)] += tension_delta
    t[x.at(j, i)] = t[x.at(i, j)]


def change_leadership(x: Step, i: int, ideal_point: float | None, weights: dict[str, float] | None,
                      risk_tolerance: float | None, stance: tuple[tuple[int, float], ...]) -> None:
    """A new leader or course: what is given replaces the state's value; what is not given stays."""
    s = x.state
    if ideal_point is not None:
        s.ideal_points[x.at(i)] = ideal_point
    for name, value in (weights or {}).items():
        s.preference_weights[x.at(i, WEIGHTS.index(name))] = value
    if risk_tolerance is not None:
        s.risk_tolerance[x.at(i)] = risk_tolerance
    for j, shift in stance:
        s.stance[x.at(i, j)] = shift
