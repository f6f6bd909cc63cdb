"""The mechanisms and perception take a stack of states (a leading batch axis) and give every
item the same bits as they give that item alone (``mechanisms.algebra``): the condition for
stepping replicates together with the results of stepping them one at a time.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np
import pytest

from simulation import load_scenario, perception
from simulation.mechanisms import (alarm, algebra, alignment, alliance, attrition, balance, capability, commitment,
                                   economy, exchange, homophily, leaning, tension, threat)
from simulation.model import make_model
from simulation.runner import resolve_params
from simulation.state import Perception, State

SCENARIOS = ("korea_russia_2024", "escalation", "world_2024")


@lru_cache(maxsize=None)
def states(name: str) -> tuple[tuple[State, ...], object, dict]:
    """States of two replicates at several steps (wars, deployments, alarm and treaties differ among them)."""
    loaded = load_scenario(name)
    params = resolve_params(loaded)
    found = []
    for replicate in (0, 1):
        model = make_model(loaded.scenario, params, seed=11, replicate=replicate)
        for k in range(min(model.n_steps, 9)):
            model.step()
            if k % 3 == 2:
                found.append(model.state.item(0).copy())  # one replicate's arrays, without the batch axis
    return tuple(found), model.base, params


def stacked(items: list) -> object:
    """One dataclass of stacked arrays from items of the same dataclass (scalars kept from the first)."""
    first = items[0]
    values = {f.name: (np.stack([getattr(x, f.name) for x in items]) if isinstance(getattr(first, f.name), np.ndarray)
                       else getattr(first, f.name)) for f in dataclasses.fields(first)}
    return type(first)(**values)


def identical(batch, items) -> None:
    """Every item of ``batch`` has the dtype, shape and bytes of the matching result computed alone."""
    for b, (got, want) in enumerate(zip(np.asarray(batch), items, strict=True)):
        want = np.asarray(want)
        assert got.dtype == want.dtype and got.shape == want.shape, b
        assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), f"item {b} differs"


@pytest.mark.parametrize("name", SCENARIOS)
def test_perception_of_a_stack_is_the_perception_of_each_state(name):
    items, base, params = states(name)
    alone = [perception.perceive(s, base, params) for s in items]
    together = perception.perceive(stacked(list(items)), base, params)
    for f in dataclasses.fields(Perception):
        identical(getattr(together, f.name), [getattr(x, f.name) for x in alone])
    # the reuse of a perception whose inputs did not move, too
    moved = perception.MECHANISM_INPUTS
    again = perception.perceive(stacked(list(items)), base, params, together, moved)
    for f in dataclasses.fields(Perception):
        identical(getattr(again, f.name), [getattr(perception.perceive(s, base, params, x, moved), f.name)
                                           for s, x in zip(items, alone, strict=True)])


# each mechanism the step calls, as a function of a state and its perception
CALLS = {
    "shared alarm": lambda s, seen, p: alliance.drive(s.treaty, s.affinity, seen.alarm),
    "deepen": lambda s, seen, p: alliance.deepen(s.depth, s.affinity.clip(0), p["depth_rate"], p["depth_years"], 0.08),
    "tension target": lambda s, seen, p: tension.tension_target(
        seen.hostile, seen.proximity, tension.parity(s.capability), s.activity, seen.war_parties, seen.alarm,
        p["tension_hostility"], p["tension_parity"], p["tension_activity"], p["tension_alarm"]),
    "global tension": lambda s, seen, p: tension.global_tension(s.tension, s.capability),
    "alignment": lambda s, seen, p: alignment.alignment(s.affinity, s.capability, s.coalition == 0),
    "polarization": lambda s, seen, p: alignment.polarization(s.affinity, s.capability, s.coalition),
    "balance drift": lambda s, seen, p: balance.balance_drift(s.affinity, p["balance_rate"]),
    "mutual": lambda s, seen, p: leaning.mutual(s.affinity),
    "exchange gain": lambda s, seen, p: exchange.affinity_gain(s.affinity, s.support_money, p["exchange_gain"]),
    "resentment": lambda s, seen, p: exchange.resentment(s.affinity, s.support_munitions, s.at_war,
                                                          p["exchange_gain"]),
    "front forces": lambda s, seen, p: np.stack(attrition.front_forces(s.manpower, 0.3, s.deployed, s.at_war), axis=-2),
    "losses": lambda s, seen, p: attrition.losses(s.capability, s.at_war * 1.5, p["attrition_rate"], 0.08,
                                                  s.manpower),
    "munitions used": lambda s, seen, p: attrition.munitions_used(s.manpower, s.at_war * 1.0, 0.1, 0.08, s.munitions),
    "capability": lambda s, seen, p: capability.capability(s.capability, s.tech, s.quality, s.manpower / 100,
                                                           s.munitions, s.economy / 10, p["stock_cap"]),
    "new sanctions": lambda s, seen, p: economy.new_sanctions(s.sanctions, 0.0 * s.sanctions[0]),
    "ideology": lambda s, seen, p: homophily.ideology_affinity(s.ideal_points, p["ideal_point_scale"]),
    "aggregate power": lambda s, seen, p: alarm.aggregate_power(s.capability, seen.backing),
    "parties at war": lambda s, seen, p: commitment.parties_at_war(s.at_war, seen.belligerence),
    "projected": lambda s, seen, p: threat.projected(seen.proximity, s.treaty, s.capability),
    "alarm": lambda s, seen, p: alarm.alarm(seen.power * 1.1, seen.power, seen.proximity, seen.hostile, s.capability,
                                            s.treaty),
    "bandwagons": lambda s, seen, p: threat.bandwagons(seen.threat, s.capability, s.affinity, p["bandwagon_ratio"]),
}


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_mechanisms_of_a_stack_are_the_mechanisms_of_each_state(name, call):
    items, base, params = states(name)
    seen = [perception.perceive(s, base, params) for s in items]
    together = CALLS[call](stacked(list(items)), stacked(seen), params)
    identical(together, [CALLS[call](s, x, params) for s, x in zip(items, seen, strict=True)])


def test_zero_diagonal_and_each():
    a = np.arange(18.0).reshape(2, 3, 3)
    algebra.zero_diagonal(a)
    assert (np.diagonal(a, axis1=-2, axis2=-1) == 0).all() and a[1, 0, 1] == 10.0
    assert algebra.each(lambda x, y: x @ y, a, a).shape == (2, 3, 3)
    with pytest.raises(ValueError):  # items of different counts are an error, never silently cut
        algebra.each(lambda x, y: x + y, a, a[:1])


def _networks(rng, count: int, n: int, ties: bool) -> np.ndarray:
    """Symmetric signed weights with a zero diagonal; ``ties``: small integers (many equal optima)."""
    w = rng.integers(-1, 2, (count, n, n)).astype(float) if ties else rng.standard_normal((count, n, n))
    w = np.triu(w, 1)
    return w + w.mT


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("n", [2, 5, 8])
def test_exact_searches_of_a_stack_are_the_searches_of_each_network(n, ties):
    """Networks with ties (equal optima: the near-lowest scored exactly, network by network) and
    without: what a network gets never depends on the rest of its stack."""
    from simulation.search import blocs, coalitions

    rng = np.random.default_rng(n + 10 * ties)
    weights = _networks(rng, 24, n, ties)
    configs, energy = coalitions.exact_minimum(weights)
    labels, frustration = blocs.exact_blocs(weights, 3)
    for b, w in enumerate(weights):
        c, e = coalitions.exact_minimum(w[None])
        assert np.array_equal(configs[b], c[0]) and energy[b].tobytes() == e[0].tobytes()
        lab, f = blocs.exact_blocs(w[None], 3)
        assert np.array_equal(labels[b], lab[0]) and frustration[b].tobytes() == f[0].tobytes()


def test_a_stack_of_bloc_labels_is_aligned_item_by_item():
    from simulation.mechanisms import coalitions
    from simulation.search import blocs

    rng = np.random.default_rng(5)
    labels, previous = rng.integers(0, 3, (50, 9)), rng.integers(0, 3, (50, 9))
    aligned = blocs.align_labels(labels, previous, 3)
    against = coalitions.label_against(labels % 2, 4)
    for b in range(50):
        assert np.array_equal(aligned[b], blocs.align_labels(labels[b], previous[b], 3))
        assert np.array_equal(against[b], coalitions.label_against(labels[b] % 2, 4))


@pytest.mark.parametrize("n", [6, 40])
def test_columns_shared_by_items_are_computed_together_with_the_bits_of_each(n):
    """``by_columns`` (items grouped by their alarmed sources) and the stacked (max, ×) product."""
    rng = np.random.default_rng(n)
    alarms = rng.random((12, n, n)) * (rng.random((12, 1, n)) < 0.3)  # a few sources per item, some shared
    alarms[::3] = alarms[0]
    other = [rng.random((12, n, n)) for _ in range(3)]
    identical(alarm.recalibration(alarms, *other), [alarm.recalibration(a, h, b, t)
                                                    for a, h, b, t in zip(alarms, *other, strict=True)])
    identical(alliance.shared_alarm(alarms), [alliance.shared_alarm(a) for a in alarms])
    sparse = other[0] * (rng.random((12, n, n)) < 0.1)
    identical(algebra.max_product(other[1], sparse), [algebra.max_product(d, s) for d, s in zip(other[1], sparse)])
