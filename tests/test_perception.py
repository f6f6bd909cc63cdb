"""Perception reuses what did not move, and gives exactly the arrays of a full perception."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import load_scenario, perception
from simulation.model import make_model
from simulation.runner import resolve_params
from simulation.state import State


def model(name: str, steps: int = 3):
    loaded = load_scenario(name)
    m = make_model(loaded.scenario, resolve_params(loaded), seed=4)
    for _ in range(steps):
        m.step()
    return m


def same(a, b) -> None:
    for f in dataclasses.fields(a):
        assert np.array_equal(getattr(a, f.name), getattr(b, f.name)), f.name


def nudged(state: State, name: str) -> State:
    out = state.copy()
    value = getattr(out, name)
    if value.dtype == bool:
        value[:] = ~value
        np.fill_diagonal(value, False)
    elif name == "power_baseline":
        value *= 0.9
    else:
        value[:] = np.clip(value * 1.1 + 0.02, -1.0, None) if value.ndim == 2 else value * 1.1 + 0.02
    return out


ARRAYS = [f.name for f in dataclasses.fields(State) if f.name not in ("energy", "frustration", "polarization")]


@pytest.mark.parametrize("name", ARRAYS)
def test_inputs_list_exactly_what_perception_reads(name):
    m = model("korea_russia_2024")
    state = m.state.item(0).copy()  # one replicate's arrays
    state.support_money = state.support_money + 1.0  # money support everywhere: the economy weighs it
    np.fill_diagonal(state.support_money, 0.0)
    full = perception.perceive(state, m.base, m.params)
    moved = perception.perceive(nudged(state, name), m.base, m.params)
    differs = any(not np.array_equal(getattr(full, f.name), getattr(moved, f.name))
                  for f in dataclasses.fields(full))
    assert differs == (name in perception.INPUTS or name == "power_baseline")


@pytest.mark.parametrize("moved", [(), ("affinity",), ("treaty",), ("ideal_points",), ("deployed", "manpower"),
                                   ("economy",), ("at_war",), ("capability", "support_money"), ("power_baseline",)])
def test_reused_parts_equal_a_full_perception(moved):
    m = model("escalation")
    before = m.state.item(0).copy()  # one replicate's arrays
    seen = perception.perceive(before, m.base, m.params)
    after = before
    for name in moved:
        after = nudged(after, name)
    changed = perception.changed(after, before)
    assert changed == set(moved) - {"power_baseline"}
    same(perception.perceive(after, m.base, m.params, seen, changed), perception.perceive(after, m.base, m.params))


@pytest.mark.parametrize("name", ["mini", "korea_russia_2024", "world_2024"])
def test_every_perception_of_a_run_equals_a_full_one(name, request, monkeypatch):
    """The model's own calls (start of a step: what the events moved; end: what mechanisms moved)."""
    perceive, moves = perception.perceive, []

    def checked(state, base, params, seen=None, moved=perception.INPUTS):
        out = perceive(state, base, params, seen, moved)
        if seen is not None:
            moves.append(moved)
            same(out, perceive(state, base, params))
        return out

    monkeypatch.setattr(perception, "perceive", checked)
    loaded = load_scenario(request.getfixturevalue("mini") if name == "mini" else name)
    m = make_model(loaded.scenario, resolve_params(loaded), seed=2).run()
    assert len(moves) == 2 * m.n_steps
    assert set(moves[1::2]) == {perception.MECHANISM_INPUTS}  # end of a step
    starts = set(moves[::2])
    assert len(starts) > 1 and perception.INPUTS not in starts  # the events move only some inputs
    if name == "mini":  # no events after May: nothing moved but the power baseline
        assert frozenset() in starts
