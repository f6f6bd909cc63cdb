"""Which states a view shows when the world is large (~190 states): a figure of every state and
every pair does not read, and does not draw in time.

Pure functions over the output tables and ``meta`` (``meta["regions"]``: id -> COW region,
``meta["actors"]``: the states the scenario's events name). Every view of the report and of the
dashboard asks :func:`focus` which states to draw:

- a world of at most :data:`ALL_UP_TO` states is shown whole;
- otherwise the top ``k`` states ranked by capability (at the first date, so that the choice
  does not move while the model steps) or by change (how far a state's alignment has moved
  since the first date), plus the states the scenario's events name;
- a region keeps the ranking inside that region (and no state outside it);
- states the user pinned (the dashboard's state picker) are always shown.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from simulation.data import REGIONS

ALL_UP_TO = 30
DEFAULT_K = 20
RANKINGS = {"capability": "largest capability", "change": "largest change of alignment"}
ALL_REGIONS = "All regions"


def regions_of(meta: dict) -> list[str]:
    """The regions present in a run, in the order of ``simulation.data.REGIONS``."""
    present = set((meta.get("regions") or {}).values())
    return [name for _, name in REGIONS if name in present]


def ranking(states: pd.DataFrame, by: str = "capability") -> list[str]:
    """Every state, best first: by mean capability at the first date, or by how far its mean
    alignment has moved between the first and the last date. Ties are broken by id.
    """
    if by not in RANKINGS:
        raise ValueError(f"rank by {by!r}: one of {', '.join(RANKINGS)}")
    first = states[states["step"] == states["step"].min()].groupby("state")
    if by == "capability":
        score = first["capability"].mean()
    else:
        last = states[states["step"] == states["step"].max()].groupby("state")
        score = (last["alignment"].mean() - first["alignment"].mean()).abs()
    frame = score.rename("score").reset_index().sort_values(["score", "state"], ascending=[False, True])
    return list(frame["state"])


def focus(states: pd.DataFrame, meta: dict, k: int = DEFAULT_K, by: str = "capability",
          region: str | None = None, pinned: Iterable[str] = ()) -> list[str]:
    """The states a view draws, sorted by id (see the module docstring for the rule)."""
    regions = meta.get("regions") or {}
    everyone = sorted(states["state"].unique())
    inside = everyone if region in (None, ALL_REGIONS) else [s for s in everyone if regions.get(s) == region]
    chosen = set(pinned) & set(everyone)
    if region in (None, ALL_REGIONS) and len(everyone) <= ALL_UP_TO:
        return everyone
    inside = set(inside)
    ranked = [s for s in ranking(states, by) if s in inside]
    chosen |= set(ranked[: max(int(k), 1)])
    if region in (None, ALL_REGIONS):
        chosen |= set(meta.get("actors") or []) & set(everyone)
    return sorted(chosen)


def describe(shown: list[str], states: pd.DataFrame, by: str = "capability", region: str | None = None) -> str:
    """A subtitle for a figure of a subset, e.g. '21 of 195 states (largest capability, and those named)'."""
    total = states["state"].nunique()
    if len(shown) >= total:
        return ""
    where = "" if region in (None, ALL_REGIONS) else f" in {region}"
    return f"{len(shown)} of {total} states{where} ({RANKINGS.get(by, by)}, and those named)"


def ties(pairs: pd.DataFrame, state: str, meta: dict, n: int = 5) -> pd.DataFrame:
    """A state's ``n`` closest partners and ``n`` most hostile states (mean affinity over the rows
    given, e.g. one date): columns state, name, affinity, tension, treaty, kind (closest / hostile).
    """
    mine = pairs[(pairs["a"] == state) | (pairs["b"] == state)]
    other = mine["b"].where(mine["a"] == state, mine["a"])
    per = mine.assign(other=other.to_numpy()).groupby("other").agg(
        affinity=("affinity", "mean"), tension=("tension", "mean"), treaty=("treaty", "mean"))
    per = per.reset_index().sort_values(["affinity", "other"], ascending=[False, True])
    picked = pd.concat([per.head(n).assign(kind="closest"), per.tail(n).iloc[::-1].assign(kind="hostile")])
    picked = picked.drop_duplicates("other")
    names = meta.get("states") or {}
    return pd.DataFrame({"state": picked["other"], "name": [names.get(s, s) for s in picked["other"]],
                         "affinity": picked["affinity"].round(3), "tension": picked["tension"].round(3),
                         "treaty": picked["treaty"].round(3), "kind": picked["kind"]}).reset_index(drop=True)
