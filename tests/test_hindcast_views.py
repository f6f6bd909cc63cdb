"""Views of the hindcast: the run report's "Against what happened", the comparison report's, the chart.

The fixture ``tests/fixtures/hindcast_2025.yaml`` extends the default scenario with four observed
outcomes (one of them forced by the US inauguration event) and two claims with what became of them;
``hindcast_no_inauguration.yaml`` is a variant without that event.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

import pytest

from helpers import cli
from test_dashboard_browser import ARGS, CHROMIUM, WAIT
from simulation import hindcast
from simulation.compare import compare
from simulation.runner import run
from simulation.scenario import load_scenario
from simulation.statements import passes
from test_viz_figures import make_meta, make_tables
from viz import hindcast_figures as HF
from viz.compare_report import compare_hindcast, render_compare_report
from viz.report import build_report, hindcast_summary_text, render_report, scenario_of

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "hindcast_2025.yaml"
VARIANT = FIXTURES / "hindcast_no_inauguration.yaml"
IDS = ["rok_ukr_2024", "usa_ukr_falls", "rus_prk_high", "rok_rus_rises"]
SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def ran():
    loaded = load_scenario(BASE)
    return loaded, run(loaded, replicates=4)


def _meta(loaded) -> dict:
    return {"title": loaded.scenario.title, "scenario": loaded.scenario.name, "states": {},
            "manifest": {"scenario": {"file": str(loaded.path), "sha256": loaded.sha256}}}


def _section(text: str) -> str:
    """The "Against what happened" section of a report (up to the next <h2>)."""
    start = text.index("<h2 id='against-what-happened'>")
    end = text.find("<h2", start + 5)
    return text[start:end if end > 0 else None]


def test_the_report_section_has_a_row_per_outcome_and_the_summary(ran):
    loaded, result = ran
    text = render_report(result.tables, _meta(loaded), scenario=loaded.scenario)
    section = _section(text)
    rows = re.findall(r"data-outcome='([^']+)' data-verdict='([^']+)'", section)
    assert [i for i, _ in rows] == IDS
    scored = hindcast.score(result.tables, loaded.scenario)
    expected = [HF.verdict(r) for _, r in scored.iterrows()]
    assert [v for _, v in rows] == expected and expected[1] == "scripted"  # the inauguration forces it
    summary = hindcast.summary(scored)
    assert html.escape(hindcast_summary_text(summary, 4)) in section
    assert f"{summary['scored']} scored, {summary['scripted']} scripted" in section
    assert f"Brier score {summary['brier']:.3f}" in section and f"skill {summary['skill']:+.2f}" in section
    assert "us_inauguration" in section and "happened" in section and "did not happen" in section
    assert section.count("class='js-plotly-plot'") + section.count('class="plotly-graph-div"') >= 1


def test_the_three_way_table_gives_the_claim_the_model_and_reality(ran):
    loaded, result = ran
    section = _section(render_report(result.tables, _meta(loaded), scenario=loaded.scenario))
    assert "The article, the model, reality" in section
    claims = re.findall(r"data-claim='([^']+)'", section)
    assert claims == ["rus_prk_rises", "rok_ukr_closer"]
    for exp in loaded.scenario.expectations:
        share = passes(result.tables, exp, loaded.scenario)[0].mean()
        assert f"{share:.0%} (median" in section
        assert html.escape(exp.reality.note) in section
    assert "came true" in section and "did not" in section


def test_the_chart_has_one_row_per_outcome_and_marks_reality_and_verdicts(ran):
    loaded, result = ran
    scored = hindcast.score(result.tables, loaded.scenario)
    fig = HF.hindcast_chart(scored, loaded.scenario.observed)
    labels = [t for k, ax in fig.layout.to_plotly_json().items() if k.startswith("yaxis")
              for t in (ax.get("ticktext") or [])]
    assert len(labels) == len(IDS) and any(t.startswith("not: ") for t in labels)
    names = {t.name for t in fig.data if t.showlegend is not False}
    assert {HF.THRESHOLD, HF.REALITY_NAME, HF.REFERENCE_NAME, HF.VERDICT_NAMES["scripted"]} <= names
    assert fig.layout.height >= 200 + 30 * len(IDS)


def test_prepare_places_thresholds_and_the_side_reality_went(ran):
    loaded, result = ran
    frame = HF.prepare(hindcast.score(result.tables, loaded.scenario), loaded.scenario.observed).set_index("id")
    assert (frame.loc["usa_ukr_falls", ["threshold", "holds_side", "reality_side"]].tolist()
            == [-0.0, "left", "left"])  # a fall that happened: below zero
    assert frame.loc["rok_rus_rises", ["holds_side", "reality_side"]].tolist() == ["right", "left"]  # did not
    assert frame.loc["rus_prk_high", "threshold"] == 0.5 and frame.loc["rus_prk_high", "group"].endswith("level")


def test_the_report_is_the_same_bytes_for_the_same_tables(ran, tmp_path):
    loaded, result = ran
    a = build_report(result.tables, _meta(loaded), tmp_path / "a.html").read_bytes()
    b = build_report(result.tables, _meta(loaded), tmp_path / "b.html").read_bytes()
    assert a == b and b"against-what-happened" in a  # the scenario reloaded from the manifest


def test_the_scenario_is_reloaded_only_when_the_file_is_unchanged(ran):
    loaded, _ = ran
    assert scenario_of(_meta(loaded)).name == "hindcast_2025"
    changed = _meta(loaded)
    changed["manifest"]["scenario"]["sha256"] = "0" * 64
    assert scenario_of(changed) is None
    assert scenario_of(make_meta()) is None  # no scenario in the manifest: no section
    assert "against-what-happened" not in render_report(make_tables(), make_meta())


def test_alliance_sim_run_writes_the_section(tmp_path):
    result = cli("run", str(BASE), "-k", "2", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    section = _section((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert re.findall(r"data-outcome='([^']+)'", section) == IDS


def test_a_run_stopped_early_leaves_the_later_outcomes_out():
    loaded = load_scenario(BASE)
    result = run(loaded, replicates=2, until=dt.date(2025, 3, 31))
    section = _section(render_report(result.tables, _meta(loaded), scenario=loaded.scenario))
    assert re.findall(r"data-outcome='([^']+)'", section) == ["rok_ukr_2024"]
    assert "Not scored: the run stops on 2025-03-31" in section and "US–Ukraine affinity fell in 2025" in section
    assert "not reached: the run stops on 2025-03-31" in section  # the claims end in June 2025


@pytest.fixture(scope="module")
def compared():
    base, variant = load_scenario(BASE), load_scenario(VARIANT)
    result = compare(base, [variant], replicates=3)
    meta = {"title": "Hindcast comparison", "base": base.scenario.name, "variants": [variant.scenario.name],
            "titles": {}, "states": result.base.names, "manifest": {}}
    return result, meta


def test_compare_scores_the_bases_outcomes_on_every_scenario(compared):
    result, _ = compared
    frame = compare_hindcast(result)
    assert frame.groupby("scenario")["id"].apply(list).to_dict() == {
        "hindcast_2025": IDS, "hindcast_no_inauguration": IDS}
    scripted = frame.set_index(["scenario", "id"])["scripted_by"]
    assert "us_inauguration" in scripted["hindcast_2025", "usa_ukr_falls"]
    assert "us_inauguration" not in scripted["hindcast_no_inauguration", "usa_ukr_falls"]  # removed: left to the model


def test_the_compare_report_shows_each_scenarios_probability(compared, tmp_path):
    result, meta = compared
    frame = compare_hindcast(result)
    text = render_compare_report(result.bands, result.effects, result.events, meta, frame)
    section = _section(text)
    assert re.findall(r"data-outcome='([^']+)'", section) == IDS
    assert "hindcast_no_inauguration" in section and "Scored outcomes" in section
    for _, sub in frame.groupby("scenario"):
        s = hindcast.summary(sub.reset_index(drop=True))
        assert f"{round(s['right'] * s['scored'])} of {s['scored']} right · Brier {s['brier']:.3f}" in section
    p = frame.set_index(["scenario", "id"]).loc[("hindcast_no_inauguration", "rok_ukr_2024"), "model"]
    assert f"P {p:.0%}" in section
    assert "against-what-happened" not in render_compare_report(result.bands, result.effects, result.events, meta)


# ------------------------------------------------------------------ in a real browser
in_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason=f"{CHROMIUM} missing")


def _shoot(path: Path, name: str) -> None:
    """Open a report in Chromium, wait until the section's figure is drawn with marks (a condition, not
    a duration), and screenshot the section to /tmp/shots/NAME.
    """
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(path.resolve().as_uri())
            drawn = """() => { const h = document.querySelector('#against-what-happened');
                let n = h.nextElementSibling; while (n && !n.querySelector('.js-plotly-plot')) n = n.nextElementSibling;
                const d = n && n.querySelector('.js-plotly-plot');
                return !!d && d.getBoundingClientRect().height > 150 && d.querySelectorAll('.scatterlayer .point').length > 4; }"""
            page.wait_for_function(drawn, timeout=WAIT)
            box = page.evaluate("""() => { const h = document.querySelector('#against-what-happened');
                let n = h.nextElementSibling; while (n && n.tagName !== 'H2') n = n.nextElementSibling;
                const top = h.getBoundingClientRect().top + window.scrollY;
                return [top, (n ? n.getBoundingClientRect().top + window.scrollY : document.body.scrollHeight) - top]; }""")
            page.screenshot(path=str(SHOTS / name), full_page=True,
                            clip={"x": 0, "y": box[0] - 8, "width": 1300, "height": box[1] + 8})
        finally:
            browser.close()


@pytest.mark.process
@in_chromium
def test_the_report_section_draws_in_chromium(ran, tmp_path):
    loaded, result = ran
    path = build_report(result.tables, _meta(loaded), tmp_path / "report.html")
    _shoot(path, "report_hindcast.png")


@pytest.mark.process
@in_chromium
def test_the_compare_section_draws_in_chromium(compared, tmp_path):
    result, meta = compared
    path = tmp_path / "compare.html"
    path.write_text(render_compare_report(result.bands, result.effects, result.events, meta,
                                          compare_hindcast(result)), encoding="utf-8")
    _shoot(path, "compare_hindcast.png")

