"""Plotly figure builders for alliance-sim.

Every builder is a pure function: model output tables (pandas DataFrames, see the
input contract in the project docs) plus `meta` -> `plotly.graph_objects.Figure`.
No I/O, no global state; the same functions serve the HTML report and a dashboard.
Time series show the median over replicates and, with several replicates, a 5–95 % band.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulation.data import REGIONS

from viz._common import (
    COALITION_COLORS, EDGE_COLORS, PALETTE, add_band_line, add_event_lines,
    add_event_strip, base_layout, coalition_label, has_events, pair_label,
    region_label, state_colors, state_label, summarise,
)

__all__ = [
    "coalition_timeline", "region_network", "tension_lines", "tension_heatmap", "network_layout",
    "alignment_network", "resources", "recalibration", "affinity_lines", "default_affinity_pairs",
]

MIN_EDGE_AFFINITY = 0.1
REGION_ORDER = REGIONS  # the order of groups around the region network


def _with_event_strip(events, rows_main: int = 1, heights=None, titles=None,
                      strip_height: float = 0.22):
    """Subplot grid: `rows_main` data rows, plus an event strip row if there are events."""
    strip = has_events(events)
    heights = list(heights or [1.0] * rows_main)
    if strip:
        heights.append(strip_height)
    titles = list(titles or []) + ([""] if strip and titles else [])
    fig = make_subplots(rows=len(heights), cols=1, shared_xaxes=True, row_heights=heights,
                        vertical_spacing=0.045 if rows_main > 1 else 0.03,
                        subplot_titles=titles or None)
    return fig, (len(heights) if strip else None)


def _finish_events(fig, events, strip_row: int | None) -> None:
    """Add the event strip (in `strip_row`), dotted event lines and the bottom x title."""
    if strip_row:
        add_event_strip(fig, events, row=strip_row)
        add_event_lines(fig, events)
    fig.update_xaxes(title_text="Date", row=strip_row or _n_rows(fig), col=1)
    fig.update_xaxes(type="date")  # a widget may send dates as numbers: keep the axis a date axis


def _n_rows(fig) -> int:
    """Number of subplot rows (count of y axes in the layout)."""
    return sum(1 for k in fig.layout.to_plotly_json() if k.startswith("yaxis")) or 1


def coalition_colorbar(meta: dict, several: bool) -> dict:
    """Colour bar labelled with coalition names (share of replicates if several)."""
    if not several:
        return {"tickvals": [0, 1], "len": 0.6,
                "ticktext": [coalition_label("B", meta), coalition_label("A", meta)]}
    return {"tickvals": [0, 0.5, 1], "len": 0.8,
            "ticktext": ["all replicates in " + coalition_label("B", meta), "split 50/50",
                         "all replicates in " + coalition_label("A", meta)]}


def _titled(title: str, subtitle: str = "") -> str:
    """A figure title, with a smaller second line when only some states are shown."""
    return f"{title}<br><sup>{subtitle}</sup>" if subtitle else title


def _among(frame: pd.DataFrame, shown, keys=("state",)) -> pd.DataFrame:
    """Rows whose ``keys`` are all among the ``shown`` states (None: every row)."""
    if shown is None:
        return frame
    keep = np.ones(len(frame), dtype=bool)
    for key in keys:
        keep &= frame[key].isin(list(shown)).to_numpy()
    return frame[keep]


def coalition_timeline(states: pd.DataFrame, meta: dict, shown=None, subtitle: str = "") -> go.Figure:
    """Heatmap state × date coloured by the share of replicates in coalition A.

    With a single replicate cells are simply A (share 1) or B (share 0). Rows are ordered
    by final mean alignment (A-leaning on top). Hover shows mean alignment and modal bloc.
    ``shown`` (ids) keeps only those states' rows (``viz.focus``).
    """
    states = _among(states, shown)
    df = states.assign(in_a=(states["coalition"] == "A").astype(float))
    agg = df.groupby(["state", "date"]).agg(
        share_a=("in_a", "mean"), alignment=("alignment", "mean"),
        bloc=("bloc", lambda s: int(s.mode().iloc[0])))
    last = agg.xs(agg.index.get_level_values("date").max(), level="date")
    order = sorted(last.index, key=lambda s: (-last.loc[s, "alignment"], s))
    share = agg["share_a"].unstack("date").reindex(order)
    align = agg["alignment"].unstack("date").reindex(order)
    bloc = agg["bloc"].unstack("date").reindex(order)
    custom = np.dstack([align.to_numpy(float), bloc.to_numpy(float)])
    colorscale = [[0.0, COALITION_COLORS["B"]], [0.5, "#F2F2F2"], [1.0, COALITION_COLORS["A"]]]
    fig = go.Figure(go.Heatmap(
        z=share.to_numpy(float), x=share.columns, y=[state_label(s, meta) for s in order],
        customdata=custom, zmin=0, zmax=1, colorscale=colorscale, xgap=1, ygap=3,
        colorbar=coalition_colorbar(meta, several=states["replicate"].nunique() > 1),
        hovertemplate=("%{y}<br>%{x|%Y-%m-%d}<br>share in A: %{z:.0%}"
                       "<br>mean alignment: %{customdata[0]:+.2f}"
                       "<br>modal bloc: %{customdata[1]:.0f}<extra></extra>")))
    row = 48 if len(order) <= 12 else 24
    base_layout(fig, _titled("Coalition membership over time", subtitle), height=180 + row * len(order))
    fig.update_xaxes(title_text="Date", type="date")
    fig.update_yaxes(title_text="State", autorange="reversed")
    return fig


def tension_lines(model: pd.DataFrame, events: pd.DataFrame | None, meta: dict) -> go.Figure:
    """Global tension (thick) and regional tensions over time, with scenario events."""
    regions = sorted(c for c in model.columns if c.startswith("tension_"))
    fig, strip = _with_event_strip(events, heights=[0.8])
    add_band_line(fig, summarise(model, "global_tension"), "Global tension", "#222222",
                  width=3.5, row=1, col=1)
    for i, column in enumerate(regions):
        add_band_line(fig, summarise(model, column), region_label(column),
                      PALETTE[i % len(PALETTE)], row=1, col=1)
    _finish_events(fig, events, strip)
    base_layout(fig, "Global and regional tension", height=560 if strip else 460)
    fig.update_yaxes(title_text="Tension (0–1)", range=[0, 1.02], row=1, col=1)
    return fig


MAX_PAIRS = 30  # rows of the bilateral tension heatmap: the most tense pairs beyond this


def tension_heatmap(pairs: pd.DataFrame, events: pd.DataFrame | None, meta: dict, shown=None,
                    max_pairs: int = MAX_PAIRS) -> go.Figure:
    """Pair × date heatmap of median bilateral tension (rows sorted alphabetically); of the pairs
    among ``shown`` (ids; None: all), the ``max_pairs`` with the highest peak tension.
    """
    pairs = _among(pairs, shown, ("a", "b"))
    df = pairs.assign(pair=pairs["a"].astype(str) + "–" + pairs["b"].astype(str),  # a < b
                      war=pairs["at_war"].astype(float))
    agg = df.groupby(["pair", "date"]).agg(tension=("tension", "median"), war=("war", "mean"))
    z = agg["tension"].unstack("date").sort_index()
    total = len(z.index)
    if total > max_pairs:
        peak = z.max(axis=1).rename("peak").reset_index().sort_values(["peak", "pair"], ascending=[False, True])
        z = z.loc[sorted(peak["pair"].head(max_pairs))]
    war = agg["war"].unstack("date").reindex(z.index)
    fig, strip = _with_event_strip(events, heights=[0.85])
    fig.add_trace(go.Heatmap(
        z=z.to_numpy(float), x=z.columns, y=list(z.index), customdata=war.to_numpy(float),
        zmin=0, zmax=1, colorscale="YlOrRd", xgap=0, ygap=1,
        colorbar={"title": {"text": "Tension"}, "len": 0.8, "y": 1, "yanchor": "top"},
        hovertemplate=("%{y}<br>%{x|%Y-%m-%d}<br>median tension: %{z:.2f}"
                       "<br>at war in %{customdata:.0%} of replicates<extra></extra>")),
        row=1, col=1)
    _finish_events(fig, events, strip)
    height = 180 + 26 * len(z.index) + (110 if strip else 0)
    subtitle = f"the {len(z.index)} most tense of {total} pairs" if total > len(z.index) else ""
    base_layout(fig, _titled("Bilateral tension by pair", subtitle), height=height)
    fig.update_yaxes(title_text="Pair", autorange="reversed", row=1, col=1)
    return fig


def network_layout(state_ids, key=None) -> dict[str, tuple[float, float]]:
    """Fixed circle layout: ids sorted (by ``key`` if given, e.g. region then id), first at the
    top, clockwise. Date-independent.
    """
    ids = sorted({str(s) for s in state_ids}, key=key)
    n = max(len(ids), 1)
    return {s: (math.cos(math.pi / 2 - 2 * math.pi * i / n),
                math.sin(math.pi / 2 - 2 * math.pi * i / n)) for i, s in enumerate(ids)}


def _nearest_date(dates: pd.Series, date) -> pd.Timestamp:
    """The available date closest to `date` (None -> last date)."""
    uniq = pd.Series(pd.to_datetime(dates).unique()).sort_values()
    if date is None:
        return uniq.iloc[-1]
    target = pd.Timestamp(date)
    return uniq.iloc[int((uniq - target).abs().argmin())]


def _text_position(x: float, y: float) -> str:
    if y > 0.4:
        return "top center"
    if y < -0.4:
        return "bottom center"
    return "middle right" if x > 0 else "middle left"


MAX_EDGES = 60  # ties drawn in a network: the strongest beyond this


def _strong_edges(aff: pd.Series, pos: dict, most: int = MAX_EDGES) -> tuple[pd.Series, str]:
    """The ties to draw: |mean affinity| >= MIN_EDGE_AFFINITY between drawn nodes, the ``most``
    strongest; and a note when some were left out.
    """
    a, b = aff.index.get_level_values(0), aff.index.get_level_values(1)
    aff = aff[(aff.abs() >= MIN_EDGE_AFFINITY) & a.isin(list(pos)) & b.isin(list(pos))]
    if len(aff) <= most:
        return aff, ""
    kept = aff.iloc[np.argsort(-aff.abs().to_numpy(), kind="stable")[:most]]
    return kept.sort_index(), f"the {most} strongest of {len(aff)} ties"


def _edge_traces(aff: pd.Series, pos: dict, label=pair_label) -> list[go.Scatter]:
    """Edges (those of ``_strong_edges``) as a few line traces — one per sign and width (1 px
    steps of 1 + 9·|affinity|), segments separated by gaps — plus one hover-point trace. A few
    traces draw hundreds of edges as fast as one.
    """
    groups: dict[tuple[str, int], list] = {}
    mid_x, mid_y, mid_t = [], [], []
    for (a, b), value in aff.items():
        groups.setdefault(("pos" if value > 0 else "neg", round(1 + 9 * abs(value))), []).append((a, b))
        (xa, ya), (xb, yb) = pos[a], pos[b]
        mid_x.append((xa + xb) / 2)
        mid_y.append((ya + yb) / 2)
        mid_t.append(f"{label(a, b)}: affinity {value:+.2f}")
    traces, shown = [], set()
    for (sign, width), edges in sorted(groups.items()):
        xs = [c for a, b in edges for c in (pos[a][0], pos[b][0], None)]
        ys = [c for a, b in edges for c in (pos[a][1], pos[b][1], None)]
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", hoverinfo="skip", line={"color": EDGE_COLORS[sign], "width": width},
            opacity=0.75, name="affinity > 0" if sign == "pos" else "affinity < 0",
            legendgroup=sign, showlegend=sign not in shown, meta={"edges": [label(a, b) for a, b in edges]}))
        shown.add(sign)
    if mid_x:
        traces.append(go.Scatter(x=mid_x, y=mid_y, mode="markers", hovertext=mid_t,
                                 hoverinfo="text", marker={"size": 14, "opacity": 0},
                                 showlegend=False, name="edge info"))
    return traces


def _node_table(states_at: pd.DataFrame) -> pd.DataFrame:
    """Per state: mean capability/alignment, share in A, majority coalition (ties -> A)."""
    df = states_at.assign(in_a=(states_at["coalition"] == "A").astype(float))
    nodes = df.groupby("state").agg(capability=("capability", "mean"),
                                    alignment=("alignment", "mean"), share_a=("in_a", "mean"))
    nodes["coalition"] = np.where(nodes["share_a"] >= 0.5, "A", "B")
    return nodes


def _network_axes(fig: go.Figure, title: str, height: int = 620) -> None:
    base_layout(fig, title, height=height,
                legend={"itemsizing": "constant", "orientation": "h", "x": 0.5, "xanchor": "center",
                        "y": -0.02, "yanchor": "top"})
    axis = {"range": [-1.55, 1.55], "showticklabels": False, "showgrid": False,
            "zeroline": False, "title_text": ""}
    fig.update_xaxes(**axis)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, **axis)


def alignment_network(pairs: pd.DataFrame, states: pd.DataFrame, meta: dict, date=None, shown=None,
                      highlight=(), subtitle: str = "") -> go.Figure:
    """Alignment network at the available date nearest to `date` (default: last date).

    Nodes: fixed circle positions (`network_layout`, by region then id when regions are known),
    size ∝ sqrt(capability), colour = majority coalition over replicates; the states of
    ``highlight`` ringed. Edges: mean affinity over replicates, green if positive / red if
    negative, width ∝ |affinity|, edges with |affinity| < 0.1 omitted. ``shown`` (ids) keeps
    only those states (``viz.focus``).
    """
    regions = meta.get("regions") or {}
    states = _among(states, shown)
    pos = network_layout(states["state"].unique(), key=lambda s: (regions.get(s, ""), s))
    when = _nearest_date(states["date"], date)
    nodes = _node_table(states[states["date"] == when])
    at = _among(pairs[pairs["date"] == when], shown, ("a", "b"))
    edges, left_out = _strong_edges(at.groupby(["a", "b"])["affinity"].mean(), pos)
    fig = go.Figure(_edge_traces(edges, pos))
    many = len(pos) > 12
    for code in ("A", "B"):
        sub = nodes[nodes["coalition"] == code]
        if sub.empty:
            continue
        xy = [pos[s] for s in sub.index]
        ring = [s in set(highlight) for s in sub.index]
        fig.add_trace(go.Scatter(
            x=[p[0] for p in xy], y=[p[1] for p in xy], mode="markers+text",
            name=coalition_label(code, meta), text=list(sub.index),
            textposition=[_text_position(*p) for p in xy], textfont={"size": 11 if many else 14},
            marker={"size": (10 if many else 16) + (40 if many else 60) * np.sqrt(sub["capability"].clip(lower=0)),
                    "color": COALITION_COLORS[code], "opacity": 1.0,
                    "line": {"width": [4 if r else 1.5 for r in ring],
                             "color": ["#111111" if r else "white" for r in ring]}},
            customdata=np.column_stack([sub["capability"], sub["alignment"], sub["share_a"]]),
            hovertext=[state_label(s, meta) for s in sub.index],
            hovertemplate=("%{hovertext}<br>capability: %{customdata[0]:.1%}"
                           "<br>alignment: %{customdata[1]:+.2f}"
                           "<br>share in A: %{customdata[2]:.0%}<extra></extra>"),
            meta={"nodes": list(sub.index)}))
    note = " · ".join(x for x in (subtitle, left_out) if x)
    _network_axes(fig, _titled(f"Alignment network on {when:%Y-%m-%d}", note), height=800 if many else 620)
    return fig


def region_network(pairs: pd.DataFrame, states: pd.DataFrame, meta: dict, date=None) -> go.Figure:
    """Coalitions by region at the date nearest to `date`: one node per (COW region, majority
    coalition) group of states, size ∝ sqrt(summed capability); edges: the mean affinity between
    the members of two groups. Every state counts, so it reads at ~190 states.
    """
    when = _nearest_date(states["date"], date)
    nodes = _node_table(states[states["date"] == when])
    regions = meta.get("regions") or {}
    nodes["group"] = [f"{regions.get(s, 'World')} · {c}" for s, c in zip(nodes.index, nodes["coalition"])]
    group_of = nodes["group"].to_dict()
    at = pairs[pairs["date"] == when].groupby(["a", "b"])["affinity"].mean().reset_index()
    at["ga"], at["gb"] = at["a"].map(group_of), at["b"].map(group_of)
    lo, hi = np.minimum(at["ga"], at["gb"]), np.maximum(at["ga"], at["gb"])
    between = at.assign(ga=lo, gb=hi)
    between = between[between["ga"] != between["gb"]].groupby(["ga", "gb"])["affinity"].mean()
    order = {name: i for i, (_, name) in enumerate(REGION_ORDER)}
    groups = nodes.groupby("group").agg(capability=("capability", "sum"), alignment=("alignment", "mean"),
                                        n=("coalition", "size"), coalition=("coalition", "first"))
    pos = network_layout(groups.index, key=lambda g: (order.get(g.split(" · ")[0], 99), g))
    edges, _ = _strong_edges(between, pos, most=len(between))
    fig = go.Figure(_edge_traces(edges, pos, label=lambda a, b: f"{a} — {b}"))
    for code in ("A", "B"):
        sub = groups[groups["coalition"] == code]
        if sub.empty:
            continue
        members = [", ".join(nodes[nodes["group"] == g].sort_values("capability", ascending=False).index[:8])
                   + (" …" if n > 8 else "") for g, n in zip(sub.index, sub["n"])]
        xy = [pos[g] for g in sub.index]
        fig.add_trace(go.Scatter(
            x=[p[0] for p in xy], y=[p[1] for p in xy], mode="markers+text", name=coalition_label(code, meta),
            text=[f"{g.split(' · ')[0]} ({n})" for g, n in zip(sub.index, sub["n"])],
            textposition=[_text_position(*p) for p in xy], textfont={"size": 13},
            marker={"size": 18 + 60 * np.sqrt(sub["capability"].clip(lower=0)), "color": COALITION_COLORS[code],
                    "line": {"width": 1.5, "color": "white"}},
            customdata=np.column_stack([sub["capability"], sub["alignment"], sub["n"]]),
            hovertext=[f"{g}<br>{m}" for g, m in zip(sub.index, members)],
            hovertemplate=("%{hovertext}<br>states: %{customdata[2]:.0f} · capability: %{customdata[0]:.1%}"
                           "<br>mean alignment: %{customdata[1]:+.2f}<extra></extra>"),
            meta={"nodes": list(sub.index)}))
    _network_axes(fig, _titled(f"Coalitions by region on {when:%Y-%m-%d}",
                               f"{len(nodes)} states in {len(groups)} groups (region × majority coalition)"))
    return fig


RESOURCE_ROWS = [
    ("front_strength", "Front strength", ".2f"),
    ("manpower", "Manpower (thousand)", ",.0f"),
    ("munitions", "Munitions (million shells)", ",.2f"),
    ("foreign_troops", "Foreign troops (thousand)", ",.1f"),
    ("support_received", "Support received", ",.2f"),
]


def resources(states: pd.DataFrame, events: pd.DataFrame | None, meta: dict) -> go.Figure:
    """Belligerents' (front_strength > 0 at any time) front, manpower, munitions, help."""
    fighters = sorted(states.loc[states["front_strength"] > 0, "state"].unique())
    titles = [t for _, t, _ in RESOURCE_ROWS]
    fig, strip = _with_event_strip(events, rows_main=len(RESOURCE_ROWS), titles=titles,
                                    strip_height=0.55)
    colors = state_colors(states["state"].unique())
    for r, (column, _, fmt) in enumerate(RESOURCE_ROWS, start=1):
        for s in fighters:
            summary = summarise(states[states["state"] == s], column)
            add_band_line(fig, summary, state_label(s, meta), colors[s], row=r, col=1,
                          legendgroup=s, showlegend=r == 1, hover_fmt=fmt)
        fig.update_yaxes(title_text=titles[r - 1].split(" (")[0], rangemode="tozero",
                         row=r, col=1)
    if not fighters:
        fig.add_annotation(text="No state was at war in this run", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16})
    _finish_events(fig, events, strip)
    base_layout(fig, "Belligerents' resources and outside support",
                height=210 * len(RESOURCE_ROWS) + (130 if strip else 0) + 80)
    return fig


