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

import ipywidgets
import solara

from simulation import limits
from simulation.params import PARAMETERS
from simulation.scenario import ScenarioError, load_scenario, shipped_names
from viz import compare_figures as CF
from viz import figures as F
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


@solara.component
def Views(session: Session, tick: int):
    tables, meta = session.tables(), session.meta()
    events = tables["events"]
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(meta["title"]), style={"margin": "0"})
    solara.Text(f"Simulated date: {session.date:%Y-%m-%d} · step {session.step_index} of {session.n_steps}",
                classes=["sim-date"], style={"font-size": "1.1em", "font-weight": "600"})
    with solara.Columns([7, 5]):
        solara.FigurePlotly(F.alignment_network(tables["pairs"], tables["states"], meta, session.date))
        with solara.Card("Event feed"):
            EventFeed(events)
    solara.FigurePlotly(F.tension_lines(tables["model"], events, meta))
    solara.FigurePlotly(F.coalition_timeline(tables["states"], meta))
    solara.FigurePlotly(F.tension_heatmap(tables["pairs"], events, meta))
    solara.FigurePlotly(F.resources(tables["states"], events, meta))
    solara.FigurePlotly(F.recalibration(tables["states"], tables["pairs"], events, meta))
    if session.variant_model is not None:
        bands, by_scenario = session.overlay()
        overlay_meta = meta | {"base": session.loaded.scenario.name, "variants": [session.variant.scenario.name],
                               "titles": {session.loaded.scenario.name: session.loaded.scenario.title,
                                          session.variant.scenario.name: session.variant.scenario.title}}
        solara.HTML(tag="h3", unsafe_innerHTML="Counterfactual overlay: "
                    f"{html.escape(session.variant.scenario.title)} (same seed)")
        for metric, subject in CF.default_comparison_panels(bands, overlay_meta)[:4]:
            solara.FigurePlotly(CF.scenario_bands(bands, metric, subject, by_scenario, overlay_meta))


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
    Views(session, tick.value)
