"""Tests for simulation.mechanisms.leaning: the lag toward the mutual leaning and the noise."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.leaning import relax, shocks


def test_relax_is_the_exact_lag():
    assert relax(np.array([0.0]), np.array([1.0]), 2.0, 0.5)[0] == pytest.approx(1 - np.exp(-1))
    twice = relax(relax(np.array([0.2]), np.array([0.8]), 1.0, 0.3), np.array([0.8]), 1.0, 0.3)
    assert twice[0] == pytest.approx(relax(np.array([0.2]), np.array([0.8]), 1.0, 0.6)[0])


def test_shocks_are_symmetric_wiener_increments():
    z = np.random.default_rng(1).standard_normal((400, 30, 30))
    x = shocks(z, 0.3, 0.25)
    assert np.array_equal(x, x.transpose(0, 2, 1)) and not np.diagonal(x, axis1=1, axis2=2).any()
    assert x[:, np.triu_indices(30, 1)[0], np.triu_indices(30, 1)[1]].std() == pytest.approx(0.3 * 0.5, rel=0.01)
