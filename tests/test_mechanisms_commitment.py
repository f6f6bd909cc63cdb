"""Tests for simulation.mechanisms.commitment: involvement scaled by the size of support."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.commitment import (backing, belligerence, effort_shares, involvement,
                                              parties_at_war, saturate)


def test_effort_shares_measure_each_channel_against_the_receivers_effort():
    troops = np.array([[0.0, 12.0], [0.0, 0.0]])
    shells = np.array([[0.0, 6.0], [0.0, 0.0]])
    money = np.array([[0.0, 0.0], [2.0, 0.0]])
    t, m, y = effort_shares(troops, np.array([100.0, 600.0]), shells, np.array([1.0, 3.0]), money,
                            np.array([30.0, 2000.0]))
    assert t[0, 1] == pytest.approx(0.02) and m[0, 1] == pytest.approx(2.0) and y[1, 0] == pytest.approx(2 / 30)
    # a receiver with no front (or no economy) has nothing to measure against
    t, _, _ = effort_shares(troops, np.array([0.0, 0.0]), shells, np.ones(2), money, np.ones(2))
    assert not t.any()


def test_belligerence_grows_with_diminishing_returns_and_never_reaches_one():
    shares = np.array([0.0, 0.005, 0.02, 0.05, 0.5])
    b = belligerence(shares, 0.05)
    assert b[0] == 0.0 and np.all(np.diff(b) > 0) and b[-1] < 1.0
    assert b[1] == pytest.approx(0.005 / 0.05, rel=0.06)  # nearly proportional for a small contingent
    assert belligerence(np.array([0.04]), 0.05)[0] < 2 * belligerence(np.array([0.02]), 0.05)[0]  # concave
    assert b[3] == pytest.approx(1 - np.exp(-1))


def test_belligerence_with_scale_zero_is_the_all_or_nothing_rule():
    np.testing.assert_array_equal(belligerence(np.array([0.0, 1e-9, 0.3]), 0.0), [0.0, 1.0, 1.0])


def test_involvement_adds_channels_and_ignores_those_switched_off():
    t = np.array([[0.0, 0.05], [0.0, 0.0]])
    m = np.array([[0.0, 1.0], [0.0, 0.0]])
    y = np.zeros((2, 2))
    alone = involvement(t, np.zeros((2, 2)), y, 0.05, 1.0, 0.05)[0, 1]
    both = involvement(t, m, y, 0.05, 1.0, 0.05)[0, 1]
    assert alone == pytest.approx(saturate(np.array(1.0)))
    assert both == pytest.approx(1 - np.exp(-2)) and both > alone and both < 1.0
    assert involvement(t, m, y, 0.05, 0.0, 0.05)[0, 1] == pytest.approx(alone)
    np.testing.assert_array_equal(np.diag(involvement(np.ones((2, 2)), m, y, 0.05, 1.0, 0.05)), 0.0)


def test_parties_at_war_binary_case_is_co_belligerence():
    at_war = np.zeros((3, 3), dtype=bool)
    at_war[0, 1] = at_war[1, 0] = True  # RUS–UKR
    fights_for = np.zeros((3, 3))
    fights_for[2, 0] = 1.0  # PRK troops fight for RUS
    parties = parties_at_war(at_war, fights_for)
    assert parties[2, 1] == parties[1, 2] == parties[0, 1] == 1.0 and parties[2, 0] == 0.0
    assert parties_at_war(at_war, np.zeros((3, 3)))[2, 1] == 0.0


def test_parties_at_war_is_graded_by_belligerence_and_symmetric():
    at_war = np.zeros((3, 3))
    at_war[0, 1] = at_war[1, 0] = 1.0
    beta = np.zeros((3, 3))
    beta[2, 0] = 0.3
    parties = parties_at_war(at_war, beta)
    assert parties[2, 1] == pytest.approx(0.3) and parties[0, 1] == 1.0
    np.testing.assert_allclose(parties, parties.T)
    beta[2, 0] = 0.6
    assert parties_at_war(at_war, beta)[2, 1] == pytest.approx(0.6)


def test_a_treaty_on_paper_backs_nobody_until_blood_makes_it_credible():
    treaty = np.array([[0.0, 1.0], [1.0, 0.0]])  # 0 = RUS, 1 = PRK
    none = np.zeros((2, 2))
    assert not backing(none, treaty, none).any()
    beta = np.zeros((2, 2))
    beta[1, 0] = 0.3  # PRK's troops fight for RUS ...
    b = backing(none, treaty, beta)
    assert b[0, 1] == pytest.approx(0.3)  # ... so RUS stands behind PRK
    assert b[1, 0] == 0.0
    kappa = np.array([[0.0, 0.0], [0.5, 0.0]])  # PRK's own involvement on RUS's side
    assert backing(kappa, treaty, beta)[1, 0] == pytest.approx(0.5)
    assert backing(kappa, treaty, beta)[0, 1] == pytest.approx(0.3)
