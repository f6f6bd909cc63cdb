"""Where a step's time goes: milliseconds a step in each part of the model's step pipeline.

    python benchmarks/breakdown.py [--repeats 3] [--sizes 8 195]

The parts are the model's own functions, timed in place (``time.perf_counter`` around each, while
a step runs; the set-up and spin-up apart): events, perception, decisions (leaning), repayments,
exchange, relations (leaning, balance, noise), war, capability, tensions, the coalition and bloc
searches, the rest of coalition finding (labels, alignment), the recorder, and what is left of
the step. N = 8 is the default scenario; larger N are the generated worlds of
``benchmarks/scaling.py``. Medians over the repeats.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command line runs (simulation/tuning.py)

import contextlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scaling  # noqa: E402
import simulation.model as M  # noqa: E402
from simulation import load_scenario  # noqa: E402
from simulation.runner import resolve_params  # noqa: E402
from simulation.world import build_world  # noqa: E402
from simulation import tuning  # noqa: E402

tuning.keep_freed_memory()  # the allocator as the command line tunes it (simulation/tuning.py)

# (label, owner, attribute): the model's methods, its agents' decision and the searches it calls
PARTS = [
    ("events", M.AllianceModel, "_apply_events"),
    ("perception", M.AllianceModel, "_perceive"),
    ("decisions", M.StateAgent, "decide_leanings"),
    ("repayments", M.AllianceModel, "_reciprocate"),
    ("exchange", M.AllianceModel, "_exchange"),
    ("relations", M.AllianceModel, "_relations"),
    ("war", M.AllianceModel, "_war"),
    ("capability", M.AllianceModel, "_update_capability"),
    ("tensions", M.AllianceModel, "_tensions"),
    ("coalition search", M.coalition_search, "minimum"),
    ("bloc search", M.bloc_search, "best_blocs"),
    ("coalitions (rest)", M.AllianceModel, "_find_coalitions"),
    ("recorder", M.Recorder, "record"),
]
NESTED = {"coalitions (rest)": ("coalition search", "bloc search")}  # timed inside: subtracted


class Clock:
    """Seconds spent in each part while ``stepping`` (set around ``AllianceModel.step``)."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.stepping = False

    def wrap(self, label: str, function):
        def timed(*args, **kwargs):
            if not self.stepping:
                return function(*args, **kwargs)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
        return timed

    @contextlib.contextmanager
    def installed(self):
        saved = [(owner, name, owner.__dict__[name]) for _, owner, name in PARTS]
        saved.append((M.AllianceModel, "step", M.AllianceModel.__dict__["step"]))
        try:
            for label, owner, name in PARTS:
                raw = owner.__dict__[name]
                plain = raw.__func__ if isinstance(raw, staticmethod) else raw
                timed = self.wrap(label, plain)
                setattr(owner, name, staticmethod(timed) if isinstance(raw, staticmethod) else timed)
            step = M.AllianceModel.step

            def stepping(model):
                self.stepping = True
                start = time.perf_counter()
                try:
                    step(model)
                finally:
                    self.seconds["step"] += time.perf_counter() - start
                    self.stepping = False
            M.AllianceModel.step = stepping
            yield self
        finally:
            for owner, name, raw in saved:
                setattr(owner, name, raw)


def breakdown(world, params, seed: int = 1) -> dict[str, float]:
    """Milliseconds a step in each part for one run (``rest``: the step minus the parts)."""
    with Clock().installed() as clock:
        model = M.make_model(world, params, seed, 0).run()
    steps = model.n_steps
    out = {label: clock.seconds[label] for label, _, _ in PARTS}
    for outer, inner in NESTED.items():
        out[outer] -= sum(out[i] for i in inner)
    out["rest of the step"] = clock.seconds["step"] - sum(out.values())
    out = {k: 1e3 * v / steps for k, v in out.items()}
    out["step"] = 1e3 * clock.seconds["step"] / steps
    return out


def worlds(sizes: list[int], folder: Path) -> dict[int, tuple]:
    """N = 8: the default scenario; other N: the generated worlds of benchmarks/scaling.py."""
    out = {}
    for n in sizes:
        loaded = load_scenario("korea_russia_2024" if n == 8 else scaling.world_scenario(folder, n))
        out[n] = build_world(loaded.scenario), resolve_params(loaded)
    return out


def measure(sizes: list[int], repeats: int) -> dict[int, dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        built = worlds(sizes, Path(folder))
    for world, params in built.values():  # warm-up: compiled kernels, caches
        breakdown(world, params)
    samples: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    for _ in range(repeats):  # interleaved
        for n, (world, params) in built.items():
            samples[n].append(breakdown(world, params))
    return {n: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for n, rows in samples.items()}


def report(results: dict[int, dict[str, float]], repeats: int) -> list[str]:
    sizes = sorted(results)
    head = f"{'part':20}" + "".join(f"{f'N = {n} ms':>12} {'share':>6}" for n in sizes)
    lines = [head]
    for label in [p[0] for p in PARTS] + ["rest of the step", "step"]:
        cells = "".join(f"{results[n][label]:12.3f} {results[n][label] / results[n]['step']:6.0%}" for n in sizes)
        lines.append(f"{label:20}{cells}")
    lines.append(f"(ms a step, medians of {repeats} interleaved runs; 19 monthly steps; set-up and spin-up apart)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 195])
    args = parser.parse_args()
    print("\n".join(report(measure(args.sizes, args.repeats), args.repeats)))


if __name__ == "__main__":
    main()
