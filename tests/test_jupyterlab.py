"""The dashboard's views in a real JupyterLab, without the dashboard's server: a notebook runs a
short scenario in JupyterLab's own kernel and shows four of its figures (``viz.notebook.figures``),
the world map among them, which JupyterLab draws with its own Plotly renderer (the
``jupyterlab-plotly`` extension that ships with ``plotly``), in Debian's Chromium driven by Playwright.

Everything JupyterLab writes (settings, workspaces, runtime files, the kernel's IPython folder)
stays in the test's temporary folder; the server fetches no news and checks for no update, and
every request of the page that leaves localhost is blocked and recorded: the page must work with
no network. The test waits for conditions (the server answers, the figures are drawn, the kernel
is idle), never for a duration.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from test_dashboard_browser import CHROMIUM

WAIT = 300_000  # ms: a failure bound for conditions that hold within seconds, generous for a busy machine
SHOT = Path("/tmp/jupyterlab_shot.png")  # a copy of the screenshot, to look at
LOCAL = ("127.0.0.1", "localhost", "::1", "[::1]")

pytestmark = [pytest.mark.process,
              pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                 reason=f"{CHROMIUM} missing: `make test` installs Debian's chromium")]

CELLS = [
    ("markdown", "# The dashboard's views, in JupyterLab"),
    ("code", "import datetime\n\nfrom simulation import run\nfrom viz.notebook import figures\n\n"
             'result = run("korea_russia_2024", seed=1, replicates=2, until=datetime.date(2024, 9, 30))\n'
             "views = figures(result)\n[title for title, _ in views]"),
    ("code", "views[0][1]"),                        # the coalitions over time
    ("code", "views[1][1]"),                        # the tensions, with the events
    ("code", 'dict(views)["Alignment network"]'),   # the network on the last date
    ("code", 'dict(views)["World map"]'),           # the map, its outlines shipped with the package
]
TITLES = ["Coalition membership over time", "Global and regional tension", "Alignment network on 2024-09-30",
          "World map over time: share in A"]
PLOTLY_OUTPUT = ".jp-OutputArea-output.jp-RenderedPlotly"  # drawn by jupyterlab-plotly's renderer, not as HTML
# each figure of the notebook: its title, its size, its marks, and whether it fills its output's width
FIGURES = f"""() => Array.from(document.querySelectorAll('{PLOTLY_OUTPUT}.js-plotly-plot')).map(d => {{
    const r = d.getBoundingClientRect(), svg = d.querySelector('.main-svg'), out = d.closest('.jp-OutputArea-child');
    return {{title: d.layout && d.layout.title && d.layout.title.text, width: r.width, height: r.height,
             svg: svg ? svg.getBoundingClientRect().width : 0, output: out.getBoundingClientRect().width,
             marks: d.querySelectorAll('.cartesianlayer .trace, .heatmaplayer image, .scatterlayer .point, '
                                       + '.choroplethlayer path').length,
             outlines: d.querySelectorAll('.choroplethlayer path.choroplethlocation').length}};
}})"""
# four figures drawn with marks (the map: and the outlines of its countries) and laid out at their
# element's width, and every code cell has run (a number in its prompt, none waiting)
DRAWN = f"""() => {{
    const figures = ({FIGURES})();
    const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')).map(p => p.innerText);
    return figures.length === 4 && figures.every(f => f.width > 300 && f.height > 200 && f.marks > 0
                                                 && Math.abs(f.svg - f.width) <= 2)
        && figures[3].outlines > 100 && prompts.length === 5 && prompts.every(p => /\\[\\d+\\]/.test(p));
}}"""
SLID = f"""() => {{ const map = document.querySelectorAll('{PLOTLY_OUTPUT}.js-plotly-plot')[3];
    return Array.from(map.querySelectorAll('.slider-container text')).some(t => t.textContent === 'date: 2024-09-30')
        && map.querySelectorAll('.choroplethlayer path.choroplethlocation').length > 100; }}"""
# the kernel has started and is idle (the toolbar's indicator says "idle" before any kernel: the status bar does not)
IDLE = """() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
    .some(e => e.innerText.trim() === 'Python 3 (ipykernel) | Idle')"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(path: Path) -> None:
    cells = [{"cell_type": kind, "metadata": {}, "source": text} | ({"outputs": [], "execution_count": None}
                                                                    if kind == "code" else {})
             for kind, text in CELLS]
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"}}}, indent=1), encoding="utf-8")


