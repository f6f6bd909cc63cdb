"""Scenario files: the YAML format, its validation and ``extends`` resolution."""

from .loader import LoadedScenario, ScenarioError, find, load_scenario, shipped_names, shipped_root
from .schema import EVENT_TYPES, Scenario

__all__ = ["EVENT_TYPES", "LoadedScenario", "Scenario", "ScenarioError", "find", "load_scenario",
           "shipped_names", "shipped_root"]
