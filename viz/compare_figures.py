"""Plotly figure builders for comparing a base scenario with variants.

Pure functions over the comparison tables produced by `alliance-sim compare`:

- `bands`: one row per scenario × metric × subject × date with the replicate quantiles
  `lo`, `med`, `hi` (5 %, 50 %, 95 %) and `n`;
- `effects`: one row per variant × metric × subject × date with the paired (same seed)
  variant − base differences `effect_median`, `effect_lo`, `effect_hi`, `share_positive`;
- `events`: scenario name -> events table (`id, type, date, step, label, source, states`);
- `meta`: `title`, `base`, `variants`, `titles`, `states`, `manifest`.

`subject` is "" for model metrics, a state id for state metrics and "A–B" (en dash,
alphabetical) for pair metrics. No I/O, no global state.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz._common import (
    PALETTE, add_band_line, add_event_lines, base_layout, event_strip_trace, label_extents,
    region_label, rgba, stagger_levels, state_label,
)
from viz.figures import RESOURCE_ROWS, _nearest_date

__all__ = [
    "BASE_COLOR", "BASE_EVENT_COLOR", "SIGN_COLORS", "scenario_order", "scenario_title",
    "scenario_colors", "metric_label", "subject_kind", "subject_label", "fmt_value",
    "events_of", "event_status", "event_differences",
    "scenario_bands", "effect_forest", "default_comparison_panels",
]

BASE_COLOR = "#222222"
BASE_EVENT_COLOR = "#A0A0A0"
SIGN_COLORS = {"pos": "#0072B2", "neg": "#D55E00", "zero": "#888888"}
_VARIANT_PALETTE = [c for c in PALETTE if c not in ("#7F7F7F",)]  # grey is for the base
_LANE_LEVELS = {"base": 3, "variant": 6}  # max label rows per lane in the event strip
_LANE_PX = 26  # height of one label row (px)

_METRIC_LABELS = {
    "global_tension": "Global tension", "polarization": "Polarization", "energy": "Energy",
    "frustration": "Frustration", "alignment": "Alignment", "tech": "Technology level",
    "manpower_strain": "Manpower strain", "capability": "Capability", "economy": "Economy",
    "threat": "Threat", "losses": "Losses", "troops_abroad": "Troops abroad",
    "support_given": "Support given", "affinity": "Affinity", "tension": "Tension",
    "treaty": "Treaty strength",
    **{column: label.split(" (")[0] for column, label, _ in RESOURCE_ROWS},
}
_METRIC_UNITS = {
    "front_strength": "thousand effective troops", "capability": "CINC", "threat": "CINC",
    "tech": "1 = scenario median", "support_given": "relative value",
    "global_tension": "0–1", "tension": "0–1", "affinity": "−1 … +1", "alignment": "−1 … +1",
    "polarization": "−1 … +1", "manpower_strain": "share", "economy": "US$ bn/yr",
    "losses": "thousand/step", "troops_abroad": "thousand",
    **{column: label.split(" (")[1].rstrip(")") for column, label, _ in RESOURCE_ROWS
       if " (" in label},
}
_HOVER_FMT = {column: fmt for column, _, fmt in RESOURCE_ROWS}


# ---------------------------------------------------------------- names, colours, labels

def scenario_order(meta: dict, scenarios=()) -> list[str]:
    """Base first, then `meta['variants']` in order, then any other name in `scenarios`."""
    order = [meta["base"]] + [v for v in meta.get("variants") or [] if v != meta["base"]]
    return order + sorted({str(s) for s in scenarios} - set(order))


def scenario_title(name: str, meta: dict) -> str:
    """Human title of a scenario (`meta['titles']`), else its name."""
    return str((meta.get("titles") or {}).get(name) or name)


def scenario_colors(meta: dict, scenarios=()) -> dict[str, str]:
    """Base dark grey; variants distinct palette colours in `scenario_order`."""
    order = scenario_order(meta, scenarios)
    colors = {order[0]: BASE_COLOR}
    for i, name in enumerate(order[1:]):
        colors[name] = _VARIANT_PALETTE[i % len(_VARIANT_PALETTE)]
    return colors


def metric_label(metric: str, units: bool = False) -> str:
    """'tension_korean_peninsula' -> 'Tension: Korean peninsula'; optionally with units."""
    if metric.startswith("tension_"):
        label, unit = f"Tension: {region_label(metric)}", "0–1"
    else:
        label = _METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())
        unit = _METRIC_UNITS.get(metric)
    return f"{label} ({unit})" if units and unit else label


def subject_kind(subject: str) -> str:
    """'model' for "", 'pair' for 'A–B', else 'state'."""
    if not subject:
        return "model"
    return "pair" if "–" in subject or "-" in subject else "state"


def subject_label(subject: str, meta: dict) -> str:
    """'' -> '', 'RUS' -> 'Russia (RUS)', 'PRK–RUS' -> 'PRK–RUS'."""
    kind = subject_kind(subject)
    if kind == "state":
        return state_label(subject, meta)
    return subject


def _wrap(text: str, width: int = 34) -> str:
    """HTML-escaped text wrapped with <br> (Plotly decodes entities in names/titles)."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width)) or ""


