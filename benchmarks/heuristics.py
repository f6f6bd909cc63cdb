"""Speed and quality figures of the bloc and coalition heuristics (not asserted anywhere).

    python benchmarks/heuristics.py [--repeats 7] [--no-annealing]

0. Start-up: the descents run compiled (numba, simulation/mechanisms/kernels.py), imported and
   compiled (or loaded from numba's cache) on the first descent of a process. Timed in fresh
   processes: with an empty cache (a temporary NUMBA_CACHE_DIR: the JIT compile) and with the
   cache in place.
1. Speed: the straightforward descents (cost matrix or fields recomputed with a matrix product
   before every move: ``reference_relocate`` / ``reference_descend`` of the tests) against the
   incremental, compiled ones of simulation/mechanisms, at N = 25, 50, 100, 146 (the model's
   large world), 200 on uniform random signed graphs (k = 3): one descent, and a search with the
   model's budget (20 random starts, ``heuristic_blocs`` / ``heuristic_minimum``). Runs are
   interleaved (old, new, old, new, …) so that machine noise hits both alike; the figures are
   medians and the ratio of medians. Every pair is also checked to give the same labels.
2. Quality: share of planted-partition graphs (N = 20, 50, 100, 200; planted k = 2, 3, 4;
   searched with k = 3 and with the planted k) on which the heuristic with the model's budget
   reaches a frustration ≤ that of a long simulated-annealing run (``anneal`` of the tests:
   4 chains × 300 sweeps), by share of flipped signs. The model's own affinities leave about 2 %
   of the tie weight frustrated. Then the same on random signed graphs (40 %, 50 % of the signs
   flipped, uniform signs) for both searches, and the time of a search that anneals (N = 25-200).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from simulation.search import annealing, blocs, coalitions  # noqa: E402
from test_mechanisms_blocs import (  # noqa: E402
    agreement_with_annealing,
    random_signed,
    reference_heuristic,
    reference_relocate,
)
from test_mechanisms_annealing import agreement_on_random_graphs  # noqa: E402
from test_mechanisms_coalitions import random_weights, reference_descend  # noqa: E402
from test_mechanisms_coalitions import reference_heuristic as reference_minimum  # noqa: E402

SIZES = (25, 50, 100, 146, 200)
K = 3
RESTARTS = 20  # the model's default heuristic_restarts
GLASSY = annealing.GLASSY


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def relocate(labels, weights, k):
    """One relocation descent (a batch of one)."""
    return blocs.relocate_all(np.asarray(labels)[None], weights, k)[0]


def descend(assignment, weights):
    """One flip descent (a batch of one)."""
    return coalitions.descend_each(np.asarray(assignment)[None], weights)[0]


def same(a, b) -> bool:
    if isinstance(a, tuple):
        return bool(np.array_equal(a[0], b[0]) and a[1] == b[1])
    return bool(np.array_equal(a, b))


FIRST_CALL = """
import time
start = time.perf_counter()
import numpy as np
from simulation.search import blocs, coalitions
imported = time.perf_counter()
w = np.random.default_rng(0).uniform(-1.0, 1.0, (146, 146))
w = np.triu(w, 1) + np.triu(w, 1).T
blocs.relocate_all(np.zeros((1, 146), dtype=int), w, 3)
coalitions.descend_each(np.zeros((1, 146), dtype=int), w)
first = time.perf_counter()
blocs.relocate_all(np.zeros((1, 146), dtype=int), w, 3)
coalitions.descend_each(np.zeros((1, 146), dtype=int), w)
print(imported - start, first - imported, time.perf_counter() - first)
"""


def startup() -> None:
    print(f"{'first descents of a process':30} {'import s':>9} {'first s':>9} {'then ms':>9}")
    with tempfile.TemporaryDirectory() as cache:
        for label, env in (("empty cache (JIT compile)", {"NUMBA_CACHE_DIR": cache}),
                           ("cache in place", {"NUMBA_CACHE_DIR": cache})):
            out = subprocess.run([sys.executable, "-c", FIRST_CALL], cwd=ROOT, env={**os.environ, **env},
                                 capture_output=True, text=True, check=True).stdout.split()
            imported, first, then = map(float, out)
            print(f"{label:30} {imported:>9.2f} {first:>9.2f} {1e3 * then:>9.2f}")
    print()


def speed(repeats: int) -> None:
    """The descents (the model's searches): uniform random graphs are glassy and would anneal
    (``quality`` times that), so the annealing stage is switched off here, in both searches.
    """
    annealing.GLASSY = np.inf
    cases = {
        "relocate, 1 descent": lambda n, r: ((reference_relocate, relocate),
                                             (np.random.default_rng(r).integers(0, K, n), random_signed(n, n), K)),
        "heuristic_blocs, 20 starts": lambda n, r: ((lambda w, s: reference_heuristic(w, K, np.random.default_rng(s),
                                                                                      RESTARTS),
                                                     lambda w, s: blocs.heuristic_blocs(w, K, np.random.default_rng(s),
                                                                                        RESTARTS)),
                                                    (random_signed(n, n), r)),
        "descend, 1 descent": lambda n, r: ((reference_descend, descend),
                                            (np.random.default_rng(r).integers(0, 2, n), random_weights(n, n))),
        "heuristic_minimum, 20 starts": lambda n, r: ((lambda w, s: reference_minimum(w, np.random.default_rng(s),
                                                                                      RESTARTS),
                                                       lambda w, s: coalitions.heuristic_minimum(
                                                           w, np.random.default_rng(s), RESTARTS)),
                                                      (random_weights(n, n), r)),
    }
    print(f"{'search':30} {'N':>4} {'old ms':>9} {'new ms':>9} {'ratio':>6}  same result")
    for name, build in cases.items():
        for n in SIZES:
            old_t, new_t, agree = [], [], True
            for r in range(repeats + 1):  # the first pair warms up
                (old, new), args = build(n, r)
                t_old, out_old = timed(old, *args)
                t_new, out_new = timed(new, *args)
                agree &= same(out_old, out_new)
                if r:
                    old_t.append(t_old)
                    new_t.append(t_new)
            a, b = statistics.median(old_t), statistics.median(new_t)
            print(f"{name:30} {n:>4} {1e3 * a:>9.2f} {1e3 * b:>9.2f} {a / b:>6.1f}  {'yes' if agree else 'NO'}")


def quality() -> None:
    print(f"\n{'flipped signs':>13} {'heuristic <= annealing':>24}")
    for noise in (0.05, 0.1, 0.2, 0.3, 0.4):
        hits, total = agreement_with_annealing((20, 50, 100, 200), (noise,), range(3), chains=4, sweeps=300)
        print(f"{noise:>13.0%} {hits:>14} / {total} = {hits / total:.0%}")
    result = agreement_on_random_graphs((20, 50, 100, 200), per_cell=4)
    print("random signed graphs (40 %, 50 % of a planted partition's signs flipped; uniform signs), N = 20-200:")
    for search, (hits, total) in result.items():
        print(f"  {search:10} heuristic <= annealing {hits} / {total} = {hits / total:.0%}")
    print(f"{'glassy search (anneals)':30} {'N':>4} {'ms':>9}")
    searches = {"heuristic_blocs": lambda w, s: blocs.heuristic_blocs(w, K, np.random.default_rng(s), RESTARTS),
                "heuristic_minimum": lambda w, s: coalitions.heuristic_minimum(w, np.random.default_rng(s), RESTARTS)}
    for n in SIZES:
        w = random_signed(n, n)
        for name, search in searches.items():
            times = [timed(search, w, s)[0] for s in range(4)][1:]
            print(f"{name:30} {n:>4} {1e3 * statistics.median(times):>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-annealing", action="store_true", help="skip the quality figures (a few minutes)")
    args = parser.parse_args()
    startup()
    speed(args.repeats)
    if not args.no_annealing:
        annealing.GLASSY = GLASSY
        quality()


if __name__ == "__main__":
    main()
