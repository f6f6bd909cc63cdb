"""The alliance-sim dashboard (Solara): watch coalitions and tensions evolve.

Start it with ``alliance-sim dashboard [SCENARIO] [--host 127.0.0.1] [--port 8765]``. Each browser
session gets its own :class:`viz.session.Session` (``solara.use_memo`` inside the page, never a
module-level model). Parameter sliders come from ``simulation.params.PARAMETERS`` — the same
declarations that validate scenarios and drive sweeps — and every figure comes from
``viz.figures`` / ``viz.compare_figures``, the builders the HTML reports use.
"""

from __future__ import annotations

import html
import os
import threading
from dataclasses import dataclass, replace

import ipywidgets
import reacton.ipyvuetify as rv
import solara
import solara.lab

from simulation import limits
from simulation.hindcast import span
from simulation.params import PARAMETERS
from simulation.scenario import ScenarioError, load_scenario, shipped_names
from viz import compare_figures as CF
from viz import figures as F
from viz import focus
from viz import hindcast_figures as HF
from viz import world_map
from viz.plotly_view import Plotly, as_json
from viz.session import Session, check_upload_size, load_upload, upload_name

NO_VARIANT = "(none)"
PLAY_INTERVAL_S = 0.6
MECHANISMS = ["balance", "agents", "homophily", "threat", "exchange", "attrition", "tension", "model",
              "coalitions", "blocs"]


def initial_scenario() -> str:
    """The scenario named on the command line (``ALLIANCE_SIM_SCENARIO``), else the default."""
    return os.environ.get("ALLIANCE_SIM_SCENARIO", "korea_russia_2024")


# ------------------------------------------------------------------------------- controls
@solara.component
def ScenarioPicker(choice: solara.Reactive, uploads: solara.Reactive, errors: solara.Reactive):
    """Pick a shipped scenario, or drop a YAML file (validated; errors stay in the page)."""
    names = list(dict.fromkeys([*shipped_names(), *uploads.value]))
    if choice.value not in names:
        names.append(choice.value)

    def accept(name: str, size: int | None, read) -> None:
        """Check the size before reading, then validate with the command line's loader and limits.
        Whatever goes wrong is shown in the page; the server goes on serving every session.
        """
        try:
            check_upload_size(name, size)
            loaded = load_upload(name, read())
        except ScenarioError as exc:
            errors.set(exc.problems[: ScenarioError.SHOWN])
            return
        except Exception as exc:  # noqa: BLE001 - a bad upload must never take the page down
            errors.set([f"{upload_name(name)}: cannot be read ({type(exc).__name__})"])
            return
        errors.set([])
        label = f"upload: {upload_name(name)}"
        uploads.set({**uploads.value, label: loaded})
        choice.set(label)

    def on_file(info) -> None:
        accept(info["name"], info.get("size"), lambda: info["file_obj"].read(limits.MAX_FILE_BYTES + 1))

    def on_upload(value) -> None:
        if value:
            item = value[0]
            accept(item["name"], item.get("size"), lambda: bytes(item["content"]))

    solara.Select("Scenario", values=names, value=choice)
    solara.FileDrop(label="Drop a scenario YAML here to upload it", on_file=on_file, lazy=True)
    ipywidgets.FileUpload.element(accept=".yaml,.yml", multiple=False, description="Upload YAML",
                                  on_value=on_upload)
    for line in errors.value:
        solara.Error(line, dense=True, classes=["upload-error"])


@solara.component
def ParameterSliders(values: solara.Reactive):
    """One slider per declared parameter, grouped by mechanism; moving one restarts the model."""
    for mechanism in MECHANISMS:
        declared = [p for p in PARAMETERS.values() if p.mechanism == mechanism]
        if not declared:
            continue
        with solara.Details(summary=mechanism):
            for p in declared:
                def set_value(v, name=p.name):
                    values.set({**values.value, name: v})

                current = values.value.get(p.name, p.default)
                if p.integer:
                    solara.SliderInt(p.name, value=int(current), min=int(p.low), max=int(p.high), on_value=set_value)
                else:
                    solara.SliderFloat(p.name, value=float(current), min=p.low, max=p.high,
                                       step=(p.high - p.low) / 100, on_value=set_value)
                solara.Text(f"{p.description} [{p.unit}]", style={"font-size": "0.8em", "color": "#666"})


