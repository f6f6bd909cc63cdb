"""Plotly figures of the hindcast: a scenario's observed outcomes against its ensemble.

Pure functions over the table of :func:`simulation.hindcast.score` (one row per observed
outcome: the model's probability, its measure's median and 5–95 % band, what happened, whether
the model points the right way, the events that script it) and the scenario's ``observed:``
list (for each statement's threshold). Used by the run report, the comparison report and the
dashboard.

The dot-and-band chart reads, row by row: the band is where the ensemble put the measure, the
dot its median — green when the model points the way reality went, red when not, grey when the
scenario's events force the outcome (scripted, left out of the score); the thin bar is the
statement's threshold and the black triangle beside it points to the side reality went. A second
column gives the probabilities: the model's (dot), the reference forecast's (ring) and reality
(the triangle at 0 or 1).
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz._common import base_layout, rgba
from viz.compare_figures import metric_label

__all__ = ["VERDICT_COLORS", "VERDICT_NAMES", "REALITY_NAME", "THRESHOLD", "REFERENCE_NAME", "prepare", "verdict",
           "outcome_label", "span_text", "hindcast_chart", "scenario_probabilities"]

VERDICT_COLORS = {"right": "#2CA02C", "wrong": "#D62728", "scripted": "#9A9A9A"}
VERDICT_NAMES = {"right": "model right", "wrong": "model wrong", "scripted": "scripted (not scored)"}
REALITY_COLOR = "#111111"
REALITY_NAME = "what happened"
THRESHOLD = "threshold"
REFERENCE_NAME = "reference P"
LEGEND_RANK = {**{name: i for i, name in enumerate(VERDICT_NAMES.values(), start=1)},
               THRESHOLD: 10, REALITY_NAME: 11, REFERENCE_NAME: 12}
ROW_PX = 38  # height of one outcome row (two lines of label)
PANEL_PX = 64  # a panel's title and axis
LABEL_CHARS = 36  # per line of a row's label


def verdict(row) -> str:
    """'scripted' when the scenario's events force the outcome, else 'right' or 'wrong'."""
    return "scripted" if row["scripted_by"] else ("right" if row["right"] else "wrong")


def span_text(obs) -> str:
    """The dates of a statement: 'from → to', 'at d' or 'mean over a → b'."""
    if obs.from_ is not None and obs.to is not None:
        return f"{obs.from_} → {obs.to}"
    if obs.window is not None:
        return f"mean over {obs.window[0]} → {obs.window[1]}"
    return f"at {obs.at}"


def _threshold(obs) -> tuple[float, str]:
    """(threshold, side on which the statement holds: 'right' above it, 'left' below it)."""
    if obs.test in ("same", "different", "occurs"):
        return 0.5, "right"
    if obs.test == "falls":
        return -float(obs.value), "left"
    return float(obs.value), "right" if obs.test in ("rises", "above") else "left"


def _group(obs) -> str:
    """The panel of an outcome: its metric, and whether it is a change or a level."""
    if obs.test in ("same", "different"):
        return f"{metric_label(obs.metric)}: share of runs in which it holds"
    if obs.test == "occurs":
        return "Militarized dispute: its chance over the span (from the pair's tension)"
    measure = "change over the span" if obs.from_ is not None else "level"
    minus = " (difference between subjects)" if obs.relative_to is not None else ""
    return f"{metric_label(obs.metric)}: {measure}{minus}"


def prepare(table: pd.DataFrame, observed) -> pd.DataFrame:
    """The score table with what the chart needs: verdict, span, threshold, the side on which the
    statement holds and the side reality went, the panel, and a membership outcome's median set
    to its probability (its measure is 0 or 1 per run).
    """
    by_id = {o.id: o for o in observed}
    rows = []
    for _, r in table.iterrows():
        obs = by_id[r["id"]]
        threshold, holds = _threshold(obs)
        member = obs.test in ("same", "different")
        went = holds if r["happened"] else ("left" if holds == "right" else "right")
        rows.append({**r.to_dict(), "verdict": verdict(r), "span": span_text(obs), "threshold": threshold,
                     "holds_side": holds, "reality_side": went, "group": _group(obs),
                     "median": r["model"] if member else r["median"],
                     "low": r["model"] if member else r["low"], "high": r["model"] if member else r["high"]})
    return pd.DataFrame(rows, columns=[*table.columns, "verdict", "span", "threshold", "holds_side",
                                       "reality_side", "group"])


def outcome_label(row) -> str:
    """The row's label: what happened ('not: …' when it did not), on at most two short lines."""
    text = row["what"] if row["happened"] else f"not: {row['what']}"
    lines = textwrap.wrap(textwrap.shorten(str(text), 2 * LABEL_CHARS, placeholder="…"), LABEL_CHARS)
    return "<br>".join(html.escape(line) for line in lines[:2])


