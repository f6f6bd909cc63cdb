"""Tests for simulation.mechanisms.balance (the model's Heider drift) and simulation.validation.heider
(Marvel et al. 2011, bounded Kułakowski et al. 2005): Heider / Cartwright-Harary structural balance."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.balance import balance_drift, heider_rhs
from simulation.validation.heider import (
    balanced_factions,
    blowup_time,
    evolve_bounded,
    is_balanced,
    leading_eigenvector_factions,
    marvel_rhs,
    marvel_solution,
    rk4,
)


def signed(n: int, edges: dict[tuple[int, int], float]) -> np.ndarray:
    """Symmetric matrix with a zero diagonal from {(i, j): value}."""
    a = np.zeros((n, n))
    for (i, j), v in edges.items():
        a[i, j] = a[j, i] = v
    return a


def planted_factions(n: int, seed: int, strength: float = 0.3, noise: float = 0.3):
    """Two planted factions (+strength inside, -strength across) plus symmetric noise."""
    rng = np.random.default_rng(seed)
    side = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    z = np.triu(rng.normal(0.0, noise, (n, n)), 1)
    a = np.clip(strength * np.outer(side, side) + z + z.T, -0.9, 0.9)
    np.fill_diagonal(a, 0.0)
    return a


def faction_signs(labels: np.ndarray) -> np.ndarray:
    """+1 within a faction, -1 across, 0 on the diagonal."""
    s = np.where(labels[:, None] == labels[None, :], 1, -1)
    np.fill_diagonal(s, 0)
    return s


def integrate(a: np.ndarray, rate: float, dt: float, steps: int) -> np.ndarray:
    for _ in range(steps):
        a = a + dt * balance_drift(a, rate)
    return a


# ---------------------------------------------------------------- balance_drift by hand

def test_drift_friend_of_friend_enemy_of_friend():
    # 0-1 friends, 1-2 enemies, 0-2 neutral: 0 turns against 2 (the enemy of my friend)
    a = signed(3, {(0, 1): 0.5, (1, 2): -0.5})
    d = balance_drift(a, rate=2.0)
    assert d[0, 2] == pytest.approx(2.0 * (1 - 0.0) * (0.5 * -0.5))
    assert d[2, 0] == pytest.approx(d[0, 2])
    # 0-1 and 1-2 have no third party with a tie to both ends (0-2 is zero)
    assert d[0, 1] == 0.0 and d[1, 2] == 0.0


def test_drift_friends_of_friends_become_friends():
    a = signed(3, {(0, 1): 0.5, (1, 2): 0.5})
    assert balance_drift(a, rate=1.0)[0, 2] == pytest.approx(0.25)


def test_drift_normalised_by_third_parties():
    # 4 states all at +0.5: (A·A)_ij = 2 × 0.25, over n - 2 = 2 third parties, times (1 - 0.25)
    a = np.full((4, 4), 0.5)
    np.fill_diagonal(a, 0.0)
    d = balance_drift(a, rate=1.0)
    off = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose(d[off], 0.75 * 0.25)


def test_drift_scales_linearly_with_rate():
    a = planted_factions(6, seed=1)
    np.testing.assert_allclose(balance_drift(a, 3.0), 3.0 * balance_drift(a, 1.0))
    np.testing.assert_array_equal(balance_drift(a, 0.0), np.zeros_like(a))


def test_drift_vanishes_at_saturation():
    a = signed(3, {(0, 1): 1.0, (1, 2): -1.0, (0, 2): -1.0})
    np.testing.assert_array_equal(balance_drift(a, 1.0), np.zeros((3, 3)))


@pytest.mark.parametrize("n", [0, 1, 2])
def test_drift_zero_below_three_states(n):
    a = np.full((n, n), 0.7)
    np.fill_diagonal(a, 0.0)
    d = balance_drift(a, 1.0)
    assert d.shape == (n, n)
    assert not d.any()


def test_drift_symmetric_with_zero_diagonal():
    a = planted_factions(8, seed=2)
    d = balance_drift(a, 0.6)
    np.testing.assert_allclose(d, d.T, atol=1e-15)
    assert not np.diag(d).any()


def test_diagonal_stays_zero_under_integration():
    a = integrate(planted_factions(7, seed=3), rate=1.0, dt=0.05, steps=200)
    assert not np.diag(a).any()


# ---------------------------------------------------------------- bounded form

@pytest.mark.parametrize("seed", range(5))
def test_bounded_form_keeps_entries_in_unit_interval(seed):
    rng = np.random.default_rng(seed)
    z = np.triu(rng.uniform(-1.0, 1.0, (9, 9)), 1)
    a = z + z.T
    # rate × dt = 0.5 is the largest Euler step for which (1 - A^2) provably keeps |A| <= 1
    for _ in range(300):
        a = a + 0.5 * balance_drift(a, 1.0)
        assert np.all(np.abs(a) <= 1.0 + 1e-12)


def test_saturated_entries_stay_saturated():
    a = signed(4, {(0, 1): 1.0, (2, 3): 1.0, (0, 2): -1.0, (0, 3): -1.0, (1, 2): -1.0, (1, 3): -1.0})
    np.testing.assert_array_equal(integrate(a, 1.0, 0.1, 50), a)


# ---------------------------------------------------------------- theory: balance as attractor

def test_balanced_matrix_keeps_its_signs_and_strengthens():
    # factions {0, 1, 2} and {3, 4}, with uneven strengths
    rng = np.random.default_rng(4)
    labels = np.array([0, 0, 0, 1, 1])
    z = np.triu(rng.uniform(0.1, 0.6, (5, 5)), 1)
    a = faction_signs(labels) * (z + z.T)
    assert is_balanced(a)
    d = balance_drift(a, 1.0)
    off = ~np.eye(5, dtype=bool)
    # every triad agrees with every tie, so each tie moves away from zero
    assert np.all(np.sign(d[off]) == np.sign(a[off]))
    end = integrate(a, 1.0, 0.05, 400)
    np.testing.assert_array_equal(np.sign(end), np.sign(a))
    assert np.all(np.abs(end[off]) > np.abs(a[off]))


def test_unbalanced_triangle_moves_toward_balance():
    # one enemy among three friends-of-friends: the negative tie is pulled up, the positive ones down
    a = signed(3, {(0, 1): 0.5, (1, 2): 0.5, (0, 2): -0.5})
    d = balance_drift(a, 1.0)
    assert d[0, 2] > 0
    assert d[0, 1] < 0 and d[1, 2] < 0


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_euler_integration_ends_in_leading_eigenvector_factions(seed):
    """Marvel et al. (2011): the dynamics split into the factions of the leading eigenvector."""
    a0 = planted_factions(10, seed)
    predicted = faction_signs(leading_eigenvector_factions(a0))
    # the noise must make the prediction non-trivial: some initial signs disagree with it
    off = ~np.eye(10, dtype=bool)
    assert np.any(np.sign(a0[off]) != predicted[off])
    end = integrate(a0.copy(), rate=1.0, dt=0.02, steps=3000)
    np.testing.assert_array_equal(np.sign(end).astype(int), predicted)
    assert is_balanced(end)


# ---------------------------------------------------------------- leading_eigenvector_factions

def test_leading_eigenvector_recovers_clean_factions():
    labels = np.array([0, 1, 0, 1, 1, 0])
    a = 0.5 * faction_signs(labels)
    found = leading_eigenvector_factions(a)
    np.testing.assert_array_equal(faction_signs(found), faction_signs(labels))


def test_leading_eigenvector_labels_are_zero_one():
    found = leading_eigenvector_factions(planted_factions(9, seed=11))
    assert set(np.unique(found)) <= {0, 1}
    assert found.dtype.kind == "i"


def test_leading_eigenvector_invariant_to_relabelling_states():
    a = planted_factions(8, seed=12)
    found = leading_eigenvector_factions(a)
    perm = np.random.default_rng(0).permutation(8)
    permuted = leading_eigenvector_factions(a[np.ix_(perm, perm)])
    np.testing.assert_array_equal(faction_signs(permuted), faction_signs(found[perm]))


def test_leading_eigenvector_strongest_component_is_faction_zero():
    # state 0 is the hub: strong ties to all, so it dominates the leading eigenvector
    a = signed(4, {(0, 1): 0.9, (0, 2): -0.9, (0, 3): -0.9, (1, 2): -0.1, (1, 3): -0.1, (2, 3): 0.1})
    found = leading_eigenvector_factions(a)
    np.testing.assert_array_equal(found, [0, 0, 1, 1])


def test_leading_eigenvector_symmetrises_input():
    a = planted_factions(6, seed=13)
    skew = np.triu(np.random.default_rng(1).normal(0, 0.2, (6, 6)), 1)
    np.testing.assert_array_equal(leading_eigenvector_factions(a + skew - skew.T),
                                  leading_eigenvector_factions(a))


# ---------------------------------------------------------------- is_balanced

def test_all_positive_triangle_is_balanced():
    assert is_balanced(signed(3, {(0, 1): 1, (1, 2): 1, (0, 2): 1}))


def test_one_negative_edge_is_unbalanced():
    assert not is_balanced(signed(3, {(0, 1): 1, (1, 2): 1, (0, 2): -1}))


def test_two_negative_edges_are_balanced():
    assert is_balanced(signed(3, {(0, 1): 1, (1, 2): -1, (0, 2): -1}))


def test_three_negative_edges_are_unbalanced():
    # strong (Cartwright-Harary) balance: "the enemy of my enemy is my enemy" is frustrated
    assert not is_balanced(signed(3, {(0, 1): -1, (1, 2): -1, (0, 2): -1}))


def test_is_balanced_uses_signs_not_magnitudes():
    assert is_balanced(signed(3, {(0, 1): 0.01, (1, 2): -0.9, (0, 2): -0.3}))
    assert not is_balanced(signed(3, {(0, 1): 0.01, (1, 2): 0.9, (0, 2): -0.3}))


def test_two_factions_balanced_and_one_defector_not():
    s = faction_signs(np.array([0, 0, 1, 1, 1]))
    assert is_balanced(s)
    s[0, 2] = s[2, 0] = 1  # one friendship across the divide
    assert not is_balanced(s)


def test_is_balanced_ignores_diagonal():
    s = faction_signs(np.array([0, 1, 1]))
    np.fill_diagonal(s, -1)
    assert is_balanced(s)


def test_missing_tie_is_not_balanced_in_complete_graph_sense():
    assert not is_balanced(signed(3, {(0, 1): 1, (1, 2): 1}))


# ---------------------------------------------------------------- shared right-hand side

@pytest.mark.parametrize("seed", range(3))
def test_model_drift_is_the_shared_bounded_rhs(seed):
    """The model's balance_drift is heider_rhs with R_max = 1, normalised by the N - 2 third parties."""
    a = planted_factions(9, seed)
    np.testing.assert_array_equal(balance_drift(a, 0.7), heider_rhs(a, r_max=1.0, rate=0.7, third_parties=7))


