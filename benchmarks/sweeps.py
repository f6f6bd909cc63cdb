"""Sweep throughput versus mesa.batch_run, and memory of 10,000 runs versus 1,000.

    python benchmarks/sweeps.py [--repeats 3]

1. Throughput: the same model (the default scenario, full calendar), the same grids (8 levels of
   balance_rate × 8, × 40 and × 120 replicates = 64, 320 and 960 runs) at equal workers (2),
   alliance-sim's sweep (which steps the replicates of a grid point together, ``make_batch``)
   versus mesa.batch_run with a thin Mesa-compatible wrapper (one model at a time). Each runner
   is timed in its own subprocess (mesa.batch_run sets the multiprocessing start method
   globally), interleaved. The difference of the smallest and largest sizes gives each runner's
   fixed start-up (starting worker processes) and its steady rate (runs a second once started).
2. Memory: peak resident memory of a 10,000-run sweep and a 1,000-run sweep (Sobol design of the
   Ishigami test function: the evaluator is cheap, so what is measured is the sweep machinery —
   design, scheduling, streaming to Parquet — not the model).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEVELS = [0.25 + 0.25 * i for i in range(8)]

OURS = textwrap.dedent(f"""
    import time, sys
    from simulation.sweep import SweepSpec, sweep
    spec = SweepSpec(name="bench", scenario="korea_russia_2024", design="grid", replicates=int(sys.argv[2]), seed=1,
                     factors={{"balance_rate": {{"levels": {LEVELS}}}}},
                     outputs=[{{"name": "rus_prk", "metric": "affinity", "pair": ["RUS", "PRK"]}}])
    if __name__ == "__main__":  # worker processes import this script: guard the work
        start = time.perf_counter()
        sweep(spec, sys.argv[1], workers=2)
        print(time.perf_counter() - start)
""")

MESA = textwrap.dedent(f"""
    import sys, time
    import mesa
    import numpy as np
    from simulation import load_scenario
    from simulation.model import AllianceModel
    from simulation.runner import resolve_params
    from simulation.world import build_world

    LOADED = load_scenario("korea_russia_2024")
    WORLD = build_world(LOADED.scenario)

    class Wrapped(AllianceModel):
        def __init__(self, balance_rate=1.0, rng=None):
            super().__init__(WORLD, resolve_params(LOADED, {{"balance_rate": balance_rate}}),
                             [np.random.default_rng(rng)])
            self.datacollector = mesa.DataCollector(model_reporters={{"global_tension":
                lambda m: float(m.recorder.metrics[m.recorder.last, 0])}})

    if __name__ == "__main__":
        start = time.perf_counter()
        mesa.batch_run(Wrapped, {{"balance_rate": {LEVELS}}}, number_processes=2,
                       rng=list(range(1, int(sys.argv[2]) + 1)), max_steps=19, display_progress=False)
        print(time.perf_counter() - start)
""")

MEMORY = textwrap.dedent("""
    import resource, sys, numpy as np
    from pathlib import Path
    from simulation.sweep.spec import SweepSpec
    from simulation.sweep.execute import run_sweep
    from simulation.sweep.evaluate import ishigami
    n = int(sys.argv[2])
    spec = SweepSpec(name="mem", design="sobol", samples=n // 5, seed=1,
                     factors={k: {"low": -3.14159, "high": 3.14159} for k in ("x1", "x2", "x3")})
    run_sweep(spec, Path(sys.argv[1]), ishigami, None, workers=1)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
""")


def timed(code: str, *args: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.py"
        script.write_text(code)
        out = subprocess.run([sys.executable, str(script), str(Path(tmp) / "out"), *args], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replicates", type=int, nargs="+", default=[8, 40, 120])
    args = parser.parse_args()
    sizes, report = sorted(args.replicates), {}
    for reps in sizes:
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(timed(OURS, str(reps)))
            theirs.append(timed(MESA, str(reps)))
        report[reps] = statistics.median(ours), statistics.median(theirs)
    print(f"throughput at 2 workers, median of {args.repeats} interleaved runs:")
    for reps, (a, b) in report.items():
        runs = len(LEVELS) * reps
        print(f"  {runs:4d} runs: alliance-sim sweep {a:6.2f} s ({runs / a:6.1f} runs/s)   "
              f"mesa.batch_run {b:6.2f} s ({runs / b:5.1f} runs/s)   sweep {b / a:.2f}x faster")
    (a1, b1), (a2, b2) = report[sizes[0]], report[sizes[-1]]
    extra = len(LEVELS) * (sizes[-1] - sizes[0])
    rate_a, rate_b = extra / (a2 - a1), extra / (b2 - b1)
    print(f"  steady rate: sweep {rate_a:.1f} runs/s, batch_run {rate_b:.1f} runs/s (sweep {rate_a / rate_b:.2f}x); "
          f"fixed start-up: sweep {a1 - len(LEVELS) * sizes[0] / rate_a:.1f} s, "
          f"batch_run {b1 - len(LEVELS) * sizes[0] / rate_b:.1f} s")
    small, large = timed(MEMORY, "1000"), timed(MEMORY, "10000")
    print(f"peak memory: 1,000 runs {small:.0f} MB, 10,000 runs {large:.0f} MB (ratio {large / small:.2f})")
    print(json.dumps({"sweep_s": {k: v[0] for k, v in report.items()},
                      "batch_run_s": {k: v[1] for k, v in report.items()},
                      "steady_runs_per_s": {"sweep": rate_a, "batch_run": rate_b},
                      "mem_1k_mb": small, "mem_10k_mb": large}))


if __name__ == "__main__":
    main()
