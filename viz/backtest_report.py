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

from simulation.backtest import ensemble, runner
from viz._common import PALETTE, base_layout
from viz.report import CSS, _esc, _table, figure_div, manifest_html

SCORES = {"model_vs_persistence": "model vs persistence", "model_vs_ar1": "model vs AR(1)",
          "change_only_vs_persistence": "model's change vs persistence",
          "change_only_vs_ar1": "model's change vs AR(1)",
          "change_only_vs_best": "model's change vs the best baseline"}
BASELINE_NAMES = {"persistence": "persistence", "ar1": "AR(1)", "ar1_dyad": "each dyad's AR(1)",
                  "regression": "regression on the dyad"}
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


def pit_bars(pit: pd.DataFrame) -> go.Figure:
    """PIT histograms of the ensemble, one panel per set of dyads, a bar series per horizon."""
    subsets = list(dict.fromkeys(pit["dyads"]))
    fig = make_subplots(rows=1, cols=len(subsets), subplot_titles=subsets, shared_yaxes=True)
    for c, subset in enumerate(subsets, start=1):
        for k, (h, rows) in enumerate(pit[pit["dyads"] == subset].groupby("horizon")):
            fig.add_trace(go.Bar(x=(rows["bin_low"] + rows["bin_high"]) / 2, y=rows["share"], name=f"h = {h}",
                                 legendgroup=str(h), showlegend=c == 1, marker_color=PALETTE[k],
                                 width=0.9 / (ensemble.PIT_BINS * pit["horizon"].nunique())), row=1, col=c)
        fig.add_hline(y=1 / ensemble.PIT_BINS, line={"color": "#444", "width": 1, "dash": "dot"}, row=1, col=c)
        fig.update_xaxes(title_text="PIT of the observation among the members", range=[0, 1], row=1, col=c)
    fig.update_yaxes(title_text="share of observations", row=1, col=1)
    base_layout(fig, "PIT histograms: flat (dotted line) when the ensemble is calibrated; U-shaped when too "
                "narrow or biased", height=460, barmode="group", legend={"orientation": "h", "y": -0.2})
    return fig


def _ensemble_html(skill: pd.DataFrame) -> str:
    def interval(r, key, fmt="+.3f"):
        return f"{r[key]:{fmt}} [{r[f'{key}_lo']:{fmt}}, {r[f'{key}_hi']:{fmt}}]"

    rows = [[r["horizon"], r["dyads"], f"{r['crps_model']:.3f}", f"{r['crps_persistence']:.3f}",
             interval(r, "crps_skill"), f"{r['coverage50']:.2f}", f"{r['coverage90']:.2f}",
             BASELINE_NAMES.get(r["best_baseline"], r["best_baseline"]),
             f"{r['model_dm']:+.2f} (p {r['model_dm_p']:.2g})",
             f"{r['change_only_dm']:+.2f} (p {r['change_only_dm_p']:.2g})",
             interval(r, "auc_per_origin", ".3f")] for _, r in skill.iterrows()]
    return _table(["h", "dyads", "CRPS model", "CRPS persistence ensemble", "CRPS skill", "50 % covered",
                   "90 % covered", "best baseline (MSE)", "DM model vs best", "DM change vs best",
                   "direction AUC per origin"], rows, set(range(2, 11)))


def _observation_html(maps: pd.DataFrame, held_out: pd.DataFrame) -> str:
    def interval(r, key):
        return f"{r[key]:+.3f} [{r[f'{key}_lo']:+.3f}, {r[f'{key}_hi']:+.3f}]"

    fitted = _table(["h", "dyads (origins)", "level map: b", "R²", "forecast map: b (model)", "c (observed start)",
                     "σ", "R²"],
                    [[int(r["horizon"]), f"{int(r['n']):,} ({int(r['origins'])})", f"{r['level_b']:.3f}",
                      f"{r['level_r2']:.3f}",
                      f"{r['b']:.3f}", f"{r['c']:.3f}", f"{r['sd']:.3f}", f"{r['r2']:.3f}"]
                     for _, r in maps.iterrows()], set(range(1, 8)))
    if held_out.empty:
        return fitted + "<p class='sub'>No held-out origin in this backtest.</p>"
    scored = _table(["h", "dyads", "n", "vs persistence", "vs the best baseline", "best baseline", "DM (p)",
                     "CRPS skill", "50 % covered", "90 % covered"],
                    [[int(r["horizon"]), r["dyads"], f"{int(r['n']):,}", interval(r, "mapped_vs_persistence"),
                      interval(r, "mapped_vs_best"), BASELINE_NAMES.get(r["best_baseline"], r["best_baseline"]),
                      f"{r['mapped_dm']:+.2f} ({r['mapped_dm_p']:.2g})", interval(r, "crps_skill"),
                      f"{r['coverage50']:.2f}", f"{r['coverage90']:.2f}"] for _, r in held_out.iterrows()],
                    set(range(2, 10)))
    return fitted + scored


def build_backtest_report(dyads: pd.DataFrame, skill: pd.DataFrame, manifest: dict, path: Path,
                          maps: pd.DataFrame | None = None, held_out: pd.DataFrame | None = None) -> Path:
    """Write the report to ``path`` (with the observation model's maps and held-out scores, if given)."""
    design = manifest.get("design", {})
    worst = most_wrong(dyads)
    body = ["<h1>Backtest: the model from the real world of each origin, no scripted events</h1>",
            f"<p class='sub'>origins {_esc(min(design.get('origins', [0])))}–{_esc(max(design.get('origins', [0])))}, "
            f"horizons {_esc(design.get('horizons'))} years, {_esc(manifest['seeds']['replicates'])} replicates, "
            f"seed {_esc(manifest['seeds']['seed'])}. Observed: {_esc(design.get('observed'))}. "
            "Persistence forecasts the affinity at the origin; AR(1) a mean reversion fitted on what was "
            "observed by the origin; <i>the model's change</i> adds the model's predicted change to the "
            "observed affinity at the origin (the model without its level offset). Intervals: 95 % bootstrap "
            "over origins in moving blocks of h consecutive origins.</p>",
            "<h2>Skill</h2>", _skill_html(skill), figure_div(skill_bars(skill), 0),
            "<h2>The ensemble: scores of the distribution, not only of its mean</h2>",
            "<p class='sub'>CRPS (fair estimator) against a persistence ensemble: the observed affinity at the "
            "origin with the spread of the fit period's h-year changes (to 2009). Coverage: the share of "
            "observations inside the ensemble's central 50 % and 90 % intervals. Diebold–Mariano: the model "
            "(and the model's change) against the baseline of the ladder with the lowest MSE; negative favours "
            "the model. Intervals: 95 %, moving blocks of h origins.</p>",
            _ensemble_html(skill), figure_div(pit_bars(runner.pit_table(dyads)), 2),
            *(["<h2>Through the observation model</h2>",
               "<p class='sub'>The observed affinity at T + h regressed, on the fit period only (origin + h "
               "&le; 2009), on the model's ensemble mean (the level map) and on it and the observed affinity at "
               "the origin (the forecast map, a normal predictive distribution); the forecast map scored on the "
               "held-out origins (2010 on) against the same dyads' baselines.</p>",
               _observation_html(maps, held_out)] if maps is not None and not maps.empty else []),
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