def _hover_fmt(metric: str) -> str:
    if metric in ("affinity", "alignment", "polarization"):
        return "+.2f"
    return _HOVER_FMT.get(metric, ".3f")


# ---------------------------------------------------------------- events

def events_of(events: dict | None, name: str) -> pd.DataFrame:
    """The events table of one scenario, sorted by date (empty if missing)."""
    ev = (events or {}).get(name)
    if ev is None or len(ev) == 0 or "date" not in ev:
        return pd.DataFrame(columns=["id", "type", "date", "step", "label", "source", "states"])
    ev = ev.assign(date=pd.to_datetime(ev["date"]))
    return ev.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def event_status(base_events: pd.DataFrame | None, variant_events: pd.DataFrame | None
                 ) -> list[str]:
    """Per event of the variant (sorted as `events_of` sorts it): 'new' when its id is not
    among the base's events, 'changed' when the base event with that id has a different
    label or date, '' when the base has the same event.
    """
    base = events_of({"b": base_events}, "b")
    var = events_of({"v": variant_events}, "v")
    same = {(str(i), str(lab), pd.Timestamp(d))
            for i, lab, d in zip(base["id"], base["label"], base["date"])}
    ids = set(base["id"].astype(str))
    return ["" if (str(i), str(lab), pd.Timestamp(d)) in same else
            "changed" if str(i) in ids else "new"
            for i, lab, d in zip(var["id"], var["label"], var["date"])]


