"""The world map: every state of a run coloured by its coalition, its alignment, or its affinity
or tension with a chosen state, at a date (the dashboard) or over time with a slider (the report).

Offline: the country outlines ship with the package (``viz/geo/world_110m.json``, Natural Earth
1:110m, public domain; built by ``viz/geo/build_world_geometry.py``) and are drawn as a Plotly
choropleth over that GeoJSON with the geo base layers hidden, so Plotly never fetches its own
topojson from a CDN. The traces name the outlines by ``GEOJSON`` (a URL, which plotly.js looks up
in ``window.PlotlyGeoAssets`` before fetching it), so a page holds them once however many traces
and frames use them: the report inlines them (:func:`assets_script`), the dashboard serves the
file at that URL (``alliance-sim dashboard``). States too small for the 1:110m outlines (Malta, Singapore, the island
states of the Pacific and the Caribbean …) are drawn as dots at their capitals (GeoNames, in
``scenarios/data/world_2016.csv``); outlines of places that are not states of the run are grey.
Today's borders: a state of the past (the GDR, 1990) is drawn on its successor's outline.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulation import data
from viz._common import COALITION_COLORS, GEO_ASSETS_JS, base_layout, state_label
from viz.figures import coalition_colorbar

COLOURINGS = ("coalition", "alignment", "affinity", "tension")
NEEDS_FOCUS = ("affinity", "tension")
LAND, BORDER, FOCUS = "#E4E4E4", "#FFFFFF", "#333333"
SCALES = {
    "coalition": ([[0.0, COALITION_COLORS["B"]], [0.5, "#F2F2F2"], [1.0, COALITION_COLORS["A"]]], 0.0, 1.0),
    "alignment": ([[0.0, COALITION_COLORS["B"]], [0.5, "#F2F2F2"], [1.0, COALITION_COLORS["A"]]], -1.0, 1.0),
    "affinity": ([[0.0, "#B2182B"], [0.5, "#F7F7F7"], [1.0, "#1B7837"]], -1.0, 1.0),
    "tension": ([[0.0, "#FFF5F0"], [0.5, "#FB6A4A"], [1.0, "#67000D"]], 0.0, 1.0),
}
GEOJSON = "static/assets/world_110m.json"  # relative: the dashboard's own server; the report inlines it
MAX_FRAMES = 40  # dates on the report's slider: evenly chosen, the first and the last always


@lru_cache(maxsize=1)
def geometry() -> dict:
    """The shipped country outlines (GeoJSON, features keyed by ISO3 ``id``)."""
    return json.loads(files("viz").joinpath("geo", "world_110m.json").read_text(encoding="utf-8"))


def assets_script() -> str:
    """A ``<script>`` for a self-contained page that draws maps: plotly.js's own topojson stubbed
    (``GEO_ASSETS_JS``) and the outlines under ``GEOJSON``, so that nothing is fetched.
    """
    outlines = json.dumps(geometry(), separators=(",", ":")).replace("</", "<\\/")
    return (f"<script>{GEO_ASSETS_JS}\nwindow.PlotlyGeoAssets[{json.dumps(GEOJSON)}] = {outlines};</script>")


@lru_cache(maxsize=1)
def _outlined() -> frozenset[str]:
    return frozenset(f["id"] for f in geometry()["features"])


def places(state_ids) -> pd.DataFrame:
    """Where each state is drawn: its ISO3 outline (if the map has it) or a dot at its capital."""
    world, past = data.world(), data.historical()
    rows = []
    for sid in state_ids:
        at = past.loc[sid, "geography_of"] if sid not in world.index and sid in past.index else sid
        if at not in world.index:
            continue  # a state of a hand-written scenario with no place in the data: not drawn
        row = world.loc[at]
        iso = str(row["iso3"])
        if iso not in _outlined() and not (np.isfinite(row["lat"]) and np.isfinite(row["lon"])):
            continue  # no outline and no capital in the data (Palau): named under the map's title
        rows.append({"state": sid, "iso3": iso, "outline": iso in _outlined(), "lat": row["lat"], "lon": row["lon"]})
    return pd.DataFrame(rows, columns=["state", "iso3", "outline", "lat", "lon"])


def _nearest(dates: pd.Series, date) -> pd.Timestamp:
    values = pd.to_datetime(pd.Series(dates.unique())).sort_values()
    if date is None:
        return values.iloc[-1]
    before = values[values <= pd.Timestamp(date)]
    return before.iloc[-1] if len(before) else values.iloc[0]


def values_at(states: pd.DataFrame, pairs: pd.DataFrame | None, when, colour: str, focus: str | None) -> pd.Series:
    """Each state's number at a date, the mean over replicates: the share of replicates in
    coalition A, the alignment, or the affinity or tension with ``focus`` (the focus itself: NaN).
    """
    if colour == "coalition":
        at = states[states["date"] == when]
        return (at["coalition"] == "A").groupby(at["state"]).mean()
    if colour == "alignment":
        at = states[states["date"] == when]
        return at.groupby("state")["alignment"].mean()
    at = pairs[(pairs["date"] == when) & ((pairs["a"] == focus) | (pairs["b"] == focus))]
    other = at["b"].where(at["a"] == focus, at["a"])
    return at[colour].groupby(other).mean()


def _legend_title(colour: str, focus: str | None, meta: dict) -> str:
    if colour in NEEDS_FOCUS:
        return f"{colour} with {meta.get('states', {}).get(focus, focus)}"
    return "share in A" if colour == "coalition" else "alignment"


def _traces(where: pd.DataFrame, values: pd.Series, meta: dict, colour: str) -> list:
    """The states' outlines and dots, coloured by ``values`` (one shared colour axis)."""
    v = values.reindex(where["state"]).to_numpy(float)
    names = [state_label(s, meta) for s in where["state"]]
    hover = f"%{{text}}<br>{colour}: %{{z:{'.0%' if colour == 'coalition' else '+.2f'}}}<extra></extra>"
    outline = where["outline"].to_numpy()
    shape = go.Choropleth(
        geojson=GEOJSON, featureidkey="id", locations=where["iso3"][outline], z=v[outline],
        text=[n for n, o in zip(names, outline) if o], coloraxis="coloraxis", hovertemplate=hover,
        marker={"line": {"color": BORDER, "width": 0.5}}, name="states")
    dots = go.Scattergeo(
        lat=where["lat"][~outline], lon=where["lon"][~outline], text=[n for n, o in zip(names, outline) if not o],
        mode="markers", marker={"size": 7, "color": v[~outline], "coloraxis": "coloraxis",
                                "line": {"color": "#555555", "width": 0.6}},
        hovertemplate=hover.replace("%{z", "%{marker.color"), name="small states", showlegend=False)
    return [shape, dots]