def _hover(row) -> str:
    scripted = f"<br>scripted by {html.escape(row['scripted_by'])} (not scored)" if row["scripted_by"] else ""
    source = html.escape(textwrap.shorten(str(row["source"]), 90, placeholder="…"))
    return (f"<b>{html.escape(str(row['what']))}</b><br>{html.escape(row['subject'])} · {row['test']} · "
            f"{html.escape(row['span'])}<br>reality: {'happened' if row['happened'] else 'did not happen'}"
            f"<br>model: median {row['median']:+.3g} (5–95 %: {row['low']:+.3g} … {row['high']:+.3g}), "
            f"P {row['model']:.0%}<br>reference ({row['reference_kind']}): P {row['reference']:.0%}"
            f"<br>Brier {row['brier']:.3f} (reference {row['brier_reference']:.3f}){scripted}"
            f"<br>source: {source}")


def _panel_range(rows: pd.DataFrame) -> list[float]:
    lo = float(min(rows["low"].min(), rows["threshold"].min()))
    hi = float(max(rows["high"].max(), rows["threshold"].max()))
    pad = max(hi - lo, 1e-3) * 0.18
    return [lo - pad, hi + pad]


def _reality(fig: go.Figure, rows: pd.DataFrame, row: int, nudge: float, legend) -> None:
    """A panel's thresholds and the side reality went (left), the reference P and reality (right)."""
    y = list(range(len(rows)))
    fig.add_trace(go.Scatter(x=rows["threshold"], y=y, mode="markers", hoverinfo="skip",
                             marker={"symbol": "line-ns", "size": 18, "line": {"color": "#555", "width": 2}},
                             **legend(THRESHOLD)), row=row, col=1)
    side = rows["reality_side"] == "right"
    fig.add_trace(go.Scatter(
        x=rows["threshold"] + side.map({True: nudge, False: -nudge}), y=y, mode="markers",
        hovertext=[f"reality went {'above' if s else 'below'} the threshold" for s in side], hoverinfo="text",
        marker={"symbol": [("triangle-right" if s else "triangle-left") for s in side], "size": 12,
                "color": REALITY_COLOR}, **legend(REALITY_NAME)), row=row, col=1)
    fig.add_trace(go.Scatter(x=rows["reference"], y=y, mode="markers", hoverinfo="text",
                             hovertext=[f"reference ({k}): P {p:.0%}" for k, p in
                                        zip(rows["reference_kind"], rows["reference"])],
                             marker={"symbol": "circle-open", "size": 14, "color": "#555", "line": {"width": 2}},
                             **legend(REFERENCE_NAME)), row=row, col=2)
    fig.add_trace(go.Scatter(x=rows["happened"].astype(float), y=[k + 0.28 for k in y], mode="markers",
                             hoverinfo="text",  # just under the row: a dot on 0 or 1 stays visible
                             hovertext=["happened" if h else "did not happen" for h in rows["happened"]],
                             marker={"symbol": "triangle-up", "size": 10, "color": REALITY_COLOR},
                             legendgroup=REALITY_NAME, showlegend=False), row=row, col=2)


def _model(fig: go.Figure, sel: pd.DataFrame, kind: str, row: int, legend) -> None:
    """The model's band and median (left) and probability (right) of the outcomes ``sel`` of one verdict."""
    color, ys = VERDICT_COLORS[kind], list(sel.index)
    bx, by = [], []
    for k, r in sel.iterrows():
        bx += [r["low"], r["high"], None]
        by += [k, k, None]
    fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", line={"color": rgba(color, 0.35), "width": 9},
                             hoverinfo="skip", legendgroup=VERDICT_NAMES[kind], showlegend=False), row=row, col=1)
    hover = [_hover(r) for _, r in sel.iterrows()]
    marker = {"color": color, "size": 11, "line": {"color": "#fff", "width": 1}}
    fig.add_trace(go.Scatter(x=sel["median"], y=ys, mode="markers", hovertext=hover, hoverinfo="text", marker=marker,
                             **legend(VERDICT_NAMES[kind])), row=row, col=1)
    fig.add_trace(go.Scatter(x=sel["model"], y=ys, mode="markers", hovertext=hover, hoverinfo="text", marker=marker,
                             legendgroup=VERDICT_NAMES[kind], showlegend=False), row=row, col=2)


