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

from simulation import hindcast
from simulation.scenario import ScenarioError, load_scenario
from simulation.scenario.schema import Scenario
from simulation.statements import passes
from viz import figures as F
from viz import focus
from viz import hindcast_figures as HF
from viz import world_map
from viz._common import coalition_label, has_events, region_label, state_label
from viz.compare_figures import fmt_value

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
.verdict{font-size:.85em;font-weight:600;padding:0 6px;border-radius:3px;color:#fff;white-space:nowrap}
.verdict.right,.verdict.came_true{background:#2CA02C}.verdict.wrong,.verdict.did_not{background:#D62728}
.verdict.scripted,.verdict.not-yet{background:#9A9A9A}.verdict.partly{background:#C7A000}
.verdict.yes{background:#333}.verdict.no{background:#fff;color:#333;border:1px solid #333}
.score{background:#f4f6f8;border-left:3px solid #2CA02C;padding:8px 12px;margin:8px 0 16px}
table.hindcast,table.three-way{width:100%}table.hindcast td:first-child{min-width:11em}
table.hindcast td:nth-child(3){min-width:8.5em}table.hindcast td:nth-child(8){min-width:10em}
table.hindcast td:last-child,table.three-way td:last-child{font-size:.85em;min-width:16em}
.ids{display:block;font-size:.8em;color:#777;overflow-wrap:anywhere}
"""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def figure_div(fig: go.Figure, index: int) -> str:
    """The ``index``-th figure of a report as HTML: plotly.js inlined once (with the first), and a
    fixed element id instead of Plotly's random one, so the same tables give the same report bytes.
    """
    div = fig.to_html(full_html=False, include_plotlyjs=index == 0, config=PLOTLY_CONFIG, div_id=f"figure-{index}",
                      auto_play=False)  # a map with a date slider waits for its reader
    return f"<div class='fig'>{div}</div>"


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


class Raw(str):
    """A trusted HTML fragment: `_table` puts it in a cell as it is (every other cell is escaped)."""


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset(), css: str = "",
           row_attrs: list[str] | None = None) -> str:
    """A small HTML table; cells are escaped unless `Raw`; column indexes in `numeric` right-aligned;
    `row_attrs` (trusted) are put in each row's <tr>.
    """
    def cell(i, c) -> str:
        text = c if isinstance(c, Raw) else _esc(c)
        return f'<td class="num">{text}</td>' if i in numeric else f"<td>{text}</td>"

    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    attrs = row_attrs or [""] * len(rows)
    body = "".join(f"<tr{' ' + a if a else ''}>" + "".join(cell(i, c) for i, c in enumerate(r)) + "</tr>"
                   for r, a in zip(rows, attrs))
    klass = f" class='{css}'" if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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


# ---------------------------------------------------------------- against what happened
CHART_TITLE = "Each outcome: the model's measure (median, 5–95 %), its probability, and what happened"
REALITY_WORDS = {"came_true": "came true", "partly": "partly", "did_not": "did not"}


def scenario_of(meta: dict) -> Scenario | None:
    """The run's scenario, reloaded from the file its manifest names when that file is unchanged
    (same SHA-256), else None (the sections that read the scenario are then left out).
    """
    info = (meta.get("manifest") or {}).get("scenario")
    if not isinstance(info, dict) or not info.get("file"):
        return None
    try:
        loaded = load_scenario(Path(info["file"]))
    except (ScenarioError, OSError):
        return None
    return loaded.scenario if loaded.sha256 == info.get("sha256") else None


def _tag(kind: str, text: str) -> Raw:
    return Raw(f"<span class='verdict {_esc(kind)}'>{_esc(text)}</span>")


def reality_tag(happened: bool) -> Raw:
    """What happened, in a neutral tag (green and red are for the model being right or wrong)."""
    return _tag("yes", "happened") if happened else _tag("no", "did not happen")


def _last_day(tables: dict):
    return pd.Timestamp(tables["model"]["date"].max()).date()


def _due(stmt, scenario: Scenario, last) -> bool:
    """Whether the run reaches the end of the statement's span."""
    return hindcast.span(stmt, scenario.calendar.start)[1] <= last


def hindcast_summary_text(summary: dict, replicates: int) -> str:
    """The score in words: share right, Brier against the reference, skill; scripted ones left out."""
    s = summary
    out = (f"{s['outcomes']} observed outcome{'s' * (s['outcomes'] != 1)}: {s['scored']} scored, "
           f"{s['scripted']} scripted by the scenario's events (grey; left out of the score).")
    if not s["scored"]:
        return out + " Every outcome is scripted: there is nothing to score."
    right, (lo, hi) = s["right"], s["right_interval"]
    out += (f" The model points the way reality went in {round(right * s['scored'])} of {s['scored']} "
            f"({right:.0%}, 95 % interval {lo:.0%}–{hi:.0%}). Brier score {s['brier']:.3f} "
            f"[{s['brier_interval'][0]:.3f}, {s['brier_interval'][1]:.3f}] against {s['brier_reference']:.3f} "
            f"for the reference forecasts; skill {s['skill']:+.2f} [{s['skill_interval'][0]:+.2f}, "
            f"{s['skill_interval'][1]:+.2f}] (1 − Brier / reference Brier: above 0 the model beats the reference).")
    out += (f" Model P: the share of the {replicates} replicates in which the statement holds; "
            "intervals: 95 % bootstrap over the outcomes.")
    if replicates == 1:
        out += " With one replicate every P is 0 or 1: run an ensemble (-k 100) for a forecast."
    return out


def observed_table_html(prepared: pd.DataFrame) -> str:
    """One row per observed outcome (``hindcast_figures.prepare``): reality, the model's and the
    reference's probabilities, Brier scores, right / wrong / scripted, source.
    """
    rows = [[r["what"], r["subject"], f"{r['test']} · {r['span']}",
             reality_tag(r["happened"]),
             f"{r['model']:.0%}", f"{r['reference']:.0%} ({r['reference_kind']})",
             f"{r['brier']:.3f} / {r['brier_reference']:.3f}",
             Raw(_tag("scripted", "scripted") + f"<span class='ids'>by {_esc(r['scripted_by'])}</span>")
             if r["verdict"] == "scripted" else _tag(r["verdict"], r["verdict"]), r["source"]]
            for _, r in prepared.iterrows()]
    attrs = [f"data-outcome='{_esc(i)}' data-verdict='{_esc(v)}'" for i, v in zip(prepared["id"], prepared["verdict"])]
    return _table(["Outcome", "Subject", "Statement", "Reality", "Model P", "Reference P",
                   "Brier (model / reference)", "Model", "Source"], rows, {4, 5, 6}, "hindcast", attrs)


def three_way_html(tables: dict, scenario: Scenario) -> str:
    """The article's predictions (expectations with ``reality:``): the claim, the model's share of
    replicates in which it holds, and what became of it.
    """
    last = _last_day(tables)
    rows, attrs = [], []
    for exp in (e for e in scenario.expectations if e.reality is not None):
        if exp.versus_base:
            model = "compares with the base: see alliance-sim check"
        elif not _due(exp, scenario, last):
            model = f"not reached: the run stops on {last}"
        else:
            ok, values = passes(tables, exp, scenario)
            model = f"{ok.mean():.0%}" if exp.test in ("same", "different") else \
                f"{ok.mean():.0%} (median {fmt_value(float(pd.Series(values).median()), True)})"
        r = exp.reality
        rows.append([exp.claim, HF.span_text(exp), model, _tag(r.verdict, REALITY_WORDS[r.verdict]), r.note,
                     r.source])
        attrs.append(f"data-claim='{_esc(exp.id)}'")
    if not rows:
        return ""
    return ("<h3>The article, the model, reality</h3><p class='muted'>The article's claims, the share of "
            "replicates in which the model makes each come true, and what became of it.</p>"
            + _table(["Claim (the article)", "Dates", "Model: share of runs in which it holds", "Reality",
                      "What happened", "Source"], rows, {2}, "three-way", attrs))


def hindcast_section(tables: dict, scenario: Scenario | None, index: int = 0) -> tuple[str, int]:
    """The "Against what happened" section (empty without observed outcomes or predictions with a
    ``reality:``) and how many figures it holds; its figure is the report's ``index``-th.
    """
    if scenario is None:
        return "", 0
    three = three_way_html(tables, scenario)
    last = _last_day(tables)
    due = [o for o in scenario.observed if _due(o, scenario, last)]
    later = [o for o in scenario.observed if not _due(o, scenario, last)]
    if not due and not later and not three:
        return "", 0
    parts, n_figs = ["<h2 id='against-what-happened'>Against what happened</h2>"], 0
    if due:
        sc = scenario.model_copy(update={"observed": due})
        table = hindcast.score(tables, sc)
        summary = hindcast.summary(table)
        replicates = tables["model"]["replicate"].nunique()
        parts += [f"<p class='score'>{_esc(hindcast_summary_text(summary, replicates))}</p>",
                  figure_div(HF.hindcast_chart(table, due, CHART_TITLE), index),
                  observed_table_html(HF.prepare(table, due))]
        n_figs = 1
    if later:
        parts.append(f"<p class='muted'>Not scored: the run stops on {last}, before the end of "
                     + _esc(", ".join(o.what for o in later)) + ".</p>")
    parts.append(three)
    return "\n".join(parts), n_figs


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
             ("Affinity", F.affinity_lines(pairs, meta)),
             ("World map", world_map.world_map_over_time(states, pairs, meta))]
    return figs


def figures_html(figs: list[tuple[str, go.Figure]], first: int = 0) -> str:
    """Figure divs, numbered from ``first``; Plotly JS inlined in figure 0 only. Consecutive sections
    with the same title share one heading (e.g. the network at several dates).
    """
    parts, previous = [], None
    for i, (title, fig) in enumerate(figs, start=first):
        if title != previous:
            parts.append(f"<h2>{_esc(title)}</h2>")
            previous = title
        parts.append(figure_div(fig, i))
    return "\n".join(parts)


def run_meta(result, manifest: dict) -> dict:
    """What the figures need to know of a run (``simulation.RunResult``): names, regions, the
    states the events name, the coalitions' anchor and names, and the manifest.
    """
    sc = result.loaded.scenario
    anchor = result.states.loc[(result.states["step"] == 0) & (result.states["coalition"] == "A"), "state"]
    lead = sc.coalition_anchor or (anchor.iloc[0] if len(anchor) else "A")
    return {"title": sc.title, "scenario": sc.name, "states": result.names, "regions": result.regions,
            "actors": result.actors, "anchor": lead,
            "coalition_names": {"A": f"with {lead}", "B": f"against {lead}"}, "manifest": manifest}


def render_report(tables: dict, meta: dict, network_dates=None, scenario: Scenario | None = None) -> str:
    """The full HTML document as a string. ``scenario`` (default: reloaded from the manifest, see
    :func:`scenario_of`) gives the observed outcomes and predictions of "Against what happened".
    """
    title = meta.get("title") or "alliance-sim report"
    against, n_figs = hindcast_section(tables, scenario if scenario is not None else scenario_of(meta))
    body = [f"<h1>{_esc(title)}</h1>",
            f"<p class='sub'>Scenario: {_esc(meta.get('scenario', ''))}</p>",
            "<h2>Summary</h2>", summary_html(tables, meta), against,
            figures_html(report_figures(tables, meta, network_dates), first=n_figs),
            "<h2>Scenario events</h2>", events_html(tables.get("events")),
            "<h2>Manifest</h2>", manifest_html(meta)]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_esc(title)}</title><style>{CSS}</style>{world_map.assets_script()}</head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def build_report(tables: dict[str, pd.DataFrame], meta: dict, path: Path,
                 network_dates: list | None = None, scenario: Scenario | None = None) -> Path:
    """Write the self-contained HTML report to `path` and return it.

    `tables` holds 'model', 'states', 'pairs' and optionally 'events' DataFrames.
    `network_dates` defaults to the first, middle and last step dates. `scenario` (default: the
    file the manifest names, if unchanged) adds "Against what happened" when it has observed
    outcomes or predictions with a recorded reality.
    """
    path = Path(path)
    path.write_text(render_report(tables, meta, network_dates, scenario), encoding="utf-8")
    return path