@solara.component
def Controls(session: Session | None, tick: solara.Reactive, playing: solara.Reactive, reset: solara.Reactive):
    def step() -> None:
        session.step()
        tick.set(tick.value + 1)

    def to_end() -> None:
        while not session.finished:
            session.step()
        tick.set(tick.value + 1)

    _ = tick.value  # read, so that the buttons re-render after every step
    done = session is None or session.finished
    with solara.Row(gap="6px"):
        solara.Button("Step", on_click=step, disabled=done, color="primary")
        solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                      disabled=done and not playing.value)
        solara.Button("Run to end", on_click=to_end, disabled=done)
        solara.Button("Reset", on_click=lambda: (playing.set(False), reset.set(reset.value + 1)))


# ------------------------------------------------------------------------------- views
@dataclass(frozen=True)
class View:
    """What the page shows of a (possibly large) world: ``viz.focus`` settings and the network's mode."""

    region: str = focus.ALL_REGIONS
    k: int = focus.DEFAULT_K
    by: str = "capability"
    network: str = "States"
    picked: tuple[str, ...] = ()
    map_colour: str = "coalition"  # viz.world_map.COLOURINGS
    map_focus: str = ""  # the state affinity and tension are measured from ("": the coalitions' anchor)


NETWORKS = ["States", "Coalitions by region"]


def csv_download(frame, name: str, label: str | None = None):
    """A button that downloads ``frame`` as ``name`` (CSV, written only when clicked)."""
    solara.FileDownload(lambda: frame.to_csv(index=False), filename=name, label=label or f"Download {name}",
                        mime_type="text/csv")


@solara.component
def EventFeed(events):
    """The events fired so far, newest first, each with its source."""
    if events.empty:
        solara.Text("No event has fired yet.", style={"color": "#666"})
        return
    rows = "".join(
        f"<div class='event'><b>{e.date:%Y-%m-%d}</b> · {html.escape(str(e.label))}"
        f"<div style='color:#666;font-size:0.8em'>{html.escape(str(e.source))}</div></div>"
        for e in events.sort_values("date", ascending=False).itertuples())
    solara.HTML(tag="div", unsafe_innerHTML=rows, style={"max-height": "520px", "overflow-y": "auto",
                                                          "font-size": "0.9em", "line-height": "1.35"},
                classes=["event-feed"])
    csv_download(events, "events.csv")


@solara.component
def ViewControls(view: solara.Reactive, meta: dict):
    """Which states to show: a region, the top k by capability or change, and states found by name."""
    def put(**change):
        view.set(replace(view.value, **change))

    items = [{"text": f"{name} ({sid})", "value": sid} for sid, name in sorted(meta["states"].items(),
                                                                               key=lambda x: x[1])]
    with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Region", values=[focus.ALL_REGIONS, *focus.regions_of(meta)], value=view.value.region,
                      on_value=lambda r: put(region=r), classes=["region-filter"], style={"max-width": "190px"})
        with solara.Div(style={"min-width": "300px"}):
            solara.SliderInt("States shown (top k)", value=view.value.k, min=5, max=60, on_value=lambda k: put(k=k))
        solara.ToggleButtonsSingle(value=view.value.by, values=list(focus.RANKINGS), on_value=lambda b: put(by=b))
        rv.Autocomplete(label="Find a state (name or id)", items=items, v_model=list(view.value.picked),
                        on_v_model=lambda ids: put(picked=tuple(ids or ())), multiple=True, chips=True,
                        small_chips=True, deletable_chips=True, clearable=True, dense=True, auto_select_first=True,
                        hide_details=True, class_="state-picker", style_="min-width: 280px; max-width: 480px")


@solara.component
def WorldMap(settings: solara.Reactive, states_now, pairs_now, meta: dict, key: list, shown: bool):
    """Every state on the map, coloured by its coalition, its alignment, or its affinity or tension
    with a chosen state, at the current date (``viz.world_map``).
    """
    view = settings.value
    focus_id = view.map_focus if view.map_focus in meta["states"] else meta["anchor"]
    items = [{"text": f"{name} ({sid})", "value": sid} for sid, name in sorted(meta["states"].items(),
                                                                               key=lambda x: x[1])]
    with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=view.map_colour, values=list(world_map.COLOURINGS), classes=["map-colour"],
                                   on_value=lambda c: settings.set(replace(settings.value, map_colour=c)))
        if view.map_colour in world_map.NEEDS_FOCUS:
            rv.Autocomplete(label="measured from", items=items, v_model=focus_id, dense=True, hide_details=True,
                            on_v_model=lambda sid: settings.set(replace(settings.value, map_focus=sid or "")),
                            class_="map-focus", style_="min-width: 260px; max-width: 360px")
    Figure(lambda: world_map.world_map(states_now, pairs_now, meta, colour=view.map_colour, focus=focus_id),
           key + [view.map_colour, focus_id], shown)


