"""Tests for simulation.mechanisms.tension: pair tension, regional and global aggregates."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.tension import global_tension, region_weights, relax, tension_target, weighted_mean


def sym(n: int, edges: dict[tuple[int, int], float]) -> np.ndarray:
    a = np.zeros((n, n))
    for (i, j), v in edges.items():
        a[i, j] = a[j, i] = v
    return a


def target(hostile, prox, activity, mutual, at_war, w_activity=0.5, w_threat=0.2):
    return tension_target(hostile, prox, np.asarray(activity, float), mutual, at_war, w_activity, w_threat)


# ---------------------------------------------------------------- tension_target

def test_tension_target_hand_value():
    # hostility 0.5 × (proximity 0.4 + 0.5 × mean activity 0.4) + 0.2 × mutual threat 0.5 = 0.4
    t = target(sym(2, {(0, 1): 0.5}), sym(2, {(0, 1): 0.4}), [0.2, 0.6], sym(2, {(0, 1): 0.5}),
               np.zeros((2, 2), bool))
    assert t[0, 1] == pytest.approx(0.4)
    assert t[1, 0] == pytest.approx(0.4)


def test_at_war_means_full_tension():
    at_war = sym(3, {(0, 1): 1}).astype(bool)
    t = target(np.zeros((3, 3)), np.zeros((3, 3)), [0, 0, 0], np.zeros((3, 3)), at_war)
    assert t[0, 1] == 1.0 and t[1, 0] == 1.0
    assert t[0, 2] == 0.0


def test_friends_without_mutual_threat_have_no_tension():
    # proximate, very active, but not hostile
    t = target(np.zeros((2, 2)), np.ones((2, 2)), [1.0, 1.0], np.zeros((2, 2)), np.zeros((2, 2), bool))
    assert not t.any()


def test_tension_target_bounded():
    rng = np.random.default_rng(0)
    n = 8
    t = tension_target(rng.random((n, n)), rng.random((n, n)), rng.random(n) * 5, rng.random((n, n)),
                       np.zeros((n, n), bool), w_activity=3.0, w_threat=2.0)
    assert np.all((t >= 0.0) & (t <= 1.0))
    assert t.max() == 1.0  # large weights saturate


def test_tension_target_zero_diagonal_even_if_flagged_at_war():
    t = target(np.ones((3, 3)), np.ones((3, 3)), [1, 1, 1], np.ones((3, 3)), np.ones((3, 3), bool))
    assert not np.diag(t).any()


def test_tension_target_grows_with_hostility_proximity_activity_and_threat():
    base = dict(hostile=sym(2, {(0, 1): 0.3}), prox=sym(2, {(0, 1): 0.2}), activity=[0.1, 0.1],
                mutual=sym(2, {(0, 1): 0.1}), at_war=np.zeros((2, 2), bool))
    t0 = target(**base)[0, 1]
    assert target(**{**base, "hostile": sym(2, {(0, 1): 0.6})})[0, 1] > t0
    assert target(**{**base, "prox": sym(2, {(0, 1): 0.4})})[0, 1] > t0
    assert target(**{**base, "activity": [0.1, 0.5]})[0, 1] > t0
    assert target(**{**base, "mutual": sym(2, {(0, 1): 0.3})})[0, 1] > t0


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