def test_heider_rhs_by_hand():
    r = signed(3, {(0, 1): 2.0, (1, 2): -1.0, (0, 2): 0.5})
    unbounded = heider_rhs(r)
    assert unbounded[0, 2] == pytest.approx(2.0 * -1.0)  # r_01 r_12
    assert unbounded[0, 1] == pytest.approx(0.5 * -1.0)  # r_02 r_21
    bounded = heider_rhs(r, r_max=4.0)
    assert bounded[0, 1] == pytest.approx((1 - (2.0 / 4.0) ** 2) * 0.5 * -1.0)
    assert not np.diag(bounded).any()


def test_balanced_factions_reads_the_two_cliques():
    labels = np.array([0, 1, 1, 0, 1])
    np.testing.assert_array_equal(balanced_factions(0.3 * faction_signs(labels)), labels)
    assert balanced_factions(signed(3, {(0, 1): 1, (1, 2): 1, (0, 2): -1})) is None
    assert balanced_factions(signed(3, {(0, 1): 1, (1, 2): 1})) is None  # a zero tie is neither
    for seed in range(20):  # agrees with the triad definition
        s = np.sign(random_symmetric(6, seed, zero_diagonal=True))
        assert (balanced_factions(s) is not None) == is_balanced(s)


# ---------------------------------------------------------------- Marvel et al. (2011): dX/dt = X²

