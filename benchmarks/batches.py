"""Time a run against the number of replicates stepped together, at N = 8 … 50 states.

    python benchmarks/batches.py [--repeats 3] [--sizes 8 12 25 50] [--batches 1 4 16 64 128]

For each world — the default scenario (8 states) and the generated worlds of
``benchmarks/scaling.py`` (Russia, Ukraine and the first other states of the shipped data) —
a batch of B replicates (``make_batch``) is run over the whole calendar and its time divided by
B; B = 1 is one model alone (``make_model``). Batches with B × N² above 16,384 pair cells are
skipped. Runs are interleaved over sizes and batches and the medians reported, with the batch
``model.batch_size`` chooses for each N (``BATCH_CELLS``: the point beyond which a larger batch
gains little or loses).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # steadier figures on a 2-core machine (docs/performance.md)

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scaling import world_scenario  # noqa: E402
from simulation import load_scenario  # noqa: E402
from simulation.model import batch_size, make_batch, make_model  # noqa: E402
from simulation.runner import resolve_params  # noqa: E402
from simulation.world import build_world  # noqa: E402
from simulation import tuning  # noqa: E402

tuning.keep_freed_memory()  # the allocator as the command line tunes it (simulation/tuning.py)

MAX_CELLS = 1 << 14


def worlds(sizes: list[int], folder: Path) -> dict[int, tuple]:
    out = {}
    for n in sizes:
        loaded = load_scenario("korea_russia_2024" if n == 8 else world_scenario(folder, n))
        out[n] = build_world(loaded.scenario), resolve_params(loaded)
    return out


def ms_a_run(world, params, b: int) -> float:
    start = time.perf_counter()
    if b == 1:
        make_model(world, params, 1, 0).run()
    else:
        make_batch(world, params, 1, list(range(b))).run()
    return 1e3 * (time.perf_counter() - start) / b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 25, 50])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4, 16, 64, 128])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = worlds(args.sizes, Path(tmp))
    cases = [(n, b) for n in args.sizes for b in args.batches if b == 1 or b * n * n <= MAX_CELLS]
    for n, b in cases:  # warm-up: caches, the spin-up of each world, first calls
        ms_a_run(*built[n], min(b, 2))
    samples: dict[tuple[int, int], list[float]] = {case: [] for case in cases}
    for _ in range(args.repeats):
        for n, b in cases:
            samples[(n, b)].append(ms_a_run(*built[n], b))
    print(f"ms a run (whole calendar), median of {args.repeats} interleaved runs; ratio: alone ÷ in the batch")
    print(f"{'N':>4} {'B':>5} {'ms a run':>10} {'ratio':>7}")
    for n in args.sizes:
        alone = statistics.median(samples[(n, 1)])
        for b in [b for b in args.batches if (n, b) in samples]:
            ms = statistics.median(samples[(n, b)])
            mark = "  <- batch_size" if b == min((x for x in args.batches if x >= batch_size(n)),
                                                 default=None) else ""
            print(f"{n:4d} {b:5d} {ms:10.2f} {alone / ms:7.2f}{mark}")
        print(f"     model.batch_size({n}) = {batch_size(n)}")


if __name__ == "__main__":
    main()
