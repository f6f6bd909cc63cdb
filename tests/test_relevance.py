"""Relevance at world scale (issue 27, item 3; docs/backtest.md §2.5): the DPRK's deployment puts
in tension with the DPRK the states it concerns — the belligerents and the DPRK's adversaries in
the region — and not distant states that merely vote against it at the UN (Maoz & Russett 1993;
Lemke & Reed 2001). ``world_2024`` against ``world_no_deployment``: the same world and seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simulation.runner import run

DAY = dt.date(2025, 6, 30)
CONCERNED = {"RUS", "UKR", "PRK", "USA", "ROK", "JPN", "CHN"}  # belligerents, regional partners, neighbours


def tension_with_prk(name: str) -> dict[str, float]:
    pairs = run(name, until=DAY + dt.timedelta(days=31)).pairs
    last = pairs[pairs["date"] <= np.datetime64(DAY)]["date"].max()
    rows = pairs[(pairs["date"] == last) & ((pairs["a"] == "PRK") | (pairs["b"] == "PRK"))]
    other = np.where(rows["a"] == "PRK", rows["b"], rows["a"])
    return dict(zip(other, rows["tension"], strict=True))


@pytest.fixture(scope="module")
def effect() -> dict[str, float]:
    with_, without = tension_with_prk("world_2024"), tension_with_prk("world_no_deployment")
    return {s: with_[s] - without[s] for s in with_}


def test_the_deployment_concerns_the_belligerents_and_the_region_most(effect):
    floor = min(effect["UKR"], effect["ROK"])
    assert floor > 0
    unrelated = {s: v for s, v in effect.items() if s not in CONCERNED}
    assert max(unrelated.values()) < floor, sorted(unrelated, key=unrelated.get)[-5:]


@pytest.mark.parametrize("state", ["ICE", "LUX", "BOS", "MLD"])
def test_a_distant_small_state_hardly_moves(state, effect):
    # before: Bosnia +0.29, Luxembourg +0.29, Moldova +0.26 (alarm saturated by dividing by a tiny capability)
    assert abs(effect[state]) < 0.01
