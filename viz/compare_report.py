"""Self-contained offline HTML report comparing a base scenario with variants.

`build_compare_report` writes a single HTML file in the style of `viz.report`: Plotly's
JavaScript is inlined exactly once, there are no external scripts, stylesheets, fonts or
images. Inputs are the comparison tables described in `viz.compare_figures`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from simulation import hindcast as H
from viz import compare_figures as CF
from viz import hindcast_figures as HF
from viz._common import rgba
from viz.report import CSS, Raw, _esc, _table, figure_div, manifest_html, reality_tag

TOP_EFFECTS = 25

COMPARE_CSS = """
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:6px;
vertical-align:-1px}.tag{font-size:.8em;font-weight:600;padding:0 5px;border-radius:3px;
color:#fff;white-space:nowrap}tr.absent td{color:#999;text-decoration:line-through}
table.events td:first-child{white-space:nowrap}
.note{background:#f4f6f8;border-left:3px solid #0072B2;padding:8px 12px;margin:8px 0 16px}
"""

_Raw = Raw  # trusted HTML fragment: `_cells` and `_table` insert it without escaping

# Metrics on comparable scales (affinity, tension and alignment are all within [-1, 1]).
RELATION_METRICS = ("affinity", "tension", "alignment", "global_tension", "polarization")


def _cells(row: list, numeric=frozenset()) -> str:
    """<td> cells (escaped unless `_Raw`); column indexes in `numeric` right-aligned."""
    out = []
    for i, c in enumerate(row):
        attr = " class='num'" if i in numeric else ""
        out.append(f"<td{attr}>{c if isinstance(c, _Raw) else _esc(c)}</td>")
    return "".join(out)


def _swatch(color: str) -> _Raw:
    return _Raw(f"<span class='swatch' style='background:{color}'></span>")


def _variants(bands, effects, meta) -> list[str]:
    names = list(meta.get("variants") or [])
    if not names:
        seen = set(bands["scenario"]) | set(effects["variant"])
        names = CF.scenario_order(meta, seen)[1:]
    return [v for v in names if v != meta["base"]]


class _Figures:
    """Figure divs; Plotly's JavaScript is inlined in the first one only."""

    def __init__(self):
        self.count = 0

    def __call__(self, fig: go.Figure) -> str:
        self.count += 1
        return figure_div(fig, self.count - 1)


def scenarios_html(bands: pd.DataFrame, meta: dict, order: list[str], colors: dict) -> str:
    """Table of the scenarios compared, plus the common-random-numbers note."""
    rows = []
    for name in order:
        sub = bands[bands["scenario"] == name]
        period = (f"{sub['date'].min():%Y-%m-%d} → {sub['date'].max():%Y-%m-%d}"
                  if len(sub) else "–")
        n = int(sub["n"].max()) if len(sub) else 0
        role = _Raw(_swatch(colors[name]) + ("Base" if name == meta["base"] else "Variant"))
        cells = _cells([role, name, CF.scenario_title(name, meta), period, n], {4})
        rows.append(f"<tr>{cells}</tr>")
    head = "".join(f"<th>{h}</th>" for h in ["Role", "Name", "Title", "Period", "Replicates"])
    note = ("<p class='note'>Base and variants are run with the <b>same seeds</b> (common "
            "random numbers): replicate <i>r</i> of every variant uses the random stream of "
            "replicate <i>r</i> of the base. Effects are therefore paired differences "
            "variant − base, replicate by replicate; their spread reflects how the change "
            "plays out across runs, not noise between two independent ensembles.</p>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def effects_rows(effects: pd.DataFrame, variant: str, top: int = TOP_EFFECTS
                 ) -> tuple[pd.Timestamp | None, pd.DataFrame]:
    """(last date, the `top` rows of `variant` at that date by |median effect|)."""
    eff = effects[effects["variant"] == variant]
    if eff.empty:
        return None, eff
    last = eff["date"].max()
    rows = eff[eff["date"] == last].dropna(subset=["effect_median"])
    rows = CF.rank_effects(rows).head(top)
    return pd.Timestamp(last), rows


def _interval(med, lo, hi) -> str:
    f = CF.fmt_value
    return f"{f(med, True)} [{f(lo, True)}, {f(hi, True)}]"


def effects_table_html(rows: pd.DataFrame, meta: dict) -> str:
    """Effects table: metric, subject, base/variant medians, effect [5 %, 95 %], share."""
    if rows.empty:
        return "<p class='muted'>No effects recorded for this variant.</p>"
    body = [[CF.metric_label(r["metric"], units=True),
             CF.subject_label(r["subject"], meta) or "(whole system)",
             CF.fmt_value(r["base_median"]), CF.fmt_value(r["variant_median"]),
             _interval(r["effect_median"], r["effect_lo"], r["effect_hi"]),
             f"{r['share_positive']:.0%} of {int(r['replicates'])}"
             if pd.notna(r["share_positive"]) else "–"]
            for _, r in rows.iterrows()]
    return _table(["Metric", "Subject", "Base median", "Variant median",
                   "Effect median [5 %, 95 %]", "Runs with variant > base"], body,
                  {2, 3, 4, 5})


EVENT_COLUMNS = ["Date", "Type", "Event", "States", "Source"]


def _event_row(r: pd.Series, tag: str = "", tag_color: str = "#555", css: str = "",
               style: str = "", status_column: bool = True) -> str:
    """One event as a table row (`data-id` = event id), optionally with a status tag."""
    cells = [f"{pd.Timestamp(r['date']):%Y-%m-%d}"]
    if status_column:
        cells.append(_Raw(f"<span class='tag' style='background:{tag_color}'>{_esc(tag)}</span>"
                          if tag else ""))
    cells += [r.get("type", ""), r.get("label", ""), r.get("states", ""), r.get("source", "")]
    attrs = (f" class='{css}'" if css else "") + (f" style='{style}'" if style else "")
    return f"<tr{attrs} data-id='{_esc(r.get('id', ''))}'>{_cells(cells)}</tr>"


def _event_table(rows: list[str], status_column: bool) -> str:
    columns = EVENT_COLUMNS[:1] + (["Status"] if status_column else []) + EVENT_COLUMNS[1:]
    head = "".join(f"<th>{h}</th>" for h in columns)
    return (f"<table class='events'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
            "</tbody></table>")


def scenario_events_html(events: dict | None, meta: dict, order: list[str],
                         colors: dict) -> str:
    """Per scenario its events. The base: all events. A variant: first its differences
    from the base, by date: its own events highlighted ('new', or 'changed' when the base
    event with that id has another label or date) and the base events it lacks struck
    through ('absent'); then, collapsed, the events it shares with the base.
    """
    base = order[0]
    base_ev = CF.events_of(events, base)
    parts = []
    for name in order:
        ev = CF.events_of(events, name)
        title = f"{'Base' if name == base else 'Variant'}: {CF.scenario_title(name, meta)}"
        parts.append(f"<h3>{_swatch(colors[name])}{_esc(title)} "
                     f"<span class='muted'>({_esc(name)})</span></h3>")
        if name == base:
            parts.append(_event_table([_event_row(r, status_column=False)
                                       for _, r in ev.iterrows()], False)
                         if len(ev) else "<p class='muted'>No scenario events fired.</p>")
            continue
        status = pd.Series(CF.event_status(base_ev, ev), index=ev.index, dtype=object)
        absent = CF.event_differences(base_ev, ev)[1]
        diff = pd.concat([ev[status != ""].assign(_status=status[status != ""]),
                          absent.assign(_status="absent")], ignore_index=True)
        diff = diff.sort_values(["date", "id"], kind="stable")
        style = f"background:{rgba(colors[name], 0.13)}"
        rows = [_event_row(r, "absent", "#999", css="absent") if r["_status"] == "absent"
                else _event_row(r, r["_status"], colors[name], css="variant-specific",
                                style=style)
                for _, r in diff.iterrows()]
        parts.append(_event_table(rows, True) if rows else
                     "<p class='muted'>Same events as the base.</p>")
        shared = ev[status == ""]
        if len(shared):
            parts.append(f"<details class='shared'><summary>{len(shared)} event"
                         f"{'s' if len(shared) != 1 else ''} as in the base</summary>"
                         + _event_table([_event_row(r, status_column=False)
                                         for _, r in shared.iterrows()], False)
                         + "</details>")
    return "\n".join(parts)


def compare_hindcast(comparison) -> pd.DataFrame | None:
    """The base's observed outcomes scored on every scenario's ensemble (``simulation.hindcast``):
    the score table with ``scenario`` and ``span`` columns, or None when the base has none. Each
    scenario's own events decide what it scripts (a variant may remove the event that forces one).
    """
    base = comparison.base.loaded.scenario
    if not base.observed:
        return None
    runs = {base.name: comparison.base} | comparison.variants
    spans = {o.id: HF.span_text(o) for o in base.observed}
    frames = []
    for name, run in runs.items():
        last = pd.Timestamp(run.tables["model"]["date"].max()).date()
        due = [o for o in base.observed if H.span(o, base.calendar.start)[1] <= last]
        if due:
            scenario = run.loaded.scenario.model_copy(update={"observed": due})
            frames.append(H.score(run.tables, scenario).assign(scenario=name))
    if not frames:
        return None
    out = pd.concat(frames, ignore_index=True)
    return out.assign(span=out["id"].map(spans))


def hindcast_html(frame: pd.DataFrame | None, order: list[str], colors: dict, fig) -> str:
    """Per observed outcome of the base: what happened, and each scenario's probability and band
    (green: points the way reality went, red: not, grey: scripted by that scenario's events).
    """
    if frame is None or frame.empty:
        return ""
    order = [n for n in order if n in set(frame["scenario"])]
    ids = list(dict.fromkeys(frame["id"]))
    by = frame.set_index(["scenario", "id"])
    first = frame.drop_duplicates("id").set_index("id")
    rows, attrs = [], []
    for i in ids:
        r = first.loc[i]
        cells = [r["what"], r["subject"], f"{r['test']} · {r['span']}", reality_tag(bool(r["happened"]))]
        for name in order:
            if (name, i) not in by.index:
                cells.append("–")
                continue
            x = by.loc[(name, i)]
            kind = HF.verdict(x)
            f = CF.fmt_value
            band = f"{f(x['median'], True)} [{f(x['low'], True)}, {f(x['high'], True)}]"
            note = f" · scripted by {x['scripted_by']}" if x["scripted_by"] else ""
            cells.append(_Raw(f"<span class='tag' style='background:{HF.VERDICT_COLORS[kind]}'>P {x['model']:.0%}"
                              f"</span> <span class='muted'>{_esc(band)}{_esc(note)}</span>"))
        rows.append(cells)
        attrs.append(f"data-outcome='{_esc(i)}'")
    score = ["Scored outcomes", "", "", ""]
    for name in order:
        s = H.summary(frame[frame["scenario"] == name].reset_index(drop=True))
        score.append(f"{round(s['right'] * s['scored'])} of {s['scored']} right · Brier {s['brier']:.3f} "
                     f"(reference {s['brier_reference']:.3f})" if s["scored"] else "all scripted")
    rows.append(score)
    attrs.append("class='hindcast-score'")
    header = ["Outcome", "Subject", "Statement", "Reality", *order]
    return ("<h2 id='against-what-happened'>Against what happened</h2>"
            "<p class='muted'>The base's observed outcomes against each scenario's ensemble: P is the share of "
            "runs in which the statement holds (in the chart: a dot per scenario, a ring where its events force "
            "the outcome; the triangle is what happened), then in the table the median of its measure [5 %, 95 %]. "
            "Green: the scenario points the way reality went; red: it does not; grey: that scenario's events force "
            "the outcome (left out of its score).</p>"
            + fig(HF.scenario_probabilities(frame, order, colors))
            + _table(header, rows, set(), "hindcast", attrs))


def render_compare_report(bands: pd.DataFrame, effects: pd.DataFrame, events: dict | None,
                          meta: dict, hindcast: pd.DataFrame | None = None) -> str:
    """The full HTML document as a string."""
    title = meta.get("title") or "alliance-sim comparison"
    variants = _variants(bands, effects, meta)
    order = CF.scenario_order({**meta, "variants": variants}, bands["scenario"].unique())
    colors = CF.scenario_colors({**meta, "variants": variants}, bands["scenario"].unique())
    fig = _Figures()
    body = [f"<h1>{_esc(title)}</h1>",
            f"<p class='sub'>Base scenario <b>{_esc(meta['base'])}</b> compared with "
            f"{len(variants)} variant{'s' if len(variants) != 1 else ''}.</p>",
            "<h2 id='scenarios'>Scenarios compared</h2>",
            scenarios_html(bands, meta, order, colors), hindcast_html(hindcast, order, colors, fig)]
    for v in variants:
        last, rows = effects_rows(effects, v)
        when = f" on {last:%Y-%m-%d}" if last is not None else ""
        heading = f"Effects of {CF.scenario_title(v, meta)}{when}"
        body += [f"<h2 id='effects-{_esc(v)}'>{_swatch(colors[v])}{_esc(heading)}</h2>",
                 f"<p class='muted'>The {TOP_EFFECTS} largest |median effect| of variant "
                 f"<b>{_esc(v)}</b> versus base <b>{_esc(meta['base'])}</b> at the last "
                 "date. Effects are in each metric's own units, so rows of different "
                 "metrics are not comparable in size.</p>",
                 effects_table_html(rows, meta)]
        if last is not None:
            relations = [m for m in effects["metric"].unique() if m in RELATION_METRICS or m.startswith("tension_")]
            body.append(fig(CF.effect_forest(effects, v, last, meta, metrics=relations)))
    body.append("<h2 id='trajectories'>Trajectories: base and variants</h2>")
    body.append("<p class='muted'>Median over replicates (line) and 5–95 % band per "
                "scenario. Event strip: base events in grey; each variant's own events "
                "(new or changed) in its colour; grey crosses mark base events the variant "
                "lacks.</p>")
    for metric, subject in CF.default_comparison_panels(bands, meta):
        body.append(fig(CF.scenario_bands(bands, metric, subject, events, meta)))
    body += ["<h2 id='events'>Scenario events</h2>",
             scenario_events_html(events, meta, order, colors),
             "<h2 id='manifest'>Manifest</h2>", manifest_html(meta)]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_esc(title)}</title><style>{CSS}{COMPARE_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def build_compare_report(bands: pd.DataFrame, effects: pd.DataFrame,
                         events: dict[str, pd.DataFrame] | None, meta: dict,
                         path: Path, hindcast: pd.DataFrame | None = None) -> Path:
    """Write the self-contained comparison report to `path` and return it.

    `bands`, `effects`, `events` and `meta` follow the contract of `viz.compare_figures`
    (as produced by `simulation.compare`); `hindcast` (:func:`compare_hindcast`) adds "Against
    what happened" when the base has observed outcomes.
    """
    path = Path(path)
    path.write_text(render_compare_report(bands, effects, events, meta, hindcast), encoding="utf-8")
    return path
