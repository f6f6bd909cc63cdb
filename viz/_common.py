"""Shared helpers for the figure builders: colours, labels, replicate bands, event markers.

Pure functions only; nothing here performs I/O or keeps state.
"""

from __future__ import annotations

import functools
import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

COALITION_COLORS = {"A": "#0072B2", "B": "#D55E00"}
EDGE_COLORS = {"pos": "#2CA02C", "neg": "#D62728"}
# plotly.js fetches its own topojson (cdn.plot.ly) for every geo subplot with a located trace, even
# one drawn from GeoJSON with its base layers hidden, unless window.PlotlyGeoAssets already holds it:
# an empty topology there (the base layers are hidden, so nothing reads it) keeps the map offline.
# Pages that draw maps (viz/world_map.py) run this before plotting: viz/report.py, viz/plotly_view.py.
GEO_ASSETS_JS = """(() => { const assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
  assets.topojson = assets.topojson || {};
  for (const name of ["world_110m", "world_50m"])
    assets.topojson[name] = assets.topojson[name] || {type: "Topology", objects: {}, arcs: []}; })();"""
PALETTE = [
    "#1F77B4", "#D62728", "#2CA02C", "#9467BD", "#FF7F0E", "#8C564B",
    "#E377C2", "#17BECF", "#7F7F7F", "#BCBD22", "#393B79", "#AD494A",
]
EVENT_COLORS = {
    "troop_deployment": "#D62728", "military_operation": "#8C1C13",
    "arms_transfer": "#FF7F0E", "technology_transfer": "#BCBD22",
    "summit": "#1F77B4", "treaty": "#393B79", "sanctions": "#9467BD",
    "aid": "#2CA02C", "aid_suspension": "#8C564B", "leadership_change": "#E377C2",
    "ceasefire": "#17BECF", "relation_shock": "#7F7F7F",
}
BAND_Q = (0.05, 0.5, 0.95)
TEMPLATE = "plotly_white"


@functools.cache
def light_template() -> go.layout.Template:
    """plotly_white's layout part only: the same look, a quarter of the cost per figure (its
    per-trace-type defaults, mostly colour-bar outlines, are validated again for every figure).
    """
    return go.layout.Template(layout=pio.templates[TEMPLATE].layout)


def state_label(state_id: str, meta: dict) -> str:
    """'Russia (RUS)' if the full name is known, else the id."""
    name = (meta.get("states") or {}).get(state_id)
    return f"{name} ({state_id})" if name else str(state_id)


def coalition_label(code: str, meta: dict) -> str:
    """'A: <name>' using meta['coalition_names'] when available."""
    name = (meta.get("coalition_names") or {}).get(code)
    return f"{code}: {name}" if name else f"Coalition {code}"


def pair_label(a: str, b: str) -> str:
    """Canonical pair label with ids in alphabetical order."""
    a, b = sorted((str(a), str(b)))
    return f"{a}–{b}"


def region_label(column: str) -> str:
    """'tension_korean_peninsula' -> 'Korean peninsula'."""
    return column.removeprefix("tension_").replace("_", " ").capitalize()


def state_colors(state_ids) -> dict[str, str]:
    """Deterministic colour per state id (sorted order)."""
    ids = sorted({str(s) for s in state_ids})
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(ids)}


