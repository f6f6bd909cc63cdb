"""Self-contained offline HTML report for one alliance-sim run.

`build_report` writes a single HTML file: Plotly's JavaScript is inlined exactly once,
there are no external scripts, stylesheets, fonts or images, so it opens with no network.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from viz import figures as F
from viz import focus
from viz._common import coalition_label, has_events, region_label, state_label

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0 auto;max-width:1300px;padding:24px 32px;color:#222;background:#fff;line-height:1.45}
h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;
border-bottom:1px solid #ddd;padding-bottom:4px}.sub{color:#666;margin:0 0 16px}
table{border-collapse:collapse;font-size:.92em;margin:8px 0 16px}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f4f6f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.fig{margin:8px 0 24px}.grid{display:flex;flex-wrap:wrap;gap:24px}
.grid>div{flex:1 1 560px}details{margin:16px 0}summary{cursor:pointer;font-weight:600}
pre{background:#f7f7f7;padding:12px;overflow:auto;font-size:.85em;border:1px solid #e3e3e3}
.muted{color:#777}
"""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def figure_div(fig: go.Figure, index: int) -> str:
    """The ``index``-th figure of a report as HTML: plotly.js inlined once (with the first), and a
    fixed element id instead of Plotly's random one, so the same tables give the same report bytes.
    """
    div = fig.to_html(full_html=False, include_plotlyjs=index == 0, config=PLOTLY_CONFIG, div_id=f"figure-{index}")
    return f"<div class='fig'>{div}</div>"


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    """A small HTML table; cells are escaped; column indexes in `numeric` right-aligned."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_esc(c)}</td>' if i in numeric
                         else f"<td>{_esc(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _band_text(values: pd.Series) -> str:
    """'0.42' for one replicate, '0.42 (0.30–0.55)' (median, 5–95 %) for several."""
    if len(values) == 1:
        return f"{values.iloc[0]:.2f}"
    lo, med, hi = values.quantile([0.05, 0.5, 0.95])
    return f"{med:.2f} ({lo:.2f}–{hi:.2f})"


def summary_html(tables: dict, meta: dict) -> str:
    """Run facts, final coalitions and final global/regional tension as HTML tables."""
    model, states = tables["model"], tables["states"]
    dates = pd.to_datetime(model["date"])
    n_rep = model["replicate"].nunique()
    facts = [["Scenario", meta.get("scenario", "")],
             ["Period", f"{dates.min():%Y-%m-%d} → {dates.max():%Y-%m-%d}"],
             ["Steps", int(model["step"].max())], ["Replicates", n_rep]]
    last = model[model["step"] == model["step"].max()]
    tension_cols = ["global_tension"] + sorted(c for c in model if c.startswith("tension_"))
    tension_rows = [["Global" if c == "global_tension" else region_label(c), _band_text(last[c])]
                    for c in tension_cols]
    final = states[states["step"] == states["step"].max()]
    share = final.assign(a=final["coalition"] == "A").groupby("state")["a"].mean()
    align = final.groupby("state")["alignment"].median()
    coal_rows = [[state_label(s, meta), coalition_label("A" if share[s] >= 0.5 else "B", meta),
                  f"{share[s]:.0%}", f"{align[s]:+.2f}"] for s in sorted(share.index)]
    return ("<div class='grid'><div>" + _table(["Item", "Value"], facts)
            + "<h3>Final tension</h3>"
            + _table(["Tension", "median (5–95 %)" if n_rep > 1 else "value"],
                     tension_rows, {1})
            + "</div><div><h3>Final coalitions</h3>"
            + _table(["State", "Coalition (majority)", "Share of replicates in A",
                      "Median alignment"], coal_rows, {2, 3})
            + "</div></div>")


def events_html(events: pd.DataFrame | None) -> str:
    """Events table (date, type, label, states, source); sources shown as plain text."""
    if not has_events(events):
        return "<p class='muted'>No scenario events fired.</p>"
    ev = events.sort_values(["date", "id"])
    rows = [[f"{pd.Timestamp(r['date']):%Y-%m-%d}", r.get("type", ""), r.get("label", ""),
             r.get("states", ""), r.get("source", "")] for _, r in ev.iterrows()]
    return _table(["Date", "Type", "Event", "States", "Source"], rows)


def manifest_html(meta: dict) -> str:
    """The run manifest as pretty JSON in a collapsible <details> block."""
    text = json.dumps(meta.get("manifest", {}), indent=2, default=str, ensure_ascii=False)
    return f"<details><summary>Run manifest</summary><pre>{_esc(text)}</pre></details>"


def default_network_dates(states: pd.DataFrame) -> list[pd.Timestamp]:
    """Dates of the first, middle and last step (duplicates removed)."""
    dates = sorted(pd.to_datetime(states["date"]).unique())
    picks = [dates[0], dates[len(dates) // 2], dates[-1]]
    return list(dict.fromkeys(pd.Timestamp(d) for d in picks))


def report_figures(tables: dict, meta: dict, network_dates=None) -> list[tuple[str, go.Figure]]:
    """(section title, figure) pairs in report order. A world of more than ``focus.ALL_UP_TO``
    states shows the states of ``focus.focus`` (the largest, and those the events name) and, in
    addition, coalitions by region over every state.
    """
    model, states, pairs = tables["model"], tables["states"], tables["pairs"]
    events = tables.get("events")
    dates = network_dates if network_dates else default_network_dates(states)
    large = states["state"].nunique() > focus.ALL_UP_TO
    shown = focus.focus(states, meta) if large else None
    note = focus.describe(shown, states) if large else ""
    figs = [("Coalitions", F.coalition_timeline(states, meta, shown, note)),
            ("Tension", F.tension_lines(model, events, meta)),
            ("Bilateral tension", F.tension_heatmap(pairs, events, meta, shown))]
    figs += [("Alignment network", F.alignment_network(pairs, states, meta, d, shown, subtitle=note))
             for d in dates]
    if large:
        figs += [("Coalitions by region", F.region_network(pairs, states, meta, d)) for d in dates[-1:]]
    figs += [("Resources of belligerents", F.resources(states, events, meta)),
             ("Recalibration", F.recalibration(states, pairs, events, meta, shown, note)),
             ("Affinity", F.affinity_lines(pairs, meta))]
    return figs


def figures_html(figs: list[tuple[str, go.Figure]]) -> str:
    """Figure divs; Plotly JS inlined in the first one only. Consecutive sections with
    the same title share one heading (e.g. the network at several dates).
    """
    parts, previous = [], None
    for i, (title, fig) in enumerate(figs):
        if title != previous:
            parts.append(f"<h2>{_esc(title)}</h2>")
            previous = title
        parts.append(figure_div(fig, i))
    return "\n".join(parts)


def render_report(tables: dict, meta: dict, network_dates=None) -> str:
    """The full HTML document as a string."""
    title = meta.get("title") or "alliance-sim report"
    body = [f"<h1>{_esc(title)}</h1>",
            f"<p class='sub'>Scenario: {_esc(meta.get('scenario', ''))}</p>",
            "<h2>Summary</h2>", summary_html(tables, meta),
            figures_html(report_figures(tables, meta, network_dates)),
            "<h2>Scenario events</h2>", events_html(tables.get("events")),
            "<h2>Manifest</h2>", manifest_html(meta)]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def build_report(tables: dict[str, pd.DataFrame], meta: dict, path: Path,
                 network_dates: list | None = None) -> Path:
    """Write the self-contained HTML report to `path` and return it.

    `tables` holds 'model', 'states', 'pairs' and optionally 'events' DataFrames.
    `network_dates` defaults to the first, middle and last step dates.
    """
    path = Path(path)
    path.write_text(render_report(tables, meta, network_dates), encoding="utf-8")
    return path
