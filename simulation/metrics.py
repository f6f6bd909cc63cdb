"""The catalogue of what a run records: model metrics, state columns, pair columns.

The lowest layer of the package (it imports nothing of it): scenario checks use it to validate
``expectations:`` and sweep ``outputs:``, the recorder to fill its arrays. Columns are documented
in ``docs/outputs.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

STATE_COLUMNS = ("manpower", "munitions", "economy", "capability", "tech", "front_strength",
                 "foreign_troops", "troops_abroad", "losses", "manpower_strain", "threat",
                 "alignment", "support_given", "support_received", "experience", "alarm")
PAIR_COLUMNS = ("affinity", "tension", "treaty", "at_war", "flow_ab", "flow_ba", "war_party", "alliance_depth",
                "commitment_ab", "commitment_ba")
DIRECTED = {"flow_ab": "flow_ba", "flow_ba": "flow_ab", "commitment_ab": "commitment_ba",
            "commitment_ba": "commitment_ab"}  # a → b columns: swapped when a pair is written the other way
MODEL_METRICS = ("global_tension", "energy", "frustration", "polarization")
MEMBERSHIP = ("coalition", "bloc")


def model_metrics(regions: Iterable[str]) -> tuple[str, ...]:
    """Model-level metrics of a scenario: the global ones and one tension per region."""
    return MODEL_METRICS + tuple(f"tension_{r}" for r in regions)


def metric_kind(metric: str, regions: Iterable[str]) -> str | None:
    """'model', 'state', 'pair' or 'membership' for a known metric, else None."""
    if metric in model_metrics(regions):
        return "model"
    if metric in STATE_COLUMNS:
        return "state"
    if metric in PAIR_COLUMNS and metric != "at_war":
        return "pair"
    return "membership" if metric in MEMBERSHIP else None


def known_metrics(regions: Iterable[str]) -> list[str]:
    """Every metric an expectation or a sweep output may name."""
    return (list(model_metrics(regions)) + list(STATE_COLUMNS) + [c for c in PAIR_COLUMNS if c != "at_war"]
            + list(MEMBERSHIP))