def random_symmetric(n: int, seed: int, zero_diagonal: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 1.0, (n, n))
    x = (z + z.T) / np.sqrt(2.0)
    if zero_diagonal:
        np.fill_diagonal(x, 0.0)
    return x


@pytest.mark.parametrize("seed", range(10))
def test_marvel_closed_form_matches_integration(seed):
    """X(t) = V diag(λ/(1 - λt)) Vᵀ (Marvel et al. 2011, eq. for the symmetric case) solves dX/dt = X²."""
    x0 = random_symmetric(12, seed)
    t_star = blowup_time(x0)
    for frac in (0.3, 0.9):
        numeric = rk4(marvel_rhs, x0, frac * t_star, t_star / 2000)
        exact = marvel_solution(x0, frac * t_star)
        assert np.abs(numeric - exact).max() <= 1e-8 * np.abs(exact).max()


def test_blowup_time_is_inverse_leading_eigenvalue():
    x0 = np.diag([0.5, 2.0, -3.0])
    assert blowup_time(x0) == pytest.approx(0.5)
    assert blowup_time(-np.eye(3)) == np.inf


@pytest.mark.parametrize("seed", range(20))
def test_marvel_blows_up_at_t_star_into_leading_eigenvector_factions(seed):
    """Integrating dX/dt = X² until |X| = 1e6: t reaches 1/λmax and the signs are the two factions of v₁."""
    x0 = random_symmetric(20, seed)
    x, t = x0.copy(), 0.0
    while np.abs(x).max() < 1e6:
        h = 0.01 / np.abs(x).max()  # steps shrink with the growing solution
        x = rk4(marvel_rhs, x, h, h)
        t += h
    assert t / blowup_time(x0) == pytest.approx(1.0, abs=1e-4)
    factions = balanced_factions(x)
    assert factions is not None
    assert np.array_equal(faction_signs(factions), faction_signs(leading_eigenvector_factions(x0)))


