"""The floor: the model's equations on plain NumPy arrays, without the model's machinery.

    from floor import run_floor
    out = run_floor(build_world(load_scenario(name).scenario), resolve_params(loaded), seed, replicate)

``run_floor`` reproduces ``simulation.model.make_model(world, params, seed, replicate).run()`` —
the same spin-up, the same equations in the same order, the same random draws from the same
Generator — and returns what the model's recorder records (``FloorRun``: the per-step state,
pair and model-metric arrays the recorder's tables are built from). ``tests/test_floor.py`` checks that it
does, to 1e-9, on every shipped scenario at two seeds; ``benchmarks/run.py`` times it against
the model. ``docs/performance.md`` lists what it does and does not contain.

What it leaves out is the model's overhead, not its work:

* no Mesa (no ``mesa.Model``, no agents, no ``AgentSet.do``, no event list); the one draw
  ``mesa.Model.__init__`` takes from the Generator (the seed of its stdlib ``random``) is
  taken here too, so the streams agree;
* no agent objects: the leaning decisions of all states are one (N, N) computation, noise
  drawn as one (N, N) block (the same numbers as N rows drawn one after the other); only the
  repayments, which depend on each other through the payers' economies, loop — over the states
  that owe something;
* events pre-indexed by step: each event becomes, once, a plain tuple (kind, state indices,
  amounts) in the list of every step it acts in, with its share of the step computed from day
  numbers; the loop applies them inline — no pydantic objects, no per-event dispatch through
  model methods;
* no recorder object: the recorded columns go straight into preallocated arrays;
* perception recomputes what changed only: projected proximity when a treaty changed,
  ideology when an ideal point did; the constant parts of the spin-up are computed once;
* exact coalition and bloc searches are the model's (``coalitions.exact_minimum``,
  ``blocs.exact_blocs``: since issue 12 they score every labeling from a table built once per
  N, one matrix-vector product a step — a technique first written here). The heuristic
  searches (large N) and every other equation are the model's own functions in
  ``simulation/mechanisms/`` (they are the equations; the floor calls them).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from simulation.events import TREATY_STRENGTH
from simulation.mechanisms import (alarm, alignment, alliance, attrition, balance, blocs, coalitions, commitment,
                                   exchange, experience, homophily, leaning, tension, threat)
from simulation.mechanisms import capability as power_index
from simulation.mechanisms import economy as output
from simulation.metrics import MODEL_METRICS, PAIR_COLUMNS, STATE_COLUMNS
from simulation.scenario import schema as s
from simulation.world import World


# event kinds of the pre-indexed step lists
DEPLOY, ARMS, MILITARY_AID, ECONOMIC_AID, TECH, GATHER, TREATY, SANCTION, COURSE, WAR, OPERATION, SHOCK = range(12)


@dataclass
class FloorRun:
    """What the model's recorder holds after a run (``simulation.recorder.Recorder``; pairs here as
    (step, pair, column), the recorder's array is (step, column, pair)).
    """

    ids: list[str]
    dates: list[dt.date]
    metric_names: tuple[str, ...]
    metrics: np.ndarray  # (steps + 1, metrics)
    states: np.ndarray  # (steps + 1, N, STATE_COLUMNS)
    coalition: np.ndarray  # (steps + 1, N) int8, 0 = A
    bloc: np.ndarray  # (steps + 1, N) int8
    pairs: np.ndarray  # (steps + 1, pairs i < j in row order, PAIR_COLUMNS)
    init_seconds: float = 0.0  # wall time of the set-up (spin-up and step 0 included), for the benchmarks


# --------------------------------------------------------------------------- events, indexed once
def _days(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _index_events(world: World, params: dict, bounds: list[int]) -> list[list[tuple]]:
    """For every step k ≥ 1, the actions of the events that act in it, in the model's order.

    Shares follow ``simulation.events.step_share``: flows deliver the share of their days
    [date, until] that falls in the step (aid net of suspended days), operations act on the
    share of the step's days they cover, everything else acts once in the step holding its date.
    """
    index = {sid: i for i, sid in enumerate(world.ids)}

    def ix(state: str) -> int:
        return index[world.cow(state)]

    steps: list[list[tuple]] = [[] for _ in bounds]
    p = params
    for c in world.compiled:
        e = c.event
        day = e.date.toordinal()
        if isinstance(e, (s.TroopDeployment, s.ArmsTransfer, s.TechnologyTransfer, s.Aid)):
            a, b = day, (e.until or e.date).toordinal() + 1
            paused = [(p0.toordinal(), p1.toordinal()) for p0, p1 in c.paused] if isinstance(e, s.Aid) else []
            g, r = ix(e.from_), ix(e.to)
            for k in range(1, len(bounds)):
                b0, b1 = bounds[k - 1], bounds[k]
                days = _days(a, b, b0, b1) - sum(_days(max(a, p0), min(b, p1), b0, b1) for p0, p1 in paused)
                share = max(days, 0) / (b - a)
                if share <= 0:
                    continue
                if isinstance(e, s.TroopDeployment):
                    steps[k].append((DEPLOY, g, r, e.troops / 1000.0 * share))
                elif isinstance(e, s.ArmsTransfer):
                    mse = (e.shells / 1e6 + e.missiles * p["missile_mse"] + e.drones * p["drone_mse"]
                           + e.artillery * p["artillery_mse"])  # simulation.events.arms_mse
                    steps[k].append((ARMS, g, r, mse * share))
                elif isinstance(e, s.TechnologyTransfer):
                    steps[k].append((TECH, g, r, e.level * share))
                elif e.kind == "military":
                    steps[k].append((MILITARY_AID, g, r, e.value_usd_bn * share * p["mse_per_usd_bn"]))
                else:
                    steps[k].append((ECONOMIC_AID, g, r, e.value_usd_bn * share))
            continue
        if isinstance(e, s.MilitaryOperation):
            a, b = day, (e.until or e.date).toordinal() + 1
            for k in range(1, len(bounds)):
                share = _days(a, b, bounds[k - 1], bounds[k]) / max(bounds[k] - bounds[k - 1], 1)
                if share > 0:
                    steps[k].append((OPERATION, ix(e.actor), ix(e.target), e.intensity * share))
            continue
        k = _step_of(bounds, day)
        if isinstance(e, s.Summit):
            if k:
                attendees = [ix(x) for x in [e.host] + [q for q in e.participants if q != e.host]]
                steps[k].append((GATHER, attendees, p["summit_gain"] * e.strength, attendees.index(ix(e.host))))
        elif isinstance(e, s.Treaty):
            strength = e.strength if e.strength is not None else TREATY_STRENGTH[e.kind]
            parties = [ix(x) for x in e.parties]
            k_force = _step_of(bounds, e.in_force.toordinal()) if e.in_force else 0
            if k:  # signed: half strength until in force, and a signing summit
                steps[k].append((TREATY, parties, strength / 2.0 if e.in_force else strength))
                steps[k].append((GATHER, parties, p["signing_gain"] * strength, None))
            if k_force:
                steps[k_force].append((TREATY, parties, strength))
        elif isinstance(e, s.Sanctions):
            by, target = [ix(x) for x in e.by], ix(e.target)
            if k:
                steps[k].append((SANCTION, by, target, e.intensity))
            k_lift = _step_of(bounds, e.lifted.toordinal()) if e.lifted else 0
            if k_lift:
                steps[k_lift].append((SANCTION, by, target, 0.0))
        elif isinstance(e, (s.LeadershipChange, s.PolicyChange)):
            if k:
                weights = e.weights.model_dump(exclude_unset=True) if e.weights is not None else {}
                steps[k].append((COURSE, ix(e.state), e.ideal_point, weights, e.risk_tolerance,
                                 [(ix(o), v) for o, v in e.stance.items()]))
        elif isinstance(e, (s.Ceasefire, s.WarOutbreak)):
            if k:
                i, j = (ix(x) for x in e.parties)
                steps[k].append((WAR, i, j, isinstance(e, s.WarOutbreak)))
        elif isinstance(e, s.RelationShock):
            if k:
                i, j = (ix(x) for x in e.pair)
                steps[k].append((SHOCK, i, j, e.affinity, e.tension))
        # aid suspensions act through the aid shares above
    return steps


def _step_of(bounds: list[int], day: int) -> int:
    """The step k ≥ 1 whose days [bounds[k-1], bounds[k]) hold ``day``, 0 if none."""
    for k in range(1, len(bounds)):
        if bounds[k - 1] <= day < bounds[k]:
            return k
    return 0


# --------------------------------------------------------------------------- exact searches
def _exact_coalitions(weights: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``coalitions.exact_minimum`` (tabled in the model itself), or None above its size limit."""
    return coalitions.exact_minimum(weights) if weights.shape[0] <= coalitions.EXACT_MAX else None


