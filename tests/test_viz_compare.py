"""Tests for viz.compare_figures and viz.compare_report on synthetic comparison tables
(base + 2 variants, 3 states, 5 monthly dates, 12 replicates)."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from viz import compare_figures as CF
from viz._common import rgba
from viz.compare_report import build_compare_report

STATES3 = ["PRK", "RUS", "UKR"]
PAIRS3 = ["PRK–RUS", "PRK–UKR", "RUS–UKR"]
DATES = pd.date_range("2024-06-01", periods=5, freq="MS")
SCENARIOS = ["base", "more_troops", "no_sanctions"]
TITLES = {"base": "Historical baseline 2024",
          "more_troops": "PRK sends twice the troops",
          "no_sanctions": "No new sanctions & <no> aid"}
N_REP = 12

# Affinity shifts variant − base at the LAST date (PRK–UKR differs only earlier):
# ranked by the max over variants of |shift| -> RUS–UKR (0.35), PRK–RUS (0.30); PRK–UKR out.
# (Mean over variants would put PRK–RUS first; signed values would put RUS–UKR last.)
AFF_SHIFT_LAST = {("more_troops", "PRK–RUS"): 0.30, ("no_sanctions", "PRK–RUS"): 0.25,
                  ("more_troops", "RUS–UKR"): 0.0, ("no_sanctions", "RUS–UKR"): -0.35}
AFF_SHIFT_EARLY = {("more_troops", "PRK–UKR"): 0.8}  # at DATES[2] only


def make_meta() -> dict:
    return {"title": "Synthetic comparison", "base": "base",
            "variants": ["more_troops", "no_sanctions"], "titles": dict(TITLES),
            "states": {"PRK": "North Korea", "RUS": "Russia", "UKR": "Ukraine"},
            "manifest": {"seeds": {"seed": 7, "replicates": N_REP}, "git": "cafe1234",
                         "note": "COMPARE-MANIFEST-MARKER"}}


def _band_rows(scenario, metric, subject, med):
    med = np.asarray(med, dtype=float)
    spread = (0.05 + 0.1 * np.abs(med)) * (med != 0)  # a quantity that is 0 in every run
    return pd.DataFrame({"scenario": scenario, "metric": metric, "subject": subject,
                         "date": DATES, "lo": med - spread, "med": med, "hi": med + spread,
                         "n": N_REP})


def make_bands() -> pd.DataFrame:
    k = np.linspace(0, 1, len(DATES))
    parts = []
    for i, sc in enumerate(SCENARIOS):
        parts += [_band_rows(sc, "global_tension", "", 0.3 + 0.1 * k + 0.02 * i),
                  _band_rows(sc, "tension_europe", "", 0.6 + 0.05 * k),
                  _band_rows(sc, "tension_korean_peninsula", "", 0.2 + (0.3 + 0.1 * i) * k),
                  _band_rows(sc, "polarization", "", 0.4 + 0.05 * i * k)]
        for s in STATES3:
            war = s in ("RUS", "UKR")
            front = np.where(k > 0, 100.0 + 50 * k + 10 * i, 0.0) if war else np.zeros(5)
            parts += [_band_rows(sc, "front_strength", s, front),
                      _band_rows(sc, "manpower", s, 1000.0 - 100 * k * (1 + i) * war),
                      _band_rows(sc, "munitions", s, 5.0 - (1 + 0.5 * i) * k * war),
                      _band_rows(sc, "alignment", s, np.full(5, 0.5 - 0.1 * i)),
                      _band_rows(sc, "tech", s, np.full(5, 1.0)),
                      _band_rows(sc, "manpower_strain", s, 0.1 * k * (1 + i) * war)]
        for p in PAIRS3:
            aff = np.full(5, {"PRK–RUS": 0.4, "PRK–UKR": -0.1, "RUS–UKR": -0.8}[p])
            aff[-1] += AFF_SHIFT_LAST.get((sc, p), 0.0)
            aff[2] += AFF_SHIFT_EARLY.get((sc, p), 0.0)
            parts += [_band_rows(sc, "affinity", p, aff),
                      _band_rows(sc, "tension", p, 0.5 * (1 - aff))]
    return pd.concat(parts, ignore_index=True)


def make_effects(bands: pd.DataFrame) -> pd.DataFrame:
    """Paired effects consistent with the bands (effect = variant − base medians)."""
    idx = ["metric", "subject", "date"]
    base = bands[bands["scenario"] == "base"].set_index(idx)["med"]
    out = []
    for v in SCENARIOS[1:]:
        var = bands[bands["scenario"] == v].set_index(idx)["med"]
        eff = (var - base).rename("effect_median").reset_index()
        width = 0.02 + 0.2 * eff["effect_median"].abs()
        out.append(eff.assign(
            variant=v, base_median=base.to_numpy(), variant_median=var.to_numpy(),
            effect_lo=eff["effect_median"] - width, effect_hi=eff["effect_median"] + width,
            share_positive=np.select([eff["effect_median"] > 0, eff["effect_median"] < 0],
                                     [0.9, 0.1], 0.5),
            replicates=N_REP))
    cols = ["variant", "metric", "subject", "date", "base_median", "variant_median",
            "effect_median", "effect_lo", "effect_hi", "share_positive", "replicates"]
    return pd.concat(out, ignore_index=True)[cols]


def _events(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["id", "type", "date", "label", "source", "states"])
    df["date"] = pd.to_datetime(df["date"])
    df["step"] = 1
    return df[["id", "type", "date", "step", "label", "source", "states"]]


E1 = ("e1", "troop_deployment", "2024-07-15", "PRK troops to Kursk", "Reuters SRC-E1", "PRK,RUS")
E2 = ("e2", "summit", "2024-06-19", "Putin–Kim summit", "TASS SRC-E2", "PRK,RUS")
E3 = ("e3", "sanctions", "2024-09-01", "New EU sanctions", "EU OJ SRC-E3", "RUS")
E1_DOUBLED = E1[:3] + ("PRK troops to Kursk (twice as many)", "what-if SRC-E1X", "PRK,RUS")
E4 = ("e4", "troop_deployment", "2024-09-15", "Second PRK contingent", "what-if SRC-E4", "PRK,RUS")


def make_events() -> dict[str, pd.DataFrame]:
    """base: e1 e2 e3. more_troops: e1 changed, e2 same, e3 same, e4 new.
    no_sanctions: e1 e2 same, e3 absent (base-only)."""
    return {"base": _events([E1, E2, E3]),
            "more_troops": _events([E1_DOUBLED, E2, E3, E4]),
            "no_sanctions": _events([E1, E2])}


@pytest.fixture(scope="module")
def cmp():
    bands = make_bands()
    return bands, make_effects(bands), make_events(), make_meta()


def _titled(fig: go.Figure) -> None:
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text
    assert fig.layout.height and fig.layout.height > 200


def _event_traces(fig, kind=None, scenario=None):
    return [t for t in fig.data if t.meta and "kind" in t.meta
            and (kind is None or t.meta["kind"] == kind)
            and (scenario is None or t.meta["scenario"] == scenario)]


# ------------------------------------------------------------------ figures

def test_scenario_colors_and_order():
    meta = make_meta()
    colors = CF.scenario_colors(meta)
    assert list(colors) == SCENARIOS
    assert colors["base"] == CF.BASE_COLOR
    assert len(set(colors.values())) == 3
    assert CF.scenario_order(meta, ["zzz", "base"]) == SCENARIOS + ["zzz"]


def test_scenario_bands_traces(cmp):
    bands, _, events, meta = cmp
    fig = CF.scenario_bands(bands, "global_tension", "", events, meta)
    _titled(fig)
    lines = [t for t in fig.data if t.meta and "scenario" in t.meta and "kind" not in t.meta]
    assert [t.meta["scenario"] for t in lines] == SCENARIOS
    assert [t.name.replace("<br>", " ") for t in lines] == [html.escape(TITLES[s])
                                                            for s in SCENARIOS]
    colors = CF.scenario_colors(meta)
    assert [t.line.color for t in lines] == [colors[s] for s in SCENARIOS]
    # 12 replicates -> each scenario: 5 % and 95 % edges (one filled) + median
    assert sum(t.fill == "tonexty" for t in fig.data) == 3
    assert len([t for t in fig.data if t.mode == "lines"]) == 9
    assert fig.layout.yaxis.title.text and fig.layout.xaxis2.title.text == "Date"
    assert fig.layout.legend.title.text == "Scenario"


def test_scenario_bands_marks_variant_specific_events(cmp):
    bands, _, events, meta = cmp
    colors = CF.scenario_colors(meta)
    fig = CF.scenario_bands(bands, "affinity", "PRK–RUS", events, meta)
    (base_tr,) = _event_traces(fig, "base")
    assert sorted(base_tr.meta["ids"]) == ["e1", "e2", "e3"]
    assert base_tr.marker.color == CF.BASE_EVENT_COLOR
    (spec,) = _event_traces(fig, "specific")  # no_sanctions has no specific events
    assert spec.meta["scenario"] == "more_troops"
    assert sorted(spec.meta["ids"]) == ["e1", "e4"]  # changed + new; e2, e3 are the base's
    assert spec.marker.color == colors["more_troops"]
    hover = " ".join(spec.hovertext)
    assert "2024-09-15" in hover and "SRC-E4" in hover and "Second PRK contingent" in hover
    assert "changed event" in hover and "new event" in hover
    (absent,) = _event_traces(fig, "absent")
    assert absent.meta == {"scenario": "no_sanctions", "kind": "absent", "ids": ["e3"]}
    assert absent.marker.color not in set(colors.values()) - {CF.BASE_COLOR}
    assert absent.marker.color == CF.BASE_EVENT_COLOR
    # dotted lines only at the variant-specific dates, in the variant's colour
    vlines = [s for s in fig.layout.shapes if s.x0 is not None and s.x0 == s.x1]
    assert sorted(pd.Timestamp(s.x0) for s in vlines) == [pd.Timestamp("2024-07-15"),
                                                           pd.Timestamp("2024-09-15")]
    assert all(s.line.color == rgba(colors["more_troops"], 0.7) for s in vlines)
    # lanes on the strip's y axis: base, more_troops, no_sanctions
    ticks = list(fig.layout.yaxis2.ticktext)
    assert [re.sub("<[^>]+>", "", t) for t in ticks] == SCENARIOS


def test_event_differences_rules():
    ev = make_events()
    spec, absent = CF.event_differences(ev["base"], ev["more_troops"])
    assert dict(zip(spec["id"], spec["status"])) == {"e1": "changed", "e4": "new"}
    assert absent.empty
    moved = _events([E1[:2] + ("2024-08-01",) + E1[3:], E2, E3])  # same label, other date
    assert CF.event_status(ev["base"], moved) == ["", "changed", ""]  # sorted by date
    spec, absent = CF.event_differences(ev["base"], ev["no_sanctions"])
    assert spec.empty and list(absent["id"]) == ["e3"]
    spec, absent = CF.event_differences(None, ev["no_sanctions"])
    assert list(spec["status"]) == ["new", "new"] and absent.empty


def test_scenario_bands_without_events_or_band(cmp):
    bands, _, _, meta = cmp
    one = bands.assign(n=1)
    fig = CF.scenario_bands(one, "front_strength", "RUS", None, meta)
    _titled(fig)
    assert len(fig.data) == 3 and not any(t.fill for t in fig.data)  # medians only
    assert "yaxis2" not in fig.layout.to_plotly_json()
    assert "Russia (RUS)" in fig.layout.title.text
    empty = CF.scenario_bands(bands, "front_strength", "XXX", {}, meta)
    assert not empty.data and empty.layout.annotations


def test_effect_forest_top_rows_sorted(cmp):
    _, effects, _, meta = cmp
    fig = CF.effect_forest(effects, "more_troops", DATES[-1], meta, top=5)
    _titled(fig)
    labels = list(fig.layout.yaxis.categoryarray)
    assert len(labels) == 5 == sum(len(t.x) for t in fig.data)
    assert labels[:2] == ["Manpower · RUS", "Manpower · UKR"]  # tie -> alphabetical
    value = {y: x for t in fig.data for x, y in zip(t.x, t.y)}
    mags = [abs(value[y]) for y in labels]
    assert mags == sorted(mags, reverse=True)
    last = effects[(effects["variant"] == "more_troops") & (effects["date"] == DATES[-1])]
    kept = set(labels)
    dropped = [abs(e) for m, s, e in zip(last["metric"], last["subject"], last["effect_median"])
               if CF._row_label(m, s) not in kept]
    assert max(dropped) <= min(mags)
    assert fig.layout.yaxis.autorange == "reversed"
    # zero line and colour by sign
    assert any(s.x0 == 0 and s.x1 == 0 for s in fig.layout.shapes)
    for t in fig.data:
        key = {"variant > base": "pos", "variant < base": "neg", "no change": "zero"}[t.name]
        assert t.marker.color == CF.SIGN_COLORS[key]
        assert all((x > 0) if key == "pos" else (x < 0) if key == "neg" else x == 0
                   for x in t.x)
    assert "2024-10-01" in fig.layout.title.text


def test_effect_forest_nearest_date_and_metric_filter(cmp):
    _, effects, _, meta = cmp
    fig = CF.effect_forest(effects, "more_troops", "2024-08-03", meta, top=3,
                           metrics=["affinity"])
    assert "2024-08-01" in fig.layout.title.text
    labels = list(fig.layout.yaxis.categoryarray)
    assert len(labels) == 3 and labels[0] == "Affinity · PRK–UKR"  # 0.8; other pairs 0
    assert {t.name for t in fig.data} == {"variant > base", "no change"}
    fig = CF.effect_forest(effects, "no_sanctions", None, meta, top=100)
    n_last = ((effects["variant"] == "no_sanctions") & (effects["date"] == DATES[-1])).sum()
    assert len(fig.layout.yaxis.categoryarray) == n_last


def test_default_comparison_panels(cmp):
    bands, _, _, meta = cmp
    panels = CF.default_comparison_panels(bands, meta)
    assert panels == [("global_tension", ""), ("tension_europe", ""),
                      ("tension_korean_peninsula", ""),
                      ("front_strength", "RUS"), ("front_strength", "UKR"),
                      ("affinity", "RUS–UKR"), ("affinity", "PRK–RUS")]
    assert CF.default_comparison_panels(bands, meta, n_pairs=1)[-1] == ("affinity", "RUS–UKR")


def test_metric_labels():
    assert CF.metric_label("tension_korean_peninsula") == "Tension: Korean peninsula"
    assert CF.metric_label("manpower", units=True) == "Manpower (thousand)"
    assert CF.metric_label("global_tension", units=True) == "Global tension (0–1)"
    assert CF.metric_label("some_new_metric") == "Some new metric"


# ------------------------------------------------------------------ report

SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?</script>", re.S | re.I)
URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _markup_only(text: str) -> str:
    return SCRIPT_BODY.sub(r"\1</script>", text)


@pytest.fixture(scope="module")
def report(cmp, tmp_path_factory):
    bands, effects, events, meta = cmp
    path = build_compare_report(bands, effects, events, meta,
                                tmp_path_factory.mktemp("cmp") / "compare.html")
    return path, path.read_text(encoding="utf-8")


def test_report_is_one_document(report):
    path, text = report
    assert path.is_file() and path.name == "compare.html"
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<h1>Synthetic comparison</h1>" in text


def test_report_lists_scenarios_and_crn_note(report):
    _, text = report
    for name, title in TITLES.items():
        assert html.escape(title) in text
        assert f"<td>{name}</td>" in text
    assert "<no>" not in text  # titles escaped
    assert "same seeds" in text and "common random numbers" in text


def test_report_no_external_resources(report):
    _, text = report
    markup = _markup_only(text)
    assert not URL_ATTR.search(markup)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", markup, re.I)
    assert not re.search(r"<link\b", markup, re.I)
    assert not re.search(r"@import|url\(", markup, re.I)
    assert URL_ATTR.search(_markup_only('<p><img src="https://x.org/a.png"></p>'))


def test_report_plotly_js_once_and_figures(report):
    _, text = report
    assert text.count(get_plotlyjs()[:300]) == 1
    # 2 forests + 7 default panels
    assert text.count("Plotly.newPlot") - get_plotlyjs().count("Plotly.newPlot") == 9


def test_report_effects_tables(report, cmp):
    _, text = report
    _, effects, _, _ = cmp
    assert text.count("Runs with variant &gt; base") == 2
    assert text.count("Effect median [5 %, 95 %]") == 2
    assert "Effects of PRK sends twice the troops on 2024-10-01" in text
    # manpower of UKR dropped by 150 more in no_sanctions than in base (1000−200 vs 1000−100)
    assert "<td>Manpower (thousand)</td><td>Ukraine (UKR)</td>" in text
    assert "10% of 12" in text and "90% of 12" in text
    table = text.split("Effects of PRK sends")[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 25  # header + top 25 rows


def test_report_events_highlight_and_manifest(report):
    _, text = report
    spec = re.findall(r"<tr class='variant-specific'[^>]*data-id='(\w+)'", text)
    assert sorted(spec) == ["e1", "e4"]
    absent = re.findall(r"<tr class='absent'[^>]*data-id='(\w+)'", text)
    assert absent == ["e3"]
    assert "SRC-E1X" in text and "SRC-E3" in text
    # e2 is the same everywhere: listed for all three scenarios, never highlighted
    assert len(re.findall(r"<tr data-id='e2'>", text)) == 3
    assert text.count("2 events as in the base</summary>") == 2  # more_troops, no_sanctions
    assert "<details>" in text and "COMPARE-MANIFEST-MARKER" in text and "cafe1234" in text


def test_report_escapes_inputs(cmp, tmp_path):
    bands, effects, events, meta = cmp
    events = {k: v.copy() for k, v in events.items()}
    events["more_troops"].loc[3, "source"] = "<script>alert(1)</script> https://evil.example"
    meta = {**make_meta(), "manifest": {"x": "</details><b>"}}
    text = build_compare_report(bands, effects, events, meta,
                                tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;/details&gt;&lt;b&gt;" in text
    assert not URL_ATTR.search(_markup_only(text))