def event_differences(base_events: pd.DataFrame | None, variant_events: pd.DataFrame | None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(variant-specific events with a `status` column 'new'/'changed', base events whose
    id the variant lacks), both sorted by date. See `event_status`.
    """
    base = events_of({"b": base_events}, "b")
    var = events_of({"v": variant_events}, "v").assign(
        status=event_status(base_events, variant_events))
    specific = var[var["status"] != ""]
    absent = base[~base["id"].astype(str).isin(set(var["id"].astype(str)))]
    return specific.reset_index(drop=True), absent.reset_index(drop=True)


def _lanes(events: dict | None, meta: dict, order: list[str]) -> list[dict]:
    """Event-strip lanes: the base's events, then per variant its specific/absent events."""
    base_ev = events_of(events, order[0])
    lanes = []
    if len(base_ev):
        lanes.append({"scenario": order[0], "specific": base_ev, "absent": base_ev.iloc[0:0]})
    for name in order[1:]:
        specific, absent = event_differences(base_ev, events_of(events, name))
        if len(specific) or len(absent):
            lanes.append({"scenario": name, "specific": specific, "absent": absent})
    return lanes


def _lane_events(lane: dict) -> pd.DataFrame:
    """A lane's specific and absent events together, sorted by date (flag `_absent`)."""
    both = pd.concat([lane["specific"].assign(_absent=False),
                      lane["absent"].assign(_absent=True)], ignore_index=True)
    return both.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def _lane_layout(dates: pd.Series, span, n_levels: int) -> tuple[list[int], bool]:
    """(row per event, show labels?). When the short labels cannot be placed without
    overlap in `n_levels` rows (e.g. a crowded base lane), the lane shows markers only,
    staggered so that same-day events do not hide each other; hover gives the text.
    """
    levels = stagger_levels(dates, n_levels=n_levels, span=span)
    ends: dict[int, float] = {}
    for (start, end, _), k in zip(label_extents(dates, span=span), levels):
        if start < ends.get(k, -np.inf) + 0.01:
            return stagger_levels(dates, n_levels=min(n_levels, 3), width=0.012,
                                  span=span), False
        ends[k] = end
    return levels, True


def _lane_levels(lane: dict, meta: dict) -> int:
    return _LANE_LEVELS["base" if lane["scenario"] == meta["base"] else "variant"]


def _lane_height(lane: dict, meta: dict, span) -> int:
    dates = _lane_events(lane)["date"]
    return max(_lane_layout(dates, span, _lane_levels(lane, meta))[0]) + 1


def _add_event_lanes(fig, lanes: list[dict], meta: dict, colors: dict, span, row: int) -> None:
    """One lane per scenario in the strip row (base on top); lane names as y tick labels."""
    base = scenario_order(meta)[0]
    offset, ticks, text = 0, [], []
    for lane in lanes:
        name = lane["scenario"]
        both = _lane_events(lane)
        levels, labelled = _lane_layout(both["date"], span, _lane_levels(lane, meta))
        y = np.asarray(levels) + offset
        title = html.escape(scenario_title(name, meta))
        for absent in (False, True):
            mask = (both["_absent"] == absent).to_numpy()
            if not mask.any():
                continue
            ev = both[mask]
            if name == base:
                color, kind = BASE_EVENT_COLOR, "base"
                prefix = [f"<i>Base: {title}</i><br>"] * len(ev)
            elif absent:
                color, kind = BASE_EVENT_COLOR, "absent"
                prefix = [f"<i>Base event absent from {title}</i><br>"] * len(ev)
            else:
                color, kind = colors[name], "specific"
                prefix = [f"<i>{title}: {s} event</i><br>" for s in ev["status"]]
            trace = event_strip_trace(
                ev, y[mask], color, name=f"Events: {scenario_title(name, meta)}",
                symbol="x" if absent else "diamond", span=span, hover_prefix=prefix,
                legendgroup=name, meta={"scenario": name, "kind": kind,
                                        "ids": [str(i) for i in ev["id"]]})
            if not labelled:
                trace.update(mode="markers")
            fig.add_trace(trace, row=row, col=1)
        height = max(levels) + 1
        ticks.append(offset + (height - 1) / 2)
        text.append(f"<span style='color:{colors[name]}'>{html.escape(name)}</span>")
        if offset:
            fig.add_hline(y=offset - 0.5, line={"color": "#DDD", "width": 1}, row=row, col=1)
        offset += height
    fig.update_yaxes(range=[offset - 0.4, -0.6], tickvals=ticks, ticktext=text, showgrid=False,
                     zeroline=False, title_text="Events", fixedrange=True, row=row, col=1)


# ---------------------------------------------------------------- figures

def scenario_bands(bands: pd.DataFrame, metric: str, subject: str, events: dict | None,
                   meta: dict) -> go.Figure:
    """Median and 5–95 % band of one metric per scenario, plus an event strip.

    Base in dark grey, variants in distinct colours (legend: scenario titles). The strip has
    one lane for the base's events (grey) and one per variant with its specific events
    ('new' or 'changed' relative to the base, in the variant's colour) and, as grey crosses,
    the base events it lacks. Variant-specific event dates are also marked by dotted lines.
    """
    subject = subject or ""
    data = bands[(bands["metric"] == metric) & (bands["subject"].fillna("") == subject)]
    order = scenario_order(meta, data["scenario"].unique())
    colors = scenario_colors(meta, data["scenario"].unique())
    span = ((data["date"].min(), data["date"].max()) if len(data)
            else (bands["date"].min(), bands["date"].max()))
    lanes = _lanes(events, meta, order)
    main_px = 400
    strip_px = _LANE_PX * sum(_lane_height(ln, meta, span) for ln in lanes) + 20 if lanes else 0
    if lanes:
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                            row_heights=[main_px, strip_px])
    else:
        fig = make_subplots(rows=1, cols=1)
    fmt = _hover_fmt(metric)
    for name in order:
        sub = data[data["scenario"] == name].sort_values("date")
        if sub.empty:
            continue
        is_base = name == order[0]
        add_band_line(fig, sub, _wrap(scenario_title(name, meta)), colors[name],
                      width=3.0 if is_base else 2.0, legendgroup=name, hover_fmt=fmt,
                      row=1, col=1)
        fig.data[-1].meta = {"scenario": name}
    if data.empty:
        fig.add_annotation(text="No data for this metric and subject", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.6, font={"size": 16})
    if lanes:
        _add_event_lanes(fig, lanes, meta, colors, span, row=2)
        for lane in lanes:
            if lane["scenario"] != order[0] and len(lane["specific"]):
                add_event_lines(fig, lane["specific"],
                                color=rgba(colors[lane["scenario"]], 0.7))
    title = metric_label(metric)
    if subject:
        title += f" · {subject_label(subject, meta)}"
    base_layout(fig, f"{title}: base vs variants", height=main_px + strip_px + 150,
                legend={"title": {"text": "Scenario"}, "tracegroupgap": 6})
    fig.update_yaxes(title_text=metric_label(metric, units=True), row=1, col=1)
    fig.update_xaxes(title_text="Date", row=2 if lanes else 1, col=1)
    fig.update_xaxes(type="date")  # a widget may send dates as numbers: keep the axis a date axis
    return fig


