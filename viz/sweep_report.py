"""Offline HTML report of a sweep's sensitivity analysis: index bar charts, factor scatters and,
for grid designs, dose–response curves.

Pure figure builders (tables → ``go.Figure``) and one writer; Plotly inlined once, no network.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz._common import PALETTE, base_layout, rgba
from viz.report import CSS, _esc, _table, figure_div

LABELS = {"S1": "first order S1", "ST": "total ST", "mu_star": "μ*", "sigma": "σ"}


def sensitivity_bars(indices: pd.DataFrame, output: str) -> go.Figure:
    """Grouped bars of the indices of one output, with confidence intervals."""
    rows = indices[indices["output"] == output]
    fig = go.Figure()
    for k, (index, sub) in enumerate(rows.groupby("index", sort=False)):
        fig.add_trace(go.Bar(x=sub["factor"], y=sub["value"], name=LABELS.get(index, index),
                             marker_color=PALETTE[k % len(PALETTE)],
                             error_y={"type": "data", "array": sub["conf"].fillna(0).to_numpy(), "visible": True}))
    base_layout(fig, f"Sensitivity of {output}", height=420, barmode="group")
    fig.update_yaxes(title_text="index")
    fig.update_xaxes(title_text="factor")
    return fig


def _numeric(values: pd.Series) -> pd.Series:
    """A factor's values for an axis: numbers, dates, or the levels of a categorical factor as text."""
    if values.dtype == bool:
        return values.astype(str)
    if values.dtype == object:
        try:
            return pd.to_datetime(values, format="ISO8601")
        except (TypeError, ValueError):
            return values.astype(str)  # an event on/off, a variant
    return values


MAX_POINTS = 500  # per panel: a research-sized sweep has thousands of samples; SVG stays responsive


