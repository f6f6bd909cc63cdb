"""Tests for simulation.mechanisms.tension: pair tension, regional and global aggregates."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.tension import global_tension, parity, region_weights, relax, tension_target, weighted_mean


def sym(n: int, edges: dict[tuple[int, int], float]) -> np.ndarray:
    a = np.zeros((n, n))
    for (i, j), v in edges.items():
        a[i, j] = a[j, i] = v
    return a


def target(hostile, prox, activity, at_war, parity=None, alarms=None, w_hostility=1.0, w_parity=0.0,
           w_activity=0.5, w_alarm=1.0):
    n = hostile.shape[0]
    parity = np.ones((n, n)) if parity is None else parity
    alarms = np.zeros((n, n)) if alarms is None else alarms
    return tension_target(hostile, prox, parity, np.asarray(activity, float), np.asarray(at_war, float), alarms,
                          w_hostility, w_parity, w_activity, w_alarm)


# ---------------------------------------------------------------- tension_target

def test_tension_target_hand_value():
    # hazard: hostility 0.5 × proximity 0.4 × (1 + 0.5 × mean tanh activity) + alarm 1 × mean alarm 0.1
    activity = np.array([0.2, 0.6])
    hazard = 0.5 * 0.4 * (1 + 0.5 * np.tanh(activity).mean()) + 0.1
    t = target(sym(2, {(0, 1): 0.5}), sym(2, {(0, 1): 0.4}), activity, np.zeros((2, 2)),
               alarms=np.array([[0.0, 0.2], [0.0, 0.0]]))
    assert t[0, 1] == pytest.approx(1 - np.exp(-hazard))
    assert t[1, 0] == pytest.approx(t[0, 1])


def test_at_war_means_full_tension():
    at_war = sym(3, {(0, 1): 1})
    t = target(np.zeros((3, 3)), np.zeros((3, 3)), [0, 0, 0], at_war)
    assert t[0, 1] == 1.0 and t[1, 0] == 1.0
    assert t[0, 2] == 0.0


def test_partial_co_belligerence_gives_partial_tension_growing_with_it():
    hostile, prox = sym(2, {(0, 1): 0.2}), sym(2, {(0, 1): 0.1})
    values = [target(hostile, prox, [0, 0], sym(2, {(0, 1): w}))[0, 1] for w in (0.0, 0.2, 0.5, 1.0)]
    assert values == sorted(values) and values[0] < values[1] < values[3] == 1.0
    # with no hazard of its own the pair's tension is its belligerence
    assert target(np.zeros((2, 2)), prox, [0, 0], sym(2, {(0, 1): 0.3}))[0, 1] == pytest.approx(0.3)


def test_friends_without_alarm_have_no_tension():
    # proximate, very active, but not hostile and not alarmed
    t = target(np.zeros((2, 2)), np.ones((2, 2)), [1.0, 1.0], np.zeros((2, 2)))
    assert not t.any()


def test_tension_target_bounded_and_below_one_without_war():
    rng = np.random.default_rng(0)
    n = 8
    t = target(rng.random((n, n)), rng.random((n, n)), rng.random(n) * 5, np.zeros((n, n)),
               parity=rng.random((n, n)), alarms=rng.random((n, n)), w_hostility=3.0, w_activity=3.0)
    off = ~np.eye(n, dtype=bool)
    assert np.all((t >= 0.0) & (t < 1.0)) and t[off].min() > 0
    assert t[off].max() > 0.9  # large hazards approach 1 without reaching it


def test_tension_target_zero_diagonal_even_if_flagged_at_war():
    t = target(np.ones((3, 3)), np.ones((3, 3)), [1, 1, 1], np.ones((3, 3)))
    assert not np.diag(t).any()


def test_tension_target_grows_with_hostility_proximity_activity_and_alarm():
    base = dict(hostile=sym(2, {(0, 1): 0.3}), prox=sym(2, {(0, 1): 0.2}), activity=[0.1, 0.1],
                at_war=np.zeros((2, 2)), alarms=sym(2, {(0, 1): 0.1}))
    t0 = target(**base)[0, 1]
    assert target(**{**base, "hostile": sym(2, {(0, 1): 0.6})})[0, 1] > t0
    assert target(**{**base, "prox": sym(2, {(0, 1): 0.4})})[0, 1] > t0
    assert target(**{**base, "activity": [0.1, 0.5]})[0, 1] > t0
    assert target(**{**base, "alarms": sym(2, {(0, 1): 0.3})})[0, 1] > t0


def test_parity_makes_hostile_pairs_tenser_only_as_far_as_its_weight():
    hostile, prox = sym(2, {(0, 1): 0.8}), sym(2, {(0, 1): 1.0})
    equal, lopsided = sym(2, {(0, 1): 1.0}), sym(2, {(0, 1): 0.1})
    assert target(hostile, prox, [0, 0], np.zeros((2, 2)), parity=equal, w_parity=0.5)[0, 1] > \
        target(hostile, prox, [0, 0], np.zeros((2, 2)), parity=lopsided, w_parity=0.5)[0, 1]
    np.testing.assert_allclose(target(hostile, prox, [0, 0], np.zeros((2, 2)), parity=equal, w_parity=0.0),
                               target(hostile, prox, [0, 0], np.zeros((2, 2)), parity=lopsided, w_parity=0.0))


def test_parity_hand_values():
    p = parity(np.array([1.0, 1.0, 3.0, 0.0]))
    assert p[0, 1] == pytest.approx(1.0) and p[0, 2] == pytest.approx(0.5) and p[0, 3] == 0.0
    np.testing.assert_allclose(p, p.T)


# ---------------------------------------------------------------- relax

def test_relax_hand_value_half_way():
    t = relax(np.array([0.0]), np.array([1.0]), rate=np.log(2), dt_years=1.0)
    assert t[0] == pytest.approx(0.5)


def test_relax_rate_zero_keeps_tension():
    t0 = np.array([[0.0, 0.3], [0.3, 0.0]])
    np.testing.assert_allclose(relax(t0, np.ones((2, 2)), 0.0, 1.0), t0, atol=1e-15)


def test_relax_large_rate_reaches_target():
    tgt = np.array([[0.0, 0.8], [0.8, 0.0]])
    np.testing.assert_allclose(relax(np.zeros((2, 2)), tgt, 1e4, 1.0), tgt)


def test_relax_is_exact_exponential():
    rng = np.random.default_rng(1)
    t0, tgt = rng.random((4, 4)), rng.random((4, 4))
    two_steps = relax(relax(t0, tgt, 3.0, 0.1), tgt, 3.0, 0.1)
    np.testing.assert_allclose(two_steps, relax(t0, tgt, 3.0, 0.2))
    np.testing.assert_allclose(relax(t0, tgt, 3.0, 0.2), tgt + (t0 - tgt) * np.exp(-0.6))


def test_relax_stays_between_start_and_target():
    rng = np.random.default_rng(2)
    t0, tgt = rng.random(20), rng.random(20)
    t = relax(t0, tgt, 2.0, 0.3)
    assert np.all(t >= np.minimum(t0, tgt) - 1e-15) and np.all(t <= np.maximum(t0, tgt) + 1e-15)
    assert np.all(np.abs(t - tgt) <= np.abs(t0 - tgt))


# ---------------------------------------------------------------- region_weights

def test_region_weights_pairs_with_a_core_member_inside_region():
    # core {0, 1}, members {2, 3}, outsider 4
    core = np.array([True, True, False, False, False])
    members = np.array([False, False, True, True, False])
    w = region_weights(core, members)
    expected = {(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)}
    for i in range(5):
        for j in range(5):
            assert w[i, j] == (1.0 if (min(i, j), max(i, j)) in expected else 0.0), (i, j)


def test_region_weights_member_pairs_without_core_excluded():
    core = np.array([True, False, False])
    members = np.array([False, True, True])
    w = region_weights(core, members)
    assert w[1, 2] == 0.0 and w[0, 1] == 1.0 and w[0, 2] == 1.0


def test_region_weights_core_may_also_be_member_and_diagonal_zero():
    core = np.array([True, False])
    w = region_weights(core, np.array([True, True]))
    np.testing.assert_array_equal(w, [[0.0, 1.0], [1.0, 0.0]])
    assert w.dtype == float


def test_region_weights_empty_region():
    assert not region_weights(np.zeros(3, bool), np.ones(3, bool)).any()


# ---------------------------------------------------------------- weighted_mean

def test_weighted_mean_hand_value():
    t = sym(3, {(0, 1): 0.2, (0, 2): 0.8, (1, 2): 0.5})
    w = sym(3, {(0, 1): 1.0, (0, 2): 3.0})
    assert weighted_mean(t, w) == pytest.approx((0.2 + 3 * 0.8) / 4.0)


def test_weighted_mean_counts_each_pair_once_and_ignores_diagonal():
    t = sym(2, {(0, 1): 0.6})
    t[0, 0] = t[1, 1] = 99.0
    assert weighted_mean(t, np.ones((2, 2))) == pytest.approx(0.6)


def test_weighted_mean_no_weight_is_zero():
    assert weighted_mean(np.ones((3, 3)), np.zeros((3, 3))) == 0.0


def test_weighted_mean_with_region_weights():
    t = sym(4, {(0, 1): 0.9, (0, 2): 0.3, (1, 2): 0.0, (2, 3): 1.0})
    w = region_weights(np.array([True, False, False, False]), np.array([False, True, True, False]))
    assert weighted_mean(t, w) == pytest.approx((0.9 + 0.3) / 2)


# ---------------------------------------------------------------- global_tension

def test_global_tension_weighted_by_capability():
    t = sym(3, {(0, 1): 1.0})
    cap = np.array([0.4, 0.5, 0.1])
    expected = (0.4 * 0.5 * 1.0) / (0.4 * 0.5 + 0.4 * 0.1 + 0.5 * 0.1)
    assert global_tension(t, cap) == pytest.approx(expected)


def test_great_power_tension_counts_more():
    cap = np.array([0.45, 0.45, 0.05, 0.05])
    between_great = global_tension(sym(4, {(0, 1): 1.0}), cap)
    between_small = global_tension(sym(4, {(2, 3): 1.0}), cap)
    assert between_great > 10 * between_small


def test_global_tension_equal_capabilities_is_plain_mean():
    t = sym(3, {(0, 1): 0.3, (0, 2): 0.6, (1, 2): 0.9})
    assert global_tension(t, np.ones(3)) == pytest.approx(0.6)


def test_global_tension_in_unit_interval():
    rng = np.random.default_rng(3)
    z = np.triu(rng.random((6, 6)), 1)
    g = global_tension(z + z.T, rng.random(6))
    assert 0.0 <= g <= 1.0


def test_weighted_mean_is_the_upper_triangle_mean_bit_for_bit():
    from simulation.mechanisms.tension import weighted_mean

    rng = np.random.default_rng(5)
    for n in (2, 7, 60):
        t, w = rng.random((n, n)), rng.random((n, n))
        iu = np.triu_indices(n, 1)
        assert weighted_mean(t, w) == float((t[iu] * w[iu]).sum() / w[iu].sum())
