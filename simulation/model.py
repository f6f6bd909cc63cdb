"""The alliance model: states as Mesa agents, their relations as N×N NumPy arrays.

Each step (a week or a month of real time): the events that fall due are applied; the model
computes what every state perceives (threats, security value of partners, ideology); each
:class:`~simulation.agents.StateAgent` decides how to lean and whom to repay; then the
mechanisms run — transactional exchange, leaning then structural balance and noise, war
attrition, tension — and coalitions and blocs are found. ``docs/ODD.md`` describes the model in the ODD protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import mesa
import numpy as np

from . import events as ev
from .agents import WEIGHTS, StateAgent
from .calendar import Calendar
from .mechanisms import (alarm, alignment, alliance, attrition, balance, blocs, capability, coalitions, commitment,
                         economy, exchange, experience, homophily, leaning, tension, threat)
from .recorder import Recorder
from .scenario.schema import Scenario
from .world import World, build_world

class AllianceModel(mesa.Model):
    """A world of states stepping through a scenario's calendar."""

    def __init__(self, world: World, params: dict[str, float], rng: np.random.Generator | int | None = None,
                 until: dt.date | None = None):
        super().__init__(rng=rng)
        self.world, self.params = world, params
        self.calendar: Calendar = world.calendar
        self.boundaries = self.calendar.boundaries(until)
        self.dates = self.calendar.dates(until)
        self.n_steps = len(self.boundaries) - 1
        self.ids = list(world.ids)
        self._index = {sid: i for i, sid in enumerate(self.ids)}
        self.front_share = np.array([f if f is not None else params["front_share"] for f in world.front_share])
        self._init_arrays()
        self.preference_weights = np.array([[w[name] for name in WEIGHTS] for w in world.weights], dtype=float)
        self.risk_tolerance = np.array(world.risk_tolerance, dtype=float)
        self.states = [StateAgent(self, i, rec, float(self.front_share[i])) for i, rec in enumerate(world.records)]
        self.anchor = self._index[world.anchor] if world.anchor else int(np.argmax(self.capability))
        self.affinity = self._initial_affinity()
        self.tension = np.zeros((self.n, self.n))
        self._perceive()
        self.power_baseline = self.power.copy()  # states start used to the powers around them
        self.tension = self._tension_target()
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

    def _init_arrays(self) -> None:
        w, p, n = self.world, self.params, len(self.ids)
        self.manpower = w.manpower.copy()
        self.manpower0 = w.manpower.copy()
        self.milex = w.milex.copy()
        production = p["production_per_milex"] * self.milex
        self.munitions = np.where(np.isnan(w.munitions), production * p["stock_years"], w.munitions)
        self.munitions0 = np.maximum(self.munitions.copy(), 1e-9)
        self.economy = w.gdp.copy()
        self.economy0 = w.gdp.copy()
        self.ideal_points = w.ideal_points.copy()
        quality = np.maximum(self.milex / np.maximum(self.manpower, 1.0), 1e-9)  # at least 1,000 personnel
        self.tech = (quality / np.median(quality)) ** p["quality_elasticity"]
        self.tech0 = self.tech.copy()
        self.cinc = w.cinc.copy()
        self.capability = self.cinc.copy()
        self.distance = threat.great_circle_km(w.lat, w.lon)
        self.treaty = w.treaty.copy()
        self.at_war = w.at_war.copy()
        self.sanctions = w.sanctions.copy()
        self.stance = np.zeros((n, n))
        self.deployed = np.zeros((n, n))  # thousand troops of row state fighting for column state
        self.memory = np.zeros((n, n))  # decayed value of support row → column
        self.debt = np.zeros((n, n))  # value row state owes column state
        # decayed military activity; a state at war since before the start has fought its way to the
        # level that steady fighting sustains (the same dynamics as in _war, run over its years at war)
        self.activity = np.where(w.at_war.any(axis=1),
                                 p["memory_years"] * -np.expm1(-w.war_years / p["memory_years"]), 0.0)
        self.losses_total = np.zeros(n)
        self.lean = np.zeros((n, n))
        self.support_munitions, self.support_money = self._support_at_start()  # decayed mse, US$ bn row → column
        self.depth = np.zeros((n, n))  # deepening of treaty alliances since the start
        self.power_baseline: np.ndarray | None = None  # set after the spin-up: no alarm before
        fighting = np.where(w.at_war.any(axis=1), self.front_share * self.manpower, 0.0)
        self.field, self.veterans = experience.before_start(fighting, w.war_years, p["learning_years"],
                                                            p["tour_years"], p["experience_years"])
        self._update_quality()
        self.quality0 = self.quality.copy()
        self._reset_step()

    def _support_at_start(self) -> tuple[np.ndarray, np.ndarray]:
        """Memories of the support flowing at the start (``relations.support``), as if it had flowed
        at its rate since it began: rate × memory_years × (1 − exp(−years / memory_years)).
        """
        p, n = self.params, self.n
        munitions, money = np.zeros((n, n)), np.zeros((n, n))
        for g, r, years, a in self.world.support:
            held = p["memory_years"] * -np.expm1(-years / p["memory_years"])
            arms = ev.arms_mse(a["shells"], a["missiles"], a["drones"], a["artillery"], p)
            munitions[g, r] += held * (arms + a["military_aid_usd_bn"] * p["mse_per_usd_bn"])
            money[g, r] += held * a["economic_aid_usd_bn"]
        return munitions, money

    def _reset_step(self) -> None:
        n = self.n
        self.delivered_munitions = np.zeros((n, n))  # mse delivered row → column, this step
        self.paid_money = np.zeros((n, n))  # US$ bn paid row → column, this step
        self.value = np.zeros((n, n))  # relative value to the receiver, this step
        self.military_value = np.zeros((n, n))  # the part of it that is military
        self.cost = np.zeros((n, n))  # relative cost to the giver, this step
        self.operations = np.zeros((n, n))
        self.tension_shock = np.zeros((n, n))
        self.losses = np.zeros(n)
        self.paid = np.zeros(n)  # US$ bn paid out this step (aid, repayments)

    def _initial_affinity(self) -> np.ndarray:
        """Affinity at the start: the noise-free dynamics run to equilibrium, then scenario overrides.

        Starting from ideology, treaties and wars, the leaning and balance dynamics run without
        events or noise for ``spin_up_years`` (monthly steps), so that the run's trends come from
        its events, not from initial values out of equilibrium. Deterministic: every replicate
        starts from the same world.
        """
        ideology = homophily.ideology_affinity(self.ideal_points, self.params["ideal_point_scale"])
        seed = np.clip(ideology + self.treaty - self.params["spin_up_enmity"] * self.at_war, -1.0, 1.0)
        np.fill_diagonal(seed, 0.0)
        self.affinity = seed
        self.dt = 1.0 / 12.0
        for _ in range(int(round(12 * self.params["spin_up_years"]))):
            self._perceive()
            self.lean = StateAgent.decide_leanings(self, noise=False)
            self._relations(noise=False)
        start = self.affinity.copy()
        for (a, b), value in self.world.affinity_overrides.items():
            i, j = self._index[a], self._index[b]
            start[i, j] = start[j, i] = value
        return start

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        k = self.steps  # Mesa increments ``steps`` before calling step()
        if k > self.n_steps:
            self.running = False
            return
        self.step_start, self.step_stop = self.boundaries[k - 1], self.boundaries[k]
        self.dt = (self.step_stop - self.step_start).days / 365.25
        self._reset_step()
        self._apply_events(k)
        self._perceive()
        self.lean = StateAgent.decide_leanings(self, noise=True)
        self.agents.do("step")
        self._exchange()
        self._relations()
        self._war()
        self._update_capability()
        self._perceive()
        self.depth = alliance.deepen(self.depth, alliance.drive(self.treaty, self.affinity, self.alarm),
                                     self.params["depth_rate"], self.params["depth_years"], self.dt)
        self.tension = np.clip(tension.relax(self.tension, self._tension_target(), self.params["tension_rate"], self.dt)
                               + self.tension_shock, 0.0, 1.0)
        self.power_baseline = alarm.baseline(self.power_baseline, self.power, self.dt, self.params["alarm_years"])
        self._find_coalitions()
        self.recorder.record(k)
        if k == self.n_steps:
            self.running = False

    def run(self) -> "AllianceModel":
        while self.running:
            self.step()
        return self

    def step_contains(self, day: dt.date) -> bool:
        return self.step_start <= day < self.step_stop

    def _apply_events(self, k: int) -> None:
        """Apply the events the compiled schedule holds for step k, in scenario order."""
        for event, share in self.schedule[k]:
            ev.kind_of(event).apply(self, event, share)
            if id(event) not in self._fired_ids:
                self._fired_ids.add(id(event))
                self.fired.append((k, event))

    # ------------------------------------------------------------------ perception
    def _perceive(self) -> None:
        """What every state sees this step (shared arrays the agents read)."""
        p = self.params
        self.ideology = homophily.ideology_affinity(self.ideal_points, p["ideal_point_scale"])
        self.proximity = threat.projected(threat.proximity(self.distance, self.world.neighbours, p["proximity_km"]),
                                          self.treaty)
        self._commitments()
        self.war_parties = commitment.parties_at_war(self.at_war, self.belligerence)
        hostile = threat.hostility(self.affinity, self.war_parties)
        self.hostile = hostile
        self.threat = threat.threat_matrix(self.capability, self.proximity, hostile)
        self.threat_shares = threat.threat_shares(self.threat)
        self.security = threat.security_value(self.threat_shares, hostile, self.capability)
        self.bandwagoning = threat.bandwagons(self.threat, self.capability, self.affinity, p["bandwagon_ratio"])
        self.backing = commitment.backing(self.involvement, self.treaty, self.belligerence)
        self.power = alarm.aggregate_power(self.capability, self.backing)
        reference = self.power if self.power_baseline is None else self.power_baseline
        self.alarm = alarm.alarm(self.power, reference, self.proximity, hostile, self.capability)
        self.recalibration = alarm.recalibration(self.alarm, hostile, self.backing, self.treaty)

    def _commitments(self) -> None:
        """Belligerence (troops) and involvement (all channels) of every giver in every receiver's war."""
        p = self.params
        front = self.front_share * self.manpower + self.deployed.sum(axis=0)
        shares = commitment.effort_shares(self.deployed, front, self.support_munitions / p["memory_years"],
                                          p["munitions_use"] * front, self.support_money / p["memory_years"],
                                          self.economy)
        self.belligerence = commitment.belligerence(shares[0], p["commitment_troops"])
        self.involvement = commitment.involvement(*shares, p["commitment_troops"], p["commitment_munitions"],
                                                  p["commitment_money"])

    # ------------------------------------------------------------------ mechanisms
    def _exchange(self) -> None:
        p = self.params
        self.affinity = self.affinity + exchange.affinity_gain(self.affinity, self.value + self.cost,
                                                               p["exchange_gain"])
        self.affinity = self.affinity + exchange.resentment(self.affinity, self.military_value, self.at_war,
                                                            p["exchange_gain"])
        self.memory = exchange.decay(self.memory, self.dt, p["memory_years"]) + self.value
        self.support_munitions = (exchange.decay(self.support_munitions, self.dt, p["memory_years"])
                                  + self.delivered_munitions)
        self.support_money = exchange.decay(self.support_money, self.dt, p["memory_years"]) + self.paid_money
        self.activity = exchange.decay(self.activity, self.dt, p["memory_years"])

    def _relations(self, noise: bool = True) -> None:
        p = self.params
        a = leaning.relax(self.affinity, leaning.mutual(self.lean), p["lean_rate"], self.dt)
        a = a + self.dt * balance.balance_drift(a, p["balance_rate"])
        if noise:
            a = a + leaning.shocks(self.rng, self.n, p["affinity_noise"], self.dt)
        a = np.clip(a, -1.0, 1.0)
        np.fill_diagonal(a, 0.0)
        self.affinity = a

    def _front(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(national, foreign, total) front troops; sets ``front_strength`` (firepower)."""
        national, foreign = attrition.front_forces(self.manpower, self.front_share, self.deployed, self.at_war)
        front = national + foreign
        fights = experience.fighting_quality(self.experience, self.params["experience_gain"])
        foreign_quality = np.where(foreign > 0, self.deployed.T @ fights, 0.0)  # Σ_g D_gr q_g / (1 + gain)
        quality = np.divide(national * fights + foreign_quality, front, out=fights.copy(), where=front > 0)
        self.front_strength = attrition.firepower(front, self.munitions, self.tech * quality,
                                                  self.params["munitions_use"], self.params["reserve_years"],
                                                  self.params["min_effect"])
        return national, foreign, front

    def _war(self) -> None:
        p = self.params
        national, foreign, front = self._front()
        intensity = self.at_war * (1.0 + self.operations + self.operations.T)
        lost = attrition.losses(self.front_strength, intensity, p["attrition_rate"], self.dt, front)
        used = attrition.munitions_used(front, intensity, p["munitions_use"], self.dt, self.munitions)
        share_national = np.divide(national, front, out=np.zeros_like(front), where=front > 0)
        self.manpower -= lost * share_national
        foreign_share = np.divide(lost * (1 - share_national), foreign, out=np.zeros_like(front), where=foreign > 0)
        fighting_abroad = self.deployed @ (foreign > 0).astype(float)  # each giver's troops on a front abroad
        lost_abroad = self.deployed @ np.minimum(foreign_share, 1.0)
        self.deployed *= 1.0 - np.minimum(foreign_share, 1.0)[None, :]
        self.field, self.veterans = experience.advance(
            self.field, self.veterans, national + fighting_abroad, lost * share_national + lost_abroad, self.dt,
            p["learning_years"], p["tour_years"], p["experience_years"])
        self._update_quality()
        self.losses = lost
        self.losses_total += lost
        fighting = self.at_war.any(axis=1)
        capacity = p["recruitment_rate"] * self.world.population * self.world.recruitment * self.dt
        self.manpower += attrition.recruits(self.manpower, self.manpower0, fighting, capacity)
        self.munitions = attrition.restock(self.munitions, self.munitions0, p["production_per_milex"] * self.milex,
                                           used, self.dt)
        self.activity += np.where(fighting, self.dt, 0.0) + self.operations.sum(axis=1) * self.dt
        sanctioned = economy.new_sanctions(self.sanctions, self.world.sanctions)
        self.economy = economy.adjust(self.economy, self.economy0, sanctioned, p["sanction_cost"], p["economy_years"],
                                      self.dt)

    def _update_quality(self) -> None:
        p = self.params
        self.experience = experience.force_experience(self.veterans, self.manpower0, p["veteran_share"])
        self.quality = experience.quality(self.experience, p["experience_gain"])

    def _update_capability(self) -> None:
        troops = self.manpower + self.deployed.sum(axis=0)
        self.capability = capability.capability(self.cinc, self.tech / self.tech0, self.quality / self.quality0,
                                                troops / np.maximum(self.manpower0, 1.0),
                                                self.munitions / self.munitions0, self.economy / self.economy0,
                                                self.params["stock_cap"])

    def _tension_target(self) -> np.ndarray:
        p = self.params
        return tension.tension_target(self.hostile, self.proximity, tension.parity(self.capability), self.activity,
                                      self.war_parties, self.alarm, p["tension_hostility"], p["tension_parity"],
                                      p["tension_activity"], p["tension_alarm"])

    def _find_coalitions(self, first: bool = False) -> None:
        p = self.params
        sizes = self.capability / self.capability.sum()
        weights = coalitions.pair_weights(sizes, self.affinity)
        start = None if first else self.coalition
        config, self.energy = coalitions.minimum(weights, self.rng, int(p["heuristic_restarts"]), start)
        self.coalition = coalitions.label_against(config, self.anchor)
        k = int(p["k_blocs"])
        labels, self.frustration = blocs.best_blocs(self.affinity, k, self.rng, int(p["heuristic_restarts"]),
                                                    None if first else self.bloc)
        self.bloc = labels if first else blocs.align_labels(labels, self.bloc, k)
        self.alignment = alignment.alignment(self.affinity, sizes, self.coalition == 0)
        self.polarization = alignment.polarization(self.affinity, sizes, self.coalition)

    # ------------------------------------------------------------------ API used by events and agents
    def idx(self, state: str) -> int:
        return self._index[self.world.cow(state)]

    def _record_flow(self, g: int, r: int, value: float, cost: float, military: bool,
                     settles: float | None = None) -> None:
        """Book a transfer: its value and cost, and what it does to debts.

        A transfer creates a debt of the receiver to the giver, unless it repays one
        (``settles``: the part of the giver's debt to the receiver it extinguishes).
        """
        self.value[g, r] += value
        self.cost[g, r] += cost
        if settles is None:
            self.debt[r, g] += value
        else:
            self.debt[g, r] = max(self.debt[g, r] - settles, 0.0)
        if military:
            self.military_value[g, r] += value
            self.activity[g] += value + cost
            self.activity[r] += value

    def deploy(self, giver: str, receiver: str, thousands: float) -> None:
        g, r = self.idx(giver), self.idx(receiver)
        troops = min(thousands, self.manpower[g])
        front = self.front_share[r] * self.manpower[r] + self.deployed[:, r].sum()
        value = float(exchange.relative_value(troops, front))
        self.manpower[g] -= troops
        self.deployed[g, r] += troops
        self._record_flow(g, r, value, troops / max(self.manpower0[g], 1e-9), military=True)

    def transfer_munitions(self, giver: str, receiver: str, mse: float, bought: bool = False) -> None:
        g, r = self.idx(giver), self.idx(receiver)
        if bought:  # military aid: the giver pays money, its own stock is untouched
            usd_bn = self.affordable(g, mse / self.params["mse_per_usd_bn"])
            delivered = usd_bn * self.params["mse_per_usd_bn"]
            cost = usd_bn / self.economy[g]
            self.economy[g] -= usd_bn
        else:
            delivered = min(mse, self.munitions[g])
            cost = delivered / self.munitions0[g]
            self.munitions[g] -= delivered
        value = float(exchange.relative_value(delivered, self.munitions[r]))
        self.munitions[r] += delivered
        self.delivered_munitions[g, r] += delivered
        self._record_flow(g, r, value, cost, military=True)

    def affordable(self, g: int, usd_bn: float) -> float:
        """What a giver can still pay this step: all its payments together at most its output over the step."""
        paid = min(usd_bn, max(max(self.economy[g], 0.0) * self.dt - self.paid[g], 0.0))
        self.paid[g] += paid
        return paid

    def transfer_economy(self, giver: str, receiver: str, usd_bn: float, repayment: float | None = None) -> None:
        g, r = self.idx(giver), self.idx(receiver)
        usd_bn = self.affordable(g, usd_bn)
        value = float(exchange.relative_value(usd_bn, self.economy[r]))
        cost = usd_bn / self.economy[g] if self.economy[g] > 0 else 0.0
        self.economy[g] -= usd_bn
        self.economy[r] += usd_bn
        if repayment is None:  # a repayment settles a debt: money, but no commitment
            self.paid_money[g, r] += usd_bn
        self._record_flow(g, r, value, cost, military=False, settles=repayment)

    def transfer_technology(self, giver: str, receiver: str, level: float, repayment: float | None = None) -> None:
        g, r = self.idx(giver), self.idx(receiver)
        gained = float(exchange.catch_up(self.tech[g], self.tech[r], level))
        value = float(exchange.relative_value(gained, self.tech[r]))
        self.tech[r] += gained
        self._record_flow(g, r, value, 0.0, military=True, settles=repayment)

    def gather(self, states: Iterable[str], gain: float, host: str | None = None) -> None:
        """Summits and signings: affinity among the attendees rises (more with the host)."""
        idx = [self.idx(s) for s in states]
        sub = np.ix_(idx, idx)
        bump = gain * (1.0 - self.affinity[sub])
        if host is not None:
            h = idx.index(self.idx(host))
            bump[h, :] *= self.params["host_factor"]
            bump[:, h] *= self.params["host_factor"]
        np.fill_diagonal(bump, 0.0)
        self.affinity[sub] = np.clip(self.affinity[sub] + bump, -1.0, 1.0)

    def set_treaty(self, parties: list[str], strength: float) -> None:
        idx = [self.idx(s) for s in parties]
        for i in idx:
            for j in idx:
                if i != j:
                    self.treaty[i, j] = max(self.treaty[i, j], strength) if strength > 0 else 0.0

    def set_sanctions(self, by: list[str], target: str, intensity: float) -> None:
        t = self.idx(target)
        for s in by:
            self.sanctions[self.idx(s), t] = intensity

    def set_war(self, parties: list[str], at_war: bool) -> None:
        i, j = (self.idx(s) for s in parties)
        self.at_war[i, j] = self.at_war[j, i] = at_war

    def operate(self, actor: str, target: str, intensity: float) -> None:
        """An offensive: more fighting on that front this step (activity is counted in ``_war``)."""
        i, j = self.idx(actor), self.idx(target)
        self.operations[i, j] += intensity

    def shock(self, pair: list[str], affinity: float, tension_delta: float) -> None:
        i, j = (self.idx(s) for s in pair)
        self.affinity[i, j] = self.affinity[j, i] = float(np.clip(self.affinity[i, j] + affinity, -1, 1))
        self.tension_shock[i, j] += tension_delta
        self.tension_shock[j, i] = self.tension_shock[i, j]

    def change_leadership(self, state: str, ideal_point: float | None, weights, risk_tolerance: float | None,
                          stance: dict[str, float]) -> None:
        i = self.idx(state)
        if ideal_point is not None:
            self.ideal_points[i] = ideal_point
        if weights is not None:  # fields not written keep their current value
            for name, value in weights.model_dump(exclude_unset=True).items():
                self.preference_weights[i, WEIGHTS.index(name)] = value
        if risk_tolerance is not None:
            self.risk_tolerance[i] = risk_tolerance
        for other, shift in stance.items():
            self.stance[i, self.idx(other)] = shift


def seed_sequence(seed: int, replicate: int = 0) -> np.random.SeedSequence:
    """Replicate r's seed: child r of ``SeedSequence(seed)``, i.e. ``SeedSequence(seed).spawn(r + 1)[r]``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replicate,))


def make_model(world: World | Scenario, params: dict[str, float], seed: int, replicate: int = 0,
               until: dt.date | None = None) -> AllianceModel:
    """The one way to build a model: replicate ``replicate`` of a run seeded ``seed``.

    Runs, sweeps and the dashboard all call it, so replicate r of ``alliance-sim run --seed S``,
    of a sweep with seed S and of the dashboard at seed S are the same model. ``world`` may be a
    validated scenario (compiled here) or a compiled :class:`World` shared by many replicates.
    """
    world = world if isinstance(world, World) else build_world(world)
    return AllianceModel(world, params, rng=np.random.default_rng(seed_sequence(seed, replicate)), until=until)
