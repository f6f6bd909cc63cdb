"""Tests for viz.figures on a small synthetic dataset (3 states, 4 steps, 2 replicates)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from viz import figures as F

STATES3 = ["PRK", "RUS", "UKR"]
NAMES = {"RUS": "Russia", "PRK": "North Korea", "CHN": "China", "IRN": "Iran",
         "ROK": "South Korea", "USA": "United States", "UKR": "Ukraine"}


def make_meta(state_ids=STATES3) -> dict:
    """Meta dict following the report contract."""
    return {"title": "Synthetic run", "scenario": "synthetic",
            "states": {s: NAMES.get(s, s) for s in state_ids},
            "coalition_names": {"A": "Revisionist axis", "B": "Western coalition"},
            "manifest": {"seed": 42, "git": "deadbeef", "note": "MANIFEST-MARKER"}}


def make_tables(state_ids=STATES3, n_steps=4, n_reps=2, seed=0) -> dict[str, pd.DataFrame]:
    """Synthetic model/states/pairs/events tables with the exact contract schema.

    Step 0 is the initial state; n_steps further steps (monthly). RUS and UKR are at war,
    RUS/PRK lean to coalition A; the RUS–UKR affinity is strongly negative and the
    PRK–UKR affinity small (|a| < 0.1) so the network must skip it.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=n_steps + 1, freq="MS")
    ids = sorted(state_ids)
    model, states, pairs = [], [], []
    for rep, step in itertools.product(range(n_reps), range(n_steps + 1)):
        d, k = dates[step], step / max(n_steps, 1)
        model.append({"replicate": rep, "step": step, "date": d,
                      "global_tension": 0.3 + 0.1 * k + 0.02 * rep,
                      "tension_europe": 0.6 + 0.05 * rng.random(),
                      "tension_korean_peninsula": 0.2 + 0.3 * k,
                      "energy": rng.random(), "frustration": rng.random(),
                      "polarization": 0.4 + 0.1 * k})
        for s in ids:
            at_war = s in ("RUS", "UKR")
            coal = "A" if s in ("RUS", "PRK", "CHN", "IRN") else "B"
            if s == "PRK" and rep == 1 and step == n_steps:
                coal = "B"  # one replicate disagrees at the end
            states.append({
                "replicate": rep, "step": step, "date": d, "state": s,
                "manpower": 500.0 - 10 * step + rep, "munitions": 5.0 - 0.5 * k,
                "economy": 1000.0 + rng.random(), "capability": 0.1 + 0.2 * (s == "RUS"),
                "tech": 1.2, "front_strength": (1.0 + k) if at_war else 0.0,
                "foreign_troops": 11.0 * k if s == "RUS" else 0.0, "threat": rng.random(),
                "coalition": coal, "bloc": 0 if coal == "A" else 1,
                "alignment": 0.7 if coal == "A" else -0.6,
                "support_given": 0.0, "support_received": 2.0 * k,
                "experience": 0.4 * k if s == "PRK" else float(at_war), "alarm": 0.2 * k if s == "UKR" else 0.0})
        for a, b in itertools.combinations(ids, 2):
            aff = {("RUS", "UKR"): -0.8, ("PRK", "RUS"): 0.3 + 0.5 * k,
                   ("PRK", "UKR"): 0.05}.get((a, b), 0.2 - 0.1 * k)
            pairs.append({"replicate": rep, "step": step, "date": d, "a": a, "b": b,
                          "affinity": aff + 0.01 * rep, "tension": 0.5 * (1 - aff) + 0.02 * rep,
                          "treaty": 0.5 if aff > 0.5 else 0.0,
                          "at_war": (a, b) == ("RUS", "UKR"), "flow_ab": 1.0, "flow_ba": 0.0,
                          "alliance_depth": 0.1 * k if (a, b) == ("PRK", "RUS") else 0.0})
    events = pd.DataFrame({
        "id": ["e1", "e2", "e3"],
        "type": ["troop_deployment", "summit", "sanctions"],
        "date": pd.to_datetime([dates[1], dates[1], dates[min(3, n_steps)]]),
        "step": [1, 1, min(3, n_steps)],
        "label": ["PRK troops deployed to Kursk", "Summit in Pyongyang", "New sanctions"],
        "source": ["Reuters 2024-10-23 SRC-ALPHA", "TASS SRC-BETA & co", "EU OJ SRC-GAMMA"],
        "states": ["PRK,RUS", "PRK,RUS", "RUS"]})
    return {"model": pd.DataFrame(model), "states": pd.DataFrame(states),
            "pairs": pd.DataFrame(pairs), "events": events}