def _land(ids_drawn) -> go.Choropleth:
    """Outlines of places that are not states of the run (grey, no hover)."""
    rest = sorted(_outlined() - set(ids_drawn))
    return go.Choropleth(geojson=GEOJSON, featureidkey="id", locations=rest, z=np.zeros(len(rest)),
                         colorscale=[[0, LAND], [1, LAND]], showscale=False, hoverinfo="skip",
                         marker={"line": {"color": BORDER, "width": 0.5}}, name="not in the run")


def _focus(where: pd.DataFrame, focus: str, meta: dict) -> go.Choropleth | go.Scattergeo:
    """The state affinity or tension is measured from, in dark grey."""
    row = where[where["state"] == focus].iloc[0]
    label = f"{state_label(focus, meta)}: measured from here<extra></extra>"
    if row["outline"]:
        return go.Choropleth(geojson=GEOJSON, featureidkey="id", locations=[row["iso3"]], z=[0],
                             colorscale=[[0, FOCUS], [1, FOCUS]], showscale=False, hovertemplate=label,
                             marker={"line": {"color": BORDER, "width": 0.5}}, name="measured from")
    return go.Scattergeo(lat=[row["lat"]], lon=[row["lon"]], mode="markers", hovertemplate=label,
                         marker={"size": 9, "color": FOCUS}, name="measured from", showlegend=False)


def _unplaced(where: pd.DataFrame, states, meta: dict) -> str:
    """A line under the title naming the states the map cannot place (none: empty)."""
    missing = sorted(set(states) - set(where["state"]))
    return f"<br><sup>not on the map (no outline or capital in the data): " \
           f"{', '.join(state_label(s, meta) for s in missing)}</sup>" if missing else ""