MOVES = 0.01  # a series is drawn when its median rises above this or moves this far from its start
MAX_LINES = 10  # series per panel of the recalibration figure: those that move most


def _moving(frame: pd.DataFrame, keys: list[str], column: str, most: int = MAX_LINES) -> list[tuple]:
    """Subjects (a state, or a pair) whose median ``column`` is ever above MOVES or moves more than
    MOVES; the ``most`` that move most, sorted.
    """
    if column not in frame:
        return []
    med = frame.groupby(keys + ["date"])[column].median().unstack("date")
    size = pd.concat([med.abs().max(axis=1), med.sub(med.iloc[:, 0], axis=0).abs().max(axis=1)], axis=1).max(axis=1)
    size = size[size > MOVES].rename("size").reset_index()
    size = size.sort_values(["size", *keys], ascending=[False] + [True] * len(keys))
    return sorted(tuple(row) for row in size[keys].head(most).itertuples(index=False))


def recalibration(states: pd.DataFrame, pairs: pd.DataFrame, events: pd.DataFrame | None, meta: dict,
                  shown=None, subtitle: str = "") -> go.Figure:
    """How third parties respond: each state's alarm at growing threats, the deepening of treaty
    alliances, and the combat experience of forces that fight (docs/ODD.md 7.13–7.15). Of the
    states (pairs) among ``shown`` (None: all), the :data:`MAX_LINES` that move most per panel.
    """
    states, pairs = _among(states, shown), _among(pairs, shown, ("a", "b"))
    rows = [("Alarm at growing threats", "Alarm", "states", ["state"], "alarm"),
            ("Alliance depth (deepening since the start)", "Alliance depth", "pairs", ["a", "b"], "alliance_depth"),
            ("Combat experience of the force", "Combat experience", "states", ["state"], "experience")]
    fig, strip = _with_event_strip(events, rows_main=len(rows), titles=[r[0] for r in rows], strip_height=0.45)
    colors = state_colors(states["state"].unique())
    tables = {"states": states, "pairs": pairs}
    shown = 0
    for r, (_, axis, table, keys, column) in enumerate(rows, start=1):
        frame = tables[table]
        for k, subject in enumerate(_moving(frame, keys, column)):
            sub = frame[(frame[keys] == pd.Series(subject, index=keys)).all(axis=1)]
            name = state_label(subject[0], meta) if len(keys) == 1 else pair_label(*subject)
            color = colors[subject[0]] if len(keys) == 1 else PALETTE[k % len(PALETTE)]
            add_band_line(fig, summarise(sub, column), name, color, row=r, col=1,
                          legendgroup=f"{column}:{name}", hover_fmt=".2f")
            shown += 1
        fig.update_yaxes(title_text=axis, rangemode="tozero", row=r, col=1)
    if not shown:
        fig.add_annotation(text="No state was alarmed, no alliance deepened, no force gained experience",
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 15})
    _finish_events(fig, events, strip)
    base_layout(fig, _titled("Recalibration: alarm, alliance depth and combat experience", subtitle),
                height=230 * len(rows) + (120 if strip else 0) + 170,
                legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.06, "yanchor": "top"})
    fig.update_layout(margin={"b": 130})  # the legend sits below the plot: many states and pairs
    return fig


