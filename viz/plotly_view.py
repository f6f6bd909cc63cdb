"""A light Plotly widget for the dashboard: plotly.js loaded once per page, a figure sent as JSON.

Plotly's own ``FigureWidget`` (an anywidget) carries the whole plotly.js bundle (~5 MB) in the
state of *every* instance, so each figure the dashboard draws costs 5 MB over the websocket and
a fresh parse of the bundle in the browser. This widget (also an anywidget) carries ~1 KB of
JavaScript; the bundle that ships with the ``plotly`` package is served once by the dashboard's
own server (``/static/assets/plotly.min.js``, see ``alliance-sim dashboard``), cached by the
browser, and every update is ``Plotly.react`` with the new figure (Plotly diffs it in place).
A ``ResizeObserver`` redraws a figure when its element's width changes, so one first drawn in a
hidden tab (no width: Plotly's default 700 px) fills its tab when the tab opens.
"""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import plotly
import plotly.graph_objects as go
import solara
import traitlets

from viz._common import GEO_ASSETS_JS

CONFIG = {"displaylogo": False, "responsive": True}


def plotly_js_folder() -> Path:
    """The folder holding the ``plotly.min.js`` that ships with the installed ``plotly`` package."""
    return Path(plotly.__file__).parent / "package_data"


ESM = """
function plotly() {  // plotly.js, fetched once per page and evaluated as a CommonJS module
  if (!window.__allianceSimPlotly) {
    const url = new URL("static/assets/plotly.min.js", document.baseURI);
    window.__allianceSimPlotly = fetch(url).then(r => {
      if (!r.ok) throw new Error(`plotly.js: ${r.status} at ${url}`);
      return r.text();
    }).then(text => { const module = {exports: {}}; new Function("module", "exports", text)(module, module.exports);
                      return module.exports; });
  }
  return window.__allianceSimPlotly;
}

export async function render({ model, el }) {
  el.style.width = "100%";
  GEO_ASSETS  // maps draw offline (viz/world_map.py)
  let Plotly;
  try { Plotly = await plotly(); } catch (e) { el.innerText = String(e); throw e; }
  const draw = () => { const f = model.get("figure"); return Plotly.react(el, f.data || [], f.layout || {}, CONFIG); };
  await draw();
  model.on("change:figure", draw);
  // A figure drawn while its tab was hidden had no width and took Plotly's default (700 px);
  // "responsive" follows the window only, so follow the element: whenever it is observed (at once,
  // and at every change of size) and its laid-out width is not the element's, lay it out again.
  const fit = new ResizeObserver(() => {
    const laid = el._fullLayout && el._fullLayout.width;
    if (el.clientWidth > 0 && laid && Math.abs(laid - el.clientWidth) > 1) Plotly.Plots.resize(el);
  });
  fit.observe(el);
  return () => { fit.disconnect(); model.off("change:figure", draw); Plotly.purge(el); };
}
""".replace("CONFIG", json.dumps(CONFIG)).replace("GEO_ASSETS", GEO_ASSETS_JS)


class PlotlyView(anywidget.AnyWidget):
    """One figure (``figure``: Plotly's JSON form: data and layout)."""

    _esm = ESM
    figure = traitlets.Dict().tag(sync=True)


def as_json(fig: go.Figure) -> dict:
    """A figure as plain JSON (numpy arrays and dates encoded as Plotly encodes them)."""
    return json.loads(fig.to_json())


@solara.component
def Plotly(figure: dict):
    """Draw a figure given as JSON (:func:`as_json`); a new one replaces the old in place (``Plotly.react``)."""
    return PlotlyView.element(figure=figure)
