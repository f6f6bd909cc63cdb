"""Tests for simulation.mechanisms.attrition: Lanchester square-law attrition."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.params import PARAMETERS
from simulation.mechanisms.attrition import (
    firepower,
    front_forces,
    losses,
    munitions_used,
)


def war(n: int, pairs: list[tuple[int, int]], intensity: float | list[float] = 1.0) -> np.ndarray:
    w = np.zeros((n, n))
    values = intensity if isinstance(intensity, list) else [intensity] * len(pairs)
    for (i, j), v in zip(pairs, values):
        w[i, j] = w[j, i] = v
    return w


# ---------------------------------------------------------------- front_forces

def test_front_forces_national_share_only_at_war():
    at_war = war(3, [(0, 1)]).astype(bool)
    national, foreign = front_forces(np.array([100.0, 50.0, 80.0]), np.array([0.5, 0.4, 0.5]),
                                     np.zeros((3, 3)), at_war)
    np.testing.assert_allclose(national, [50.0, 20.0, 0.0])
    assert not foreign.any()


def test_foreign_troops_counted_for_receiver():
    at_war = war(3, [(0, 1)]).astype(bool)
    deployed = np.zeros((3, 3))
    deployed[2, 1] = 10.0  # state 2 (not at war) sends troops to state 1
    national, foreign = front_forces(np.array([100.0, 50.0, 80.0]), 0.5, deployed, at_war)
    np.testing.assert_allclose(foreign, [0.0, 10.0, 0.0])
    assert national[2] == 0.0  # the sender is not itself fighting


def test_foreign_troops_summed_over_senders_and_ignored_if_receiver_at_peace():
    at_war = war(4, [(0, 1)]).astype(bool)
    deployed = np.zeros((4, 4))
    deployed[2, 0] = 3.0
    deployed[3, 0] = 4.0
    deployed[1, 3] = 9.0  # sent to state 3, which is not at war
    _, foreign = front_forces(np.full(4, 10.0), 1.0, deployed, at_war)
    np.testing.assert_allclose(foreign, [7.0, 0.0, 0.0, 0.0])


def test_no_war_no_front():
    national, foreign = front_forces(np.array([100.0, 50.0]), 0.5, np.ones((2, 2)), np.zeros((2, 2), bool))
    assert not national.any() and not foreign.any()


# ---------------------------------------------------------------- firepower

def test_firepower_full_munitions():
    # need = use × front × reserve_years = 4 × 100 × 0.25 = 100
    p = firepower(np.array([100.0]), np.array([100.0]), np.array([1.2]), use=4.0, reserve_years=0.25)
    assert p[0] == pytest.approx(120.0)


def test_munitions_beyond_need_add_nothing():
    p = firepower(np.array([100.0, 100.0]), np.array([100.0, 1e6]), np.array([1.0, 1.0]), use=4.0, reserve_years=0.25)
    assert p[0] == pytest.approx(p[1])


def test_munitions_shortage_cuts_firepower_to_floor():
    p = firepower(np.array([100.0]), np.array([0.0]), np.array([1.2]), use=4.0, reserve_years=0.25)
    assert p[0] == pytest.approx(PARAMETERS['min_effect'].default * 120.0)


def test_half_munitions_half_way_between_floor_and_full():
    p = firepower(np.array([100.0]), np.array([50.0]), np.array([1.0]), use=4.0, reserve_years=0.25)
    assert p[0] == pytest.approx(100.0 * (0.3 + 0.7 * 0.5))


def test_firepower_monotone_in_munitions_and_linear_in_tech():
    front = np.full(5, 100.0)
    p = firepower(front, np.array([0.0, 25.0, 50.0, 75.0, 100.0]), np.ones(5), use=4.0, reserve_years=0.25)
    assert np.all(np.diff(p) > 0)
    q = firepower(front, np.full(5, 40.0), np.array([0.5, 1.0, 2.0, 3.0, 4.0]), use=4.0, reserve_years=0.25)
    np.testing.assert_allclose(q / q[1], [0.5, 1.0, 2.0, 3.0, 4.0])


def test_no_front_no_firepower():
    p = firepower(np.array([0.0]), np.array([50.0]), np.array([1.0]), use=4.0, reserve_years=0.25)
    assert p[0] == 0.0 and np.isfinite(p[0])


# ---------------------------------------------------------------- losses (Lanchester square law)

def test_losses_proportional_to_enemy_power():
    power = np.array([10.0, 20.0])
    lost = losses(power, war(2, [(0, 1)]), rate=0.1, dt_years=1.0, front=np.array([1e6, 1e6]))
    np.testing.assert_allclose(lost, [2.0, 1.0])  # 0 loses 0.1 × 20, 1 loses 0.1 × 10


def test_doubling_enemy_power_doubles_own_losses_only():
    front = np.array([1e6, 1e6])
    base = losses(np.array([10.0, 20.0]), war(2, [(0, 1)]), 0.1, 0.5, front)
    doubled = losses(np.array([10.0, 40.0]), war(2, [(0, 1)]), 0.1, 0.5, front)
    assert doubled[0] == pytest.approx(2 * base[0])
    assert doubled[1] == pytest.approx(base[1])  # own power does not change own losses


def test_losses_scale_with_rate_and_step():
    front = np.array([1e6, 1e6])
    a = losses(np.array([10.0, 20.0]), war(2, [(0, 1)]), 0.1, 0.5, front)
    b = losses(np.array([10.0, 20.0]), war(2, [(0, 1)]), 0.2, 1.0, front)
    np.testing.assert_allclose(b, 4 * a)


def test_losses_capped_at_own_front():
    lost = losses(np.array([10.0, 1000.0]), war(2, [(0, 1)]), 1.0, 1.0, front=np.array([50.0, 500.0]))
    np.testing.assert_allclose(lost, [50.0, 10.0])


def test_fire_split_between_two_enemies():
    # 0 fights 1 and 2 with equal intensity: its fire is halved on each, it takes both
    power = np.array([10.0, 4.0, 6.0])
    lost = losses(power, war(3, [(0, 1), (0, 2)]), 1.0, 1.0, front=np.full(3, 1e6))
    np.testing.assert_allclose(lost, [10.0, 5.0, 5.0])


def test_fire_split_in_proportion_to_intensity():
    power = np.array([12.0, 4.0, 6.0])
    lost = losses(power, war(3, [(0, 1), (0, 2)], [2.0, 1.0]), 1.0, 1.0, front=np.full(3, 1e6))
    np.testing.assert_allclose(lost, [10.0, 8.0, 4.0])


def test_no_losses_outside_war():
    power = np.array([10.0, 20.0, 30.0])
    lost = losses(power, war(3, [(0, 1)]), 1.0, 1.0, front=np.full(3, 1e6))
    assert lost[2] == 0.0
    assert not losses(power, np.zeros((3, 3)), 1.0, 1.0, np.full(3, 1e6)).any()


def test_total_losses_inflicted_equal_total_fire():
    rng = np.random.default_rng(0)
    w = war(5, [(0, 1), (0, 2), (3, 1), (4, 2)], list(rng.uniform(0.5, 2.0, 4)))
    power = rng.uniform(1.0, 10.0, 5)
    lost = losses(power, w, 1.0, 1.0, front=np.full(5, 1e9))
    assert lost.sum() == pytest.approx(power.sum())  # every fighting state spends all its fire


# ---------------------------------------------------------------- munitions_used

def test_munitions_used_hand_value():
    used = munitions_used(np.array([100.0, 30.0]), war(2, [(0, 1)], 2.0), use=4.0, dt_years=0.5,
                          munitions=np.array([1e6, 1e6]))
    np.testing.assert_allclose(used, [4.0 * 100.0 * 2.0 * 0.5, 4.0 * 30.0 * 2.0 * 0.5])


def test_munitions_used_sums_fronts_and_limited_by_stock():
    w = war(3, [(0, 1), (0, 2)], [1.0, 0.5])
    used = munitions_used(np.array([10.0, 10.0, 10.0]), w, use=2.0, dt_years=1.0,
                          munitions=np.array([1000.0, 5.0, 1000.0]))
    np.testing.assert_allclose(used, [30.0, 5.0, 10.0])


def test_no_war_no_munitions_used():
    assert not munitions_used(np.array([10.0, 10.0]), np.zeros((2, 2)), 2.0, 1.0, np.array([5.0, 5.0])).any()


def test_longer_reserve_means_earlier_rationing():
    front, stock, tech = np.array([100.0]), np.array([200.0]), np.array([1.0])
    assert firepower(front, stock, tech, use=4.0, reserve_years=0.25)[0] == pytest.approx(100.0)
    assert firepower(front, stock, tech, use=4.0, reserve_years=1.0)[0] == pytest.approx(100 * (0.3 + 0.7 * 0.5))
