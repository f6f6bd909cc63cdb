"""Tests for simulation.mechanisms.homophily: affinity from UNGA ideal-point similarity."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.homophily import ideology_affinity


def test_identical_points_have_full_affinity():
    h = ideology_affinity(np.array([0.4, 0.4]), scale=2.0)
    assert h[0, 1] == pytest.approx(1.0)


def test_points_scale_apart_have_minus_one():
    h = ideology_affinity(np.array([-1.0, 1.0]), scale=2.0)
    assert h[0, 1] == pytest.approx(-1.0)


def test_points_half_scale_apart_are_neutral():
    h = ideology_affinity(np.array([0.0, 1.0]), scale=2.0)
    assert h[0, 1] == pytest.approx(0.0)


def test_hand_values_in_one_matrix():
    # x = 0, 0, 1, 0.5, 0.25 with scale 1
    h = ideology_affinity(np.array([0.0, 0.0, 1.0, 0.5, 0.25]), scale=1.0)
    assert h[0, 1] == pytest.approx(1.0)
    assert h[0, 2] == pytest.approx(-1.0)
    assert h[0, 3] == pytest.approx(0.0)
    assert h[0, 4] == pytest.approx(0.5)
    assert h[2, 3] == pytest.approx(0.0)
    assert h[3, 4] == pytest.approx(0.5)


def test_affinity_clamped_beyond_scale():
    h = ideology_affinity(np.array([0.0, 3.0, 10.0]), scale=1.0)
    assert h[0, 1] == -1.0 and h[0, 2] == -1.0 and h[1, 2] == -1.0


def test_larger_scale_means_more_tolerance():
    x = np.array([0.0, 1.0])
    assert ideology_affinity(x, 4.0)[0, 1] > ideology_affinity(x, 2.0)[0, 1]


def test_affinity_decreases_with_distance():
    x = np.array([0.0, 0.1, 0.3, 0.6, 0.9])
    row = ideology_affinity(x, scale=1.0)[0, 1:]
    assert np.all(np.diff(row) < 0)


def test_symmetric_zero_diagonal_and_bounded():
    x = np.random.default_rng(0).normal(0.0, 1.5, 12)
    h = ideology_affinity(x, scale=2.5)
    np.testing.assert_array_equal(h, h.T)
    assert not np.diag(h).any()
    assert np.all((h >= -1.0) & (h <= 1.0))


def test_depends_only_on_distance():
    x = np.random.default_rng(1).normal(0.0, 1.0, 6)
    np.testing.assert_allclose(ideology_affinity(x + 3.7, 2.0), ideology_affinity(x, 2.0), atol=1e-12)
    np.testing.assert_allclose(ideology_affinity(-x, 2.0), ideology_affinity(x, 2.0), atol=1e-12)