def _exact_blocs(weights: np.ndarray, k: int) -> tuple[np.ndarray, float] | None:
    """``blocs.exact_blocs`` (tabled in the model itself), or None above its size limit."""
    return blocs.exact_blocs(weights, k) if k ** max(weights.shape[0] - 1, 0) <= blocs.EXACT_LIMIT else None


def _affordable(economy: np.ndarray, paid: np.ndarray, g: int, usd_bn: float, dt_years: float) -> float:
    """``simulation.effects.affordable``: all of a giver's payments in a step together at most its output over it."""
    out = min(usd_bn, max(max(economy[g], 0.0) * dt_years - paid[g], 0.0))
    paid[g] += out
    return out


def run_floor(world: World, params: dict[str, float], seed: int, replicate: int = 0,
              until: dt.date | None = None, search: str = "table") -> FloorRun:
    """Replicate ``replicate`` of a run seeded ``seed``, as ``simulation.model.make_model`` would run it.

    ``search="table"`` calls the exact searches directly when the state count allows;
    ``search="model"`` goes through the model's ``coalitions.minimum`` and ``blocs.best_blocs``,
    which choose them the same way. Both give the model's labels.
    """
    started = time.perf_counter()
    p = params
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(replicate,)))
    rng.integers(np.iinfo(np.int32).max)  # the seed mesa.Model.__init__ draws for its stdlib random
    normal = rng.standard_normal
    calendar_bounds = world.calendar.boundaries(until)
    bounds = [d.toordinal() for d in calendar_bounds]
    n_steps = len(bounds) - 1
    ids = list(world.ids)
    n = len(ids)
    actions = _index_events(world, p, bounds)
    use_table = search == "table"

    # ---- parameters as locals
    memory_years, lean_rate, balance_rate = p["memory_years"], p["lean_rate"], p["balance_rate"]
    gain_x, munitions_use, mse_per_usd = p["exchange_gain"], p["munitions_use"], p["mse_per_usd_bn"]
    restarts, k_blocs = int(p["heuristic_restarts"]), int(p["k_blocs"])
    ts, hs, ta, ag, dn = (p["threat_sensitivity"], p["homophily_strength"], p["treaty_anchor"], p["alarm_gain"],
                          p["decision_noise"])

    # ---- initial arrays (AllianceModel._init_arrays)
    front_share = np.array([f if f is not None else p["front_share"] for f in world.front_share])
    manpower = world.manpower.copy()
    manpower0 = manpower.copy()
    milex = world.milex.copy()
    production = p["production_per_milex"] * milex
    munitions = np.where(np.isnan(world.munitions), production * p["stock_years"], world.munitions)
    munitions0 = np.maximum(munitions.copy(), 1e-9)
    economy = world.gdp.copy()
    economy0 = economy.copy()
    ideal_points = world.ideal_points.copy()
    quality_ratio = np.maximum(milex / np.maximum(manpower, 1.0), 1e-9)
    tech = (quality_ratio / np.median(quality_ratio)) ** p["quality_elasticity"]
    tech0 = tech.copy()
    cinc = world.cinc.copy()
    capability = cinc.copy()
    distance = threat.great_circle_km(world.lat, world.lon)
    treaty = world.treaty.copy()
    at_war = world.at_war.copy()
    sanctions = world.sanctions.copy()
    sanctions_start = world.sanctions
    recruits = p["recruitment_rate"] * world.population * world.recruitment  # a year, as the model multiplies
    stance = np.zeros((n, n))
    deployed = np.zeros((n, n))
    memory = np.zeros((n, n))
    debt = np.zeros((n, n))
    activity = np.where(world.at_war.any(axis=1), memory_years * -np.expm1(-world.war_years / memory_years), 0.0)
    losses_total = np.zeros(n)
    support_munitions, support_money = np.zeros((n, n)), np.zeros((n, n))
    for g, r, years, a in world.support:
        held = memory_years * -np.expm1(-years / memory_years)
        arms = (a["shells"] / 1e6 + a["missiles"] * p["missile_mse"] + a["drones"] * p["drone_mse"]
                + a["artillery"] * p["artillery_mse"])
        support_munitions[g, r] += held * (arms + a["military_aid_usd_bn"] * mse_per_usd)
        support_money[g, r] += held * a["economic_aid_usd_bn"]
    depth = np.zeros((n, n))
    fighting0 = np.where(world.at_war.any(axis=1), front_share * manpower, 0.0)
    field, veterans = experience.before_start(fighting0, world.war_years, p["learning_years"], p["tour_years"],
                                              p["experience_years"])
    exp_level = experience.force_experience(veterans, manpower0, p["veteran_share"])
    quality = experience.quality(exp_level, p["experience_gain"])
    quality0 = quality.copy()
    w_security = np.array([w["security"] for w in world.weights], dtype=float)
    w_economy = np.array([w["economy"] for w in world.weights], dtype=float)
    w_ideology = np.array([w["ideology"] for w in world.weights], dtype=float)
    risk = np.array(world.risk_tolerance, dtype=float)
    anchor = ids.index(world.anchor) if world.anchor else int(np.argmax(capability))
    host_factor = p["host_factor"]
    base_proximity = threat.proximity(distance, world.neighbours, p["proximity_km"])
    diagonal = np.arange(n)

    # ---- perception (AllianceModel._perceive), with what did not change kept
    cache = {"ideology": None, "proximity": None}

    def perceive(affinity, baseline):
        if cache["ideology"] is None:
            cache["ideology"] = homophily.ideology_affinity(ideal_points, p["ideal_point_scale"])
        if cache["proximity"] is None:
            cache["proximity"] = threat.projected(base_proximity, treaty)
        prox = cache["proximity"]
        front = front_share * manpower + deployed.sum(axis=0)
        shares = commitment.effort_shares(deployed, front, support_munitions / memory_years, munitions_use * front,
                                          support_money / memory_years, economy)
        bellig = commitment.belligerence(shares[0], p["commitment_troops"])
        involv = commitment.involvement(*shares, p["commitment_troops"], p["commitment_munitions"],
                                        p["commitment_money"])
        parties = commitment.parties_at_war(at_war, bellig)
        hostile = threat.hostility(affinity, parties)
        theta = threat.threat_matrix(capability, prox, hostile)
        theta_shares = threat.threat_shares(theta)
        security = threat.security_value(theta_shares, hostile, capability)
        wagons = threat.bandwagons(theta, capability, affinity, p["bandwagon_ratio"])
        backing = cache["backing"] = commitment.backing(involv, treaty, bellig)
        power = alarm.aggregate_power(capability, backing)
        alarms = alarm.alarm(power, power if baseline is None else baseline, prox, hostile, capability)
        recal = alarm.recalibration(alarms, hostile, backing, treaty)
        return (cache["ideology"], prox, parties, hostile, theta, theta_shares, security, wagons, power, alarms, recal,
                involv)

    def realarm(perceived, baseline):
        """A step without events: only alarm and recalibration move (the power baseline did)."""
        ideology, prox, parties, hostile, theta, theta_shares, security, wagons, power, _, _, involv = perceived
        alarms = alarm.alarm(power, baseline, prox, hostile, capability)
        recal = alarm.recalibration(alarms, hostile, cache["backing"], treaty)
        return ideology, prox, parties, hostile, theta, theta_shares, security, wagons, power, alarms, recal, involv

    def utilities(perceived, affinity, noise):
        """Every state's ``StateAgent.utilities`` at once (rows), with their noise drawn row after row."""
        ideology, _, parties, _, theta, theta_shares, security_v, wagons, _, _, recal, _ = perceived
        security = security_v - parties
        against = theta_shares.copy()
        if wagons.any():
            rows = np.flatnonzero(wagons)
            main = np.argmax(theta[rows], axis=1)
            against[rows, main] = -theta_shares[rows, main]
        security = security - against * (0.5 + risk)[:, None]
        econ = np.tanh(memory.T + memory) - (sanctions + sanctions.T)
        security = security + ag * recal
        u = ((w_security * ts)[:, None] * security + w_economy[:, None] * econ
             + (w_ideology * hs)[:, None] * ideology + ta * treaty * (1.0 + depth) + stance)
        if noise:
            u = u + dn * normal((n, n))
        u[diagonal, diagonal] = 0.0
        lean = np.tanh(u)
        lean[diagonal, diagonal] = 0.0
        return lean

    def relations(affinity, lean, dt_years, noise):
        a = leaning.relax(affinity, leaning.mutual(lean), lean_rate, dt_years)
        a = a + dt_years * balance.balance_drift(a, balance_rate)
        if noise:
            a = a + leaning.shocks(rng.standard_normal((n, n)), p["affinity_noise"], dt_years)
        a = np.clip(a, -1.0, 1.0)
        a[diagonal, diagonal] = 0.0
        return a

    # ---- spin-up (AllianceModel._initial_affinity): no events, no noise, monthly
    ideology0 = homophily.ideology_affinity(ideal_points, p["ideal_point_scale"])
    affinity = np.clip(ideology0 + treaty - p["spin_up_enmity"] * at_war, -1.0, 1.0)
    affinity[diagonal, diagonal] = 0.0
    spin = int(round(12 * p["spin_up_years"]))
    if spin:
        # nothing but affinity changes during the spin-up: perception is computed once, then only
        # hostility and what follows from it (threat, its shares, security value, bandwagoning);
        # alarm is zero throughout (no baseline yet), and so is the recalibration
        ideology, prox, parties, _, _, _, _, _, power, alarms, recal, involv = perceive(affinity, None)
        for _ in range(spin):
            hostile = threat.hostility(affinity, parties)
            theta = threat.threat_matrix(capability, prox, hostile)
            theta_shares = threat.threat_shares(theta)
            perceived = (ideology, prox, parties, hostile, theta, theta_shares,
                         threat.security_value(theta_shares, hostile, capability),
                         threat.bandwagons(theta, capability, affinity, p["bandwagon_ratio"]), power, alarms, recal,
                         involv)
            affinity = relations(affinity, utilities(perceived, affinity, noise=False), 1.0 / 12.0, noise=False)
    id_index = {sid: i for i, sid in enumerate(ids)}
    for (a_id, b_id), value in world.affinity_overrides.items():
        i, j = id_index[a_id], id_index[b_id]
        affinity[i, j] = affinity[j, i] = value
    tension_now = np.zeros((n, n))
    perceived = perceive(affinity, None)
    baseline = perceived[8].copy()

    def tension_target(perceived):
        _, prox, parties, hostile, *_rest = perceived
        return tension.tension_target(hostile, prox, tension.parity(capability), activity, parties, perceived[9],
                                      p["tension_hostility"], p["tension_parity"], p["tension_activity"],
                                      p["tension_alarm"])

    tension_now = tension_target(perceived)

    def front_forces():
        national, foreign = attrition.front_forces(manpower, front_share, deployed, at_war)
        front = national + foreign
        fights = experience.fighting_quality(exp_level, p["experience_gain"])
        foreign_quality = np.where(foreign > 0, deployed.T @ fights, 0.0)
        q = np.divide(national * fights + foreign_quality, front, out=fights.copy(), where=front > 0)
        strength = attrition.firepower(front, munitions, tech * q, munitions_use, p["reserve_years"], p["min_effect"])
        return national, foreign, front, strength

    front_strength = front_forces()[3]

    # ---- collective outcomes (AllianceModel._find_coalitions)
    perms = np.array(list(permutations(range(k_blocs))), dtype=int)

    def collective(affinity, previous_coalition, previous_bloc):
        sizes = capability / capability.sum()
        weights = coalitions.pair_weights(sizes, affinity)
        found = _exact_coalitions(weights) if use_table else None
        if found is None:
            found = coalitions.minimum(weights, rng, restarts, previous_coalition)
        config, energy_ = found
        coalition = coalitions.label_against(config, anchor)
        found = _exact_blocs(affinity, k_blocs) if use_table else None
        if found is None:
            found = blocs.best_blocs(affinity, k_blocs, rng, restarts, previous_bloc)
        labels, frustration_ = found
        if previous_bloc is None:
            bloc = labels
        else:  # blocs.align_labels: the first permutation with the largest overlap
            candidates = perms[:, labels]
            bloc = candidates[int(np.argmax((candidates == previous_bloc).sum(axis=1)))]
        return (coalition, bloc, energy_, frustration_, alignment.alignment(affinity, sizes, coalition == 0),
                alignment.polarization(affinity, sizes, coalition))

    coalition, bloc, energy_, frustration_, alignment_, polarization = collective(affinity, None, None)

    # ---- recording (the columns of simulation.recorder.Recorder.record)
    iu = np.triu_indices(n, 1)
    regions = [tension.region_weights(core, members)[iu] for core, members in world.regions.values()]
    region_totals = [float(w.sum()) for w in regions]
    metric_names = MODEL_METRICS + tuple(f"tension_{r}" for r in world.regions)
    rec_metrics = np.zeros((n_steps + 1, len(metric_names)))
    rec_states = np.zeros((n_steps + 1, n, len(STATE_COLUMNS)))
    rec_coalition = np.zeros((n_steps + 1, n), dtype=np.int8)
    rec_bloc = np.zeros((n_steps + 1, n), dtype=np.int8)
    rec_pairs = np.zeros((n_steps + 1, len(iu[0]), len(PAIR_COLUMNS)))
    value = np.zeros((n, n))
    losses = np.zeros(n)

    def record(k):
        t_iu = tension_now[iu]
        cap_w = capability[iu[0]] * capability[iu[1]]
        cap_total = cap_w.sum()
        rec_metrics[k, 0] = float((t_iu * cap_w).sum() / cap_total) if cap_total > 0 else 0.0
        rec_metrics[k, 1:4] = energy_, frustration_, polarization
        for m, (w, total) in enumerate(zip(regions, region_totals)):
            rec_metrics[k, 4 + m] = float((t_iu * w).sum() / total) if total > 0 else 0.0
        _, _, parties, _, theta, *_r = perceived
        alarms, involv = perceived[9], perceived[11]
        strain = np.where(at_war.any(axis=1), 1.0 - manpower / np.maximum(manpower0, 1e-9), 0.0)
        out = rec_states[k]
        out[:, 0], out[:, 1], out[:, 2], out[:, 3], out[:, 4], out[:, 5] = (manpower, munitions, economy, capability,
                                                                            tech, front_strength)
        out[:, 6], out[:, 7], out[:, 8], out[:, 9] = deployed.sum(axis=0), deployed.sum(axis=1), losses, strain
        out[:, 10], out[:, 11] = theta.sum(axis=1), alignment_
        out[:, 12], out[:, 13] = value.sum(axis=1), value.sum(axis=0)
        out[:, 14], out[:, 15] = exp_level, alarms.sum(axis=1)
        rec_coalition[k], rec_bloc[k] = coalition, bloc
        pairs = rec_pairs[k]
        pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3] = affinity[iu], t_iu, treaty[iu], at_war[iu]
        pairs[:, 4], pairs[:, 5], pairs[:, 6], pairs[:, 7] = value[iu], value.T[iu], parties[iu], depth[iu]
        pairs[:, 8], pairs[:, 9] = involv[iu], involv.T[iu]

    record(0)
    init_seconds = time.perf_counter() - started

    # ---- the steps (AllianceModel.step)
    for k in range(1, n_steps + 1):
        dt_years = (bounds[k] - bounds[k - 1]) / 365.25
        delivered_munitions = np.zeros((n, n))
        paid_money = np.zeros((n, n))
        value = np.zeros((n, n))
        military_value = np.zeros((n, n))
        cost = np.zeros((n, n))
        operations = np.zeros((n, n))
        tension_shock = np.zeros((n, n))
        paid = np.zeros(n)

        # events, in the model's order (simulation.events kinds and simulation.effects)
        for act in actions[k]:
            kind = act[0]
            if kind == DEPLOY:
                _, g, r, thousands = act
                troops = min(thousands, manpower[g])
                front = front_share[r] * manpower[r] + deployed[:, r].sum()
                v = troops / (front + troops) if front + troops > 0 else 0.0
                manpower[g] -= troops
                deployed[g, r] += troops
                c = troops / max(manpower0[g], 1e-9)
                value[g, r] += v
                cost[g, r] += c
                debt[r, g] += v
                military_value[g, r] += v
                activity[g] += v + c
                activity[r] += v
            elif kind == ARMS or kind == MILITARY_AID:
                _, g, r, mse = act
                if kind == MILITARY_AID:
                    usd = _affordable(economy, paid, g, mse / mse_per_usd, dt_years)
                    delivered = usd * mse_per_usd
                    c = usd / economy[g]
                    economy[g] -= usd
                else:
                    delivered = min(mse, munitions[g])
                    c = delivered / munitions0[g]
                    munitions[g] -= delivered
                stock = munitions[r] + delivered
                v = delivered / stock if stock > 0 else 0.0
                munitions[r] += delivered
                delivered_munitions[g, r] += delivered
                value[g, r] += v
                cost[g, r] += c
                debt[r, g] += v
                military_value[g, r] += v
                activity[g] += v + c
                activity[r] += v
            elif kind == ECONOMIC_AID:
                _, g, r, usd = act
                usd = _affordable(economy, paid, g, usd, dt_years)
                stock = economy[r] + usd
                v = usd / stock if stock > 0 else 0.0
                c = usd / economy[g] if economy[g] > 0 else 0.0
                economy[g] -= usd
                economy[r] += usd
                paid_money[g, r] += usd
                value[g, r] += v
                cost[g, r] += c
                debt[r, g] += v
            elif kind == TECH:
                _, g, r, level = act
                gained = min(max(level, 0.0), 1.0) * max(tech[g] - tech[r], 0.0)
                stock = tech[r] + gained
                v = gained / stock if stock > 0 else 0.0
                tech[r] += gained
                value[g, r] += v
                cost[g, r] += 0.0
                debt[r, g] += v
                military_value[g, r] += v
                activity[g] += v + 0.0
                activity[r] += v
            elif kind == GATHER:
                _, idx, gain, host = act  # summits and signings
                sub = np.ix_(idx, idx)
                bump = gain * (1.0 - affinity[sub])
                if host is not None:
                    bump[host, :] *= host_factor
                    bump[:, host] *= host_factor
                np.fill_diagonal(bump, 0.0)
                affinity[sub] = np.clip(affinity[sub] + bump, -1.0, 1.0)
            elif kind == TREATY:
                _, idx, strength = act
                for i in idx:
                    for j in idx:
                        if i != j:
                            treaty[i, j] = max(treaty[i, j], strength) if strength > 0 else 0.0
                cache["proximity"] = None
            elif kind == SANCTION:
                _, by, target, intensity = act
                for i in by:
                    sanctions[i, target] = intensity
            elif kind == COURSE:
                _, i, ideal_point, weights, risk_tolerance, shifts = act
                if ideal_point is not None:
                    ideal_points[i] = ideal_point
                    cache["ideology"] = None
                for name, w in weights.items():
                    {"security": w_security, "economy": w_economy, "ideology": w_ideology}[name][i] = w
                if risk_tolerance is not None:
                    risk[i] = risk_tolerance
                for j, shift in shifts:
                    stance[i, j] = shift
            elif kind == WAR:
                _, i, j, war = act
                at_war[i, j] = at_war[j, i] = war
            elif kind == OPERATION:
                _, i, j, intensity = act
                operations[i, j] += intensity
            elif kind == SHOCK:
                _, i, j, delta, shock = act
                affinity[i, j] = affinity[j, i] = float(np.clip(affinity[i, j] + delta, -1, 1))
                tension_shock[i, j] += shock
                tension_shock[j, i] = tension_shock[i, j]

        # what every state perceives (nothing but the baseline moved in a step without events), and its decisions
        perceived = perceive(affinity, baseline) if actions[k] else realarm(perceived, baseline)
        lean = utilities(perceived, affinity, noise=True)
        repaid_all = debt * (lean > 0) * (1.0 - np.exp(-p["reciprocity"] * dt_years))
        for i in np.flatnonzero(repaid_all.any(axis=1)).tolist():  # StateAgent.reciprocate, in agent order
            repaid = repaid_all[i]
            money = repaid * p["repayment_gdp_share"] * economy[i]
            budget = p["support_budget"] * risk[i] * economy[i] * dt_years
            total = money.sum()
            scale = min(1.0, budget / total) if total > 0 else 0.0
            for c in np.flatnonzero(money).tolist():
                usd = _affordable(economy, paid, i, money[c] * scale, dt_years)
                stock = economy[c] + usd
                v = usd / stock if stock > 0 else 0.0
                cst = usd / economy[i] if economy[i] > 0 else 0.0
                economy[i] -= usd
                economy[c] += usd
                value[i, c] += v
                cost[i, c] += cst
                debt[i, c] = max(debt[i, c] - repaid[c] * scale, 0.0)
                level = min(p["tech_transfer"] * repaid[c] * scale, 1.0)
                if tech[i] > tech[c] and level > 0:
                    gained = min(max(level, 0.0), 1.0) * max(tech[i] - tech[c], 0.0)
                    stock = tech[c] + gained
                    v = gained / stock if stock > 0 else 0.0
                    tech[c] += gained
                    value[i, c] += v
                    cost[i, c] += 0.0
                    military_value[i, c] += v
                    activity[i] += v + 0.0
                    activity[c] += v

        # exchange (AllianceModel._exchange)
        affinity = affinity + exchange.affinity_gain(affinity, value + cost, gain_x)
        affinity = affinity + exchange.resentment(affinity, military_value, at_war, gain_x)
        keep = np.exp(-dt_years / memory_years)
        memory = memory * keep + value
        support_munitions = support_munitions * keep + delivered_munitions
        support_money = support_money * keep + paid_money
        activity = activity * keep

        affinity = relations(affinity, lean, dt_years, noise=True)

        # war (AllianceModel._war)
        national, foreign, front, front_strength = front_forces()
        intensity = at_war * (1.0 + operations + operations.T)
        lost = attrition.losses(front_strength, intensity, p["attrition_rate"], dt_years, front)
        used = attrition.munitions_used(front, intensity, munitions_use, dt_years, munitions)
        share_national = np.divide(national, front, out=np.zeros_like(front), where=front > 0)
        manpower -= lost * share_national
        foreign_share = np.divide(lost * (1 - share_national), foreign, out=np.zeros_like(front), where=foreign > 0)
        fighting_abroad = deployed @ (foreign > 0).astype(float)
        lost_share = np.minimum(foreign_share, 1.0)
        lost_abroad = deployed @ lost_share
        deployed *= 1.0 - lost_share[None, :]
        field, veterans = experience.advance(field, veterans, national + fighting_abroad,
                                             lost * share_national + lost_abroad, dt_years, p["learning_years"],
                                             p["tour_years"], p["experience_years"])
        exp_level = experience.force_experience(veterans, manpower0, p["veteran_share"])
        quality = experience.quality(exp_level, p["experience_gain"])
        losses = lost
        losses_total += lost
        fighting = at_war.any(axis=1)
        capacity = recruits * dt_years
        manpower += attrition.recruits(manpower, manpower0, fighting, capacity)
        munitions = attrition.restock(munitions, munitions0, production, used, dt_years)
        activity += np.where(fighting, dt_years, 0.0) + operations.sum(axis=1) * dt_years
        economy = output.adjust(economy, economy0, output.new_sanctions(sanctions, sanctions_start),
                                p["sanction_cost"], p["economy_years"], dt_years)

        # capability (AllianceModel._update_capability)
        troops = manpower + deployed.sum(axis=0)
        capability = power_index.capability(cinc, tech / tech0, quality / quality0, troops / np.maximum(manpower0, 1.0),
                                            munitions / munitions0, economy / economy0, p["stock_cap"])

        perceived = perceive(affinity, baseline)
        depth = alliance.deepen(depth, alliance.drive(treaty, affinity, perceived[9]), p["depth_rate"],
                                p["depth_years"], dt_years)
        tension_now = np.clip(tension.relax(tension_now, tension_target(perceived), p["tension_rate"], dt_years)
                              + tension_shock, 0.0, 1.0)
        baseline = alarm.baseline(baseline, perceived[8], dt_years, p["alarm_years"])
        coalition, bloc, energy_, frustration_, alignment_, polarization = collective(affinity, coalition, bloc)
        record(k)
    return FloorRun(ids, world.calendar.dates(until), metric_names, rec_metrics, rec_states, rec_coalition,
                    rec_bloc, rec_pairs, init_seconds)
