"""The alliance model: states as Mesa agents, their relations as N×N NumPy arrays.

Each step (a week or a month of real time): the events that fall due are applied; the model
computes what every state perceives (threats, security value of partners, ideology); each
:class:`~simulation.agents.StateAgent` decides how to lean and whom to repay; then the
mechanisms run — transactional exchange, leaning then structural balance and noise, war
attrition, tension — and coalitions and blocs are found. ``docs/ODD.md`` describes the model in the ODD protocol.

A model steps a *batch* of B replicates of one world and parameters together — one run is a
batch of one (``make_model``), many are stacked (``make_batch``): every array of the state has
a leading replicate axis, each replicate draws from its own Generator, and a replicate's tables
depend only on (world, parameters, seed, replicate), never on the other replicates of its batch
(``tests/test_batch.py``) — many small runs cost a few array operations instead of many.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

import mesa
import numpy as np

from . import events as ev
from .agents import WEIGHTS, StateAgent
from .calendar import Calendar
from .effects import Step
from .mechanisms import (alarm, alignment, alliance, attrition, balance, capability, coalitions, economy, exchange,
                         experience, homophily, leaning, tension, threat)
from .mechanisms.algebra import zero_diagonal
from . import params as P
from . import perception, tuning
from .recorder import Recorder
from .state import Baseline, Flows, State
from .scenario.schema import Scenario
from .search import blocs as bloc_search
from .search import coalitions as coalition_search
from .world import World, build_world, once_each

SPIN_UP_DT = 1.0 / 12.0  # the spin-up steps a month at a time (ODD §5.3)
BATCH_CELLS = 1 << 14  # replicates × N² stepped together at most (benchmarks/batches.py)


class AllianceModel(mesa.Model):
    """A world of states stepping through a scenario's calendar."""

    @tuning.limited  # one BLAS thread: a run's bits never depend on the machine's cores
    def __init__(self, world: World, params: Mapping[str, float] | Sequence[Mapping[str, float]],
                 rngs: list[np.random.Generator], until: dt.date | None = None):
        """Step the items of ``rngs`` together, one Generator each (Mesa's ``rng`` is the first);
        ``params``: one parameter point for all of them, or one point per item.
        """
        super().__init__(rng=rngs[0])
        self.rngs = list(rngs)
        for g in self.rngs[1:]:  # each as Mesa's set-up leaves a model's own Generator (above)
            g.integers(np.iinfo(np.int32).max)
        self.world, self.params = world, P.Points.of(params, len(self.rngs))
        self.calendar: Calendar = world.calendar
        self.boundaries = self.calendar.boundaries(until)
        self.dates = self.calendar.dates(until)
        self.n_steps = len(self.boundaries) - 1
        self.ids = list(world.ids)
        self._index = {sid: i for i, sid in enumerate(self.ids)}
        self.base, self.state = self._initial()
        self.states = [StateAgent(self, i, rec) for i, rec in enumerate(world.records)]
        self.anchor = self._index[world.anchor] if world.anchor else int(np.argmax(world.cinc))
        self.dt = SPIN_UP_DT
        self.flows = Flows.zeros(self.n, self.size)
        self._perceive()
        self.state.power_baseline = self.seen.power.copy()  # states start used to the powers around them
        self.state.tension = self._tension_target()
        self.fired: list[tuple[int, object]] = []  # (first step it acts in, event)
        self._fired_ids: set[int] = set()
        self.schedule = world.schedule(self.boundaries)
        self._front()
        self._find_coalitions(first=True)
        self.recorder = Recorder(self)
        self.recorder.record(0)

    # ------------------------------------------------------------------ set-up
    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def size(self) -> int:
        """The number of replicates stepped together."""
        return len(self.rngs)

    def normal(self, shape: tuple[int, ...]) -> np.ndarray:
        """Standard normal draws of ``shape``, one such draw per replicate from its own Generator, stacked."""
        return np.stack([g.standard_normal(shape) for g in self.rngs])

    def _initial(self) -> tuple[Baseline, State]:
        """The baseline and the stacked state at the start (after the spin-up), each item from its point."""
        points, inverse = self.params.distinct()
        starts = [self._start(point) for point in points]
        spun = spun_up(self.world, points, starts)
        affinity = [a for a, _ in spun]
        starts = [(replace(base, residual=residual), state) for (base, state), (_, residual) in zip(starts, spun)]
        if len(points) == 1:
            base, state = starts[0]
            state = state.stacked(self.size)
        else:  # several points: each item's own start, stacked (a baseline only where points differ)
            base = Baseline.stack([starts[i][0] for i in inverse])
            state = State.stack([starts[i][1] for i in inverse])
        state.affinity = np.stack([affinity[i] for i in inverse])
        return base, state

    def _start(self, p: Mapping[str, float]) -> tuple[Baseline, State]:
        """The baseline and the state at the start of one parameter point, from the compiled world
        (before the spin-up).
        """
        w, n = self.world, len(self.ids)
        front_share = np.array([f if f is not None else p["front_share"] for f in w.front_share])
        milex = w.milex.copy()
        production = p["production_per_milex"] * milex
        munitions = np.where(np.isnan(w.munitions), production * p["stock_years"], w.munitions)
        quality = np.maximum(milex / np.maximum(w.manpower, 1.0), 1e-9)  # at least 1,000 personnel
        tech = (quality / np.median(quality)) ** p["quality_elasticity"]
        fighting = np.where(w.at_war.any(axis=1), front_share * w.manpower, 0.0)
        field, veterans = experience.before_start(fighting, w.war_years, p["learning_years"], p["tour_years"],
                                                  p["experience_years"])
        force_experience = experience.force_experience(veterans, w.manpower, p["veteran_share"])
        force_quality = experience.quality(force_experience, p["experience_gain"])
        support_munitions, support_money = self._support_at_start(p)  # decayed mse, US$ bn row → column
        base = Baseline(manpower0=w.manpower.copy(), munitions0=np.maximum(munitions.copy(), 1e-9),
                        economy0=w.gdp.copy(), milex=milex, tech0=tech.copy(), cinc=w.cinc.copy(),
                        quality0=force_quality.copy(),
                        proximity=threat.proximity(threat.great_circle_km(w.lat, w.lon), w.neighbours,
                                                   p["proximity_km"]),
                        front_share=front_share)
        state = State(
            manpower=w.manpower.copy(), munitions=munitions, economy=w.gdp.copy(), ideal_points=w.ideal_points.copy(),
            tech=tech, capability=w.cinc.copy(),
            preference_weights=np.array([[x[name] for name in WEIGHTS] for x in w.weights], dtype=float),
            risk_tolerance=np.array(w.risk_tolerance, dtype=float),
            affinity=np.zeros((n, n)), tension=np.zeros((n, n)), treaty=w.treaty.copy(), at_war=w.at_war.copy(),
            sanctions=w.sanctions.copy(), stance=np.zeros((n, n)), lean=np.zeros((n, n)), deployed=np.zeros((n, n)),
            memory=np.zeros((n, n)), debt=np.zeros((n, n)), support_munitions=support_munitions,
            support_money=support_money, depth=np.zeros((n, n)),
            # a state at war since before the start has fought its way to the level of activity that
            # steady fighting sustains (the same dynamics as in _war, run over its years at war)
            activity=np.where(w.at_war.any(axis=1), p["memory_years"] * -np.expm1(-w.war_years / p["memory_years"]),
                              0.0),
            losses_total=np.zeros(n), field=field, veterans=veterans, experience=force_experience,
            quality=force_quality, front_strength=np.zeros(n),
            power_baseline=None,  # set after the spin-up: no alarm before
            coalition=np.zeros(n, dtype=int), bloc=np.zeros(n, dtype=int), alignment=np.zeros(n))
        return base, state

    def _support_at_start(self, p: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Memories of the support flowing at the start (``relations.support``), as if it had flowed
        at its rate since it began: rate × memory_years × (1 − exp(−years / memory_years)).
        """
        n = self.n
        munitions, money = np.zeros((n, n)), np.zeros((n, n))
        for g, r, years, a in self.world.support:
            held = p["memory_years"] * -np.expm1(-years / p["memory_years"])
            arms = ev.arms_mse(a["shells"], a["missiles"], a["drones"], a["artillery"], p)
            munitions[g, r] += held * (arms + a["military_aid_usd_bn"] * p["mse_per_usd_bn"])
            money[g, r] += held * a["economic_aid_usd_bn"]
        return munitions, money

    # ------------------------------------------------------------------ the step
    @tuning.limited
    def step(self) -> None:
        k = self.steps  # Mesa increments ``steps`` before calling step()
        if k > self.n_steps:
            self.running = False
            return
        start, stop = self.boundaries[k - 1], self.boundaries[k]
        self.dt = (stop - start).days / 365.25
        # a new state for the step: the previous one is never changed (test_model)
        before, self.flows = self.state, Flows.zeros(self.n, self.size)
        self.state = before.copy()
        self.now = Step(self.state, self.flows, self.base, self.params, self.dt, start, stop)
        self._apply_events(k)
        # since the last perception (end of step k − 1) only the events and the power baseline moved
        self._perceive(perception.changed(self.state, before))
        self.state.lean = StateAgent.decide_leanings(self.state, self.seen, self.params, self.normal((self.n, self.n)),
                                                     self._residual(start))
        self._reciprocate()
        self._exchange()
        self._relations()
        self._war()
        self._update_capability()
        self._perceive(perception.MECHANISM_INPUTS)  # mechanisms never change ideal points or treaties
        self._tensions()
        self._find_coalitions()
        self.recorder.record(k)
        if k == self.n_steps:
            self.running = False

    def _residual(self, day: dt.date) -> np.ndarray | None:
        """An anchored start's residual leaning on ``day``: faded at ``residual_decay`` since the start."""
        if self.base.residual is None:
            return None
        years = (day - self.boundaries[0]).days / 365.25
        return self.base.residual * np.exp(-self.params.nn("residual_decay") * years)

    def _tensions(self) -> None:
        """Alliances deepen with shared alarm, tension relaxes toward its target, states get used to power."""
        s, p = self.state, self.params
        s.depth = alliance.deepen(s.depth, alliance.drive(s.treaty, s.affinity, self.seen.alarm), p.nn("depth_rate"),
                                  p.nn("depth_years"), self.dt)
        s.tension = np.clip(tension.relax(s.tension, self._tension_target(), p.nn("tension_rate"), self.dt)
                            + self.flows.tension_shock, 0.0, 1.0)
        s.power_baseline = alarm.baseline(s.power_baseline, self.seen.power, self.dt, p.n("alarm_years"))

    def run(self) -> "AllianceModel":
        while self.running:
            self.step()
        return self

    def _reciprocate(self) -> None:
        """The states that owe a partner they lean toward decide their repayments (``StateAgent.step``;
        the others have nothing to decide), each replicate's on its own arrays.
        """
        for i in StateAgent.debtors(self.state):
            self.states[i].step()

    def _apply_events(self, k: int) -> None:
        """Apply the events the compiled schedule holds for step k, in date order (ties in file order)."""
        for event, share in self.schedule[k]:
            event.apply(self.now, share)
            if id(event) not in self._fired_ids:
                self._fired_ids.add(id(event))
                self.fired.append((k, event.event))

    # ------------------------------------------------------------------ perception
    def _perceive(self, moved: frozenset[str] | None = None) -> None:
        """What every state sees this step (the arrays the agents decide from); ``moved``: the
        inputs that may have changed since the last perception (None: perceive everything).
        """
        if moved is None:
            self.seen = perception.perceive(self.state, self.base, self.params)
        else:
            self.seen = perception.perceive(self.state, self.base, self.params, self.seen, moved)

    # ------------------------------------------------------------------ mechanisms
    def _exchange(self) -> None:
        """Transactional exchange: what moved this step changes affinity and is remembered."""
        s, f, p, dt_ = self.state, self.flows, self.params, self.dt
        s.affinity = s.affinity + exchange.affinity_gain(s.affinity, f.value + f.cost, p.nn("exchange_gain"))
        s.affinity = s.affinity + exchange.resentment(s.affinity, f.military_value, s.at_war, p.nn("exchange_gain"))
        s.memory = exchange.decay(s.memory, dt_, p.nn("memory_years")) + f.value
        s.support_munitions = exchange.decay(s.support_munitions, dt_, p.nn("memory_years")) + f.delivered_munitions
        s.support_money = exchange.decay(s.support_money, dt_, p.nn("memory_years")) + f.paid_money
        s.activity = exchange.decay(s.activity, dt_, p.n("memory_years"))

    def _relations(self) -> None:
        self.state.affinity = relations(self.state.affinity, self.state.lean, self.params, self.dt,
                                        self.normal((self.n, self.n)))

    def _front(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(national, foreign, total) front troops; sets ``front_strength`` (firepower)."""
        s, p = self.state, self.params
        national, foreign = attrition.front_forces(s.manpower, self.base.front_share, s.deployed, s.at_war)
        front = national + foreign
        fights = experience.fighting_quality(s.experience, p.n("experience_gain"))
        foreign_quality = np.where(foreign > 0, np.matvec(s.deployed.mT, fights), 0.0)  # Σ_g D_gr q_g / (1 + gain)
        quality = np.divide(national * fights + foreign_quality, front, out=fights.copy(), where=front > 0)
        s.front_strength = attrition.firepower(front, s.munitions, s.tech * quality, p.n("munitions_use"),
                                               p.n("reserve_years"), p.n("min_effect"))
        return national, foreign, front

    def _war(self) -> None:
        """Attrition at the fronts, experience, recruitment, restocking and the economy (Lanchester 1916)."""
        s, b, f, p, dt_ = self.state, self.base, self.flows, self.params, self.dt
        national, foreign, front = self._front()
        intensity = s.at_war * (1.0 + f.operations + f.operations.mT)
        lost = attrition.losses(s.front_strength, intensity, p.n("attrition_rate"), dt_, front)
        used = attrition.munitions_used(front, intensity, p.n("munitions_use"), dt_, s.munitions)
        share_national = np.divide(national, front, out=np.zeros_like(front), where=front > 0)
        s.manpower -= lost * share_national
        foreign_share = np.divide(lost * (1 - share_national), foreign, out=np.zeros_like(front), where=foreign > 0)
        fighting_abroad = np.matvec(s.deployed, (foreign > 0).astype(float))  # each giver's troops on a front abroad
        lost_abroad = np.matvec(s.deployed, np.minimum(foreign_share, 1.0))
        s.deployed *= 1.0 - np.minimum(foreign_share, 1.0)[..., None, :]
        s.field, s.veterans = experience.advance(s.field, s.veterans, national + fighting_abroad,
                                                 lost * share_national + lost_abroad, dt_, p.n("learning_years"),
                                                 p.n("tour_years"), p.n("experience_years"))
        s.experience, s.quality = self._quality(s.veterans, b.manpower0)
        f.losses = lost
        s.losses_total += lost
        fighting = s.at_war.any(axis=-1)
        capacity = p.n("recruitment_rate") * self.world.population * self.world.recruitment * dt_
        s.manpower += attrition.recruits(s.manpower, b.manpower0, fighting, capacity)
        s.munitions = attrition.restock(s.munitions, b.munitions0, p.n("production_per_milex") * b.milex, used, dt_)
        s.activity += np.where(fighting, dt_, 0.0) + f.operations.sum(axis=-1) * dt_
        sanctioned = economy.new_sanctions(s.sanctions, self.world.sanctions)
        s.economy = economy.adjust(s.economy, b.economy0, sanctioned, p.n("sanction_cost"), p.n("economy_years"), dt_)

    def _quality(self, veterans: np.ndarray, manpower0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(force experience, force quality) from the veterans a state has."""
        p = self.params
        force_experience = experience.force_experience(veterans, manpower0, p.n("veteran_share"))
        return force_experience, experience.quality(force_experience, p.n("experience_gain"))

    def _update_capability(self) -> None:
        s, b = self.state, self.base
        troops = s.manpower + s.deployed.sum(axis=-2)
        s.capability = capability.capability(b.cinc, s.tech / b.tech0, s.quality / b.quality0,
                                             troops / np.maximum(b.manpower0, 1.0), s.munitions / b.munitions0,
                                             s.economy / b.economy0, self.params.n("stock_cap"))

    def _tension_target(self) -> np.ndarray:
        p, seen = self.params, self.seen
        return tension.tension_target(seen.hostile, seen.proximity, tension.parity(self.state.capability),
                                      self.state.activity, seen.war_parties, seen.alarm, p.nn("tension_hostility"),
                                      p.nn("tension_parity"), p.nn("tension_activity"), p.nn("tension_alarm"))

    def _find_coalitions(self, first: bool = False) -> None:
        """Coalitions (Axelrod & Bennett 1993) and blocs (Davis 1967), alignment and polarization."""
        s = self.state
        sizes = s.capability / s.capability.sum(axis=-1, keepdims=True)
        weights = coalitions.pair_weights(sizes, s.affinity)
        restarts, k = int(self.params.one("heuristic_restarts")), int(self.params.one("k_blocs"))
        # each replicate's own searches (heuristics: from its own random starts)
        config, s.energy = coalition_search.minimum(weights, self.rngs, restarts, None if first else s.coalition)
        labels, s.frustration = bloc_search.best_blocs(s.affinity, k, self.rngs, restarts,
                                                            None if first else s.bloc)
        s.coalition = coalitions.label_against(config, self.anchor)
        s.bloc = labels if first else bloc_search.align_labels(labels, s.bloc, k)
        s.alignment = alignment.alignment(s.affinity, sizes, s.coalition == 0)
        s.polarization = alignment.polarization(s.affinity, sizes, s.coalition)

    # ------------------------------------------------------------------ lookups
    def idx(self, state: str) -> int:
        """The index of a state named any way (COW, ISO3 or name)."""
        return self._index[self.world.cow(state)]


def relations(affinity: np.ndarray, lean: np.ndarray, p: P.Points, dt_years: float,
              normal: np.ndarray | None = None) -> np.ndarray:
    """Affinity after ``dt_years``: relaxed toward the mutual leaning, drifted toward structural
    balance, and (given standard ``normal`` draws) shaken by noise.
    """
    a = leaning.relax(affinity, leaning.mutual(lean), p.nn("lean_rate"), dt_years)
    a = a + dt_years * balance.balance_drift(a, p.nn("balance_rate"))
    if normal is not None:
        a = a + leaning.shocks(normal, p.nn("affinity_noise"), dt_years)
    return zero_diagonal(np.clip(a, -1.0, 1.0))


def spun_up(world: World, points: list[dict[str, float]],
            starts: list[tuple[Baseline, State]]) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Each point's (affinity at the start, residual leaning) (``spin_up``), computed once per
    world and point; the points not yet computed are spun up together.
    """
    def compute(missing: list[int]) -> list[tuple[np.ndarray, np.ndarray | None]]:
        if len(missing) == 1:
            base, state = starts[missing[0]]
            return [spin_up(world, base, state.copy(), P.Points([points[missing[0]]]))]
        base = Baseline.stack([starts[i][0] for i in missing])
        state = State.stack([starts[i][1] for i in missing])
        affinity, residual = spin_up(world, base, state, P.Points([points[i] for i in missing]))
        return [(affinity[b], None if residual is None else residual[b]) for b in range(len(missing))]

    return once_each(world, [("spin-up", P.key(point)) for point in points], compute)


def spin_up(world: World, base: Baseline, state: State, p: P.Points) -> tuple[np.ndarray, np.ndarray | None]:
    """(affinity at the start, the residual leaning that holds it), one item per point of ``p``.

    Starting from ideology, treaties and wars, the leaning and balance dynamics run without
    events or noise for ``spin_up_years`` (monthly steps), so that the run's trends come from
    its events, not from initial values out of equilibrium; then the scenario's overrides.
    Deterministic: every replicate of a point starts from the same world. ``state`` (changed
    here) holds one item per point of ``p``; an item whose spin-up is shorter stops where it
    would alone. An item with ``anchored_start`` skips the spin-up and starts from the observed
    voting map (ideology affinity, and the overrides) with the residual (``anchor``); the others
    get None (zeros in a batch that holds both).
    """
    ideology = homophily.ideology_affinity(state.ideal_points, p.nn("ideal_point_scale"))
    state.affinity = zero_diagonal(np.clip(ideology + state.treaty - p.nn("spin_up_enmity") * state.at_war, -1.0, 1.0))
    anchored = np.asarray(p["anchored_start"]) > 0  # an anchored item's start is the observed map: no spin-up
    months = np.where(anchored, 0, np.round(12 * np.asarray(p["spin_up_years"])).astype(int))
    for k in range(int(months.max())):
        seen = perception.perceive(state, base, p)
        state.lean = StateAgent.decide_leanings(state, seen, p)
        after = relations(state.affinity, state.lean, p, SPIN_UP_DT)
        state.affinity = after if (months > k).all() else np.where((months > k)[:, None, None], after, state.affinity)
    start, observed = _overridden(world, state.affinity.copy()), _overridden(world, zero_diagonal(ideology.copy()))
    if not anchored.any():
        return start, None
    start = np.where(anchored[..., None, None], observed, start)
    residual = anchor(state, base, p, start, world.calendar.step_years)
    return start, np.where(anchored[..., None, None], residual, 0.0)


def anchor(state: State, base: Baseline, p: P.Points, start: np.ndarray, dt_years: float) -> np.ndarray:
    """The latent leaning that holds ``start`` in place: with it, every pair's mutual leaning is
    the M at which a step of ``dt_years`` (relaxation at ``lean_rate``, then the balance drift,
    7.5) returns the start — A_r + dt · drift(A_r) = A and M = (A_r − A e^(−rate dt)) / (1 − e^(−rate dt)),
    M clipped inside (−1, 1) — so that a world with nothing happening stays where it is observed.
    A pair-level residual, estimated from the start alone, like the fixed effect of a dyad (the
    part of its alignment that no mechanism of the model explains).
    """
    state.affinity = start
    state.lean = np.zeros_like(start)
    utility = StateAgent.utility(state, perception.perceive(state, base, p), p)
    relaxed = start
    for _ in range(FIXED_POINT_ITERATIONS):  # a contraction: dt · |∂drift| is far below 1
        relaxed = start - dt_years * balance.balance_drift(relaxed, p.nn("balance_rate"))
    keep = np.broadcast_to(np.exp(-p.nn("lean_rate") * dt_years), start.shape)
    mutual = np.divide(relaxed - start * keep, 1.0 - keep, out=start.copy(), where=keep < 1.0)
    return zero_diagonal(np.arctanh(np.clip(mutual, -HELD, HELD)) - utility)


FIXED_POINT_ITERATIONS = 30
HELD = 1.0 - 1e-6  # the largest |mutual leaning| an anchored pair is held at (tanh reaches ±1 only at infinity)


def _overridden(world: World, affinity: np.ndarray) -> np.ndarray:
    """``affinity`` with the scenario's overrides (``relations.affinity``)."""
    index = {sid: i for i, sid in enumerate(world.ids)}
    for (a, b), value in world.affinity_overrides.items():
        i, j = index[a], index[b]
        affinity[..., i, j] = affinity[..., j, i] = value
    return affinity


def seed_sequence(seed: int, replicate: int = 0) -> np.random.SeedSequence:
    """Replicate r's seed: child r of ``SeedSequence(seed)``, i.e. ``SeedSequence(seed).spawn(r + 1)[r]``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replicate,))


def batch_size(n: int) -> int:
    """How many replicates of an N-state world to step together: BATCH_CELLS / N² (one replicate
    at a time from 128 states on). An array operation costs about the same for one small world or
    many, so small worlds go in large batches; the larger the world, the less a batch gains
    (measured: docs/performance.md §6.1, benchmarks/batches.py).
    """
    return max(1, BATCH_CELLS // (n * n))


def make_batch(world: World, params: Mapping[str, float] | Sequence[Mapping[str, float]], seed: int,
               replicates: list[int], until: dt.date | None = None) -> AllianceModel:
    """Replicates ``replicates`` of runs seeded ``seed``, stepped together: item b of the batch
    (``model.recorder.item(b)``) is replicate ``replicates[b]`` of the run with parameters
    ``params`` (one point for all) or ``params[b]`` (a point per item), whatever else is in the batch.
    """
    return AllianceModel(world, params, [np.random.default_rng(seed_sequence(seed, r)) for r in replicates], until)


def make_model(world: World | Scenario, params: dict[str, float], seed: int, replicate: int = 0,
               until: dt.date | None = None) -> AllianceModel:
    """Replicate ``replicate`` of a run seeded ``seed``: a batch of one.

    Runs, sweeps and the dashboard all build their models here or in ``make_batch``, so replicate
    r of ``alliance-sim run --seed S``, of a sweep with seed S and of the dashboard at seed S are
    the same run. ``world`` may be a validated scenario (compiled here) or a compiled
    :class:`World` shared by many replicates.
    """
    world = world if isinstance(world, World) else build_world(world)
    return make_batch(world, params, seed, [replicate], until)
