"""The dashboard's speed in a real browser (printed, never asserted): first paint and Step latency.

    python benchmarks/dashboard.py [--rounds 5] [--steps 4] [--large FILE] [--json FILE]

Starts one real dashboard server per scenario (``alliance-sim dashboard SCENARIO``: the default
scenario's 7 states, and the whole world: ``scenarios/world_2024.yaml`` when it exists, else the
146 states of ``tests/golden/large/world_2016.yaml``), drives Debian's Chromium with Playwright
(never a downloaded browser) and measures, interleaving the scenarios round by round:

- first paint: from the navigation until the first chart is drawn with marks;
- Step + re-render: from the click on *Step* until the simulated date shown has changed *and*
  the alignment network's title carries the new date (the figure was re-rendered in the browser);
- Step + map: the same with the *World map* tab open, until the map's title carries the new date
  (every state coloured again: 195 at world scale, issue 29's goal <= 1 s).

Every wait is for a DOM condition, never for a duration. Each round is a new browser session
(a new model), so the steps of a round start from step 0. The first page load of each server
(imports, first session) is reported apart as "cold".

Goals (issue 13): first paint <= 4 s; Step + re-render <= 250 ms median at 7 states, <= 1 s at
~190 states.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ALLIANCE_SIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEFAULT = "korea_russia_2024"
GOALS = {"first_paint_s": 4.0, "step_ms_small": 250.0, "step_ms_large": 1000.0, "map_step_ms_large": 1000.0}

FIRST_CHART = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(d => {
    const r = d.getBoundingClientRect();
    return r.width > 0 && r.height > 0 &&
        d.querySelectorAll('.scatterlayer .trace, .heatmaplayer image, .scatterlayer .point').length > 0; })"""
NETWORK_TITLE = """() => (Array.from(document.querySelectorAll('.js-plotly-plot'))
    .map(d => d.layout && d.layout.title && d.layout.title.text)
    .find(t => t && t.startsWith('Alignment network')) || '')"""
MAP_TITLE = NETWORK_TITLE.replace("Alignment network", "World map")


def stepped(title: str) -> str:
    """The date shown has changed and the figure titled ``title`` carries it (re-rendered)."""
    return f"""before => {{
    const el = document.querySelector('.sim-date');
    if (!el || el.innerText === before) return false;
    const m = el.innerText.match(/\\d{{4}}-\\d{{2}}-\\d{{2}}/);
    return !!m && ({title})().includes(m[0]); }}"""


STEPPED, MAP_STEPPED = stepped(NETWORK_TITLE), stepped(MAP_TITLE)


