"""The research-sized Sobol study (docs/sweeps.md §8) against its goal, and where its time goes.

    python benchmarks/study.py [--workers 2] [--subset 32]

1. The study as ``alliance-sim sweep scenarios/sweeps/sobol_default.yaml --workers 2`` runs it
   (13,312 runs): seconds against the goal, 30 s on the 2-core development machine.
2. Side by side, on the same design with ``--subset`` base samples (N = 32: 832 runs), in one
   process each, interleaved: batches of the runs of one sample (the replicates only, as sweeps
   stepped before parameter points were batched) against batches across samples (each item its
   own parameter point, ``evaluate.batching``); the ratio, and whether the results are the same.
3. Where the batched subset's time goes (one process): the model's set-up (each point's start,
   then the spin-up of the distinct points together), its steps — of which the coalition and bloc
   searches and the repayments — the outputs read from the recorders, and writing Parquet.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simulation.model as M  # noqa: E402
from simulation import tuning  # noqa: E402
from simulation.sweep import evaluate as E  # noqa: E402
from simulation.sweep import execute as X  # noqa: E402
from simulation.sweep import model_context  # noqa: E402

STUDY = ROOT / "scenarios" / "sweeps" / "sobol_default.yaml"
GOAL = 30.0  # seconds, 2 workers (issue 26)
PARTS = [  # (label, owner, attribute): where a batch's time goes
    ("set-up: starts", M.AllianceModel, "_start"),
    ("set-up: spin-up", M, "spun_up"),
    ("steps", M.AllianceModel, "step"),
    ("steps: coalition search", M.coalition_search, "minimum"),
    ("steps: bloc search", M.bloc_search, "best_blocs"),
    ("steps: repayments", M.AllianceModel, "_reciprocate"),
    ("outputs", E, "_outputs"),
    ("writing", X._Writer, "flush"),
]


def study(subset: int | None = None):
    spec, context, extra = model_context(STUDY)
    return (spec if subset is None else spec.model_copy(update={"samples": subset})), context, extra


def sweep(spec, context, out: Path, workers: int, together) -> X.SweepSummary:
    return X.run_sweep(spec, out, E.evaluate_model, context, workers=workers, batch=E.batch_size(context),
                       together=together)


@contextlib.contextmanager
def timed_parts(seconds: dict[str, float]):
    saved = [(owner, name, owner.__dict__[name]) for _, owner, name in PARTS]

    def wrap(label, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - start
        return timed

    try:
        for label, owner, name in PARTS:
            setattr(owner, name, wrap(label, owner.__dict__[name]))
        yield
    finally:
        for owner, name, raw in saved:
            setattr(owner, name, raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--subset", type=int, default=32, help="base samples of the side-by-side comparison")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tuning.for_this_process()  # as the command line runs
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        spec, context, _ = study()
        summary = sweep(spec, context, folder / "study", args.workers, E.batching(context.scenario))
        print(f"1. the research-sized Sobol study: {summary.ran:,} runs in {summary.seconds:.1f} s at "
              f"{args.workers} workers ({summary.ran / summary.seconds:.0f} runs/s); goal {GOAL:.0f} s: "
              f"{'met' if summary.seconds <= GOAL else 'missed'} ({summary.seconds / GOAL:.2f} of it)")

        spec, context, _ = study(args.subset)
        ways = {"one sample a batch": None, "across samples": E.batching(context.scenario)}
        times: dict[str, list[float]] = {k: [] for k in ways}
        results = {}
        for r in range(args.repeats):  # interleaved
            for label, together in ways.items():
                out = folder / f"{label}-{r}"
                start = time.perf_counter()
                sweep(spec, context, out, 1, together)
                times[label].append(time.perf_counter() - start)
                results[label] = X.collect(out, spec).drop(columns=list(X.TIMING))
        runs = len(results["across samples"])
        old, new = (statistics.median(times[k]) for k in ways)
        same = results["one sample a batch"].equals(results["across samples"])
        print(f"2. {runs} runs of the study's design (N = {args.subset}), one process, medians of {args.repeats}: "
              f"one sample a batch {old:.2f} s, across samples {new:.2f} s: ratio {new / old:.3f} "
              f"({old / new:.1f}x); results identical: {same}")

        seconds: dict[str, float] = defaultdict(float)
        with timed_parts(seconds):
            start = time.perf_counter()
            sweep(spec, context, folder / "parts", 1, E.batching(context.scenario))
            total = time.perf_counter() - start
        print(f"3. where the time of the batched subset goes (one process, {total:.2f} s):")
        for label, _, _ in PARTS:
            print(f"   {label:26} {seconds[label]:7.3f} s {seconds[label] / total:6.1%}")
        rest = total - sum(seconds[k] for k in ("set-up: starts", "set-up: spin-up", "steps", "outputs", "writing"))
        print(f"   {'the rest (design, tasks…)':26} {rest:7.3f} s {rest / total:6.1%}")


if __name__ == "__main__":  # worker processes import this script: guard the work
    main()
