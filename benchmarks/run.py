"""Speed figures to track (printed, never asserted): `make bench` runs this, then benchmarks/sweeps.py.

    python benchmarks/run.py [--repeats 15] [--scaling-repeats 3] [--replicate-repeats 3] [--json FILE]

a. The default scenario (korea_russia_2024: 8 states, 19 monthly steps, one replicate): set-up,
   steps, the run with its tables, and where a step's time goes at N = 8 and N = 195
   (benchmarks/breakdown.py: each part of the step pipeline timed in place).
b. Seconds a step at N = 7 … 195 states (benchmarks/scaling.py), model initialisation apart,
   and the fitted exponent of seconds a step against N. Goals: <= 10 ms a step at ~190 states,
   growth <= N^2.2.
c. 100 replicates of the default scenario with 1 and 2 workers (simulation.runner.run).
   Goal: <= 3 s with 2 workers.
(d. Sweep throughput and memory: benchmarks/sweeps.py, run next by `make bench`.)
e. The whole world: `alliance-sim run world_2024 --replicates 4`, with and without its report.
(f. The dashboard in Chromium, first paint and Step latency: benchmarks/dashboard.py, run last.)

Runs are interleaved (a, b, a, b, …) so that machine noise hits all cases alike; medians are
reported, and ratios of medians. OPENBLAS_NUM_THREADS is 1 unless set (docs/performance.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy is imported: see docs/performance.md

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import breakdown  # noqa: E402
import scaling  # noqa: E402
from simulation import load_scenario, run  # noqa: E402
from simulation.model import make_model  # noqa: E402
from simulation.runner import resolve_params  # noqa: E402
from simulation.world import build_world  # noqa: E402

DEFAULT = "korea_russia_2024"


def world_scenario(folder: Path, n: int | None = 146) -> Path:
    """A scenario of ``n`` states at war as Russia and Ukraine are (``scaling.world_scenario``)."""
    return scaling.world_scenario(folder, n)


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(), "numpy": np.__version__,
            "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", ""),
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()), "date": dt.date.today().isoformat()}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- a. the default run
def default_run(repeats: int) -> dict:
    loaded = load_scenario(DEFAULT)
    world, params = build_world(loaded.scenario), resolve_params(loaded)
    seed = loaded.scenario.seed

    def model_split() -> tuple[float, float]:
        start = time.perf_counter()
        model = make_model(world, params, seed, 0)
        ready = time.perf_counter()
        model.run()
        return ready - start, time.perf_counter() - ready

    cases = {"model": model_split, "runner.run (tables too)": lambda: (_timed(lambda: run(loaded, seed=seed)), 0.0)}
    for fn in cases.values():  # warm-up
        fn()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            samples[name].append(fn())
    steps = len(world.calendar.boundaries()) - 1
    out = {}
    for name, rows in samples.items():
        totals = [a + b for a, b in rows]
        out[name] = {"total_s": statistics.median(totals), "min_s": min(totals),
                     "init_s": statistics.median(a for a, _ in rows),
                     "step_ms": 1e3 * statistics.median(b for _, b in rows) / steps}
    out["states"], out["steps"], out["repeats"] = len(world.ids), steps, repeats
    return out


def print_default(a: dict) -> None:
    print(f"a. default scenario ({a['states']} states, {a['steps']} steps, one replicate), "
          f"medians of {a['repeats']} interleaved runs")
    print(f"   {'':26} {'total ms':>9} {'min ms':>8} {'init ms':>8} {'ms/step':>8}")
    for name in ("model", "runner.run (tables too)"):
        r = a[name]
        step = f"{r['step_ms']:8.2f}" if name == "model" else f"{'':8}"
        init = f"{1e3 * r['init_s']:8.1f}" if name == "model" else f"{'':8}"
        print(f"   {name:26} {1e3 * r['total_s']:9.1f} {1e3 * r['min_s']:8.1f} {init} {step}")


# --------------------------------------------------------------------------- b. scaling
def blas_threads_check(n: int = 195, repeats: int = 3) -> float | None:
    """Model ms/step at N with OpenBLAS's default threads (one per core), in a fresh process."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(os.cpu_count() or 1))
    code = ("import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/benchmarks']; import scaling; "
            f"r = scaling.measure(({n},), {repeats}); print(json.dumps(r[{n}]['model_step']))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT)], env=env, capture_output=True, text=True)
    return 1e3 * float(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None


# --------------------------------------------------------------------------- c. replicates and workers
REPLICATES = """
import json, sys, time
from simulation import load_scenario, run
from simulation import tuning  # noqa: E402

tuning.keep_freed_memory()  # the allocator as the command line tunes it (simulation/tuning.py)
loaded = load_scenario("korea_russia_2024")
workers, count, times = int(sys.argv[1]), int(sys.argv[2]), []
for _ in range(2):  # the first call starts the forkserver (and its preloaded imports), the second reuses it
    start = time.perf_counter()
    run(loaded, replicates=count, workers=workers)
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def replicates(repeats: int, count: int = 100) -> dict:
    """``run(..., replicates=count, workers=w)`` for w = 1, 2, each in a fresh process (``python -c``, so
    that worker processes do not re-import a main script), interleaved: the first call of a process
    (cold: it starts the worker processes) and a second one (warm: the forkserver is up).
    """
    samples: dict[int, list[list[float]]] = {1: [], 2: []}
    for _ in range(repeats):
        for workers in samples:
            done = subprocess.run([sys.executable, "-c", REPLICATES, str(workers), str(count)], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            samples[workers].append(json.loads(done.stdout.strip().splitlines()[-1]))
    cold = {w: statistics.median(t[0] for t in rows) for w, rows in samples.items()}
    warm = {w: statistics.median(t[1] for t in rows) for w, rows in samples.items()}
    return {"replicates": count, "repeats": repeats, "seconds": cold, "warm_seconds": warm,
            "speedup": cold[1] / cold[2], "warm_speedup": warm[1] / warm[2]}


def world_run(repeats: int, replicates: int = 4) -> dict:
    """``alliance-sim run world_2024`` (195 states, 19 steps) in a fresh process, with and without its
    report, interleaved: median seconds of each (imports, world building and writing included).
    """
    import tempfile

    times = {"tables only": [], "with report": []}
    with tempfile.TemporaryDirectory() as folder:
        for r in range(repeats):
            for case in times:
                out = Path(folder) / f"{r}-{case.replace(' ', '_')}"
                command = [sys.executable, "-m", "alliance_sim", "run", "world_2024", "--replicates", str(replicates),
                           "--out", str(out), *(["--no-report"] if case == "tables only" else [])]
                start = time.perf_counter()
                subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
                times[case].append(time.perf_counter() - start)
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {"replicates": replicates, "repeats": repeats, "seconds": medians}


# --------------------------------------------------------------------------- summary
def summary(a: dict, b: dict, blas_ms: float | None, c: dict) -> list[str]:
    sizes = sorted(b)
    top = sizes[-1]
    exponent = scaling.fit_exponent(sizes, [b[n]["model_step"] for n in sizes])
    rows = [("a. default run (one replicate)", "", f"{1e3 * a['model']['total_s']:.0f} ms", None),
            (f"b. model ms/step at N = {top}", "<= 10 ms", f"{1e3 * b[top]['model_step']:.1f} ms",
             1e3 * b[top]["model_step"] <= 10.0),
            ("b. growth of s/step with N", "<= N^2.2", f"N^{exponent:.2f}", exponent <= 2.2),
            ("c. 100 replicates, 2 workers", "<= 3 s", f"{c['seconds'][2]:.2f} s", c["seconds"][2] <= 3.0)]
    lines = [f"{'figure':34} {'goal':>10} {'measured':>12}  met"]
    lines += [f"{name:34} {goal:>10} {value:>12}  {'' if ok is None else 'yes' if ok else 'NO'}"
              for name, goal, value, ok in rows]
    if blas_ms is not None:
        lines.append(f"(N = 195 with OPENBLAS_NUM_THREADS={os.cpu_count()}, OpenBLAS's default here: "
                     f"{blas_ms:.1f} ms/step)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15, help="runs of each case in a.")
    parser.add_argument("--scaling-repeats", type=int, default=5, help="runs of each N in b.")
    parser.add_argument("--replicate-repeats", type=int, default=3, help="runs of each worker count in c.")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--world-repeats", type=int, default=3, help="runs of each case in e.")
    args = parser.parse_args()
    info = machine()
    print(f"machine: {info['nproc']} cores, {info['cpu']}; Python {info['python']}, NumPy {info['numpy']}; "
          f"OPENBLAS_NUM_THREADS={info['openblas_threads']}; load average {info['load_average']}; {info['date']}")

    a = default_run(args.repeats)
    print_default(a)
    parts = breakdown.measure([8, 195], args.scaling_repeats)
    print("   where a step's time goes (benchmarks/breakdown.py):")
    print("\n".join("   " + line for line in breakdown.report(parts, args.scaling_repeats)))
    print(f"   (load average {load()})")

    b = scaling.measure(scaling.SIZES, args.scaling_repeats)
    print("b. seconds a step against N (generated worlds, benchmarks/scaling.py)")
    print("\n".join("   " + line for line in scaling.report(b, args.scaling_repeats)))
    blas_ms = blas_threads_check()
    print(f"   (load average {load()})")

    c = replicates(args.replicate_repeats)
    print(f"c. {c['replicates']} replicates of the default scenario (simulation.runner.run), medians of "
          f"{c['repeats']} interleaved processes:")
    print(f"   first call of a process: 1 worker {c['seconds'][1]:.2f} s, 2 workers {c['seconds'][2]:.2f} s "
          f"(speed-up {c['speedup']:.2f}x); second call: 1 worker {c['warm_seconds'][1]:.2f} s, "
          f"2 workers {c['warm_seconds'][2]:.2f} s ({c['warm_speedup']:.2f}x); goal <= 3 s with 2")
    print(f"   (load average {load()})")

    e = world_run(args.world_repeats)
    print(f"e. alliance-sim run world_2024 --replicates {e['replicates']} (195 states, 19 steps), a fresh process, "
          f"median of {e['repeats']}: tables only {e['seconds']['tables only']:.1f} s, "
          f"with the report {e['seconds']['with report']:.1f} s")
    print(f"   (load average {load()})")
    print("summary (d. sweeps: benchmarks/sweeps.py, next)")
    print("\n".join("   " + line for line in summary(a, b, blas_ms, c)))
    figures = {"machine": info, "default_run": a, "breakdown": {str(n): r for n, r in parts.items()},
               "scaling": {str(n): r for n, r in b.items()},
               "blas_default_threads_ms_per_step_195": blas_ms, "replicates": c, "world_2024": e}
    print(json.dumps(figures, default=str))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