@solara.component
def StateCard(state: str, now, meta: dict):
    """One state found by name: where it stands now, its closest partners and its rivals (a table)."""
    row = now["states"].set_index("state").loc[state]
    name = meta["states"].get(state, state)
    ties = focus.ties(now["pairs"], state, meta)
    with solara.Card(f"{name} ({state})", classes=["state-card"]):
        solara.Text(f"{meta.get('regions', {}).get(state, '')} · coalition {row['coalition']} · "
                    f"alignment {row['alignment']:+.2f} · capability {row['capability']:.2%}")
        solara.DataFrame(ties, items_per_page=10)
        csv_download(ties, f"ties_{state}.csv")


@solara.component
def Views(session: Session, ticks: solara.Reactive, settings: solara.Reactive):
    tick = ticks.value  # read here, not in the page: a step re-renders the views, not the sidebar
    meta = session.meta()
    view = settings.value
    picked = tuple(s for s in view.picked if s in meta["states"])  # a state of another scenario is dropped
    everything = session.tables(among=())  # states and model tables; no pairs yet
    shown = focus.focus(everything["states"], meta, view.k, view.by, view.region, picked)
    note = focus.describe(shown, everything["states"], view.by, view.region)
    key = [session, tick, tuple(shown)]
    tables = solara.use_memo(lambda: everything | {"pairs": session.pairs(shown)}, dependencies=key)
    now_pairs = solara.use_memo(session.pairs_now, dependencies=[session, tick])
    states_now = everything["states"][everything["states"]["step"] == session.step_index]
    now = {"states": states_now, "pairs": now_pairs}
    events = tables["events"]
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(meta["title"]), style={"margin": "0"})
    with solara.Row(style={"align-items": "baseline"}):
        solara.Text(f"Simulated date: {session.date:%Y-%m-%d} · step {session.step_index} of {session.n_steps}",
                    classes=["sim-date"], style={"font-size": "1.1em", "font-weight": "600"})
        solara.Text(f"{len(meta['states'])} states · {len(shown)} shown", classes=["n-states"],
                    style={"color": "#666"})
    ViewControls(settings, meta)
    tab = solara.use_reactive(0)
    open_ = [tab.value == i for i in range(len(TABS))]  # a hidden tab keeps its figure and costs nothing
    with solara.lab.Tabs(value=tab):
        with solara.lab.Tab(TABS[0]):
            with solara.Columns([7, 5]):
                with solara.Column():
                    if view.network == NETWORKS[0]:
                        Figure(lambda: F.alignment_network(tables["pairs"], tables["states"], meta, session.date,
                                                           shown, picked, note), key + [NETWORKS[0], picked],
                               open_[0])
                    else:
                        Figure(lambda: F.region_network(now_pairs, states_now, meta, session.date),
                               key + [NETWORKS[1]], open_[0])  # its own dependencies: the mode switched
                    solara.ToggleButtonsSingle(value=view.network, values=NETWORKS,
                                               on_value=lambda mode: settings.set(replace(view, network=mode)))
                with solara.Column():
                    for state in picked:
                        StateCard(state, now, meta)
                    with solara.Card("Event feed"):
                        EventFeed(events)
            Figure(lambda: F.tension_lines(tables["model"], events, meta), key, open_[0])
        with solara.lab.Tab(TABS[1]):
            WorldMap(settings, states_now, now_pairs, meta, [session, tick], open_[1])
        with solara.lab.Tab(TABS[2]):
            Figure(lambda: F.coalition_timeline(tables["states"], meta, shown, note), key, open_[2])
        with solara.lab.Tab(TABS[3]):
            Figure(lambda: F.tension_heatmap(tables["pairs"], events, meta, shown), key, open_[3])
        with solara.lab.Tab(TABS[4]):
            Figure(lambda: F.resources(tables["states"], events, meta), key, open_[4])
        with solara.lab.Tab(TABS[5]):
            Figure(lambda: F.recalibration(tables["states"], tables["pairs"], events, meta, shown, note), key,
                   open_[5])
        with solara.lab.Tab(TABS[6]):
            Downloads(session, tables, now, open_[6])
        with solara.lab.Tab(TABS[7]):
            AgainstWhatHappened(session, [session, tick], open_[7])
        if session.variant_model is not None:
            with solara.lab.Tab(TABS[8]):
                Overlay(session, meta, key, open_[8])


