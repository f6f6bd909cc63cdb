"""Tests for simulation.mechanisms.experience: learning curves with forgetting."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.mechanisms.experience import (advance, before_start, bring_home, fighting_quality, force_experience,
                                              learn, lose, quality)


def test_learning_saturates_at_the_number_fighting_and_composes_exactly():
    f = np.array([10.0])
    one = learn(np.zeros(1), f, 1.0, 0.5)
    assert one[0] == pytest.approx(10 * (1 - np.exp(-2)))
    half = learn(learn(np.zeros(1), f, 0.5, 0.5), f, 0.5, 0.5)
    assert half[0] == pytest.approx(one[0])  # the exact solution does not depend on the step
    assert learn(np.zeros(1), f, 50.0, 0.5)[0] == pytest.approx(10.0)


def test_learning_grows_with_time_and_size_of_a_deployment():
    f = np.array([3.0, 12.0, 30.0])
    after = [learn(np.zeros(3), f, t, 0.5) for t in (0.25, 0.5, 1.0)]
    assert np.all(np.diff(after[0]) > 0)  # larger contingents learn more
    assert np.all(after[0] < after[1]) and np.all(after[1] < after[2])  # longer ones too
    assert after[2][0] / after[1][0] < 2  # with diminishing returns in time


def test_troops_back_home_stop_learning_and_their_experience_fades():
    assert learn(np.array([5.0]), np.array([0.0]), 1.0, 0.5)[0] == pytest.approx(5 * np.exp(-2))


def test_the_fallen_take_their_share_of_experience_with_them():
    assert lose(np.array([8.0]), np.array([10.0]), np.array([2.5]))[0] == pytest.approx(6.0)
    assert lose(np.array([8.0]), np.array([0.0]), np.array([0.0]))[0] == 8.0
    assert lose(np.array([8.0]), np.array([10.0]), np.array([20.0]))[0] == 0.0


def test_rotation_brings_experience_home_toward_its_steady_state():
    field = np.array([10.0])
    v = np.zeros(1)
    for _ in range(600):
        v = bring_home(v, field, 1 / 12, tour_years=1.0, experience_years=5.0)
    assert v[0] == pytest.approx(10.0 * 5.0 / 1.0, rel=1e-3)
    assert bring_home(np.array([4.0]), np.zeros(1), 5.0, 1.0, 5.0)[0] == pytest.approx(4 * np.exp(-1))


def test_force_experience_is_zero_for_an_unblooded_force_and_below_one():
    e = force_experience(np.array([0.0, 5.0, 25.6, 1e6]), np.full(4, 1280.0), 0.02)
    assert e[0] == 0.0 and np.all(np.diff(e) > 0) and e[-1] <= 1.0
    assert e[2] == pytest.approx(1 - np.exp(-1))


def test_quality_is_one_without_experience_or_gain():
    assert quality(np.array([0.0]), 0.5)[0] == 1.0
    assert quality(np.array([0.8]), 0.0)[0] == 1.0
    assert quality(np.array([0.8]), 0.5)[0] == pytest.approx(1.4)


def test_advance_learns_then_loses_then_brings_home():
    field, vets = advance(np.zeros(1), np.zeros(1), np.array([10.0]), np.array([0.0]), 0.5, 0.5, 1.0, 5.0)
    assert field[0] == pytest.approx(10 * (1 - np.exp(-1)))
    assert vets[0] > 0
    dead, _ = advance(np.zeros(1), np.zeros(1), np.array([10.0]), np.array([10.0]), 0.5, 0.5, 1.0, 5.0)
    assert dead[0] == 0.0


def test_states_at_war_before_the_start_bring_experience_others_none():
    field, vets = before_start(np.array([600.0, 400.0, 0.0]), np.array([2.3, 0.5, 0.0]), 0.5, 1.0, 5.0)
    assert field[2] == vets[2] == 0.0
    assert vets[0] > vets[1] > 0
    assert field[0] == pytest.approx(600.0, rel=0.02)  # two years: the learning curve has saturated


def test_a_seasoned_force_fights_at_one_and_an_unblooded_one_at_less():
    q = fighting_quality(np.array([0.0, 0.5, 1.0]), 0.5)
    assert q[2] == pytest.approx(1.0) and q[0] == pytest.approx(1 / 1.5) and q[0] < q[1] < q[2]
    assert np.all(fighting_quality(np.array([0.0, 1.0]), 0.0) == 1.0)