def _parse_pair(p) -> tuple[str, str]:
    """('RUS','PRK') / 'PRK-RUS' / 'PRK–RUS' -> ('PRK', 'RUS')."""
    if isinstance(p, str):
        p = p.replace("–", "-").split("-")
    a, b = sorted(str(x).strip() for x in p)
    return a, b


def default_affinity_pairs(pairs: pd.DataFrame, n: int = 8) -> list[tuple[str, str]]:
    """The `n` pairs with the largest |median affinity(last step) − median affinity(first)|."""
    med = pairs.groupby(["a", "b", "step"])["affinity"].median().unstack("step")
    change = (med.iloc[:, -1] - med.iloc[:, 0]).abs()
    change = change.reset_index(name="d").sort_values(["d", "a", "b"],
                                                      ascending=[False, True, True])
    return [(a, b) for a, b in zip(change["a"].head(n), change["b"].head(n))]


def affinity_lines(pairs: pd.DataFrame, meta: dict, pairs_to_show=None) -> go.Figure:
    """Affinity over time for the chosen pairs (default: `default_affinity_pairs`)."""
    chosen = ([_parse_pair(p) for p in pairs_to_show] if pairs_to_show is not None
              else default_affinity_pairs(pairs))
    fig = go.Figure()
    for i, (a, b) in enumerate(chosen):
        sub = pairs[(pairs["a"] == a) & (pairs["b"] == b)]
        if sub.empty:
            continue
        add_band_line(fig, summarise(sub, "affinity"), pair_label(a, b),
                      PALETTE[i % len(PALETTE)], hover_fmt="+.2f")
    fig.add_hline(y=0, line={"color": "#888", "width": 1})
    base_layout(fig, "Bilateral affinity (pairs with the largest change)"
                if pairs_to_show is None else "Bilateral affinity", height=480)
    fig.update_xaxes(title_text="Date", type="date")
    fig.update_yaxes(title_text="Affinity (−1 hostile … +1 aligned)", range=[-1.05, 1.05])
    return fig
