"""Tests for simulation.mechanisms.exchange: transactional exchange and reciprocity."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.exchange import (
    affinity_gain,
    decay,
    relative_value,
    resentment,
    repayments,
    catch_up,
)


# ---------------------------------------------------------------- relative_value

def test_relative_value_hand_values():
    assert float(relative_value(1.0, 1.0)) == pytest.approx(0.5)
    assert float(relative_value(3.0, 1.0)) == pytest.approx(0.75)
    assert float(relative_value(1.0, 9.0)) == pytest.approx(0.1)


def test_relative_value_zero_amount_is_worthless():
    assert float(relative_value(0.0, 5.0)) == 0.0


def test_relative_value_zero_stock_and_zero_amount_is_zero_not_nan():
    v = relative_value(np.array([0.0, 2.0]), np.array([0.0, 0.0]))
    np.testing.assert_array_equal(v, [0.0, 1.0])  # everything to a holder of nothing is worth 1


def test_relative_value_bounds_for_positive_stock():
    rng = np.random.default_rng(0)
    amount = rng.exponential(10.0, 200)
    stock = rng.exponential(10.0, 200) + 1e-6
    v = relative_value(amount, stock)
    assert np.all((v >= 0.0) & (v < 1.0))


def test_same_amount_worth_more_to_the_poor():
    v = relative_value(10.0, np.array([10.0, 100.0, 1000.0]))
    assert np.all(np.diff(v) < 0)


def test_relative_value_increasing_in_amount_and_broadcasts():
    v = relative_value(np.array([[1.0], [2.0], [4.0]]), np.array([1.0, 3.0]))
    assert v.shape == (3, 2)
    assert np.all(np.diff(v, axis=0) > 0)


# ---------------------------------------------------------------- affinity_gain

def test_affinity_gain_hand_value():
    a = np.zeros((2, 2))
    value = np.array([[0.0, 0.2], [0.1, 0.0]])
    d = affinity_gain(a, value, gain=0.5)
    assert d[0, 1] == pytest.approx(1 - np.exp(-0.5 * 0.3))
    assert d[1, 0] == pytest.approx(1 - np.exp(-0.5 * 0.3))


def test_affinity_gain_is_linear_for_small_flows():
    value = np.array([[0.0, 1e-4], [0.0, 0.0]])
    assert affinity_gain(np.zeros((2, 2)), value, 0.8)[0, 1] == pytest.approx(0.8e-4, rel=1e-3)


def test_affinity_gain_shrinks_toward_plus_one():
    value = np.array([[0.0, 0.2], [0.1, 0.0]])
    gains = [affinity_gain(np.array([[0.0, x], [x, 0.0]]), value, 0.5)[0, 1] for x in (-1.0, 0.0, 0.5, 1.0)]
    step = 1 - np.exp(-0.5 * 0.3)
    np.testing.assert_allclose(gains, [2 * step, step, 0.5 * step, 0.0])


def test_affinity_gain_symmetric_from_one_way_flow():
    rng = np.random.default_rng(1)
    z = np.triu(rng.uniform(-1, 1, (5, 5)), 1)
    a = z + z.T
    value = np.zeros((5, 5))
    value[0, 3] = 0.4  # a one-way transfer binds both sides
    d = affinity_gain(a, value, 0.8)
    np.testing.assert_allclose(d, d.T)
    assert d[0, 3] > 0
    assert np.count_nonzero(d) == 2


def test_affinity_gain_zero_without_flow():
    a = np.array([[0.0, -0.3], [-0.3, 0.0]])
    assert not affinity_gain(a, np.zeros((2, 2)), 2.0).any()


def test_affinity_gain_zero_diagonal():
    value = np.full((3, 3), 0.2)
    assert not np.diag(affinity_gain(np.zeros((3, 3)), value, 1.0)).any()


def test_affinity_gain_never_negative_for_nonnegative_flows():
    rng = np.random.default_rng(2)
    z = np.triu(rng.uniform(-1, 1, (6, 6)), 1)
    d = affinity_gain(z + z.T, rng.random((6, 6)), 0.7)
    assert np.all(d >= 0)


def test_affinity_stays_at_most_one_for_small_steps():
    rng = np.random.default_rng(3)
    z = np.triu(rng.uniform(-1, 1, (6, 6)), 1)
    a = z + z.T
    value = rng.uniform(0.0, 0.5, (6, 6))  # mutual value < 1, gain 1: gain × mutual <= 1
    assert np.all(a + affinity_gain(a, value, 1.0) <= 1.0 + 1e-12)


def test_affinity_gain_saturates_at_plus_one_for_large_flows():
    a = np.zeros((2, 2))
    value = np.array([[0.0, 0.5], [0.2, 0.0]])  # receiver's gain + giver's cost, within [0, 1)
    assert (a + affinity_gain(a, value, gain=1.5))[0, 1] <= 1.0


# ---------------------------------------------------------------- decay

def test_decay_half_life():
    m = np.array([[0.0, 4.0], [2.0, 0.0]])
    np.testing.assert_allclose(decay(m, dt_years=np.log(2) * 3.0, memory_years=3.0), m / 2)


def test_decay_composes_over_steps():
    m = np.random.default_rng(4).random((4, 4))
    twice = decay(decay(m, 0.1, 2.0), 0.1, 2.0)
    np.testing.assert_allclose(twice, decay(m, 0.2, 2.0))


def test_decay_zero_step_keeps_and_long_memory_forgets_slower():
    m = np.array([1.0, 2.0])
    np.testing.assert_array_equal(decay(m, 0.0, 1.0), m)
    assert np.all(decay(m, 1.0, 10.0) > decay(m, 1.0, 1.0))


# ---------------------------------------------------------------- repayments

def test_repayments_hand_value():
    debt = np.array([[0.0, 10.0], [4.0, 0.0]])
    r = repayments(debt, rate=np.log(2), dt_years=1.0)  # half repaid in a year
    np.testing.assert_allclose(r, debt / 2)


def test_repayments_zero_rate_or_step_pays_nothing_and_never_more_than_debt():
    debt = np.random.default_rng(5).random((3, 3))
    assert not repayments(debt, 0.0, 1.0).any()
    assert not repayments(debt, 2.0, 0.0).any()
    r = repayments(debt, 50.0, 1.0)
    assert np.all(r <= debt) and np.allclose(r, debt)


def test_repayments_compose_as_exponential():
    debt = np.array([8.0])
    first = repayments(debt, 0.5, 0.25)
    second = repayments(debt - first, 0.5, 0.25)
    np.testing.assert_allclose(debt - first - second, debt * np.exp(-0.5 * 0.5))


# ---------------------------------------------------------------- catch_up

def test_catch_up_hand_value():
    assert float(catch_up(1.0, 0.5, 0.5)) == pytest.approx(0.25)


def test_no_gain_from_poorer_teacher():
    assert float(catch_up(0.5, 1.0, 0.9)) == 0.0


def test_catch_up_never_passes_the_teacher():
    rng = np.random.default_rng(6)
    teacher, learner = rng.uniform(0.2, 2.0, 50), rng.uniform(0.2, 2.0, 50)
    gained = catch_up(teacher, learner, rng.uniform(0.0, 3.0, 50))
    assert np.all(gained >= 0) and np.all(learner + gained <= np.maximum(teacher, learner) + 1e-12)


def test_full_level_closes_the_gap():
    assert float(catch_up(2.0, 0.5, 1.0)) == pytest.approx(1.5)


def test_arming_a_belligerent_costs_affinity_with_its_enemy():
    at_war = np.zeros((3, 3), dtype=bool)
    at_war[1, 2] = at_war[2, 1] = True  # 1 and 2 fight
    mil = np.zeros((3, 3))
    mil[0, 1] = 0.5  # 0 arms 1
    d = resentment(np.zeros((3, 3)), mil, at_war, gain=1.0)
    assert d[0, 2] == pytest.approx(-(1 - np.exp(-0.5))) and d[2, 0] == d[0, 2]
    assert d[0, 1] == 0.0 and d[1, 2] == 0.0
    assert (np.zeros((3, 3)) + resentment(-np.ones((3, 3)) + np.eye(3), mil, at_war, 5.0) >= -1).all()



def test_resentment_without_military_support_equals_the_product():
    """The shortcut for a step in which nobody armed anyone gives the product's numbers, signs of zero too."""
    from simulation.mechanisms.exchange import resentment

    rng = np.random.default_rng(8)
    for n in (8, 60):
        affinity = rng.uniform(-1, 1, (n, n))
        affinity[0, 1] = -1.0
        at_war = rng.random((n, n)) < 0.1
        for value in (np.zeros((n, n)), -np.zeros((n, n))):
            mutual = value @ at_war.astype(float)
            mutual = mutual + mutual.T
            whole = -(1.0 + affinity) * -np.expm1(-0.7 * mutual)
            np.fill_diagonal(whole, 0.0)
            assert resentment(affinity, value, at_war, 0.7).tobytes() == whole.tobytes()