def _layout(fig: go.Figure, title: str, colour: str, focus, meta: dict, several: bool, height: int) -> None:
    scale, low, high = SCALES[colour]
    bar = coalition_colorbar(meta, several) if colour == "coalition" else {"len": 0.6}
    fig.update_layout(coloraxis={"colorscale": scale, "cmin": low, "cmax": high,
                                 "colorbar": bar | {"title": {"text": _legend_title(colour, focus, meta)}}})
    fig.update_geos(visible=False, projection_type="natural earth", showframe=False, lataxis_range=[-58, 85],
                    bgcolor="rgba(0,0,0,0)")
    base_layout(fig, title, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})


def check_colouring(colour: str, focus: str | None, states) -> None:
    """A clear error for a colouring the map cannot draw."""
    if colour not in COLOURINGS:
        raise ValueError(f"colour by one of {', '.join(COLOURINGS)} (got {colour!r})")
    if colour in NEEDS_FOCUS and focus not in set(states):
        raise ValueError(f"colour by {colour} needs a state of the run to measure it from (got {focus!r})")


def world_map(states: pd.DataFrame, pairs: pd.DataFrame | None, meta: dict, date=None, colour: str = "coalition",
              focus: str | None = None, height: int = 560) -> go.Figure:
    """The map at the date of the run nearest before ``date`` (default: its last)."""
    check_colouring(colour, focus, states["state"].unique())
    when = _nearest(states["date"], date)
    where = places(sorted(states["state"].unique()))
    fig = go.Figure([_land(where["iso3"]), *_traces(where, values_at(states, pairs, when, colour, focus),
                                                    meta, colour)])
    if colour in NEEDS_FOCUS and focus in set(where["state"]):
        fig.add_trace(_focus(where, focus, meta))
    title = f"World map on {when:%Y-%m-%d}: {_legend_title(colour, focus, meta)}" \
        + _unplaced(where, states["state"].unique(), meta)
    _layout(fig, title, colour, focus, meta, states["replicate"].nunique() > 1, height)
    return fig


def frame_dates(dates: pd.Series, most: int = MAX_FRAMES) -> list[pd.Timestamp]:
    """At most ``most`` dates of a run, evenly chosen, with the first and the last."""
    values = sorted(pd.to_datetime(pd.Series(dates.unique())))
    keep = np.unique(np.linspace(0, len(values) - 1, min(most, len(values))).round().astype(int))
    return [values[i] for i in keep]


def world_map_over_time(states: pd.DataFrame, pairs: pd.DataFrame | None, meta: dict, colour: str = "coalition",
                        focus: str | None = None, height: int = 600) -> go.Figure:
    """The map with a slider over the run's dates (at most ``MAX_FRAMES``), opening at the first:
    only the colours change from frame to frame.
    """
    check_colouring(colour, focus, states["state"].unique())
    where = places(sorted(states["state"].unique()))
    dates = frame_dates(states["date"])
    outline = where["outline"].to_numpy()
    frames = []
    for d in dates:  # a frame carries the colours only: the outlines are sent once
        v = values_at(states, pairs, d, colour, focus).reindex(where["state"]).to_numpy(float)
        frames.append(go.Frame(name=f"{d:%Y-%m-%d}", traces=[1, 2],
                               data=[go.Choropleth(z=v[outline]), go.Scattergeo(marker={"color": v[~outline]})]))
    first = values_at(states, pairs, dates[0], colour, focus)  # plotly.js opens a slider at its first step
    fig = go.Figure([_land(where["iso3"]), *_traces(where, first, meta, colour)], frames=frames)
    if colour in NEEDS_FOCUS and focus in set(where["state"]):
        fig.add_trace(_focus(where, focus, meta))
    steps = [{"label": f.name, "method": "animate",
              "args": [[f.name], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                  "transition": {"duration": 0}}]} for f in frames]
    fig.update_layout(sliders=[{"active": 0, "steps": steps, "currentvalue": {"prefix": "date: "},
                                "pad": {"t": 10}, "len": 0.95, "x": 0.025}])
    title = f"World map over time: {_legend_title(colour, focus, meta)}" \
        + _unplaced(where, states["state"].unique(), meta)
    _layout(fig, title, colour, focus, meta, states["replicate"].nunique() > 1, height)
    return fig