TABS = ["Network", "World map", "Coalitions", "Bilateral tension", "Resources", "Recalibration", "Tables",
        "Against what happened", "Counterfactual"]


def use_drawn(dependencies: list, shown: bool) -> list | None:
    """The dependencies of what was last drawn: today's while shown, else those of the last time
    it was shown (None: never shown yet). A hook: call it in the same order at every render.
    """
    drawn = solara.use_ref(None)
    if shown:
        drawn.current = list(dependencies)
    return drawn.current


@solara.component
def Figure(build, dependencies: list, shown: bool = True):
    """A figure built and sent to the browser only while its tab is open, and then only when
    ``dependencies`` change; a hidden tab keeps the figure it last drew (and is not built before
    it is first opened). Widgets are never torn down by switching tabs.
    """
    deps = use_drawn(dependencies, shown)
    fig = solara.use_memo(lambda: None if deps is None else as_json(build()), dependencies=deps or [None])
    if fig is None:
        solara.Text("…", style={"color": "#999"})
        return
    Plotly(fig)


@solara.component
def Downloads(session: Session, tables: dict, now: dict, shown: bool):
    """Every table of the run so far as CSV; the states now, as a table in the page (while shown)."""
    solara.Text(f"The run so far (replicate 0 of alliance-sim run --seed {session.seed}), one CSV per table; "
                "columns as in docs/outputs.md.")  # not Markdown: it would fetch KaTeX from a CDN
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        csv_download(tables["model"], "model.csv")
        csv_download(tables["states"], "states.csv")
        solara.FileDownload(lambda: session.tables()["pairs"].to_csv(index=False), filename="pairs.csv",
                            label="Download pairs.csv (every pair)", mime_type="text/csv")
        csv_download(tables["events"], "events.csv")
    if shown:
        solara.DataFrame(now["states"].drop(columns=["replicate"]), items_per_page=15)


@solara.component
def Overlay(session: Session, meta: dict, key: list, shown: bool):
    """The variant beside the base, same seed: the panels where they differ most."""
    deps = use_drawn(key, shown)
    overlay = solara.use_memo(lambda: None if deps is None else session.overlay(), dependencies=deps or [None])
    if overlay is None:
        return
    bands, by_scenario = overlay
    overlay_meta = meta | {"base": session.loaded.scenario.name, "variants": [session.variant.scenario.name],
                           "titles": {session.loaded.scenario.name: session.loaded.scenario.title,
                                      session.variant.scenario.name: session.variant.scenario.title}}
    solara.HTML(tag="h3", unsafe_innerHTML="Counterfactual overlay: "
                f"{html.escape(session.variant.scenario.title)} (same seed)")
    for metric, subject in CF.default_comparison_panels(bands, overlay_meta)[:4]:
        Figure(lambda m=metric, s=subject: CF.scenario_bands(bands, m, s, by_scenario, overlay_meta),
               key + [metric, subject], shown)


CELL = "border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top"
TAG = "font-size:.85em;font-weight:600;padding:0 6px;border-radius:3px;color:#fff;white-space:nowrap;background:"
NOT_YET = "#BBBBBB"


def _tag(text: str, color: str) -> str:
    return f"<span style='{TAG}{color}'>{html.escape(text)}</span>"