def jupyter_env(home: Path) -> dict[str, str]:
    """An environment whose Jupyter folders are all under ``home``, with a ``python3`` kernel that is
    this interpreter (the user's folder comes first on Jupyter's path: no kernel of the machine is used).
    """
    folders = {name: home / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    kernel = folders["data"] / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    # no news and no update check in the page (both would ask a website), no toast over the figures
    notification = folders["settings"] / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PLOTLY_RENDERER"))}
    return env | {"JUPYTER_CONFIG_DIR": str(folders["config"]), "JUPYTER_DATA_DIR": str(folders["data"]),
                  "JUPYTER_RUNTIME_DIR": str(folders["runtime"]), "JUPYTER_PLATFORM_DIRS": "1",
                  "JUPYTERLAB_SETTINGS_DIR": str(folders["settings"]),
                  "JUPYTERLAB_WORKSPACES_DIR": str(folders["workspaces"]), "IPYTHONDIR": str(folders["ipython"])}


def stop(proc: subprocess.Popen, base: str, token: str) -> None:
    """Shut the server down (it shuts its kernels down: they run in sessions of their own), then
    make sure its process group is gone.
    """
    try:
        urllib.request.urlopen(urllib.request.Request(f"{base}api/shutdown", method="POST",
                                                      headers={"Authorization": f"token {token}"}), timeout=20)
        proc.wait(timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a free port, its root a temporary folder holding the notebook; yields
    (address, token, root).
    """
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "notebooks"
    root.mkdir()
    notebook(root / "views.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", "--ServerApp.allow_root=True", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"],
        cwd=root, env=jupyter_env(home), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + WAIT / 1000
    try:
        while True:  # polling for the server to answer, bounded by the deadline
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(home / 'server.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield base, token, root
    finally:
        stop(proc, base, token)
        log.close()


def test_the_dashboards_views_render_in_jupyterlab_offline(lab, browser, tmp_path):
    base, token, _ = lab
    context = browser.new_context(viewport={"width": 1500, "height": 3500})
    requests: list[str] = []
    external: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        if urlparse(r.request.url).hostname in LOCAL:
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{base}lab/tree/views.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=WAIT)
        page.wait_for_function(IDLE, timeout=WAIT)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_function(DRAWN, timeout=WAIT)
        page.wait_for_function(IDLE, timeout=WAIT)
        # the map's slider at its last date: a frame carries the colours only, the outlines stay drawn
        rail = page.locator(f"{PLOTLY_OUTPUT} .slider-rail-touch-rect").last
        box = rail.bounding_box()
        rail.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
        page.wait_for_function(SLID, timeout=WAIT)
        figures = page.evaluate(FIGURES)
        shot = tmp_path / "jupyterlab.png"
        page.screenshot(path=str(shot))
        shutil.copyfile(shot, SHOT)
        stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        stderr = [stderr.nth(i).inner_text() for i in range(stderr.count())]  # tracebacks and warnings
    except Exception:
        page.screenshot(path=str(tmp_path / "failed.png"))  # what the page showed, to look at
        shutil.copyfile(tmp_path / "failed.png", SHOT)
        raise
    finally:
        context.close()
    assert [f["title"] for f in figures] == TITLES
    assert all(f["width"] <= f["output"] for f in figures), figures  # not wider than the notebook's output
    assert stderr == []
    assert errors == []
    network = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]  # not data: URLs
    assert external == [] and [u for u in network if urlparse(u).hostname not in LOCAL] == []
    assert any("/lab/extensions/jupyterlab-plotly/" in u for u in requests)  # plotly.js from JupyterLab itself
