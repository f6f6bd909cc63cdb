"""alliance-sim: an agent-based model of alliance dynamics between states (Mesa).

Python API::

    from simulation import load_scenario, run
    result = run(load_scenario("korea_russia_2024"), seed=1, replicates=10)
    result.states  # pandas DataFrame: one row per replicate × step × state

Names are imported on first use, so that ``import simulation.params`` stays light.
"""

import os
from importlib import import_module

# The model's matrices are small (N ≤ 250 states): one BLAS thread is 2–4× faster than several on
# a busy machine, and worker processes do not oversubscribe the cores (docs/performance.md). This
# takes effect when NumPy is first imported after it; a value already set in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__all__ = ["RunResult", "ScenarioError", "load_scenario", "run"]
_WHERE = {"RunResult": "runner", "run": "runner", "ScenarioError": "scenario", "load_scenario": "scenario"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
