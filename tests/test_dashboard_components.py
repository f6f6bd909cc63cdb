"""The dashboard's components rendered with Solara (no browser): stepping, switching, sessions."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from simulation import load_scenario
from viz.dashboard import TABS, Page
from viz.world_map import COLOURINGS
from viz.plotly_view import PlotlyView
from viz.session import Session, load_upload
from simulation.scenario import ScenarioError


class Rendered:
    """A rendered page: its root widget (for the main area) and its render context (for the sidebar)."""

    def __init__(self):
        self.box, self.rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)

    def widgets(self, widget=None) -> list:
        widget = widget or self.box
        out = [widget]
        for child in getattr(widget, "children", None) or []:
            if isinstance(child, ipywidgets.Widget):
                out += self.widgets(child)
        return out

    def find(self, *args, **kw):
        return self.rc.find(*args, **kw)

    def close(self):
        self.rc.close()


def date_text(page) -> str:
    return next(w.children[0] for w in page.widgets() if isinstance(w, v.Html) and "sim-date" in (w.class_ or ""))


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def select(rc, label: str):
    return next(w for w in rc.find(v.Select).widgets if w.label == label)


def render() -> Rendered:
    """The page inside the app layout the server wraps it in (the sidebar needs it)."""
    return Rendered()


@pytest.fixture
def page():
    rc = render()
    yield rc
    rc.close()


def test_page_starts_at_step_0_of_the_default_scenario(page):
    assert date_text(page) == "Simulated date: 2024-06-01 · step 0 of 19"


def test_step_advances_the_date(page):
    button(page, "Step").click()
    assert date_text(page) == "Simulated date: 2024-06-30 · step 1 of 19"
    button(page, "Run to end").click()
    assert date_text(page).endswith("step 19 of 19")
    assert button(page, "Step").disabled


def test_switching_scenario_resets_the_model(page):
    button(page, "Step").click()
    button(page, "Step").click()
    select(page, "Scenario").v_model = "us_withdrawal"
    assert date_text(page) == "Simulated date: 2024-06-01 · step 0 of 19"


def test_moving_a_slider_restarts_with_that_parameter(page):
    button(page, "Step").click()
    slider = next(w for w in page.find(v.Slider).widgets if w.label == "balance_rate")
    slider.v_model = 2.0
    assert date_text(page).endswith("step 0 of 19")


def test_reset_goes_back_to_the_start(page):
    button(page, "Step").click()
    button(page, "Reset").click()
    assert date_text(page).endswith("step 0 of 19")


def test_two_sessions_have_their_own_models():
    a, b = render(), render()
    button(a, "Step").click()
    button(a, "Step").click()
    assert date_text(a).endswith("step 2 of 19") and date_text(b).endswith("step 0 of 19")
    a.close()
    b.close()


def test_session_matches_replicate_0_of_a_cli_run():
    from simulation import run

    session = Session(load_scenario("korea_russia_2024"), seed=5)
    while not session.finished:
        session.step()
    cli = run("korea_russia_2024", seed=5)
    assert session.tables()["pairs"]["affinity"].equals(cli.pairs["affinity"])


def test_variant_overlay_shares_the_seed():
    session = Session(load_scenario("korea_russia_2024"), variant=load_scenario("us_withdrawal"))
    for _ in range(12):
        session.step()
    bands, events = session.overlay()
    assert set(bands["scenario"]) == {"korea_russia_2024", "us_withdrawal"}
    ukr = bands[(bands["metric"] == "front_strength") & (bands["subject"] == "UKR")]
    last = ukr[ukr["date"] == ukr["date"].max()].set_index("scenario")["med"]
    assert last["us_withdrawal"] < last["korea_russia_2024"]


def test_malformed_upload_reports_file_line_field():
    with pytest.raises(ScenarioError) as info:
        load_upload("bad.yaml", b"name: bad\ntitle: t\ncalendar: {start: 2024-01-01, end: 2024-12-31}\n"
                                b"states: [RUS, UKR]\nseed: -1\n")
    assert info.value.problems[0].endswith("bad.yaml:5: seed: must be >= 0 (got -1)")


def test_the_network_figure_changes_when_stepping(page):
    def network_title():
        figures = [w.figure for w in page.widgets() if isinstance(w, PlotlyView)]
        titles = [f["layout"]["title"]["text"] for f in figures]
        return next(t for t in titles if t.startswith("Alignment network"))

    assert network_title() == "Alignment network on 2024-06-01"
    button(page, "Step").click()
    assert network_title() == "Alignment network on 2024-06-30"


def test_uploads_go_through_the_same_limits_and_never_write_outside_their_folder(tmp_path):
    from viz.session import check_upload_size, upload_name

    bomb = (b"name: bomb\ntitle: t\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + b"".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n".encode() for i in range(1, 10)))
    with pytest.raises(ScenarioError, match="expands to more than"):
        load_upload("bomb.yaml", bomb)
    with pytest.raises(ScenarioError, match="limited to 16 MiB"):
        check_upload_size("big.yaml", 17 * 2**20)
    assert upload_name("../../etc/passwd") == "passwd" and upload_name("a\x00b c.yaml") == "a_b_c.yaml"
    assert upload_name("") == "uploaded.yaml" and upload_name("...") == "uploaded.yaml"
    with pytest.raises(ScenarioError, match="outside the scenario folder|no file"):
        load_upload("v.yaml", b"extends: ../../../etc/base\nname: v\n")
    ok = load_upload("v.yaml", b"extends: korea_russia_2024\nname: mine\n")  # a shipped base by name
    assert ok.scenario.name == "mine"


def figures(page) -> dict[str, dict]:
    """The figures drawn, by title (first line)."""
    out = {}
    for w in page.widgets():
        if isinstance(w, PlotlyView):
            out[w.figure["layout"]["title"]["text"].split("<br>")[0]] = w.figure
    return out


def n_states_text(page) -> str:
    return next(w.children[0] for w in page.widgets() if isinstance(w, v.Html) and "n-states" in (w.class_ or ""))


def test_only_the_open_tab_is_built_and_a_tab_opened_once_keeps_its_figure(page):
    assert sorted(figures(page)) == ["Alignment network on 2024-06-01", "Global and regional tension"]
    tabs = page.find(v.Tabs).widget
    tabs.v_model = TABS.index("Coalitions")
    assert "Coalition membership over time" in figures(page)
    tabs.v_model = 0
    button(page, "Step").click()
    drawn = figures(page)
    assert "Alignment network on 2024-06-30" in drawn and "Coalition membership over time" in drawn  # kept, not rebuilt
    step_of = {d["x"][-1][:10] for d in drawn["Coalition membership over time"]["data"] if "x" in d}
    assert step_of == {"2024-06-01"}  # the hidden tab still shows the step it was last drawn at


@pytest.fixture
def world_page(monkeypatch):
    monkeypatch.setenv("ALLIANCE_SIM_SCENARIO", "world_2024")
    rc = render()
    yield rc
    rc.close()


def test_the_world_shows_a_subset_a_region_and_a_state_found_by_name(world_page):
    page = world_page
    assert n_states_text(page).startswith("195 states") and n_states_text(page).endswith("21 shown")
    select(page, "Region").v_model = "Europe"
    network = next(f for t, f in figures(page).items() if t.startswith("Alignment network"))
    nodes = {n for trace in network["data"] for n in (trace.get("meta") or {}).get("nodes", [])}
    assert len(nodes) == 20 and {"RUS", "UKR", "GMY", "POL"} <= nodes and "USA" not in nodes
    picker = next(w for w in page.widgets() if isinstance(w, v.Autocomplete))
    assert {"text": "India (IND)", "value": "IND"} in picker.items and len(picker.items) == 195
    picker.v_model = ["IND"]
    cards = [w for w in page.widgets() if isinstance(w, v.Card) and "state-card" in (w.class_ or "")]
    assert len(cards) == 1 and n_states_text(page).endswith("21 shown")  # India pinned beside Europe's 20
    network_toggle(page).v_model = 1  # the network: coalitions by region
    assert any(t.startswith("Coalitions by region") for t in figures(page))


def test_every_table_has_a_csv_download(page):
    page.find(v.Tabs).widget.v_model = TABS.index("Tables")
    names = {w.filename for w in page.widgets() if type(w).__name__ == "FileDownloadWidget"}
    assert {"model.csv", "states.csv", "pairs.csv", "events.csv"} <= names


def network_toggle(page):
    return next(w for w in page.find(v.BtnToggle).widgets if len(w.children) == 2
                and "Coalitions by region" in str(w.children[1].children))


def test_switching_the_network_mode_redraws_the_network(page):
    toggle = network_toggle(page)
    toggle.v_model = 1
    assert any(t.startswith("Coalitions by region") for t in figures(page))
    toggle.v_model = 0
    assert any(t.startswith("Alignment network") for t in figures(page))


def test_the_world_map_tab_colours_by_what_is_chosen_and_from_which_state(page):
    page.find(v.Tabs).widget.v_model = TABS.index("World map")
    assert any(t.startswith("World map on 2024-06-01: share in A") for t in figures(page))
    colour = next(w for w in page.find(v.BtnToggle).widgets if "map-colour" in (w.class_ or ""))
    colour.v_model = COLOURINGS.index("affinity")
    assert any(t.startswith("World map on 2024-06-01: affinity with United States") for t in figures(page))
    focus = next(w for w in page.widgets() if isinstance(w, v.Autocomplete) and "map-focus" in (w.class_ or ""))
    focus.v_model = "RUS"
    drawn = next(f for t, f in figures(page).items() if t.startswith("World map"))
    assert drawn["layout"]["title"]["text"].startswith("World map on 2024-06-01: affinity with Russia")
    assert [t["locations"] for t in drawn["data"] if t.get("name") == "measured from"] == [["RUS"]]
    button(page, "Step").click()
    assert any(t.startswith("World map on 2024-06-30: affinity with Russia") for t in figures(page))
