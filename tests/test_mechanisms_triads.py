"""Tests for simulation.validation.triads: local and constrained triad dynamics (Antal, Krapivsky & Redner 2005)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from simulation.validation import triads
from simulation.validation.heider import balanced_factions, is_balanced
from simulation.validation.triads import (
    constrained_triad_dynamics,
    count_imbalanced,
    friendly_density,
    imbalance_per_link,
    local_triad_dynamics,
    random_signs,
    stationary_density,
)


def brute_imbalance(s: np.ndarray) -> tuple[np.ndarray, int]:
    n = s.shape[0]
    u = np.zeros((n, n), dtype=int)
    total = 0
    for i, j, k in combinations(range(n), 3):
        if s[i, j] * s[j, k] * s[i, k] < 0:
            total += 1
            for a, b in ((i, j), (j, k), (i, k)):
                u[a, b] += 1
                u[b, a] += 1
    return u, total


def three_hostile_cliques(size: int = 3) -> np.ndarray:
    labels = np.repeat(np.arange(3), size)
    s = np.where(labels[:, None] == labels[None, :], 1, -1).astype(np.int8)
    np.fill_diagonal(s, 0)
    return s


# ---------------------------------------------------------------- counts

@pytest.mark.parametrize("seed", range(5))
def test_imbalance_counts_equal_brute_force(seed):
    s = random_signs(9, 0.4, np.random.default_rng(seed))
    u, total = brute_imbalance(s)
    np.testing.assert_array_equal(imbalance_per_link(s), u)
    assert count_imbalanced(s) == total


def test_incremental_counts_stay_exact_over_many_flips():
    rng = np.random.default_rng(0)
    net = triads._Network(random_signs(12, 0.5, rng))
    for _ in range(300):
        a, b = rng.choice(12, 2, replace=False)
        net.flip(int(a), int(b))
        assert net.imbalanced == count_imbalanced(net.s)
    np.testing.assert_array_equal(net.u, imbalance_per_link(net.s))
    assert net.friendly == int((np.triu(net.s, 1) > 0).sum())


def test_random_signs_symmetric_with_requested_density():
    s = random_signs(200, 0.3, np.random.default_rng(1))
    np.testing.assert_array_equal(s, s.T)
    assert not np.diag(s).any()
    assert friendly_density(s) == pytest.approx(0.3, abs=0.01)


def test_bad_signs_are_refused():
    with pytest.raises(ValueError):
        local_triad_dynamics(np.zeros((4, 4)), 0.5, np.random.default_rng(0), 1.0)
    with pytest.raises(ValueError):
        local_triad_dynamics(random_signs(4, 0.5, np.random.default_rng(0)), 1.5, np.random.default_rng(0), 1.0)


# ---------------------------------------------------------------- LTD rules

def test_ltd_single_triad_rules():
    """One Δ1 triad: with p = 1 the negative link turns friendly; with p = 0 a friendly link turns hostile."""
    s = np.array([[0, 1, -1], [1, 0, 1], [-1, 1, 0]], dtype=np.int8)
    up = local_triad_dynamics(s, 1.0, np.random.default_rng(0), 10.0)
    assert up.outcome == "paradise" and up.flips == 1
    down = local_triad_dynamics(s, 0.0, np.random.default_rng(0), 10.0)
    assert down.outcome == "balanced" and down.flips == 1
    assert (np.triu(down.signs, 1) < 0).sum() == 2  # Δ1 → Δ2
    # Δ3 → Δ2 whatever p is
    hostile = -np.ones((3, 3), dtype=np.int8)
    np.fill_diagonal(hostile, 0)
    for p in (0.0, 1.0):
        run = local_triad_dynamics(hostile, p, np.random.default_rng(1), 10.0)
        assert run.flips == 1 and (np.triu(run.signs, 1) > 0).sum() == 1


def test_ltd_is_reproducible_with_the_same_generator():
    start = random_signs(16, 0.5, np.random.default_rng(2))
    a = local_triad_dynamics(start, 0.3, np.random.default_rng(5), 3.0)
    b = local_triad_dynamics(start, 0.3, np.random.default_rng(5), 3.0)
    np.testing.assert_array_equal(a.signs, b.signs)
    assert a.time == b.time and a.flips == b.flips


def test_ltd_leaves_balanced_states_alone():
    labels = np.array([0, 0, 1, 1, 1])
    s = np.where(labels[:, None] == labels[None, :], 1, -1).astype(np.int8)
    np.fill_diagonal(s, 0)
    run = local_triad_dynamics(s, 0.2, np.random.default_rng(0), 10.0)
    assert run.flips == 0 and run.outcome == "balanced"


@pytest.mark.parametrize("seed", range(10))
def test_finite_network_falls_into_a_balanced_absorbing_state(seed):
    """Antal et al. (2005): a finite network always reaches balance (here N = 8, p = 0.3)."""
    rng = np.random.default_rng(seed)
    run = local_triad_dynamics(random_signs(8, 0.5, rng), 0.3, rng, 1e5)
    assert run.outcome in ("paradise", "balanced")
    assert count_imbalanced(run.signs) == 0 and is_balanced(run.signs)


# ---------------------------------------------------------------- LTD: published results

@pytest.mark.parametrize("p", [0.0, 0.25, 0.4])
def test_ltd_stationary_density_matches_mean_field(p):
    """ρ∞ = 1/(1 + √(3(1 − 2p))) for p < 1/2 (Antal et al. 2005). N = 48, time average over t ∈ [5, 15]."""
    rng = np.random.default_rng(100 + int(10 * p))
    run = local_triad_dynamics(random_signs(48, 0.5, rng), p, rng, 15.0, record_every=0.25)
    times, density = np.array(run.times), np.array(run.density)
    assert run.outcome == "running"  # for p < 1/2 a network of 48 does not reach balance in this time
    assert density[times >= 5].mean() == pytest.approx(stationary_density(p), abs=0.015)


def test_stationary_density_formula():
    assert stationary_density(0.0) == pytest.approx(1 / (1 + np.sqrt(3)))
    assert stationary_density(0.5) == 1.0 and stationary_density(0.9) == 1.0


@pytest.mark.parametrize("p", [0.5, 0.75, 1.0])
def test_ltd_reaches_paradise_for_p_at_least_one_half(p):
    for seed in range(5):
        rng = np.random.default_rng(seed)
        run = local_triad_dynamics(random_signs(24, 0.5, rng), p, rng, 1e4)
        assert run.outcome == "paradise"
        assert friendly_density(run.signs) == 1.0


@pytest.mark.slow
def test_ltd_time_to_paradise_grows_like_log_n_above_one_half():
    """Antal et al. (2005): for p > 1/2 the time to paradise grows as ln N (here p = 0.75, N = 16 … 128)."""
    sizes = [16, 32, 64, 128]
    means = []
    for n in sizes:
        times = []
        for seed in range(6):
            rng = np.random.default_rng(seed)
            run = local_triad_dynamics(random_signs(n, 0.5, rng), 0.75, rng, 1e4)
            assert run.outcome == "paradise"
            times.append(run.time)
        means.append(np.mean(times))
    slope, _ = np.polyfit(np.log(sizes), means, 1)
    assert 0.1 < slope < 1.5  # linear in ln N
    assert means[-1] / means[0] < 2.5  # 8 times more nodes, far less than 8 times more time


# ---------------------------------------------------------------- CTD

def test_ctd_never_increases_imbalance():
    rng = np.random.default_rng(3)
    s = random_signs(14, 0.5, rng)
    before = count_imbalanced(s)
    for _ in range(20):
        run = constrained_triad_dynamics(s, rng, 0.05)
        after = count_imbalanced(run.signs)
        assert after <= before
        s, before = run.signs, after


def test_ctd_stops_in_a_jammed_state():
    """Three hostile cliques of 3: every flip would raise the number of imbalanced triads (27)."""
    s = three_hostile_cliques()
    assert count_imbalanced(s) == 27
    u = imbalance_per_link(s)
    off = ~np.eye(9, dtype=bool)
    assert np.all(9 - 2 - 2 * u[off] > 0)
    run = constrained_triad_dynamics(s, np.random.default_rng(0), 100.0)
    assert run.outcome == "jammed" and run.flips == 0
    # local triad dynamics is not stopped by it
    assert local_triad_dynamics(s, 0.5, np.random.default_rng(0), 100.0).outcome in ("paradise", "balanced")


@pytest.mark.parametrize("n", [9, 16, 32])
def test_ctd_ends_balanced_or_jammed_and_mostly_balanced(n):
    """Antal et al. (2005): CTD quickly reaches a balanced final state; jammed states exist but are rare."""
    outcomes = []
    for seed in range(30):
        rng = np.random.default_rng(seed)
        run = constrained_triad_dynamics(random_signs(n, 0.5, rng), rng, 1000.0)
        assert run.outcome in ("paradise", "balanced", "jammed")
        if run.outcome == "jammed":
            u = imbalance_per_link(run.signs)
            off = ~np.eye(n, dtype=bool)
            assert count_imbalanced(run.signs) > 0 and np.all(n - 2 - 2 * u[off] > 0)
        else:
            assert balanced_factions(run.signs) is not None
        outcomes.append(run.outcome)
    assert outcomes.count("jammed") <= 3
