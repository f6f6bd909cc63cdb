"""Known answers for every score of the backtest: hand-computed cases, the libraries' own values,
and the moving-block bootstrap on a synthetic AR(1) of known variance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.backtest import ensemble, skill


def test_crps_of_an_ensemble_is_the_fair_estimator_computed_by_hand():
    members = np.array([[0.0, 1.0], [1.0, 3.0], [3.0, 5.0]])  # three members, two forecasts
    observed = np.array([2.0, 0.0])
    m = members.shape[0]
    for j in range(2):
        x = members[:, j]
        e_xy = np.abs(x - observed[j]).mean()
        e_xx = np.abs(x[:, None] - x[None, :]).sum() / (m * (m - 1))  # fair: without the diagonal
        assert ensemble.crps(members, observed)[j] == pytest.approx(e_xy - e_xx / 2)


def test_crps_of_one_member_is_its_absolute_error():
    assert ensemble.crps(np.array([[0.2, -0.5]]), np.array([0.5, -0.5])) == pytest.approx([0.3, 0.0])


def test_crps_of_a_normal_is_the_closed_form():
    """Gneiting & Raftery (2007) eq. 21: σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ."""
    mu, sigma, y = 0.3, 0.2, 0.1
    z = (y - mu) / sigma
    want = sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    assert ensemble.crps_normal(np.array([mu]), sigma, np.array([y]))[0] == pytest.approx(want)


def test_a_calibrated_ensemble_covers_its_intervals_and_has_a_flat_pit():
    rng = np.random.default_rng(0)
    members, observed = rng.normal(size=(40, 20000)), rng.normal(size=20000)
    for level in ensemble.LEVELS:
        assert ensemble.inside(members, observed, level).mean() == pytest.approx(level, abs=0.02)
    counts = np.histogram(ensemble.pit(members, observed, rng), bins=10, range=(0, 1))[0] / 20000
    assert np.abs(counts - 0.1).max() < 0.01


def test_a_too_narrow_ensemble_undercovers_and_has_a_u_shaped_pit():
    rng = np.random.default_rng(1)
    members, observed = 0.3 * rng.normal(size=(40, 20000)), rng.normal(size=20000)
    assert ensemble.inside(members, observed, 0.9).mean() < 0.5
    counts = np.histogram(ensemble.pit(members, observed, rng), bins=10, range=(0, 1))[0]
    assert counts[0] > 3 * counts[5] and counts[-1] > 3 * counts[5]


def test_the_moving_block_bootstrap_estimates_the_variance_of_the_mean_of_an_ar1():
    """x_t = φ x_{t−1} + ε_t: the variance of the mean of n is about σ² / ((1 − φ)² n); resampling
    single points (block 1) ignores the dependence and underestimates it by (1 − φ)² / (1 − φ²)."""
    rng = np.random.default_rng(2)
    n, phi = 4000, 0.6
    e = rng.normal(size=n)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    truth = 1.0 / ((1 - phi) ** 2 * n)
    blocked = x[skill.block_resample(n, 40, 4000, rng)].mean(axis=1).var()
    single = x[skill.block_resample(n, 1, 4000, rng)].mean(axis=1).var()
    assert blocked == pytest.approx(truth, rel=0.2)
    assert single == pytest.approx(truth * (1 - phi) ** 2 / (1 - phi**2), rel=0.2)


def test_blocks_are_consecutive_items_and_cover_the_sample():
    picks = skill.block_resample(10, 3, 50, np.random.default_rng(3))
    assert picks.shape == (50, 10) and picks.min() >= 0 and picks.max() <= 9
    assert (np.diff(picks[:, :3], axis=1) == 1).all()  # each draw starts with a whole block


def test_diebold_mariano_at_one_step_is_the_t_test_of_the_loss_differential():
    rng = np.random.default_rng(4)
    a, b = rng.normal(1.0, 0.3, 30), rng.normal(1.1, 0.3, 30)
    statistic, p = skill.diebold_mariano(a, b, horizon=1)
    t = stats.ttest_1samp(a - b, 0.0)
    assert statistic == pytest.approx(t.statistic) and p == pytest.approx(t.pvalue)


def test_diebold_mariano_counts_the_overlap_of_longer_horizons():
    """With h = 2 the lag-1 autocovariance enters: a positively autocorrelated differential gets a
    larger variance, so a smaller statistic than the one-step formula gives."""
    d = np.array([1.0, 1.2, 0.9, 1.1, 1.3, 1.2, 0.8, 0.9, 1.0, 1.4]) - 0.7
    one, _ = skill.diebold_mariano(d, np.zeros_like(d), horizon=1)
    two, _ = skill.diebold_mariano(d, np.zeros_like(d), horizon=2)
    n, u = len(d), d - d.mean()
    variance = (u @ u + 2 * u[1:] @ u[:-1]) / n
    assert two == pytest.approx(np.sqrt((n + 1 - 4 + 2 / n) / n) * d.mean() / np.sqrt(variance / n))
    assert 0 < two < one


def test_the_persistence_spread_is_the_sd_of_the_changes():
    assert ensemble.spread(np.array([0.0, 0.0, 0.0]), np.array([0.1, -0.1, 0.0])) == pytest.approx(np.sqrt(2 / 300))


def test_the_central_interval_of_a_normal_holds_its_share():
    rng = np.random.default_rng(7)
    observed = rng.normal(0.3, 0.2, 40000)
    for level in ensemble.LEVELS:
        inside = ensemble.inside_normal(np.full(40000, 0.3), np.full(40000, 0.2), observed, level)
        assert inside.mean() == pytest.approx(level, abs=0.01)