def _row_label(metric: str, subject: str) -> str:
    return f"{metric_label(metric)} · {subject}" if subject else metric_label(metric)


def effect_forest(effects: pd.DataFrame, variant: str, date, meta: dict, top: int = 20,
                  metrics=None) -> go.Figure:
    """Dot-and-interval chart of the `top` largest |median effect| of `variant` at the
    available date nearest to `date` (None: last date).

    Rows ('metric · subject') are sorted by |median effect|, largest on top; the dot is the
    median paired difference variant − base, the bar its 5–95 % range over replicates;
    colour by sign. `metrics` optionally restricts the metrics considered. Effects of
    different metrics are in each metric's own units.
    """
    eff = effects[effects["variant"] == variant]
    if metrics is not None:
        eff = eff[eff["metric"].isin(list(metrics))]
    when = _nearest_date(eff["date"], date) if len(eff) else None
    rows = eff[eff["date"] == when].dropna(subset=["effect_median"]) if when is not None else eff
    rows = rank_effects(rows).head(max(int(top), 0))
    labels = [_row_label(m, s) for m, s in zip(rows["metric"], rows["subject"])]
    rows = rows.assign(_label=labels)
    fig = go.Figure()
    sign = np.sign(rows["effect_median"].to_numpy(float))
    groups = [("pos", sign > 0, "variant > base"), ("neg", sign < 0, "variant < base"),
              ("zero", sign == 0, "no change")]
    for key, mask, name in groups:
        sub = rows[mask]
        if sub.empty:
            continue
        med = sub["effect_median"].to_numpy(float)
        custom = np.column_stack([
            sub["effect_lo"].to_numpy(float), sub["effect_hi"].to_numpy(float),
            sub["base_median"].to_numpy(float), sub["variant_median"].to_numpy(float),
            sub["share_positive"].to_numpy(float), sub["replicates"].to_numpy(float)])
        fig.add_trace(go.Scatter(
            x=med, y=sub["_label"], mode="markers", name=name,
            marker={"color": SIGN_COLORS[key], "size": 10,
                    "line": {"width": 1, "color": "white"}},
            error_x={"type": "data", "symmetric": False, "thickness": 2, "width": 4,
                     "color": SIGN_COLORS[key],
                     "array": np.nan_to_num(sub["effect_hi"].to_numpy(float) - med),
                     "arrayminus": np.nan_to_num(med - sub["effect_lo"].to_numpy(float))},
            customdata=custom,
            hovertemplate=("<b>%{y}</b><br>effect (median): %{x:+.3g}"
                           "<br>5–95 %: [%{customdata[0]:+.3g}, %{customdata[1]:+.3g}]"
                           "<br>base %{customdata[2]:.3g} → variant %{customdata[3]:.3g}"
                           "<br>variant > base in %{customdata[4]:.0%} of "
                           "%{customdata[5]:.0f} runs<extra></extra>")))
    fig.add_vline(x=0, line={"color": "#666", "width": 1.5})
    _add_value_column(fig, rows)
    if rows.empty:
        fig.add_annotation(text="No effects at this date", showarrow=False, xref="paper",
                           yref="paper", x=0.5, y=0.5, font={"size": 16})
    when_text = f" on {pd.Timestamp(when):%Y-%m-%d}" if when is not None else ""
    title = _wrap(f"Effects of {scenario_title(variant, meta)}{when_text}", 90)
    base_layout(fig, title, height=210 + 30 * max(len(rows), 3),
                legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                        "yanchor": "bottom"})
    fig.update_layout(margin={"t": 80 + 22 * title.count("<br>"), "r": 200})
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed",
                     title_text="", automargin=True, tickfont={"size": 12})
    fig.update_xaxes(title_text="Variant − base, paired by seed (median, 5–95 %; "
                                "each row in its metric's units)", zeroline=False)
    return fig