def large_scenario() -> Path:
    world = ROOT / "scenarios" / "world_2024.yaml"
    return world if world.exists() else ROOT / "tests" / "golden" / "large" / "world_2016.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``alliance-sim dashboard SCENARIO`` on a free port, until :meth:`stop`."""

    def __init__(self, scenario: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = subprocess.Popen([sys.executable, "-m", "alliance_sim", "dashboard", scenario,
                                      "--port", str(self.port)], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"the dashboard exited: {self.proc.stdout.read()}") from None
                time.sleep(0.25)  # polling for the port to open; nothing is timed here
        self.stop()
        raise SystemExit(f"the dashboard ({scenario}) did not start within 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def timed_steps(page, steps: int, condition: str) -> list[float]:
    """Ms of each Step until ``condition`` holds (the date changed and the figure re-rendered)."""
    times = []
    for _ in range(steps):
        button = page.get_by_role("button", name="Step", exact=True)
        if button.is_disabled():
            break
        before = page.inner_text(".sim-date")
        start = time.perf_counter()
        button.click()
        page.wait_for_function(condition, arg=before, timeout=60_000, polling="raf")
        times.append(1e3 * (time.perf_counter() - start))
    return times


def visit(browser, url: str, steps: int) -> tuple[float, list[float], int, list[float]]:
    """One browser session: seconds to first paint, ms of each Step + re-render, number of states,
    ms of each Step with the world map open.
    """
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(FIRST_CHART, timeout=120_000, polling="raf")
        first = time.perf_counter() - start
        page.wait_for_selector(".sim-date", timeout=120_000)
        page.wait_for_function(f"() => ({NETWORK_TITLE})() !== ''", timeout=120_000)
        n_states = int(page.inner_text(".n-states").split()[0])  # "195 states · 21 shown"
        times = timed_steps(page, steps, STEPPED)
        page.get_by_role("tab", name="World map").click()
        page.wait_for_function(f"() => ({MAP_TITLE})() !== ''", timeout=120_000)
        return first, times, n_states, timed_steps(page, steps, MAP_STEPPED)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="browser sessions per scenario (after a cold one)")
    parser.add_argument("--steps", type=int, default=4, help="Step clicks per session")
    parser.add_argument("--large", type=Path, default=None, help="the large scenario (default: world_2024 or "
                        "tests/golden/large/world_2016.yaml)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    large = args.large or large_scenario()
    cases = {"small": DEFAULT, "large": str(large)}
    servers = {}
    results = {k: {"first": [], "steps": [], "map": [], "cold": None, "n": 0} for k in cases}
    try:
        for key, scenario in cases.items():
            servers[key] = Server(scenario)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for key in cases:  # the cold visit: first session of a fresh server
                first, steps, n, _ = visit(browser, servers[key].url, args.steps)
                results[key].update(cold=first, n=n)
            for _ in range(args.rounds):
                for key in cases:  # interleaved, so that machine noise hits both alike
                    first, steps, _, on_map = visit(browser, servers[key].url, args.steps)
                    results[key]["first"].append(first)
                    results[key]["steps"].extend(steps)
                    results[key]["map"].extend(on_map)
            browser.close()
    finally:
        for server in servers.values():
            server.stop()

    def med(xs):
        return statistics.median(xs) if xs else float("nan")

    small, big = results["small"], results["large"]
    rows = [("states", f"{small['n']}", f"{big['n']}", ""),
            ("first paint, cold (s)", f"{small['cold']:.2f}", f"{big['cold']:.2f}", "<= 4 s"),
            ("first paint, median (s)", f"{med(small['first']):.2f}", f"{med(big['first']):.2f}", "<= 4 s"),
            ("Step + re-render, median (ms)", f"{med(small['steps']):.0f}", f"{med(big['steps']):.0f}",
             "<= 250 / <= 1000 ms"),
            ("Step + re-render, max (ms)", f"{max(small['steps'], default=float('nan')):.0f}",
             f"{max(big['steps'], default=float('nan')):.0f}", ""),
            ("Step + world map, median (ms)", f"{med(small['map']):.0f}", f"{med(big['map']):.0f}", "<= 1000 ms"),
            ("Step + world map, max (ms)", f"{max(small['map'], default=float('nan')):.0f}",
             f"{max(big['map'], default=float('nan')):.0f}", ""),
            ("steps timed", f"{len(small['steps'])} + {len(small['map'])}", f"{len(big['steps'])} + {len(big['map'])}",
             "")]
    print(f"dashboard in Chromium: {DEFAULT} versus {Path(large).name}; {args.rounds} sessions each, interleaved")
    print(f"{'':32} {'default':>10} {'world':>10}  goal")
    for name, a, b, goal in rows:
        print(f"{name:32} {a:>10} {b:>10}  {goal}")
    met = (med(small["first"]) <= GOALS["first_paint_s"] and med(big["first"]) <= GOALS["first_paint_s"]
           and med(small["steps"]) <= GOALS["step_ms_small"] and med(big["steps"]) <= GOALS["step_ms_large"]
           and med(big["map"]) <= GOALS["map_step_ms_large"])
    print(f"goals met: {'yes' if met else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({"scenarios": cases, "results": results, "goals": GOALS}, indent=1,
                                        default=str))


if __name__ == "__main__":
    main()