def factor_scatter(means: pd.DataFrame, factors: list[str], output: str, per_row: int = 5) -> go.Figure:
    """The output (mean over replicates) against each factor, with a binned mean (partial dependence)
    computed on every sample; at most MAX_POINTS evenly chosen samples are drawn as points, and at
    most ``per_row`` factors a row, so every panel keeps a readable width and title.
    """
    shown = np.unique(np.linspace(0, len(means) - 1, MAX_POINTS).round().astype(int)) if len(means) > MAX_POINTS \
        else np.arange(len(means))
    cols = min(len(factors), per_row)
    rows = -(-len(factors) // cols)
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, subplot_titles=factors,
                        horizontal_spacing=0.04, vertical_spacing=0.28 / rows if rows > 1 else 0.1)
    for k, factor in enumerate(factors):
        row, col = divmod(k, cols)
        x, y = _numeric(means[factor]), means[output]
        fig.add_trace(go.Scatter(x=x.iloc[shown], y=y.iloc[shown], mode="markers",
                                 marker={"size": 5, "color": PALETTE[0], "opacity": 0.5},
                                 showlegend=False, name=factor), row=row + 1, col=col + 1)
        bins = (x if x.dtype == object  # a categorical factor: the mean at each level
                else pd.qcut(x.rank(method="first"), q=min(10, max(len(x) // 5, 1)), labels=False) if len(x) > 4
                else None)
        if bins is not None:
            binned = pd.DataFrame({"x": x, "y": y, "b": bins}).groupby("b").agg(
                x=("x", "first" if x.dtype == object else "median"), y=("y", "mean"))
            fig.add_trace(go.Scatter(x=binned["x"], y=binned["y"], mode="lines", line={"color": PALETTE[1], "width": 3},
                                     showlegend=k == 0, name="binned mean"), row=row + 1, col=col + 1)
    drawn = "" if len(shown) == len(means) else f" ({len(shown):,} of {len(means):,} samples drawn; binned mean of all)"
    base_layout(fig, f"{output} against each factor{drawn}", height=120 + 280 * rows)
    for row in range(1, rows + 1):
        fig.update_yaxes(title_text=output, row=row, col=1)
    return fig


def response_curves(curves: pd.DataFrame, factor: str, per_row: int = 3) -> go.Figure:
    """Dose–response of a grid: each output against the factor's levels, median and 5–95 % band
    over the runs at each level (one panel per output, its own y axis).
    """
    rows_of = curves[curves["factor"] == factor]
    outputs = list(dict.fromkeys(rows_of["output"]))
    cols = min(len(outputs), per_row)
    nrows = -(-len(outputs) // cols)
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=outputs, horizontal_spacing=0.08,
                        vertical_spacing=0.3 / nrows if nrows > 1 else 0.1)
    for k, out in enumerate(outputs):
        row, col = divmod(k, cols)
        data = rows_of[rows_of["output"] == out]
        x = _numeric(data["level"])
        pos = {"row": row + 1, "col": col + 1}
        fig.add_trace(go.Scatter(x=x, y=data["p95"], mode="lines", line={"width": 0}, hoverinfo="skip",
                                 showlegend=False, legendgroup="band"), **pos)
        fig.add_trace(go.Scatter(x=x, y=data["p05"], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=rgba(PALETTE[0], 0.2), hoverinfo="skip", showlegend=k == 0,
                                 legendgroup="band", name="5–95 % of runs"), **pos)
        fig.add_trace(go.Scatter(x=x, y=data["median"], mode="lines+markers", line={"color": PALETTE[0], "width": 3},
                                 showlegend=k == 0, legendgroup="median", name="median",
                                 customdata=data["runs"],
                                 hovertemplate=f"{factor} = %{{x}}<br>{out}: %{{y:.3f}} "
                                               "(median of %{customdata} runs)"
                                               "<extra></extra>"), **pos)
        fig.update_xaxes(title_text=factor if row == nrows - 1 else None, **pos)
    base_layout(fig, f"Response to {factor}: median and 5–95 % band over replicates", height=120 + 300 * nrows)
    return fig


def _index_table(wide: pd.DataFrame, output: str) -> str:
    """The indices of one output: a row per factor, ``value ± conf`` per index."""
    rows = wide[wide["output"] == output]
    names = [c for c in rows.columns if c not in ("output", "factor") and not c.endswith("_conf")]
    cells = [[r["factor"], *(f"{r[n]:.3f}" + ("" if np.isnan(r[f"{n}_conf"]) else f" ± {r[f'{n}_conf']:.3f}")
                             for n in names)] for _, r in rows.iterrows()]
    return _table(["factor", *(LABELS.get(n, n) for n in names)], cells, set(range(1, len(names) + 1)))


def build_sweep_report(analysis, path: Path, manifest: dict) -> Path:
    """Write the report of an :class:`simulation.sweep.analyze.Analysis` (duck-typed) to ``path``."""
    from simulation.sweep.analyze import wide

    spec, table = analysis.spec, wide(analysis.indices)
    outputs = list(dict.fromkeys(analysis.indices["output"])) or [c for c in analysis.means.columns
                                                                   if c not in spec.factors and c != "sample_id"]
    body = [f"<h1>Sweep {_esc(spec.name)}: sensitivity analysis</h1>",
            f"<p class='sub'>design {_esc(spec.design)}, {_esc(len(spec.factors))} "
            f"factor{'s' * (len(spec.factors) != 1)}, "
            f"{_esc(spec.replicates)} replicate(s) per sample — {_esc(analysis.note)}</p>"]
    count = 0
    curves = getattr(analysis, "response", None)
    if curves is not None and len(curves):
        body.append("<h2>Dose–response</h2><p class='sub'>Each output against the levels of each factor "
                    "(other factors pooled): the median and the 5–95 % band of the runs at each level.</p>")
        for factor in dict.fromkeys(curves["factor"]):
            body.append(figure_div(response_curves(curves, factor), count))
            count += 1
    for out in outputs:
        body.append(f"<h2>{_esc(out)}</h2>")
        figs = [sensitivity_bars(analysis.indices, out)] if len(analysis.indices) else []
        figs.append(factor_scatter(analysis.means, list(spec.factors), out))
        for fig in figs:
            body.append(figure_div(fig, count))
            count += 1
        if len(table):
            body.append(_index_table(table, out))
    body.append("<details><summary>Sweep manifest</summary><pre>"
                f"{_esc(json.dumps(manifest, indent=2, default=str))}</pre></details>")
    html = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Sweep {_esc(spec.name)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    Path(path).write_text(html, encoding="utf-8")
    return Path(path)