def fmt_value(x, signed: bool = False) -> str:
    """Compact number: 1,234 / 12.35 / 0.123 (with sign if `signed`); '–' if missing."""
    if x is None or pd.isna(x):
        return "–"
    sign = "+" if signed else ""
    ax = abs(float(x))
    if ax >= 100:
        return f"{x:{sign},.0f}"
    if ax >= 1:
        return f"{x:{sign}.2f}"
    return f"{x:{sign}.3f}"


def _add_value_column(fig, rows: pd.DataFrame) -> None:
    """Each row's 'median [5 %, 95 %]' as text right of the plot: rows of small-unit metrics
    stay readable when a large-unit metric sets the x scale.
    """
    if rows.empty:
        return
    fig.add_annotation(text="<b>median [5 %, 95 %]</b>", xref="paper", yref="paper", x=1.01,
                       y=1.0, xanchor="left", yanchor="bottom", showarrow=False,
                       font={"size": 11, "color": "#555"})
    for label, med, lo, hi in zip(rows["_label"], rows["effect_median"], rows["effect_lo"],
                                  rows["effect_hi"]):
        fig.add_annotation(text=f"{fmt_value(med, True)} [{fmt_value(lo, True)}, "
                                f"{fmt_value(hi, True)}]",
                           xref="paper", yref="y", x=1.01, y=label, xanchor="left",
                           showarrow=False, font={"size": 11, "color": "#333"})


def rank_effects(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by effect size: |relative effect| (effect / |base median|) when the table has
    it, so that metrics in different units compare; else |effect median|.
    """
    size = rows["effect_median"].abs()
    if "relative_effect" in rows:
        size = rows["relative_effect"].abs().fillna(size)
    return (rows.assign(_abs=size, subject=rows["subject"].fillna(""))
            .sort_values(["_abs", "metric", "subject"], ascending=[False, True, True], kind="stable"))


def default_comparison_panels(bands: pd.DataFrame, meta: dict, n_pairs: int = 6
                              ) -> list[tuple[str, str]]:
    """Default (metric, subject) panels for the comparison report.

    Global tension, the regional tensions (alphabetical), `front_strength` of every state
    whose front strength is nonzero in some scenario, and the `n_pairs` pair affinities with
    the largest |variant median − base median| at the base's last date (maximum over the
    variants; pairs without any difference are left out).
    """
    subj = bands["subject"].fillna("")
    metrics = set(bands.loc[subj == "", "metric"])
    panels = [("global_tension", "")] if "global_tension" in metrics else []
    panels += [(m, "") for m in sorted(m for m in metrics if m.startswith("tension_"))]
    front = bands[bands["metric"] == "front_strength"]
    nonzero = front[["lo", "med", "hi"]].fillna(0).ne(0).any(axis=1)
    panels += [("front_strength", s) for s in sorted(set(front.loc[nonzero, "subject"]))]
    panels += [("affinity", p) for p in _top_affinity_changes(bands, meta, n_pairs)]
    return panels


def _top_affinity_changes(bands: pd.DataFrame, meta: dict, n: int) -> list[str]:
    aff = bands[(bands["metric"] == "affinity") & (bands["subject"].fillna("") != "")]
    base_name = meta["base"]
    base = aff[aff["scenario"] == base_name]
    if base.empty or n <= 0:
        return []
    last = base["date"].max()
    at = aff[aff["date"] == last].pivot_table(index="subject", columns="scenario",
                                              values="med", aggfunc="first")
    variants = [v for v in at.columns if v != base_name]
    if not variants:
        return []
    diff = at[variants].sub(at[base_name], axis=0).abs().max(axis=1, skipna=True)
    diff = diff[diff > 0].reset_index(name="d").sort_values(["d", "subject"],
                                                            ascending=[False, True])
    return list(diff["subject"].head(n))
