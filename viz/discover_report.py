"""Offline HTML report of a scenario discovery (``alliance-sim discover``): the peeling trajectory,
the box chosen, and the runs in the factors it restricts (a pairs plot, as scenario discovery
shows them; Bryant & Lempert 2010).

Pure figure builders (a :class:`simulation.sweep.discover.Discovery` → ``go.Figure``) and one
writer; Plotly inlined once, no network.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz._common import PALETTE, base_layout
from viz.report import CSS, _esc, _table, figure_div

HOLDS, NOT = PALETTE[2], "#b0b0b0"
MAX_PAIRS = 4  # factors shown in the pairs plot: the restricted ones first


def trajectory_figure(d) -> go.Figure:
    """Coverage against density along the peeling trajectory; the chosen box marked."""
    t = d.trajectory
    fig = go.Figure(go.Scatter(
        x=t["coverage"], y=t["density"], mode="lines+markers", name="boxes",
        marker={"color": t["res_dim"], "colorscale": "Viridis", "size": 8,
                "colorbar": {"title": "factors<br>restricted"}},
        customdata=np.stack([t["id"], t["mass"], t["res_dim"]], axis=1),
        hovertemplate="box %{customdata[0]}: coverage %{x:.2f}, density %{y:.2f}, mass %{customdata[1]:.2f}, "
                      "%{customdata[2]} restricted<extra></extra>"))
    row = t[t["id"] == d.chosen].iloc[0]
    fig.add_trace(go.Scatter(x=[row["coverage"]], y=[row["density"]], mode="markers", name=f"box {d.chosen} (chosen)",
                             marker={"symbol": "circle-open", "size": 18, "color": "#d62728", "line": {"width": 3}}))
    fig.update_xaxes(title_text="coverage (share of the runs where it holds that are in the box)", range=[0, 1.05])
    fig.update_yaxes(title_text="density (share of the box's runs where it holds)", range=[0, 1.05])
    base_layout(fig, "Peeling trajectory", height=460)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0})
    return fig


def _shown_factors(d) -> list[str]:
    box = d.box()
    numeric = [f for f in box["factor"] if pd.api.types.is_numeric_dtype(d.cases[f])]
    return numeric[:MAX_PAIRS]


def pairs_figure(d) -> go.Figure:
    """The runs in the (numeric) factors, restricted ones first: where the condition holds, where it
    does not, and the chosen box. One factor: the share of runs where it holds at each value.
    """
    factors, box = _shown_factors(d), d.box().set_index("factor")
    cases = d.cases
    if len(factors) == 1:
        f = factors[0]
        share = cases.groupby(f)["holds"].agg(["mean", "size"]).reset_index()
        fig = go.Figure(go.Bar(x=share[f], y=share["mean"], marker_color=HOLDS, name="share of runs where it holds",
                               customdata=share["size"], hovertemplate=f"{f} %{{x}}: %{{y:.0%}} of %{{customdata}} runs"
                                                                       "<extra></extra>"))
        fig.add_vrect(x0=box.loc[f, "low"], x1=box.loc[f, "high"], fillcolor="#d62728", opacity=0.08, line_width=0,
                      annotation_text=f"box {d.chosen}", annotation_position="top left")
        fig.update_xaxes(title_text=f)
        fig.update_yaxes(title_text="share of runs where it holds", range=[0, 1.05], tickformat=".0%")
        base_layout(fig, f"Where it holds, by {f}", height=420)
        return fig
    n = len(factors)
    fig = make_subplots(rows=n, cols=n, horizontal_spacing=0.04, vertical_spacing=0.04)
    rng = np.random.default_rng(0)
    shown = cases if len(cases) <= 3000 else cases.iloc[np.sort(rng.choice(len(cases), 3000, replace=False))]
    for i, fy in enumerate(factors):
        for j, fx in enumerate(factors):
            pos = {"row": i + 1, "col": j + 1}
            if i == n - 1:
                fig.update_xaxes(title_text=fx, **pos)
            if j == 0:
                fig.update_yaxes(title_text=fy, **pos)
            if i == j:
                fig.add_trace(go.Histogram(x=shown.loc[shown["holds"], fx], marker_color=HOLDS, opacity=0.7,
                                           showlegend=False, nbinsx=20), **pos)
                fig.add_trace(go.Histogram(x=shown.loc[~shown["holds"], fx], marker_color=NOT, opacity=0.7,
                                           showlegend=False, nbinsx=20), **pos)
                continue
            for mask, color, name in ((~shown["holds"], NOT, "does not hold"), (shown["holds"], HOLDS, "holds")):
                fig.add_trace(go.Scattergl(x=shown.loc[mask, fx], y=shown.loc[mask, fy], mode="markers", name=name,
                                           marker={"color": color, "size": 4}, showlegend=(i, j) == (1, 0)), **pos)
            fig.add_shape(type="rect", x0=box.loc[fx, "low"], x1=box.loc[fx, "high"], y0=box.loc[fy, "low"],
                          y1=box.loc[fy, "high"], line={"color": "#d62728", "width": 2}, **pos)
    fig.update_layout(barmode="overlay")
    base_layout(fig, f"The runs in the factors of box {d.chosen} (red: its limits)", height=220 * n + 120)
    return fig


def _number(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _box_table(d) -> str:
    box = d.box()
    full = d.box(0).set_index("factor")
    rows = [[r["factor"], "yes" if r["restricted"] else "",
             *map(_number, (r["low"], r["high"], full.loc[r["factor"], "low"], full.loc[r["factor"], "high"]))]
            for _, r in box.iterrows()]
    return _table(["factor", "restricted", "box low", "box high", "range low", "range high"], rows, {2, 3, 4, 5})


def build_discover_report(d, path: Path, manifest: dict) -> Path:
    """Write the report of a discovery to ``path``."""
    t = d.trajectory
    body = [f"<h1>Scenario discovery: {_esc(d.where)}</h1>",
            f"<p class='sub'>sweep {_esc(d.spec.name)} (design {_esc(d.spec.design)}, "
            f"{_esc(len(d.spec.factors))} factor(s)); PRIM (Friedman &amp; Fisher 1999), EMA Workbench's — "
            f"{_esc(d.note)}</p>",
            f"<h2>Box {d.chosen}: where it holds</h2>", _box_table(d),
            figure_div(trajectory_figure(d), 0), figure_div(pairs_figure(d), 1),
            "<h2>Peeling trajectory</h2>",
            _table(list(t.columns), [[int(r["id"]), *(f"{r[c]:.3f}" for c in ("coverage", "density", "mass")),
                                      int(r["res_dim"]), int(r["n"]), int(r["k"])] for _, r in t.iterrows()],
                   set(range(1, len(t.columns)))),
            "<details><summary>Sweep manifest</summary><pre>"
            f"{_esc(json.dumps(manifest, indent=2, default=str))}</pre></details>"]
    html = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Discovery: {_esc(d.where)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    Path(path).write_text(html, encoding="utf-8")
    return Path(path)
