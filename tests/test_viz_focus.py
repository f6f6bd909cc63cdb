"""Views of a large world (issue 13): which states a figure draws, and figures that read at ~190 states.

On the real world of June 2024 (``scenarios/world_2024.yaml``, 195 states), stepped a few times.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.scenario import load_scenario
from viz import figures as F
from viz import focus
from viz.report import report_figures
from viz.session import Session


@pytest.fixture(scope="module")
def world():
    session = Session(load_scenario("world_2024"))
    for _ in range(3):
        session.step()
    return session, session.tables(), session.meta()


def _nodes(fig) -> list[str]:
    return sorted(n for t in fig.data if t.meta and "nodes" in t.meta for n in t.meta["nodes"])


def test_a_small_world_is_shown_whole():
    session = Session(load_scenario("korea_russia_2024"))
    tables, meta = session.tables(), session.meta()
    assert focus.focus(tables["states"], meta) == sorted(meta["states"])
    assert focus.describe(sorted(meta["states"]), tables["states"]) == ""


def test_a_large_world_shows_its_largest_states_and_those_the_events_name(world):
    _, tables, meta = world
    states = tables["states"]
    assert states["state"].nunique() > 190
    shown = focus.focus(states, meta, k=10)
    first = states[states["step"] == 0].set_index("state")["capability"]
    assert set(first.sort_values(ascending=False).index[:10]) <= set(shown)
    assert set(meta["actors"]) == {"PRK", "RUS", "USA", "UKR", "IRN", "CHN", "ROK", "JPN"}  # JPN: 2025 summits
    assert set(meta["actors"]) <= set(shown) and len(shown) <= 10 + len(meta["actors"])
    assert "of 195 states" in focus.describe(shown, states)
    assert focus.focus(states, meta, k=10, pinned=["PAL"]) == sorted({*shown, "PAL"})


def test_a_region_keeps_its_own_states_only(world):
    _, tables, meta = world
    shown = focus.focus(tables["states"], meta, k=8, region="Africa")
    assert len(shown) == 8 and {meta["regions"][s] for s in shown} == {"Africa"}
    assert meta["regions"]["USA"] == "Americas" and meta["regions"]["POL"] == "Europe"
    assert meta["regions"]["IRN"] == "Middle East" and meta["regions"]["AUL"] == "Oceania"
    assert focus.regions_of(meta) == ["Americas", "Europe", "Africa", "Middle East", "Asia", "Oceania"]


def test_ranking_by_change_puts_the_states_that_moved_first(world):
    _, tables, _ = world
    states = tables["states"]
    ranked = focus.ranking(states, "change")
    moved = (states[states["step"] == states["step"].max()].set_index("state")["alignment"]
             - states[states["step"] == 0].set_index("state")["alignment"]).abs()
    assert moved[ranked[0]] == moved.max() and moved[ranked[-1]] == moved.min()
    with pytest.raises(ValueError, match="rank by"):
        focus.ranking(states, "size")


def test_figures_of_a_large_world_draw_the_chosen_states_and_stay_small(world):
    session, tables, meta = world
    states, pairs = tables["states"], tables["pairs"]
    shown = focus.focus(states, meta)
    net = F.alignment_network(pairs, states, meta, session.date, shown, highlight=["IND"])
    assert _nodes(net) == shown
    drawn = [e for t in net.data if t.mode == "lines" for e in t.meta["edges"]]
    assert 0 < len(drawn) <= F.MAX_EDGES and len(net.data) < 30
    assert "strongest" in net.layout.title.text
    ring = {n: w for t in net.data if t.meta and "nodes" in t.meta for n, w in zip(t.meta["nodes"], t.marker.line.width)}
    assert ring["IND"] > ring["USA"]
    timeline = F.coalition_timeline(states, meta, shown)
    assert len(timeline.data[0].y) == len(shown)
    heat = F.tension_heatmap(pairs, tables["events"], meta, shown)
    assert len(heat.data[0].y) == F.MAX_PAIRS and "most tense" in heat.layout.title.text


def test_coalitions_by_region_count_every_state(world):
    session, tables, meta = world
    fig = F.region_network(tables["pairs"], tables["states"], meta, session.date)
    counts = [c[2] for t in fig.data if t.meta and "nodes" in t.meta for c in t.customdata]
    assert sum(counts) == tables["states"]["state"].nunique()
    groups = _nodes(fig)
    assert all(" · " in g for g in groups) and len(groups) <= 12


def test_the_report_of_a_large_world_stays_small(world):
    _, tables, meta = world
    figs = report_figures(tables, meta)
    titles = [t for t, _ in figs]
    assert "Coalitions by region" in titles
    assert sum(len(f.data) for _, f in figs) < 400  # one trace per edge of 18,915 pairs drew 17,000


def test_the_pairs_of_some_states_equal_the_full_table_filtered(world):
    session, tables, _ = world
    some = ["USA", "IND", "PRK", "AUL"]
    part = session.model.recorder.item(0).tables(0, among=some)["pairs"]
    full = tables["pairs"]
    expected = full[full["a"].isin(some) & full["b"].isin(some)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)


def test_a_states_closest_partners_and_rivals(world):
    session, _, meta = world
    ties = focus.ties(session.pairs_now(), "PRK", meta)
    close, hostile = ties[ties["kind"] == "closest"], ties[ties["kind"] == "hostile"]
    assert len(close) == len(hostile) == 5 and "PRK" not in set(ties["state"])
    assert list(close["affinity"]) == sorted(close["affinity"], reverse=True)
    assert close["affinity"].min() > hostile["affinity"].max()
    assert "USA" in set(hostile["state"]) and ties.set_index("state").loc["USA", "name"] == "United States"
