"""The dashboard in a real browser: a real Solara server, Debian's Chromium driven by Playwright.

Chromium is installed by the test set-up (`make test` / `.ci/run`), never downloaded by
Playwright. Every request that leaves localhost is blocked and recorded: the page must work
with no network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("ALLIANCE_SIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT = 180_000  # ms: a failure bound for conditions that hold within seconds, generous for a busy machine
BAD_YAML = b"name: bad\ntitle: broken upload\ncalendar: {start: 2024-01-01, end: 2024-12-31}\nstates: [RUS, UKR]\nseed: -3\n"

pytestmark = [pytest.mark.process,
              pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                 reason=f"{CHROMIUM} missing: `make test` installs Debian's chromium")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*scenario: str):
    """``alliance-sim dashboard [SCENARIO]`` on a free port; yields its address, then stops it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "alliance_sim", "dashboard", *scenario, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + WAIT / 1000
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited: {proc.stdout.read()}")
            time.sleep(0.5)  # polling for the port to open
    else:
        proc.kill()
        pytest.fail(f"dashboard did not start within {WAIT // 1000} s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server():
    yield from start()


@pytest.fixture(scope="module")
def world_server():
    yield from start("world_2024")


class Visit:
    """One browser session on the dashboard, recording console errors and off-host requests."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1100})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.failed: list[str] = []
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.context.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_selector(".sim-date", timeout=WAIT)
        self.page.wait_for_selector(".js-plotly-plot", timeout=WAIT)

    def _route(self, route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def date(self) -> str:
        return self.page.inner_text(".sim-date")

    def step(self) -> None:
        before = self.date()
        self.page.get_by_role("button", name="Step").click()
        self.page.wait_for_function("b => document.querySelector('.sim-date').innerText !== b", arg=before,
                                    timeout=WAIT)

    def network_title(self) -> str:
        return self.page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
            .map(d => d.layout && d.layout.title && d.layout.title.text).find(t => t && t.startsWith('Alignment'))""")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(server, browser):
    v = Visit(browser, server)
    yield v
    v.close()


BOXES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(d => d.offsetParent !== null)
    .map(d => { const r = d.getBoundingClientRect(); return [r.width, r.height,
                d.querySelectorAll('.cartesianlayer .trace, .heatmaplayer image, .scatterlayer .point').length]; })"""
DRAWN = f"n => {{ const b = ({BOXES})(); return b.length >= n && b.every(x => x[2] > 0); }}"
TABS = {"World map": "World map on", "Coalitions": "Coalition membership", "Bilateral tension": "Bilateral tension",
        "Resources": "Belligerents' resources", "Recalibration": "Recalibration"}
# the open tab shows a figure with this title, drawn with marks, and its transition has ended
TAB_DRAWN = """title => !document.querySelector('.v-window__container--is-active') &&
    Array.from(document.querySelectorAll('.v-window-item--active .js-plotly-plot')).some(d => {
        const r = d.getBoundingClientRect();
        return d.layout && d.layout.title && d.layout.title.text.startsWith(title) && r.width > 300 && r.height > 200
            && d.querySelectorAll('.cartesianlayer .trace, .heatmaplayer image, .scatterlayer .point, '
                                  + '.choroplethlayer path').length > 0; })"""


# every figure of the open tab is laid out at its element's width (one first drawn while its tab
# was hidden had no width and took Plotly's default 700 px until viz/plotly_view.py redrew it)
TAB_FILLED = """() => Array.from(document.querySelectorAll('.v-window-item--active .js-plotly-plot')).every(d => {
    const svg = d.querySelector('.main-svg');
    return svg && Math.abs(svg.getBoundingClientRect().width - d.clientWidth) <= 2; })"""


def open_tab(page, name: str) -> None:
    """Open a tab of the views and wait until its own figure is drawn and fills the tab (conditions,
    not durations).
    """
    page.get_by_role("tab", name=name).click()
    page.wait_for_function(TAB_DRAWN, arg=TABS[name], timeout=WAIT)
    page.wait_for_function(TAB_FILLED, timeout=WAIT)


def test_page_loads_offline_without_console_errors_and_nothing_is_blank(visit, tmp_path):
    # wait for a condition, not a duration: the open tab's figures drawn with marks
    visit.page.wait_for_function(DRAWN, arg=2, timeout=WAIT)
    visit.page.screenshot(path=str(tmp_path / "network.png"), full_page=True)
    for name in TABS:  # every other tab draws its own figure
        open_tab(visit.page, name)
        visit.page.screenshot(path=str(tmp_path / f"{name.replace(' ', '_')}.png"), full_page=True)
    assert visit.errors == [] and visit.external == []


def test_every_table_downloads_as_csv(visit, tmp_path):
    visit.step()
    visit.page.get_by_role("tab", name="Tables").click()
    for name in ("model.csv", "states.csv", "pairs.csv", "events.csv"):
        with visit.page.expect_download() as download:
            visit.page.get_by_role("button", name=f"Download {name}").click()
        path = tmp_path / name
        download.value.save_as(path)
        header, *rows = path.read_text().splitlines()
        assert header.startswith("replicate,step,date") or name == "events.csv", header
        assert len(rows) >= 1 + (name != "events.csv"), name
    assert visit.errors == [], (visit.errors, visit.failed)


def test_step_advances_the_date_and_changes_the_network(visit):
    assert visit.date().endswith("step 0 of 19") and visit.network_title() == "Alignment network on 2024-06-01"
    visit.step()
    assert visit.date() == "Simulated date: 2024-06-30 · step 1 of 19"
    visit.page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .some(d => d.layout && d.layout.title && d.layout.title.text === 'Alignment network on 2024-06-30')""")
    assert visit.errors == []


