"""Tests for simulation.mechanisms.threat: Walt's balance of threat."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.threat import (
    EARTH_RADIUS_KM,
    bandwagons,
    great_circle_km,
    hostility,
    projected,
    proximity,
    security_value,
    threat_matrix,
    threat_shares,
)


def sym(n: int, edges: dict[tuple[int, int], float]) -> np.ndarray:
    a = np.zeros((n, n))
    for (i, j), v in edges.items():
        a[i, j] = a[j, i] = v
    return a


# ---------------------------------------------------------------- great_circle_km

def test_moscow_kyiv_distance():
    d = great_circle_km(np.array([55.752, 50.4547]), np.array([37.6178, 30.5238]))
    assert d[0, 1] == pytest.approx(755.0, abs=10.0)


def test_one_degree_along_equator():
    d = great_circle_km(np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    assert d[0, 1] == pytest.approx(np.pi * EARTH_RADIUS_KM / 180.0, rel=1e-12)


def test_antipodes_half_circumference():
    d = great_circle_km(np.array([30.0, -30.0]), np.array([20.0, -160.0]))
    assert d[0, 1] == pytest.approx(np.pi * EARTH_RADIUS_KM, rel=1e-9)


def test_pole_to_equator_quarter_circumference():
    d = great_circle_km(np.array([90.0, 0.0]), np.array([0.0, 123.0]))
    assert d[0, 1] == pytest.approx(np.pi * EARTH_RADIUS_KM / 2.0, rel=1e-9)


def test_distance_matrix_symmetric_zero_diagonal_nonnegative():
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(-80, 80, 10), rng.uniform(-180, 180, 10)
    d = great_circle_km(lat, lon)
    np.testing.assert_allclose(d, d.T, atol=1e-9)
    np.testing.assert_allclose(np.diag(d), 0.0, atol=1e-9)
    assert np.all(d >= 0) and np.all(d <= np.pi * EARTH_RADIUS_KM + 1e-6)


def test_longitude_wraps_around_dateline():
    d = great_circle_km(np.array([0.0, 0.0]), np.array([179.5, -179.5]))
    assert d[0, 1] == pytest.approx(np.pi * EARTH_RADIUS_KM / 180.0, rel=1e-9)


def test_triangle_inequality():
    rng = np.random.default_rng(1)
    d = great_circle_km(rng.uniform(-80, 80, 6), rng.uniform(-180, 180, 6))
    for k in range(6):
        assert np.all(d <= d[:, [k]] + d[[k], :] + 1e-6)


# ---------------------------------------------------------------- proximity

def test_neighbours_are_adjacent_whatever_the_distance():
    d = sym(2, {(0, 1): 9000.0})
    nb = np.array([[False, True], [True, False]])
    assert proximity(d, nb, scale_km=1000.0)[0, 1] == 1.0


def test_proximity_exponential_decay():
    d = sym(3, {(0, 1): 1000.0, (0, 2): 2000.0, (1, 2): 3000.0})
    p = proximity(d, np.zeros((3, 3), bool), scale_km=1000.0)
    assert p[0, 1] == pytest.approx(np.exp(-1.0))
    assert p[0, 2] == pytest.approx(np.exp(-2.0))
    assert p[1, 2] == pytest.approx(p[0, 1] * p[0, 2])  # multiplicative in distance


def test_proximity_zero_diagonal_even_for_self_neighbour_flag():
    d = np.zeros((3, 3))
    p = proximity(d, np.ones((3, 3), bool), 500.0)
    assert not np.diag(p).any()
    assert np.all(p[~np.eye(3, dtype=bool)] == 1.0)


def test_proximity_in_unit_interval_and_decreasing():
    d = great_circle_km(np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.0, 5.0, 20.0, 60.0]))
    p = proximity(d, np.zeros((4, 4), bool), 3000.0)
    assert np.all((p >= 0) & (p <= 1))
    assert p[0, 1] > p[0, 2] > p[0, 3] > 0


# ---------------------------------------------------------------- projected

EQUAL = np.ones(6)  # equal capabilities: each partner projects at half the treaty's strength


def test_allys_neighbour_becomes_proximate_at_treaty_strength_and_power_share():
    # 0 borders 1; 2 is far away but allied with 1 (treaty 0.7): 2 projects power next to 0
    prox = sym(3, {(0, 1): 1.0, (0, 2): 0.01, (1, 2): 0.02})
    treaty = sym(3, {(1, 2): 0.7})
    strong = np.array([0.01, 0.01, 0.09])  # 2 holds 90 % of its alliance's power
    out = projected(prox, treaty, strong)
    assert out[0, 2] == pytest.approx(0.7 * 0.9)
    # the ally 1 and 0's own proximity to 1 are unchanged
    assert out[0, 1] == 1.0
    # symmetric: 2's forces next to 0 are within 0's reach too
    assert out[2, 0] == pytest.approx(0.7 * 0.9)
    # the junior partner does not gain the senior's reach (loss of strength; Morrow 1991)
    weak = np.array([0.01, 0.09, 0.01])
    assert projected(prox, treaty, weak)[0, 2] == pytest.approx(0.7 * 0.1)


def test_projection_never_lowers_proximity():
    rng = np.random.default_rng(2)
    prox = sym(5, {(i, j): rng.random() for i in range(5) for j in range(i + 1, 5)})
    treaty = sym(5, {(0, 3): 0.5, (1, 4): 1.0})
    out = projected(prox, treaty, rng.random(5))
    assert np.all(out >= prox)
    assert not np.diag(out).any()


def test_projection_matches_loop_definition():
    rng = np.random.default_rng(3)
    n = 6
    prox = rng.random((n, n))
    np.fill_diagonal(prox, 0.0)
    treaty = rng.random((n, n)) * (rng.random((n, n)) < 0.4)
    np.fill_diagonal(treaty, 0.0)
    cap = rng.random(n)
    share = cap[:, None] / (cap[:, None] + cap[None, :])  # (j, k): j's share of the pair
    expect = prox.copy()
    for i in range(n):
        for j in range(n):
            via = max(treaty[j, k] * share[j, k] * prox[i, k] for k in range(n))
            back = max(treaty[i, k] * share[i, k] * prox[j, k] for k in range(n))
            expect[i, j] = max(prox[i, j], via, back)
    np.fill_diagonal(expect, 0.0)
    np.testing.assert_allclose(projected(prox, treaty, cap), expect)


def test_no_treaties_no_change():
    prox = sym(3, {(0, 1): 0.3, (1, 2): 0.8, (0, 2): 0.1})
    np.testing.assert_array_equal(projected(prox, np.zeros((3, 3)), EQUAL[:3]), prox)


# ---------------------------------------------------------------- hostility

def test_hostility_values():
    aff = sym(4, {(0, 1): -0.4, (0, 2): 0.5, (0, 3): -0.6, (1, 2): 0.5})
    war = sym(4, {(0, 2): 1.0, (0, 3): 1.0}).astype(bool)
    h = hostility(aff, war)
    assert h[0, 1] == pytest.approx(0.4)  # negative affinity
    assert h[1, 2] == 0.0  # friends are not hostile
    assert h[0, 2] == 1.0  # at war despite friendship
    assert h[0, 3] == 1.0  # at war and hostile: capped at 1
    assert np.all((h >= 0) & (h <= 1))


# ---------------------------------------------------------------- threat_matrix

def test_threat_is_power_times_proximity_times_intent():
    cap = np.array([0.1, 0.6, 0.3])
    prox = sym(3, {(0, 1): 1.0, (0, 2): 0.5, (1, 2): 0.2})
    host = sym(3, {(0, 1): 0.8, (0, 2): 0.4})
    theta = threat_matrix(cap, prox, host)
    assert theta[0, 1] == pytest.approx(0.6 * 1.0 * 0.8)  # threat 1 poses to 0
    assert theta[1, 0] == pytest.approx(0.1 * 1.0 * 0.8)  # threat 0 poses to 1
    assert theta[0, 2] == pytest.approx(0.3 * 0.5 * 0.4)
    assert theta[1, 2] == 0.0  # proximate but not hostile
    assert theta[0, 1] > theta[1, 0]  # the strong threaten the weak more


# ---------------------------------------------------------------- threat_shares

def test_threat_shares_rows_sum_to_one_or_zero():
    theta = np.array([[0.0, 0.3, 0.1], [0.0, 0.0, 0.0], [0.2, 0.2, 0.0]])
    s = threat_shares(theta)
    np.testing.assert_allclose(s.sum(axis=1), [1.0, 0.0, 1.0])
    np.testing.assert_allclose(s[0], [0.0, 0.75, 0.25])
    assert np.all(np.isfinite(s))


def test_threat_shares_random_rows():
    rng = np.random.default_rng(4)
    theta = rng.random((7, 7)) * (rng.random((7, 7)) < 0.5)
    theta[3] = 0.0
    s = threat_shares(theta)
    sums = s.sum(axis=1)
    assert np.all(np.isclose(sums, 1.0) | (sums == 0.0))
    assert sums[3] == 0.0
    assert np.all(s >= 0)


# ---------------------------------------------------------------- security_value

def weak_strong_setup():
    """0 weak, 1 big hostile neighbour of 0, 2 strong and far."""
    cap = np.array([0.05, 0.6, 0.35])
    prox = sym(3, {(0, 1): 1.0, (0, 2): 0.1, (1, 2): 0.1})
    return cap, prox


def test_strong_state_hostile_to_my_threat_has_security_value():
    cap, prox = weak_strong_setup()
    aff = sym(3, {(0, 1): -0.8, (1, 2): -0.5})
    host = hostility(aff, np.zeros((3, 3), bool))
    shares = threat_shares(threat_matrix(cap, prox, host))
    v = security_value(shares, host, cap)
    # 0's only threat is 1; 2 is 0.5 hostile to 1 and has 0.35 / (0.35 + 0.05) relative strength
    assert shares[0, 1] == pytest.approx(1.0)
    assert v[0, 2] == pytest.approx(0.5 * 0.35 / 0.40)
    assert v[0, 2] > 0


def test_friend_of_my_threat_has_no_security_value():
    cap, prox = weak_strong_setup()
    aff = sym(3, {(0, 1): -0.8, (1, 2): 0.5})
    host = hostility(aff, np.zeros((3, 3), bool))
    v = security_value(threat_shares(threat_matrix(cap, prox, host)), host, cap)
    assert v[0, 2] == 0.0


def test_stronger_partner_is_worth_more():
    cap = np.array([0.1, 0.5, 0.1, 0.3])
    host = sym(4, {(0, 1): 1.0, (1, 2): 1.0, (1, 3): 1.0})
    shares = threat_shares(threat_matrix(cap, np.ones((4, 4)) - np.eye(4), host))
    v = security_value(shares, host, cap)
    assert v[0, 3] > v[0, 2] > 0
    assert v[0, 2] == pytest.approx(0.5)  # equal strength: half


def test_security_value_counts_partners_hostility_toward_my_threat():
    # directed hostility: 2 is hostile to 1 (0's threat), 1 is not hostile to 2
    cap = np.array([0.2, 0.4, 0.2])
    shares = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    host = np.zeros((3, 3))
    host[2, 1] = 0.5
    v = security_value(shares, host, cap)
    assert v[0, 2] == pytest.approx(0.5 * 0.2 / 0.4)
    host_reversed = host.T.copy()
    assert security_value(shares, host_reversed, cap)[0, 2] == 0.0


def test_security_value_zero_diagonal_and_no_threat_no_value():
    cap = np.array([0.2, 0.3, 0.5])
    host = sym(3, {(1, 2): 1.0})
    shares = threat_shares(threat_matrix(cap, np.ones((3, 3)), host))
    v = security_value(shares, host, cap)
    assert not np.diag(v).any()
    assert not v[0].any()  # state 0 faces no threat


# ---------------------------------------------------------------- bandwagons

def bandwagon_case(aff_02: float, aff_12: float, ratio: float = 0.5):
    cap, prox = weak_strong_setup()
    aff = sym(3, {(0, 1): -0.8, (0, 2): aff_02, (1, 2): aff_12})
    host = hostility(aff, np.zeros((3, 3), bool))
    theta = threat_matrix(cap, prox, host)
    return bandwagons(theta, cap, aff, ratio)


def test_weak_isolated_state_bandwagons_with_big_hostile_neighbour():
    # 0.05 < 0.5 × 0.6
    assert bandwagon_case(aff_02=0.0, aff_12=0.0)[0]


def test_weak_state_with_strong_friend_balances_instead():
    # 0.05 + 0.35 >= 0.5 × 0.6
    assert not bandwagon_case(aff_02=0.5, aff_12=-0.5)[0]


def test_friend_who_is_also_friend_of_threat_does_not_count():
    assert bandwagon_case(aff_02=0.5, aff_12=0.3)[0]


def test_strong_state_does_not_bandwagon():
    b = bandwagon_case(aff_02=0.0, aff_12=0.0)
    assert not b[1]  # 1 is the biggest: its threat 0 is tiny


def test_main_threat_is_not_its_victims_backing():
    cap = np.array([0.05, 0.6])
    at_war = np.array([[False, True], [True, False]])
    aff = np.array([[0.0, 0.1], [0.1, 0.0]])  # at war, yet a slightly positive affinity
    theta = threat_matrix(cap, np.array([[0.0, 1.0], [1.0, 0.0]]), hostility(aff, at_war))
    # backing is 0.05 alone, below 0.5 × 0.6: the weak state bandwagons (as it does at affinity 0)
    assert bandwagons(theta, cap, aff, ratio=0.5)[0]


def test_no_threat_no_bandwagon():
    cap = np.array([0.01, 0.99])
    theta = np.zeros((2, 2))
    assert not bandwagons(theta, cap, np.zeros((2, 2)), ratio=1.0).any()


def test_bandwagon_ratio_threshold():
    # own capability 0.05 against 0.6: bandwagons iff 0.05 < ratio × 0.6
    assert not bandwagon_case(0.0, 0.0, ratio=0.05 / 0.6 * (1 - 1e-6))[0]
    assert bandwagon_case(0.0, 0.0, ratio=0.05 / 0.6 * (1 + 1e-6))[0]
    assert not bandwagon_case(0.0, 0.0, ratio=0.0)[0]


def test_bandwagon_requires_backing_strictly_below_threshold():
    # exactly representable: backing 0.25 == 0.5 × 0.5 is not "below"
    cap = np.array([0.25, 0.5])
    theta = np.array([[0.0, 0.5], [0.25, 0.0]])
    aff = np.array([[0.0, -1.0], [-1.0, 0.0]])
    assert not bandwagons(theta, cap, aff, ratio=0.5)[0]
    assert bandwagons(theta, cap, aff, ratio=0.75)[0]


@pytest.mark.parametrize("n, density", [(1, 0.0), (4, 0.0), (6, 0.3), (30, 0.05), (60, 1.0)])
def test_sparse_max_product_equals_the_dense_one(n, density):
    """The (max, ×) products of projected proximity and co-belligerence skip zeros, same floats."""
    from simulation.mechanisms.algebra import max_product

    rng = np.random.default_rng(n)
    dense = rng.random((n, n))
    sparse = rng.random((n, n)) * (rng.random((n, n)) < density)
    reference = (dense[:, :, None] * sparse[None, :, :]).max(axis=1) if n else np.zeros((0, 0))
    assert np.array_equal(max_product(dense, sparse), reference)
