"""The dashboard's views of a run in a notebook, without the dashboard's server.

The figures are the ones the dashboard and ``report.html`` draw (``viz.report.report_figures``),
as Plotly figures: shown in JupyterLab, they are drawn by JupyterLab's own Plotly renderer (the
``jupyterlab-plotly`` extension installed with ``plotly``), which needs no network::

    from simulation import run
    from viz.notebook import figures

    views = figures(run("korea_russia_2024", seed=1, replicates=10))
    [title for title, _ in views]   # Coalitions, Tension, Bilateral tension, Alignment network, …
    views[0][1]                     # the last expression of a cell is drawn

A map needs two things a notebook has no server for (``viz/world_map.py``): the country outlines,
which the dashboard serves and the report inlines once per page, are inlined in the figure; and
plotly.js's own topojson, which it would fetch from a CDN although the map hides its base layers,
is an empty one given in the figure's display configuration (:data:`CONFIG`).
"""

from __future__ import annotations

from urllib.parse import quote

import plotly.graph_objects as go

from viz.report import report_figures, run_meta
from viz.world_map import GEOJSON, geometry

# plotly.js reads topojsonURL + "world_110m.json" (after a "/"): after "#", the name is a fragment of the data URL
CONFIG = {"topojsonURL": "data:application/json," + quote('{"type":"Topology","objects":{},"arcs":[]}') + "#/"}


class MapFigure(go.Figure):
    """A figure with maps, displayed with :data:`CONFIG` (how a notebook shows it, or ``show()``)."""

    def show(self, *args, **kwargs):
        return super().show(*args, **kwargs | {"config": CONFIG | kwargs.get("config", {})})

    def _repr_mimebundle_(self, include=None, exclude=None, validate=True, **kwargs):
        kwargs["config"] = CONFIG | kwargs.get("config", {})
        return super()._repr_mimebundle_(include, exclude, validate, **kwargs)

    def _ipython_display_(self):
        import plotly.io as pio

        if pio.renderers.render_on_display and pio.renderers.default:
            self.show()
        else:
            super()._ipython_display_()


def offline(fig: go.Figure) -> go.Figure:
    """``fig`` as it draws with nothing fetched: unchanged, or for a map a :class:`MapFigure` copy
    with the outlines inlined.
    """
    if not any(trace.type in ("choropleth", "scattergeo") for trace in fig.data):
        return fig
    fig = MapFigure(fig)
    for trace in fig.data:
        if getattr(trace, "geojson", None) == GEOJSON:
            trace.geojson = geometry()
    return fig


def meta(result) -> dict:
    """What the figures need to know of a run and its manifest: the same as the ``report.html`` of
    ``alliance-sim run`` (``viz.report.run_meta``).
    """
    return run_meta(result, result.manifest())


def figures(result, network_dates=None) -> list[tuple[str, go.Figure]]:
    """(title, figure) pairs of a :class:`simulation.RunResult`, in the report's order (the
    alignment network at ``network_dates``, default: the first, middle and last step), each
    :func:`offline`.
    """
    return [(title, offline(fig)) for title, fig in report_figures(result.tables, meta(result), network_dates)]