# ---------------------------------------------------------------- Kułakowski et al. (2005): bounded dR/dt

def uniform_start(n: int, seed: int, width: float = 1.0) -> np.ndarray:
    """Kułakowski et al.'s initial condition: r_ij uniform, symmetric around zero, of the given width."""
    z = np.triu(np.random.default_rng(seed).uniform(-width / 2, width / 2, (n, n)), 1)
    return z + z.T


def test_bounded_integration_in_u_matches_direct_integration_before_saturation():
    r0 = uniform_start(10, seed=0)
    direct = rk4(lambda r: heider_rhs(r, r_max=5.0), r0, 0.5, 1e-3)
    via_u, t = evolve_bounded(r0, r_max=5.0, dt=1e-3, max_time=0.5, saturation=0.999)
    assert t == pytest.approx(0.5, abs=2e-3)
    np.testing.assert_allclose(via_u, direct, atol=1e-6)


@pytest.mark.parametrize("seed", range(10))
def test_bounded_dynamics_end_in_two_hostile_cliques(seed):
    """Kułakowski et al. (2005): from uniform random relations of unit width, Heider balance is reached."""
    r, t = evolve_bounded(uniform_start(20, seed), r_max=5.0, dt=0.005, max_time=20.0)
    factions = balanced_factions(r)
    assert factions is not None and t < 20.0
    assert 0 < factions.sum() < 20  # two cliques, friendly within and hostile across
    # once balanced it stays balanced, and the relations polarise toward ±R_max
    later, _ = evolve_bounded(r, r_max=5.0, dt=0.005, max_time=10.0, saturation=0.99)
    np.testing.assert_array_equal(balanced_factions(later), factions)
    off = ~np.eye(20, dtype=bool)
    assert np.abs(later[off]).min() >= 0.99 * 5.0


def three_hostile_cliques(size: int = 3) -> np.ndarray:
    """Davis's clusterable but unbalanced state: three cliques, all hostile to each other."""
    labels = np.repeat(np.arange(3), size)
    return faction_signs(labels).astype(float)


def test_three_hostile_cliques_are_a_jam_of_the_bounded_dynamics():
    """Each tie sits in more balanced than imbalanced triads, so sign(R·R) = sign(R) everywhere; the
    one-member-per-clique triads stay imbalanced and the signs never change (an attractor that is not
    Heider balance)."""
    s = three_hostile_cliques()
    assert not is_balanced(s)
    off = ~np.eye(9, dtype=bool)
    assert np.all(np.sign((s @ s)[off]) == s[off])
    r, t = evolve_bounded(0.5 * s, r_max=1.0, dt=0.01, max_time=5.0)
    assert t >= 5.0 and balanced_factions(r) is None
    np.testing.assert_array_equal(np.sign(r), s)


@pytest.mark.slow
def test_time_to_balance_scales_as_inverse_square_root_of_n():
    """Kułakowski et al. (2005): τ(N) ∝ N^(-1/2). Median over 8 seeds at N = 25 … 200, R_max = 5."""
    sizes = [25, 50, 100, 200]
    medians = []
    for n in sizes:
        times = []
        for seed in range(8):
            r, t = evolve_bounded(uniform_start(n, seed), r_max=5.0, dt=0.02 / np.sqrt(n), max_time=20.0)
            assert balanced_factions(r) is not None
            times.append(t)
        medians.append(np.median(times))
    slope = np.polyfit(np.log(sizes), np.log(medians), 1)[0]
    assert -0.65 <= slope <= -0.4