@pytest.fixture
def data():
    return make_tables(), make_meta()


def _titled(fig: go.Figure) -> None:
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text
    assert fig.layout.height and fig.layout.height > 200


def _heatmaps(fig):
    return [t for t in fig.data if t.type == "heatmap"]


def test_coalition_timeline_rows_and_shares(data):
    tables, meta = data
    fig = F.coalition_timeline(tables["states"], meta)
    _titled(fig)
    (hm,) = _heatmaps(fig)
    z = np.asarray(hm.z)
    assert z.shape == (3, 5)  # states × dates
    assert len(hm.y) == 3 and "Russia (RUS)" in hm.y
    prk = list(hm.y).index("North Korea (PRK)")
    assert z[prk, 0] == 1.0 and z[prk, -1] == 0.5  # one of two replicates left A
    assert z[list(hm.y).index("Ukraine (UKR)")].max() == 0.0
    assert "alignment" in hm.hovertemplate


def test_tension_lines_traces_and_events(data):
    tables, meta = data
    fig = F.tension_lines(tables["model"], tables["events"], meta)
    _titled(fig)
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names[:3] == ["Global tension", "Europe", "Korean peninsula"]
    # 2 replicates -> each series has band (2 traces) + median line
    assert sum(t.fill == "tonexty" for t in fig.data) == 3
    strip = [t for t in fig.data if t.name == "Scenario events"]
    assert len(strip) == 1 and len(strip[0].x) == 3
    assert any("SRC-ALPHA" in h for h in strip[0].hovertext)
    # two events on the same date must not share a label row
    assert strip[0].y[0] != strip[0].y[1]
    assert len(fig.layout.shapes) == 2  # one dotted line per distinct event date
    assert fig.layout.yaxis.title.text


def test_tension_lines_single_replicate_no_band_no_events(data):
    tables, meta = data
    one = tables["model"][tables["model"]["replicate"] == 0]
    fig = F.tension_lines(one, None, meta)
    assert not any(t.fill == "tonexty" for t in fig.data)
    assert len(fig.data) == 3 and not fig.layout.shapes


def test_tension_heatmap_pairs(data):
    tables, meta = data
    fig = F.tension_heatmap(tables["pairs"], tables["events"], meta)
    _titled(fig)
    (hm,) = _heatmaps(fig)
    assert list(hm.y) == ["PRK–RUS", "PRK–UKR", "RUS–UKR"]
    assert np.asarray(hm.z).shape == (3, 5)
    assert np.isclose(np.asarray(hm.z)[2, 0], 0.91)  # median of 0.90 and 0.92


def test_network_layout_is_deterministic_circle():
    pos = F.network_layout(["UKR", "RUS", "PRK", "RUS"])
    assert list(pos) == ["PRK", "RUS", "UKR"]
    assert pos == F.network_layout(["PRK", "UKR", "RUS"])
    assert pos["PRK"] == pytest.approx((0.0, 1.0))
    assert all(np.hypot(*p) == pytest.approx(1.0) for p in pos.values())


def _node_positions(fig):
    out = {}
    for t in fig.data:
        if t.meta and "nodes" in t.meta:
            out.update({s: (x, y) for s, x, y in zip(t.meta["nodes"], t.x, t.y)})
    return out