def hindcast_rows(scored, due: list, later: list, start) -> str:
    """The observed outcomes as an HTML table: those due with what the run says, the others "not yet"."""
    prepared = HF.prepare(scored, due).set_index("id") if scored is not None else None
    rows = []
    for obs in [*due, *later]:
        cells = [obs.what, HF.span_text(obs), "happened" if obs.happened else "did not happen"]
        if prepared is not None and obs.id in prepared.index:
            r = prepared.loc[obs.id]
            holds = "holds" if r["model"] >= 0.5 else "does not hold"
            measure = f"{r['median']:+.3f}" if obs.test not in ("same", "different") else ""
            kind = r["verdict"]
            verdict = _tag({"right": "right", "wrong": "wrong", "scripted": "scripted"}[kind], HF.VERDICT_COLORS[kind])
            if kind == "scripted":
                verdict += f"<div style='color:#777;font-size:.8em'>by {html.escape(r['scripted_by'])}</div>"
            run, status = f"{measure} ({holds})".strip(), "due"
        else:
            run, status = "", "not-yet"
            verdict = _tag(f"not yet (due {span(obs, start)[1]})", NOT_YET)
        body = "".join(f"<td style='{CELL}'>{html.escape(c)}</td>" for c in cells + [run])
        rows.append(f"<tr class='hindcast-row' data-outcome='{html.escape(obs.id)}' data-status='{status}'>"
                    f"{body}<td style='{CELL}'>{verdict}</td></tr>")
    head = "".join(f"<th style='{CELL};background:#f4f6f8'>{h}</th>" for h in
                   ("Outcome", "Dates", "Reality", "This run: measure", "The run points"))
    return (f"<table class='hindcast-table' style='border-collapse:collapse;font-size:.9em;width:100%'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


@solara.component
def AgainstWhatHappened(session: Session, key: list, shown: bool):
    """The scenario's observed outcomes whose span has ended by the current date against the run so
    far (one run: its measure and whether it points the way reality went), the others "not yet".
    """
    deps = use_drawn(key, shown)
    result = solara.use_memo(lambda: None if deps is None else session.hindcast(), dependencies=deps or [None])
    if result is None:
        return
    scored, due, later = result
    if not due and not later:
        solara.Text("This scenario has no observed outcomes (an observed: section): nothing to hold it against.",
                    classes=["hindcast-none"], style={"color": "#666"})
        return
    if scored is not None:
        verdicts = HF.prepare(scored, due)["verdict"]
        counts = {k: int((verdicts == k).sum()) for k in HF.VERDICT_COLORS}
        text = (f"{len(due)} of {len(due) + len(later)} observed outcomes are due by {session.date:%Y-%m-%d}: "
                f"this run points the way reality went in {counts['right']}, not in {counts['wrong']}; "
                f"{counts['scripted']} scripted by the scenario's events (not scored). One run (replicate 0 of "
                f"alliance-sim run --seed {session.seed}) says which way it went, not how likely: "
                "alliance-sim check scores an ensemble.")
    else:
        text = f"No observed outcome is due by {session.date:%Y-%m-%d}: step on."
    solara.Text(text, classes=["hindcast-summary"])
    if scored is not None:
        Figure(lambda: HF.hindcast_chart(scored, due, f"Against what happened, as of {session.date:%Y-%m-%d}"),
               key, shown)
    rows = hindcast_rows(scored, due, later, session.loaded.scenario.calendar.start)
    solara.HTML(tag="div", unsafe_innerHTML=rows, style={"margin-top": "8px"})


# ------------------------------------------------------------------------------- the page
def _play(session: Session | None, tick: solara.Reactive, playing: solara.Reactive):
    def loop(cancel: threading.Event) -> None:
        while playing.value and session is not None and not session.finished:
            session.step()
            tick.set(tick.value + 1)
            if cancel.wait(PLAY_INTERVAL_S):
                return
        playing.set(False)
    return loop


@solara.component
def Page():
    choice = solara.use_reactive(initial_scenario())
    uploads = solara.use_reactive({})
    errors = solara.use_reactive([])
    params = solara.use_reactive({})
    seed = solara.use_reactive(None)
    variant = solara.use_reactive(NO_VARIANT)
    reset = solara.use_reactive(0)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    view = solara.use_reactive(View())

    def make():
        try:
            loaded = uploads.value.get(choice.value) or load_scenario(choice.value)
            other = None if variant.value == NO_VARIANT else load_scenario(variant.value)
            return Session(loaded, dict(params.value), seed.value, other), None
        except ScenarioError as exc:
            return None, exc.problems

    session, problems = solara.use_memo(make, dependencies=[choice.value, tuple(sorted(params.value.items())),
                                                            seed.value, variant.value, reset.value])
    solara.use_thread(_play(session, tick, playing), dependencies=[playing.value, session])
    solara.Title("alliance-sim")
    with solara.Sidebar():
        ScenarioPicker(choice, uploads, errors)
        solara.InputInt("Seed (empty: the scenario's)", value=seed, optional=True)
        Controls(session, tick, playing, reset)
        solara.Select("Counterfactual variant", values=[NO_VARIANT, *shipped_names()], value=variant)
        with solara.Details(summary="Model parameters"):
            ParameterSliders(params)
            solara.Button("Restore defaults", on_click=lambda: params.set({}), text=True)
    if session is None:
        for line in problems:
            solara.Error(line, classes=["scenario-error"])
        return
    Views(session, tick, view)