def hindcast_chart(table: pd.DataFrame, observed, title: str = "Against what happened") -> go.Figure:
    """One row per observed outcome (panels by metric and measure): the model's median and 5–95 %
    band, the statement's threshold and the side reality went; beside it the probabilities.
    """
    frame = prepare(table, observed)
    groups = list(dict.fromkeys(frame["group"]))
    counts = [int((frame["group"] == g).sum()) for g in groups]
    height = 160 + sum(ROW_PX * n + PANEL_PX for n in counts)
    spacing = min(PANEL_PX / height, 0.9 / max(len(groups) - 1, 1))
    titles = [t for g in groups for t in (html.escape(g), "P(statement holds)" if g == groups[0] else "")]
    fig = make_subplots(rows=len(groups), cols=2, column_widths=[0.72, 0.28], row_heights=counts,
                        shared_yaxes=True, horizontal_spacing=0.05, vertical_spacing=spacing,
                        subplot_titles=titles)
    seen: set[str] = set()

    def legend(name: str) -> dict:
        first = name not in seen
        seen.add(name)
        return {"name": name, "legendgroup": name, "showlegend": first, "legendrank": LEGEND_RANK[name]}

    for g_i, group in enumerate(groups, start=1):
        rows = frame[frame["group"] == group].reset_index(drop=True)
        y = list(range(len(rows)))
        x_range = _panel_range(rows)
        _reality(fig, rows, g_i, (x_range[1] - x_range[0]) * 0.035, legend)
        for kind in VERDICT_COLORS:  # drawn last: on top of the threshold and reality marks
            sel = rows[rows["verdict"] == kind]
            if len(sel):
                _model(fig, sel, kind, g_i, legend)
        fig.update_yaxes(tickfont={"size": 12}, tickmode="array", tickvals=y,
                         ticktext=[outcome_label(r) for _, r in rows.iterrows()],
                         range=[len(rows) - 0.5, -0.5], automargin=True, showgrid=True, gridcolor="#eee",
                         zeroline=False, fixedrange=True, row=g_i, col=1)
        fig.update_yaxes(range=[len(rows) - 0.5, -0.5], showgrid=True, gridcolor="#eee", zeroline=False,
                         fixedrange=True, row=g_i, col=2)
        fig.update_xaxes(range=x_range, zeroline=True, zerolinecolor="#ccc", row=g_i, col=1)
        fig.update_xaxes(range=[-0.08, 1.08], tickformat=".0%", tickvals=[0, 0.5, 1], row=g_i, col=2)
    fig.update_annotations(font={"size": 12})  # the panels' titles
    _title_legend(fig, title, height, plot_top=120)
    return fig


def _title_legend(fig: go.Figure, title: str, height: int, plot_top: int) -> None:
    """The title at the top, the legend under it and above the panels' titles (``plot_top`` px of margin)."""
    paper = height - plot_top - 40  # px of the plotting area
    base_layout(fig, title, height, legend={"orientation": "h", "yanchor": "top", "y": 1.0 + (plot_top - 40) / paper,
                                            "x": 0, "xanchor": "left", "font": {"size": 12}})
    fig.update_layout(title={"yref": "container", "y": 1.0 - 12 / height, "yanchor": "top"},
                      margin={"l": 20, "r": 20, "t": plot_top, "b": 40})


def scenario_probabilities(frame: pd.DataFrame, order: list[str], colors: dict[str, str],
                           title: str = "Against what happened: each scenario's probability") -> go.Figure:
    """Per observed outcome (rows) each scenario's probability that the statement holds (a dot in
    its colour; a ring when the scenario scripts it) and what happened (a black triangle at 0 or 1).
    ``frame`` is :func:`simulation.hindcast.score` of every scenario with a ``scenario`` column.
    """
    ids = list(dict.fromkeys(frame["id"]))
    first = frame[frame["scenario"] == order[0]].set_index("id")
    if first.empty:
        first = frame.drop_duplicates("id").set_index("id")
    fig = go.Figure()
    names = [n for n in order if n in set(frame["scenario"])]
    step = min(0.5 / max(len(names), 1), 0.16)  # scenarios side by side inside a row: equal P stay visible
    for k, name in enumerate(names):
        sub = frame[frame["scenario"] == name].set_index("id").reindex(ids).dropna(subset=["model"])
        y = [ids.index(i) + (k - (len(names) - 1) / 2) * step for i in sub.index]
        fig.add_trace(go.Scatter(
            x=sub["model"], y=y, mode="markers", name=html.escape(str(name)),
            marker={"color": colors.get(name, "#555"), "size": 11,
                    "symbol": ["circle-open" if s else "circle" for s in sub["scripted_by"]], "line": {"width": 2}},
            hovertext=[f"{html.escape(str(name))}: P {p:.0%}" + (f" (scripted by {html.escape(s)})" if s else "")
                       for p, s in zip(sub["model"], sub["scripted_by"])], hoverinfo="text"))
    below = (len(names) + 1) / 2 * step + 0.08  # under the row's last dot
    fig.add_trace(go.Scatter(x=first.loc[ids, "happened"].astype(float), y=[i + below for i in range(len(ids))],
                             mode="markers", name="what happened (0 or 1)", hoverinfo="skip",
                             marker={"symbol": "triangle-up", "size": 10, "color": REALITY_COLOR}))
    height = 150 + (ROW_PX + 10 * len(names)) * len(ids)
    _title_legend(fig, title, height, plot_top=100)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(ids))), automargin=True, fixedrange=True,
                     ticktext=[outcome_label(first.loc[i]) for i in ids], tickfont={"size": 12},
                     range=[len(ids) - 0.5, -0.5], gridcolor="#eee")
    fig.update_xaxes(range=[-0.05, 1.05], tickformat=".0%", title_text="P(statement holds)")
    return fig
