"""alliance-sim: an agent-based model of alliance dynamics between states (Mesa).

Python API::

    from simulation import load_scenario, run
    result = run(load_scenario("korea_russia_2024"), seed=1, replicates=10)
    result.states  # pandas DataFrame: one row per replicate × step × state
"""

from .runner import RunResult, run
from .scenario import ScenarioError, load_scenario

__all__ = ["RunResult", "ScenarioError", "load_scenario", "run"]