def rgba(hex_color: str, alpha: float) -> str:
    """'#RRGGBB' -> 'rgba(r,g,b,alpha)'."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def summarise(df: pd.DataFrame, value: str, keys=("date",)) -> pd.DataFrame:
    """Median and 5–95 % quantiles of `value` over replicates, per `keys`.

    Returns columns keys + ['lo', 'med', 'hi', 'n'] sorted by keys.
    """
    keys = list(keys)
    grouped = df.groupby(keys, sort=True)[value]
    q = grouped.quantile(list(BAND_Q)).unstack()
    q.columns = ["lo", "med", "hi"]
    q["n"] = grouped.size()
    return q.reset_index()


def add_band_line(fig, summary: pd.DataFrame, name: str, color: str, *,
                  row=None, col=None, width: float = 2.0, dash=None,
                  legendgroup=None, showlegend=True, hover_fmt=".2f") -> None:
    """Median line, plus a shaded 5–95 % band when there is more than one replicate."""
    pos = {} if row is None else {"row": row, "col": col}
    group = legendgroup or name
    if int(summary["n"].max()) > 1:
        fig.add_trace(go.Scatter(
            x=summary["date"], y=summary["hi"], mode="lines", line={"width": 0},
            hoverinfo="skip", showlegend=False, legendgroup=group, name=f"{name} 95%"), **pos)
        fig.add_trace(go.Scatter(
            x=summary["date"], y=summary["lo"], mode="lines", line={"width": 0},
            fill="tonexty", fillcolor=rgba(color, 0.18), hoverinfo="skip",
            showlegend=False, legendgroup=group, name=f"{name} 5%"), **pos)
    fig.add_trace(go.Scatter(
        x=summary["date"], y=summary["med"], mode="lines", name=name,
        line={"color": color, "width": width, "dash": dash},
        legendgroup=group, showlegend=showlegend,
        hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: %{{y:{hover_fmt}}}<extra></extra>"), **pos)


def has_events(events) -> bool:
    """True when an events table with at least one dated row is given."""
    return events is not None and len(events) > 0 and "date" in events


def _ns(dates) -> np.ndarray:
    """Dates as float nanoseconds (whatever the input's datetime resolution)."""
    return pd.to_datetime(pd.Series(list(dates))).astype("datetime64[ns]").astype(
        "int64").to_numpy(dtype=float)


def label_extents(dates: pd.Series, width: float = 0.14, cut: float = 0.7, span=None):
    """Per date: (start, end, side) of its label in units of the time span.

    Labels extend to the right of the marker, except in the last 30 % of the span where
    they extend to the left (so they are not clipped at the right edge). `span` is the
    (first, last) date of the time axis; by default the dates' own range.
    """
    t = _ns(dates)
    if span is not None:
        t0, t1 = _ns(span)[[0, -1]]
    else:
        t0, t1 = (t.min(), t.max()) if len(t) else (0.0, 0.0)
    u = (t - t0) / max(float(t1 - t0), 1.0)
    return [(x - width, x, "left") if x > cut else (x, x + width, "right") for x in u]


def stagger_levels(dates: pd.Series, n_levels: int = 4, width: float = 0.14,
                   span=None) -> list[int]:
    """Label row per (sorted) date so that label extents on a row do not overlap.

    Greedy: first row whose last label ends before this one starts (plus a small gap);
    when all rows are busy, the row whose last label ends earliest. `span` as in
    `label_extents`.
    """
    ends = [-np.inf] * n_levels
    levels = []
    for start, end, _ in label_extents(dates, width, span=span):
        free = [k for k in range(n_levels) if ends[k] + 0.01 <= start]
        k = free[0] if free else int(np.argmin(ends))
        ends[k] = max(ends[k], end)
        levels.append(k)
    return levels


def _event_hover(ev: pd.Series) -> str:
    """Hover text for one event; user text is HTML-escaped (Plotly decodes entities)."""
    source = html.escape(textwrap.shorten(str(ev.get("source", "")), 110, placeholder="…"))
    label = "<br>".join(html.escape(x) for x in textwrap.wrap(str(ev.get("label", "")), 60))
    return (f"<b>{label}</b><br>{pd.Timestamp(ev['date']):%Y-%m-%d} · {ev.get('type', '')}"
            f"<br>States: {html.escape(str(ev.get('states', '')))}<br>Source: {source}")


def event_strip_trace(ev: pd.DataFrame, y, color, *, name: str = "Scenario events",
                      symbol: str = "diamond", span=None, hover_prefix="",
                      **trace_kw) -> go.Scatter:
    """Event markers at (date, y) with short labels beside them and full text on hover.

    `ev` is sorted by date; `color` is one colour or one per event; `hover_prefix` is
    a string or one (already escaped) string per event put before the hover text;
    `span` as in `label_extents`.
    """
    sides = [side for _, _, side in label_extents(ev["date"], span=span)]
    prefixes = [hover_prefix] * len(ev) if isinstance(hover_prefix, str) else hover_prefix
    return go.Scatter(
        x=ev["date"], y=list(y), mode="markers+text", name=name,
        text=[html.escape(textwrap.shorten(str(s), 24, placeholder="…")) for s in ev["label"]],
        textposition=[f"middle {side}" for side in sides],
        textfont={"size": 10},
        marker={"size": 10, "symbol": symbol, "line": {"width": 1, "color": "#333"},
                "color": color},
        hovertext=[p + _event_hover(r) for p, (_, r) in zip(prefixes, ev.iterrows())],
        hoverinfo="text", cliponaxis=False, showlegend=False, **trace_kw)


def add_event_strip(fig, events: pd.DataFrame, row: int, col: int = 1) -> None:
    """Markers with short staggered labels in a dedicated subplot row; full text on hover."""
    ev = events.sort_values("date").reset_index(drop=True)
    levels = stagger_levels(ev["date"])
    fig.add_trace(event_strip_trace(ev, levels, [EVENT_COLORS.get(x, "#555") for x in ev["type"]]),
                  row=row, col=col)
    fig.update_yaxes(range=[-0.7, max(levels) + 0.7], showticklabels=False, showgrid=False,
                     zeroline=False, title_text="Events", fixedrange=True, row=row, col=col)


def add_event_lines(fig, events: pd.DataFrame, color: str = "rgba(80,80,80,0.45)") -> None:
    """Thin dotted vertical lines at each event date across the whole plot area.

    Dates are given as 'YYYY-MM-DD' strings: a Timestamp reaches plotly.js in a widget (the
    dashboard) as an ISO string with a 'Z', which plotly.js cannot place (NaN path).
    """
    days = pd.to_datetime(events["date"]).drop_duplicates().dt.strftime("%Y-%m-%d")
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1,
               "line": {"color": color, "width": 1, "dash": "dot"}, "layer": "below"} for day in days]
    fig.update_layout(shapes=list(fig.layout.shapes) + shapes)  # one update: add_shape per line is quadratic


def base_layout(fig, title: str, height: int, **kw) -> None:
    """Common title/template/height/margins."""
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"},
                      template=light_template(), height=height, hovermode="closest",
                      margin={"l": 70, "r": 30, "t": 70, "b": 60},
                      font={"size": 13}, **kw)
