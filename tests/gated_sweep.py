"""`alliance-sim ARGS…` whose sweep runs from $GATED_SWEEP_AT on wait until the file
$GATED_SWEEP_RELEASE exists.

    GATED_SWEEP_AT=30 GATED_SWEEP_RELEASE=/path python tests/gated_sweep.py sweep SPEC --out DIR [...]

For the interruption tests: the sweep cannot finish before the test has interrupted it, so the
test does not race it (it waits for a condition — the first stored part — and never for a
duration). With --workers, the worker processes import this file as their main module and get
the same gate (the settings are in the environment they inherit).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import simulation.sweep.evaluate as evaluate

_real = evaluate.evaluate_model


def gated(context, tasks):
    at, release = int(os.environ["GATED_SWEEP_AT"]), Path(os.environ["GATED_SWEEP_RELEASE"])
    while max(task.run_id for task in tasks) >= at and not release.exists():
        time.sleep(0.01)
    return _real(context, tasks)


evaluate.evaluate_model = gated  # the CLI imports it when the sweep starts

if __name__ == "__main__":
    from alliance_sim.cli import main

    main()
