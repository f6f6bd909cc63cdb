"""Speed figures to track (not asserted anywhere): median wall time of model runs.

    python benchmarks/run.py [--repeats 7]

1. the default scenario (8 states, 19 monthly steps), one replicate;
2. every state of COW NMC 2016 whose shipped data is complete (~146 states, same calendar and
   the Russia–Ukraine war), one replicate.
Runs are interleaved (a, b, a, b, …) so that machine noise hits both alike; the ratio of
medians is the figure to compare between commits.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation import data, load_scenario, run  # noqa: E402


def world_scenario(folder: Path) -> Path:
    """A scenario with every state that needs no override."""
    ids = [i for i in data.world().index if not data.missing_fields(data.state_record(i))]
    doc = {"name": "world_2016", "title": f"all {len(ids)} states with complete data",
           "calendar": {"start": "2024-06-01", "end": "2025-12-31", "step": "month"},
           "states": ids,
           "relations": {"wars": [{"parties": ["RUS", "UKR"], "source": "Russia's invasion, 24 Feb 2022"}]}}
    path = folder / "world_2016.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def timed(loaded) -> float:
    start = time.perf_counter()
    run(loaded, seed=1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = {"default scenario": load_scenario("korea_russia_2024"),
                 "world (NMC 2016)": load_scenario(world_scenario(Path(tmp)))}
        for loaded in cases.values():  # warm-up: imports, caches
            start = loaded.scenario.calendar.start
            run(loaded, seed=0, until=start.replace(month=start.month + 1))
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeats):
            for name, loaded in cases.items():
                times[name].append(timed(loaded))
    print(f"{'case':22} {'states':>6} {'median s':>9} {'min s':>7} {'per step ms':>12}")
    for name, loaded in cases.items():
        n, steps = len(loaded.scenario.states), 19
        med = statistics.median(times[name])
        print(f"{name:22} {n:6d} {med:9.3f} {min(times[name]):7.3f} {1000 * med / steps:12.1f}")
    a, b = (statistics.median(t) for t in times.values())
    print(f"ratio world/default: {b / a:.1f}x (medians of {args.repeats} interleaved runs)")
    dashboard_step(args.repeats)


def dashboard_step(repeats: int) -> None:
    """One dashboard step plus the server-side re-render of every figure (Solara, no browser)."""
    import ipyvuetify as v
    import solara

    from viz.dashboard import Page

    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    times = []
    for _ in range(max(repeats, 5) * 2):
        start = time.perf_counter()
        step.click()  # Session.step() and the re-render of the page's widgets
        times.append(time.perf_counter() - start)
    rc.close()
    print(f"dashboard step + re-render (default scenario): median {1000 * statistics.median(times):.0f} ms, "
          f"min {1000 * min(times):.0f} ms over {len(times)} steps")


if __name__ == "__main__":
    main()