def test_switching_scenario_resets_the_model(visit):
    visit.step()
    visit.step()
    visit.page.get_by_label("Scenario", exact=True).click(force=True)
    visit.page.get_by_role("option", name="us_withdrawal").click()
    visit.page.wait_for_function("() => document.querySelector('.sim-date').innerText.endsWith('step 0 of 19')")
    assert "US military aid" in visit.page.inner_text("h2")


def test_malformed_upload_shows_the_error_and_the_app_still_steps(visit):
    with visit.page.expect_file_chooser() as chooser:
        visit.page.get_by_role("button", name="Upload YAML").click()
    chooser.value.set_files(files=[{"name": "bad.yaml", "mimeType": "application/x-yaml", "buffer": BAD_YAML}])
    visit.page.wait_for_selector(".upload-error", timeout=WAIT)
    assert "bad.yaml:5: seed: must be >= 0 (got -3)" in visit.page.inner_text(".upload-error")
    visit.step()
    assert visit.date().endswith("step 1 of 19")


BOMB = (b"name: bomb\ntitle: nine levels of ten aliases\n"
        b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n".encode() for i in range(1, 10)))


def test_an_alias_bomb_upload_is_refused_and_the_server_serves_other_sessions(server, browser):
    """'Billion laughs' through the upload: refused at its line, memory untouched, other sessions live."""
    a, b = Visit(browser, server), Visit(browser, server)
    try:
        with a.page.expect_file_chooser() as chooser:
            a.page.get_by_role("button", name="Upload YAML").click()
        chooser.value.set_files(files=[{"name": "bomb.yaml", "mimeType": "application/x-yaml", "buffer": BOMB}])
        a.page.wait_for_selector(".upload-error", timeout=WAIT)
        assert "expands to more than" in a.page.inner_text(".upload-error")
        b.step()  # another session, meanwhile
        a.step()  # and the uploader's own page still works
        assert b.date().endswith("step 1 of 19") and a.date().endswith("step 1 of 19")
    finally:
        a.close()
        b.close()


def test_two_sessions_do_not_share_a_model(server, browser):
    a, b = Visit(browser, server), Visit(browser, server)
    try:
        a.step()
        a.step()
        b.page.reload()
        b.page.wait_for_selector(".sim-date", timeout=WAIT)
        assert a.date().endswith("step 2 of 19") and b.date().endswith("step 0 of 19")
    finally:
        a.close()
        b.close()


NETWORK = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(d => d.layout && d.layout.title && d.layout.title.text.startsWith('Alignment network'))"""
NODES = f"() => {{ const d = ({NETWORK})(); return d ? d.data.flatMap(t => (t.meta && t.meta.nodes) || []) : []; }}"


def test_the_whole_world_steps_filters_by_region_and_finds_a_state(world_server, browser, tmp_path):
    """world_2024 (195 states): the network shows a readable subset; Step, a region, a state found by name."""
    visit = Visit(browser, world_server)
    page = visit.page
    try:
        page.wait_for_function(DRAWN, arg=2, timeout=WAIT)
        assert page.inner_text(".n-states").startswith("195 states")
        everywhere = page.evaluate(NODES)
        assert 10 <= len(everywhere) <= 40 and {"USA", "CHN", "RUS", "PRK"} <= set(everywhere)
        visit.step()
        assert visit.date().endswith("step 1 of 19")
        page.wait_for_function(f"() => {{ const d = ({NETWORK})(); return !!d && d.layout.title.text.includes('2024-06-30'); }}",
                               timeout=WAIT)

        page.locator(".region-filter").click()
        page.get_by_role("option", name="Africa", exact=True).click()
        page.wait_for_function("() => document.querySelector('.n-states').innerText.endsWith('20 shown')"
                               " && (" + NODES + ")().includes('NIG')", timeout=WAIT)
        african = page.evaluate(NODES)
        assert not {"USA", "RUS", "CHN"} & set(african) and {"NIG", "SAF"} <= set(african)
        page.screenshot(path=str(tmp_path / "world_africa.png"), full_page=True)

        picker = page.get_by_role("textbox", name="Find a state (name or id)")
        picker.click()
        picker.fill("India")
        page.get_by_role("option", name="India (IND)").click()
        page.wait_for_selector(".state-card", timeout=WAIT)
        assert "India (IND)" in page.inner_text(".state-card")
        page.wait_for_function(f"() => ({NODES})().includes('IND')", timeout=WAIT)  # pinned in the network
        page.screenshot(path=str(tmp_path / "world_india.png"), full_page=True)
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


MAP = """() => { const d = Array.from(document.querySelectorAll('.v-window-item--active .js-plotly-plot'))
    .find(d => d.layout && d.layout.title && d.layout.title.text.startsWith('World map'));
    if (!d) return null;
    const shapes = d._fullData.filter(t => t.type === 'choropleth' && t.coloraxis);
    const dots = d._fullData.filter(t => t.type === 'scattergeo' && t.marker.coloraxis);
    return {title: d.layout.title.text, paths: d.querySelectorAll('.choroplethlayer path').length,
            outlined: shapes.reduce((n, t) => n + t.locations.length, 0),
            dots: dots.reduce((n, t) => n + t.lat.length, 0), width: d.getBoundingClientRect().width}; }"""


def test_the_world_map_colours_every_state_offline_and_follows_the_step(world_server, browser, tmp_path):
    """world_2024: 167 states on their outlines and 27 small ones as dots at their capitals, drawn
    from the shipped geometry (no request leaves the machine: Plotly's CDN topojson is never asked
    for); coloured by tension with a state found by name; a Step moves the map's date.
    """
    visit = Visit(browser, world_server)
    page = visit.page
    try:
        page.wait_for_function(DRAWN, arg=2, timeout=WAIT)
        open_tab(page, "World map")
        drawn = page.evaluate(MAP)
        assert drawn["outlined"] + drawn["dots"] == 194 and drawn["dots"] == 27, drawn  # Palau: no place in the data
        assert drawn["paths"] >= 176 and drawn["width"] > 800 and "share in A" in drawn["title"]
        page.screenshot(path=str(tmp_path / "map_coalition.png"), full_page=True)
        page.locator(".map-colour").get_by_role("button", name="tension").click()
        page.wait_for_function(f"() => ({MAP})()?.title.includes('tension with')", timeout=WAIT)
        focus_box = page.get_by_role("textbox", name="measured from")
        focus_box.click()
        focus_box.fill("India")
        page.get_by_role("option", name="India (IND)").click()
        page.wait_for_function(f"() => ({MAP})()?.title.includes('tension with India')", timeout=WAIT)
        visit.step()
        page.wait_for_function(f"() => ({MAP})()?.title.includes('2024-06-30')", timeout=WAIT)
        page.screenshot(path=str(tmp_path / "map_tension_india.png"), full_page=True)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "map_tension_india.png"), full_page=True)
        assert visit.errors == [] and visit.external == [] and visit.failed == []
    finally:
        visit.close()


HINDCAST = Path(__file__).parent / "fixtures" / "hindcast_2025.yaml"
HINDCAST_IDS = ["rok_ukr_2024", "usa_ukr_falls", "rus_prk_high", "rok_rus_rises"]
HINDCAST_ROWS = """() => Array.from(document.querySelectorAll('.hindcast-row'))
    .map(r => [r.dataset.outcome, r.dataset.status, r.innerText])"""
SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def hindcast_server():
    yield from start(str(HINDCAST))


def test_against_what_happened_lists_the_outcomes_due_and_not_yet(hindcast_server, browser):
    """The tab lists every observed outcome: "not yet" at the start; after running to the end, each
    with what the run says, the scripted one flagged with its event, and the chart drawn.
    """
    visit = Visit(browser, hindcast_server)
    page = visit.page
    try:
        page.get_by_role("tab", name="Against what happened").click()
        page.wait_for_selector(".hindcast-table", timeout=WAIT)
        rows = page.evaluate(HINDCAST_ROWS)
        assert [r[0] for r in rows] == HINDCAST_IDS and {r[1] for r in rows} == {"not-yet"}
        assert "not yet (due 2024-12-31)" in rows[0][2]
        page.get_by_role("button", name="Run to end").click()
        page.wait_for_function(f"() => ({HINDCAST_ROWS})().filter(r => r[1] === 'due').length === 4", timeout=WAIT)
        page.wait_for_function(TAB_DRAWN, arg="Against what happened, as of 2025-12-31", timeout=WAIT)
        rows = {r[0]: r[2] for r in page.evaluate(HINDCAST_ROWS)}
        assert list(rows) == HINDCAST_IDS
        assert "scripted" in rows["usa_ukr_falls"] and "us_inauguration" in rows["usa_ukr_falls"]
        assert "did not happen" in rows["rok_rus_rises"]
        assert all(("right" in text) or ("wrong" in text) or ("scripted" in text) for text in rows.values())
        summary = page.inner_text(".hindcast-summary")
        assert summary.startswith("4 of 4 observed outcomes are due by 2025-12-31")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "dashboard_hindcast.png"), full_page=True)
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


def test_figures_follow_their_element_when_the_sidebar_closes(visit):
    """Closing the sidebar widens the views: every figure of the open tab refits its element (the
    layout's own resize, and viz/plotly_view.py's ResizeObserver, which also refits a figure first
    drawn while its tab was hidden).
    """
    page = visit.page
    page.wait_for_function(DRAWN, arg=2, timeout=WAIT)
    page.wait_for_function(TAB_FILLED, timeout=WAIT)
    before = page.evaluate("() => document.querySelector('.v-window-item--active .js-plotly-plot').clientWidth")
    page.locator(".v-app-bar__nav-icon, header button").first.click()
    page.wait_for_function("w => document.querySelector('.v-window-item--active .js-plotly-plot').clientWidth > w + 100",
                           arg=before, timeout=WAIT)
    page.wait_for_function(TAB_FILLED, timeout=WAIT)
    assert visit.errors == [] and visit.external == []
