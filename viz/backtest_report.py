"""Offline HTML report of a backtest: skill by horizon, predicted against observed change, and
the dyads the model gets most wrong. Pure figure builders (tables → ``go.Figure``) and one
writer; plotly.js inlined once, no network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz._common import PALETTE, base_layout
from viz.report import CSS, _esc, _table, figure_div, manifest_html

SCORES = {"model_vs_persistence": "model vs persistence", "model_vs_ar1": "model vs AR(1)",
          "change_only_vs_persistence": "model's change vs persistence",
          "change_only_vs_ar1": "model's change vs AR(1)"}
SCATTER_MAX = 4000  # dyads drawn per horizon in the scatter (an even sample)


def skill_bars(skill: pd.DataFrame) -> go.Figure:
    """MSE skill scores by horizon with 95 % bootstrap intervals; one panel per set of dyads."""
    subsets = list(dict.fromkeys(skill["dyads"]))
    fig = make_subplots(rows=1, cols=len(subsets), subplot_titles=subsets, shared_yaxes=True)
    for c, subset in enumerate(subsets, start=1):
        rows = skill[skill["dyads"] == subset]
        for k, (key, label) in enumerate(SCORES.items()):
            fig.add_trace(go.Bar(
                x=[f"h = {h}" for h in rows["horizon"]], y=rows[key], name=label, legendgroup=key,
                showlegend=c == 1, marker_color=PALETTE[k],
                error_y={"type": "data", "symmetric": False, "array": (rows[f"{key}_hi"] - rows[key]).to_numpy(),
                         "arrayminus": (rows[key] - rows[f"{key}_lo"]).to_numpy()}), row=1, col=c)
    fig.add_hline(y=0, line={"color": "#444", "width": 1})
    base_layout(fig, "MSE skill score by horizon (1 = perfect, 0 = no better than the reference)", height=480,
                barmode="group", legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(title_text="skill score", row=1, col=1)
    return fig


def change_scatter(dyads: pd.DataFrame) -> go.Figure:
    """Predicted against observed change of affinity since the origin, per horizon (a sample)."""
    horizons = sorted(dyads["horizon"].unique())
    fig = make_subplots(rows=1, cols=len(horizons), subplot_titles=[f"h = {h} years" for h in horizons])
    for c, h in enumerate(horizons, start=1):
        part = dyads[dyads["horizon"] == h]
        if len(part) > SCATTER_MAX:
            part = part.iloc[np.linspace(0, len(part) - 1, SCATTER_MAX).astype(int)]
        fig.add_trace(go.Scattergl(
            x=part["observed"] - part["observed_start"], y=part["predicted"] - part["start"], mode="markers",
            marker={"size": 4, "opacity": 0.35, "color": PALETTE[0]}, showlegend=False,
            text=[f"{a}–{b}, {o}" for a, b, o in zip(part["a"], part["b"], part["origin"])],
            hovertemplate="%{text}<br>observed %{x:+.2f}<br>predicted %{y:+.2f}<extra></extra>"), row=1, col=c)
        fig.update_xaxes(title_text="observed change", row=1, col=c)
    fig.update_yaxes(title_text="predicted change", row=1, col=1)
    base_layout(fig, "Change of affinity since the origin: predicted against observed", height=460)
    return fig


def most_wrong(dyads: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The dyads with the largest mean |predicted − observed| at the longest horizon."""
    last = dyads[dyads["horizon"] == dyads["horizon"].max()]
    err = last.assign(error=(last["predicted"] - last["observed"]).abs(),
                      bias=last["predicted"] - last["observed"])
    worst = err.groupby(["a", "b"]).agg(error=("error", "mean"), bias=("bias", "mean"), origins=("origin", "size"),
                                       observed=("observed", "mean"), predicted=("predicted", "mean"))
    return worst.sort_values("error", ascending=False).head(n).reset_index()


def _skill_html(skill: pd.DataFrame) -> str:
    def cell(r, key):
        return f"{r[key]:+.3f} [{r[f'{key}_lo']:+.3f}, {r[f'{key}_hi']:+.3f}]"

    rows = [[r["horizon"], r["dyads"], f"{r['n']:,}", r["origins"], *(cell(r, k) for k in SCORES),
             f"{r['change_correlation']:+.3f}", f"{r['direction_auc']:.3f} ({r['direction_n']:,})"]
            for _, r in skill.iterrows()]
    return _table(["h", "dyads", "n", "origins", *SCORES.values(), "r(change)", "direction AUC (n)"], rows,
                  set(range(2, 11)))


def build_backtest_report(dyads: pd.DataFrame, skill: pd.DataFrame, manifest: dict, path: Path) -> Path:
    """Write the report to ``path``."""
    design = manifest.get("design", {})
    worst = most_wrong(dyads)
    body = ["<h1>Backtest: the model from the real world of each origin, no scripted events</h1>",
            f"<p class='sub'>origins {_esc(min(design.get('origins', [0])))}–{_esc(max(design.get('origins', [0])))}, "
            f"horizons {_esc(design.get('horizons'))} years, {_esc(manifest['seeds']['replicates'])} replicates, "
            f"seed {_esc(manifest['seeds']['seed'])}. Observed: {_esc(design.get('observed'))}. "
            "Persistence forecasts the affinity at the origin; AR(1) a mean reversion fitted on what was "
            "observed by the origin; <i>the model's change</i> adds the model's predicted change to the "
            "observed affinity at the origin (the model without its level offset). Intervals: 95 % bootstrap "
            "over origins.</p>",
            "<h2>Skill</h2>", _skill_html(skill), figure_div(skill_bars(skill), 0),
            "<h2>Predicted against observed change</h2>", figure_div(change_scatter(dyads), 1),
            "<h2>The dyads the model gets most wrong</h2>",
            _table(["a", "b", "mean |error|", "mean bias", "origins", "observed", "predicted"],
                   [[r["a"], r["b"], f"{r['error']:.3f}", f"{r['bias']:+.3f}", r["origins"], f"{r['observed']:+.3f}",
                     f"{r['predicted']:+.3f}"] for _, r in worst.iterrows()], {2, 3, 4, 5, 6}),
            "<h2>Manifest</h2>", manifest_html({"manifest": manifest})]
    html = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>alliance-sim backtest</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    Path(path).write_text(html, encoding="utf-8")
    return Path(path)
