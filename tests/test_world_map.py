"""The world map (issue 29, item 8): shipped outlines, where each state is drawn, the colourings'
numbers, the report's map over time — and, in Chromium, drawn with no request leaving the machine.
The dashboard's map tab is tested in tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_dashboard_browser import ARGS, CHROMIUM, WAIT

from simulation import data
from simulation.runner import run
from viz import world_map as M
from viz._common import GEO_ASSETS_JS
from viz.report import build_report

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def world():
    return run("world_2024", seed=3, replicates=2, until=dt.date(2024, 9, 30))


@pytest.fixture(scope="module")
def default():
    return run("korea_russia_2024", seed=3, replicates=3, until=dt.date(2025, 3, 31))


def _meta(result) -> dict:
    return {"title": "t", "scenario": "s", "states": result.names, "anchor": "USA",
            "coalition_names": {"A": "with USA", "B": "against USA"}}


def test_the_shipped_outlines_are_countries_keyed_by_iso3_with_their_source():
    geo = M.geometry()
    ids = [f["id"] for f in geo["features"]]
    assert len(ids) == len(set(ids)) == 176 and all(len(i) == 3 and i.isupper() for i in ids)
    assert {"USA", "RUS", "PRK", "KOR", "UKR", "CHN", "IRN", "XKX"} <= set(ids) and "ATA" not in ids
    assert "Natural Earth" in geo["source"]
    readme = files("viz").joinpath("geo", "README.md").read_text(encoding="utf-8")
    assert "public domain" in readme and "build_world_geometry.py" in readme
    for feature in geo["features"]:  # exterior rings clockwise (d3-geo's rule): shoelace area < 0
        polygons = [feature["geometry"]["coordinates"]] if feature["geometry"]["type"] == "Polygon" \
            else feature["geometry"]["coordinates"]
        for rings in polygons:
            ring = np.array(rings[0])
            area = np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1])
            assert area < 0, feature["id"]


def test_every_state_of_the_world_has_a_place_an_outline_or_its_capital():
    where = M.places(list(data.world().index))
    assert len(where) == 194 and int(where["outline"].sum()) == 167  # Palau: no outline, no capital in the data
    assert set(data.world().index) - set(where["state"]) == {"PAL"}
    dots = where[~where["outline"]]
    assert {"MLT", "SGP", "BHR", "TUV"} <= set(dots["iso3"])
    assert dots["lat"].between(-90, 90).all() and dots["lon"].between(-180, 180).all()
    past = M.places(["GDR", "GFR"])  # the states of 1990 on their successor's outline
    assert list(past["iso3"]) == ["DEU", "DEU"]
    assert M.places(["NOWHERE"]).empty


def test_the_colourings_are_the_tables_numbers(default):
    states, pairs = default.states, default.pairs
    when = states["date"].max()
    share = M.values_at(states, pairs, when, "coalition", None)
    at = states[states["date"] == when]
    expected = at.assign(a=at["coalition"] == "A").groupby("state")["a"].mean()
    pd.testing.assert_series_equal(share.sort_index(), expected.sort_index(), check_names=False)
    affinity = M.values_at(states, pairs, when, "affinity", "RUS")
    rows = pairs[(pairs["date"] == when) & (((pairs["a"] == "RUS") & (pairs["b"] == "PRK"))
                                            | ((pairs["a"] == "PRK") & (pairs["b"] == "RUS")))]
    assert affinity["PRK"] == pytest.approx(rows["affinity"].mean())
    assert "RUS" not in affinity.index and set(affinity.index) == set(states["state"]) - {"RUS"}
    tension = M.values_at(states, pairs, when, "tension", "ROK")
    assert tension.between(0, 1).all()


def test_a_map_at_a_date_colours_every_state_once(world):
    fig = M.world_map(world.states, world.pairs, _meta(world), dt.date(2024, 8, 15), "affinity", "USA")
    assert "2024-07-31" in fig.layout.title.text and "affinity with United States" in fig.layout.title.text
    land, shapes, dots, focus = fig.data
    assert len(shapes.locations) + len(dots.lat) == 194 and not set(land.locations) & set(shapes.locations)
    assert "not on the map (no outline or capital in the data): Palau (PAL)" in fig.layout.title.text
    assert list(focus.locations) == ["USA"]
    assert fig.layout.geo.visible is False  # no base layers: nothing for plotly.js to fetch


@pytest.mark.parametrize(("colour", "focus", "message"), [
    ("colour", None, "colour by one of coalition, alignment, affinity, tension"),
    ("tension", None, "needs a state of the run"),
    ("affinity", "ATLANTIS", "needs a state of the run"),
])
def test_a_colouring_the_map_cannot_draw_is_refused(default, colour, focus, message):
    with pytest.raises(ValueError, match=message):
        M.world_map(default.states, default.pairs, _meta(default), colour=colour, focus=focus)


def test_the_report_map_has_a_frame_per_date_that_carries_colours_only(default):
    fig = M.world_map_over_time(default.states, default.pairs, _meta(default))
    dates = sorted(default.states["date"].unique())
    assert len(fig.frames) == min(len(dates), M.MAX_FRAMES)
    assert fig.frames[0].name == f"{pd.Timestamp(dates[0]):%Y-%m-%d}" and fig.frames[-1].name.startswith("2025-03")
    assert all(f.data[0].geojson is None for f in fig.frames)  # the outlines are sent once
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    last = M.values_at(default.states, default.pairs, pd.Timestamp(dates[-1]), "coalition", None)
    where = M.places(sorted(default.states["state"].unique()))
    np.testing.assert_allclose(fig.frames[-1].data[0].z, last.reindex(where["state"][where["outline"]]).to_numpy())
    many = pd.Series(pd.date_range("2024-01-01", periods=300, freq="D"))
    chosen = M.frame_dates(many)
    assert len(chosen) == M.MAX_FRAMES and chosen[0] == many.iloc[0] and chosen[-1] == many.iloc[-1]


def test_the_report_has_the_map_and_keeps_plotly_off_the_network(default, tmp_path):
    path = build_report(default.tables, _meta(default), tmp_path / "report.html")
    text = path.read_text()
    assert "<h2>World map</h2>" in text and GEO_ASSETS_JS in text and M.assets_script() in text
    assert text.index(GEO_ASSETS_JS) < text.index("plotly.js v")  # before plotly.js registers its geo module
    assert "cdn.plot.ly" not in text.replace("https://cdn.plot.ly/un/", "")  # only the URL plotly.js would fetch
    assert text.count('"name":"Zimbabwe"') == 1  # the outlines once, whatever the number of dates


@pytest.mark.process
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing")
def test_the_report_map_draws_in_chromium_with_no_request_off_the_machine(world, tmp_path):
    """The whole world in the report: every outline drawn, the slider moves the date, and no
    request leaves the file (plotly.js would otherwise ask cdn.plot.ly for its topojson).
    """
    from playwright.sync_api import sync_playwright

    path = build_report(world.tables, _meta(world), tmp_path / "report.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.resolve().as_uri())
            find = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                .find(d => d.layout && d.layout.title && d.layout.title.text.startsWith('World map'))"""
            outlines = "() => { const d = (FIND)(); return !!d && d.querySelectorAll('.choroplethlayer path').length >= 176; }"
            page.wait_for_function(outlines.replace("FIND", find), timeout=WAIT)
            plot = page.locator(".js-plotly-plot").filter(has=page.locator(".choroplethlayer"))
            plot.scroll_into_view_if_needed()
            page.evaluate("""() => { const d = (FIND)(); return Plotly.animate(d, [d._transitionData._frames.at(-1).name],
                {mode: 'immediate', frame: {duration: 0, redraw: true}, transition: {duration: 0}}); }""".replace("FIND", find))
            last = f"{world.states['date'].max():%Y-%m-%d}"
            page.wait_for_function(f"() => ({find})()._fullLayout.sliders[0].active === "
                                   f"({find})()._fullLayout.sliders[0].steps.length - 1", timeout=WAIT)
            SHOTS.mkdir(exist_ok=True)
            plot.screenshot(path=str(SHOTS / "report_world_map.png"))
            off = [u for u in requests if not u.startswith(("file:", "data:"))]
            assert off == [] and errors == [], (off, errors)
            assert page.evaluate(f"() => ({find})()._fullLayout.sliders[0].steps.at(-1).label") == last
        finally:
            browser.close()
