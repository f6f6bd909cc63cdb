"""Tests for simulation.mechanisms.alarm (threat on the change) and .alliance (deepening)."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.alarm import aggregate_power, alarm, backed, baseline, recalibration
from simulation.mechanisms.alliance import deepen, drive, shared_alarm

# states: 0 = ROK, 1 = PRK, 2 = RUS, 3 = USA, 4 = UKR
CAP = np.array([0.023, 0.013, 0.036, 0.133, 0.007])
NONE = np.zeros((5, 5))  # no treaties


def hostile_matrix() -> np.ndarray:
    h = np.zeros((5, 5))
    for (i, j), v in {(0, 1): 0.7, (0, 2): 0.5, (3, 1): 0.8, (3, 2): 0.7, (4, 2): 1.0, (4, 1): 0.6}.items():
        h[i, j] = h[j, i] = v
    return h


def test_aggregate_power_adds_what_partners_put_behind_a_state():
    b = np.zeros((5, 5))
    assert np.array_equal(aggregate_power(CAP, b), CAP)
    b[2, 1] = 0.5  # RUS stands half behind PRK
    assert aggregate_power(CAP, b)[1] == pytest.approx(0.013 + 0.5 * 0.036)
    assert aggregate_power(CAP, b)[2] == pytest.approx(0.036)


def test_no_growth_no_alarm_and_only_growth_counts():
    prox, h = np.ones((5, 5)), hostile_matrix()
    assert not alarm(CAP, CAP, prox, h, CAP, NONE).any()
    assert not alarm(CAP * 0.5, CAP, prox, h, CAP, NONE).any()  # a shrinking threat alarms nobody


def test_alarm_is_the_shift_of_the_dyadic_balance_by_hand():
    prox, h = np.ones((5, 5)), hostile_matrix()
    grown = CAP.copy()
    grown[1] += 0.01  # PRK grows
    psi = CAP[0]  # ROK calls on its own power alone
    shift = 4 * (grown[1] / (grown[1] + psi) - CAP[1] / (CAP[1] + psi))
    assert alarm(grown, CAP, prox, h, CAP, NONE)[0, 1] == pytest.approx(1 - np.exp(-shift * 0.7))
    # between equals a small growth alarms as growth / own power
    two = np.array([1.0, 1.0])
    small = alarm(np.array([1.0, 1.0 + 1e-6]), two, np.ones((2, 2)), np.ones((2, 2)), two, np.zeros((2, 2)))
    assert small[0, 1] == pytest.approx(1e-6, rel=1e-5)


def test_alarm_falls_on_those_near_parity_close_and_hostile():
    prox, h = np.ones((5, 5)), hostile_matrix()
    grown = CAP.copy()
    grown[1] += 0.01  # PRK grows
    a = alarm(grown, CAP, prox, h, CAP, NONE)
    assert a[0, 1] > a[3, 1] > 0  # ROK (near parity, hostile) more than USA (far stronger)
    assert a[2, 1] == 0.0  # a friend is not alarmed
    far = prox.copy()
    far[0, 1] = far[1, 0] = 0.1
    assert alarm(grown, CAP, far, h, CAP, NONE)[0, 1] < a[0, 1]
    assert np.all(a < 1.0) and not np.diag(a).any()
    huge = CAP.copy()
    huge[1] += 10.0
    assert alarm(huge, CAP, prox, h, CAP, NONE)[0, 1] > 0.8  # a transition: the balance lost, alarmed


def test_a_state_already_outmatched_or_well_allied_is_hardly_alarmed():
    prox, h = np.ones((5, 5)), hostile_matrix()
    grown = CAP.copy()
    grown[1] += 0.01
    micro = CAP.copy()
    micro[4] = 1e-5  # Ukraine as a micro-state: PRK's growth does not change a balance already lost
    assert alarm(grown, CAP, prox, h, micro, NONE)[4, 1] < 0.01 * alarm(grown, CAP, prox, h, CAP, NONE)[4, 1]
    treaty = NONE.copy()
    treaty[0, 3] = treaty[3, 0] = 1.0  # US–ROK: ROK calls on American power
    assert backed(CAP, treaty)[0] == pytest.approx(CAP[0] + CAP[3])
    assert alarm(grown, CAP, prox, h, CAP, treaty)[0, 1] < 0.5 * alarm(grown, CAP, prox, h, CAP, NONE)[0, 1]


def test_baseline_catches_up_with_the_memory_of_the_threat():
    old, new = np.array([1.0]), np.array([2.0])
    assert baseline(old, new, 1.0, 1.0)[0] == pytest.approx(2 - np.exp(-1))
    assert baseline(old, new, 0.0, 1.0)[0] == 1.0
    assert baseline(baseline(old, new, 0.5, 1.0), new, 0.5, 1.0)[0] == pytest.approx(baseline(old, new, 1.0, 1.0)[0])


def test_recalibration_leans_toward_protectors_and_the_threatened_side_away_from_the_threat_and_backers():
    a = np.zeros((5, 5))
    a[0, 1] = 0.4  # ROK alarmed by PRK
    treaty = np.zeros((5, 5))
    treaty[0, 3] = treaty[3, 0] = 1.0  # US–ROK
    backing = np.zeros((5, 5))
    backing[2, 1] = 0.3  # RUS backs PRK
    r = recalibration(a, hostile_matrix(), backing, treaty)
    assert r[0, 3] == pytest.approx(0.4)  # the protector
    assert r[0, 4] == pytest.approx(0.4 * 0.6)  # Ukraine, hostile to PRK
    assert r[0, 1] == pytest.approx(-0.4)  # away from the growing threat
    assert r[0, 2] == pytest.approx(0.4 * hostile_matrix()[2, 1] - 0.4 * 0.3)  # its backer
    assert not r[1:].any() and not np.diag(r).any()
    assert not recalibration(np.zeros((5, 5)), hostile_matrix(), backing, treaty).any()


def test_alliances_deepen_only_with_a_treaty_friends_and_a_shared_alarm():
    aff = np.array([[0.0, 0.8, -0.5], [0.8, 0.0, 0.0], [-0.5, 0.0, 0.0]])
    treaty = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    a = np.zeros((3, 3))
    assert not drive(treaty, aff, a).any()
    a[0, 2] = 0.5  # 0 alarmed by 2 alone: its ally 1 does not share the threat
    assert not drive(treaty, aff, a).any()
    a[1, 2] = 0.2  # now 1 shares it, less strongly
    d = drive(treaty, aff, a)
    assert d[0, 1] == pytest.approx(0.8 * 0.2) and d[1, 0] == d[0, 1]
    assert d[0, 2] == 0.0  # hostile "allies" do not deepen
    assert not drive(np.zeros((3, 3)), aff, a).any()


def test_shared_alarm_counts_each_source_at_the_smaller_perception():
    a = np.array([[0.0, 0.3, 0.6], [0.1, 0.0, 0.2], [0.0, 0.0, 0.0]])
    s = shared_alarm(a)
    assert s[0, 1] == pytest.approx(min(0.0, 0.1) + min(0.3, 0.0) + min(0.6, 0.2))
    np.testing.assert_allclose(s, s.T)
    assert not np.diag(s).any()


def test_deepening_is_bounded_fades_without_alarm_and_composes_exactly():
    zero, push = np.zeros(1), np.array([0.5])
    one = deepen(zero, push, 1.0, 5.0, 1.0)
    assert 0 < one[0] < 1
    assert deepen(deepen(zero, push, 1.0, 5.0, 0.5), push, 1.0, 5.0, 0.5)[0] == pytest.approx(one[0])
    steady = deepen(zero, push, 1.0, 5.0, 1e3)[0]
    assert steady == pytest.approx(0.5 / (0.5 + 0.2))
    assert deepen(np.array([0.6]), np.zeros(1), 1.0, 5.0, 5.0)[0] == pytest.approx(0.6 * np.exp(-1))
    assert deepen(zero, np.array([1e6]), 10.0, 5.0, 1.0)[0] <= 1.0
