"""alliance-sim: an agent-based model of alliance dynamics between states (Mesa).

Python API::

    from simulation import load_scenario, run
    result = run(load_scenario("korea_russia_2024"), seed=1, replicates=10)
    result.states  # pandas DataFrame: one row per replicate × step × state

Names are imported on first use, so that ``import simulation.params`` stays light. Importing
the package changes nothing in the process (no environment variable, no allocator setting): the
runners limit BLAS threads where they run models (``simulation.tuning``), and the command line
tunes its own process.
"""

from importlib import import_module

__all__ = ["RunResult", "ScenarioError", "load_scenario", "run"]
_WHERE = {"RunResult": "runner", "run": "runner", "ScenarioError": "scenario", "load_scenario": "scenario"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