def test_alignment_network_edges_nodes_and_stability(data):
    tables, meta = data
    first = F.alignment_network(tables["pairs"], tables["states"], meta, "2024-01-01")
    last = F.alignment_network(tables["pairs"], tables["states"], meta, "2024-05-01")
    _titled(first)
    edges = [t for t in first.data if t.mode == "lines"]
    assert sorted(e for t in edges for e in t.meta["edges"]) == ["PRK–RUS", "RUS–UKR"]  # PRK–UKR skipped
    colors = {e: t.line.color for t in edges for e in t.meta["edges"]}
    assert colors["RUS–UKR"] == "#D62728" and colors["PRK–RUS"] == "#2CA02C"
    widths = {e: t.line.width for t in edges for e in t.meta["edges"]}
    assert widths["RUS–UKR"] > widths["PRK–RUS"]
    assert _node_positions(first) == _node_positions(last)
    assert set(_node_positions(first)) == set(STATES3)
    nodes = [t for t in first.data if t.meta and "nodes" in t.meta]
    assert {t.name for t in nodes} == {"A: Revisionist axis", "B: Western coalition"}
    assert "2024-01-01" in first.layout.title.text and "2024-05-01" in last.layout.title.text


def test_alignment_network_nearest_date_and_default(data):
    tables, meta = data
    fig = F.alignment_network(tables["pairs"], tables["states"], meta, "2024-02-03")
    assert "2024-02-01" in fig.layout.title.text
    fig = F.alignment_network(tables["pairs"], tables["states"], meta)
    assert "2024-05-01" in fig.layout.title.text


def test_resources_only_belligerents(data):
    tables, meta = data
    fig = F.resources(tables["states"], tables["events"], meta)
    _titled(fig)
    legend = {t.name for t in fig.data if t.showlegend is not False}
    assert legend == {"Russia (RUS)", "Ukraine (UKR)"}
    medians = [t for t in fig.data if t.mode == "lines" and t.hoverinfo != "skip"]
    assert len(medians) == 5 * 2  # 5 panels × 2 belligerents
    assert any(t.name == "Scenario events" for t in fig.data)


def test_resources_without_war_has_message(data):
    tables, meta = data
    peaceful = tables["states"].assign(front_strength=0.0)
    fig = F.resources(peaceful, None, meta)
    assert not fig.data
    assert any("No state" in a.text for a in fig.layout.annotations)


def test_affinity_lines_default_and_explicit(data):
    tables, meta = data
    fig = F.affinity_lines(tables["pairs"], meta)
    _titled(fig)
    lines = [t.name for t in fig.data if t.showlegend is not False]
    assert lines[0] == "PRK–RUS"  # largest change from first to last step
    assert set(lines) == {"PRK–RUS", "PRK–UKR", "RUS–UKR"}
    fig = F.affinity_lines(tables["pairs"], meta, pairs_to_show=[("UKR", "RUS"), "PRK-UKR"])
    assert [t.name for t in fig.data if t.showlegend is not False] == ["RUS–UKR", "PRK–UKR"]


def test_default_affinity_pairs_limit():
    tables = make_tables(state_ids=list(NAMES), n_steps=3, n_reps=1)
    chosen = F.default_affinity_pairs(tables["pairs"])
    assert len(chosen) == 8 and all(a < b for a, b in chosen)


def test_recalibration_draws_what_moves_alarm_depth_experience(data):
    tables, meta = data
    fig = F.recalibration(tables["states"], tables["pairs"], tables["events"], meta)
    named = {(t.name, t.yaxis) for t in fig.data if t.mode == "lines" and t.name and "%" not in t.name}
    assert ("Ukraine (UKR)", "y") in named  # alarm row
    assert ("PRK–RUS", "y2") in named  # alliance depth row
    assert ("North Korea (PRK)", "y3") in named  # experience row
    assert ("Russia (RUS)", "y3") in named and ("Russia (RUS)", "y") not in named  # seasoned, never alarmed
    assert "Recalibration" in fig.layout.title.text


def test_recalibration_with_nothing_moving_says_so(data):
    tables, meta = data
    states = tables["states"].assign(alarm=0.0, experience=0.0)
    pairs = tables["pairs"].assign(alliance_depth=0.0)
    fig = F.recalibration(states, pairs, None, meta)
    assert not [t for t in fig.data if t.mode == "lines"]
    assert any("No state was alarmed" in a.text for a in fig.layout.annotations)
