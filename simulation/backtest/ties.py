"""Signed ties, 1946–1999: does structural balance predict the next alliances and disputes?

Data: the 51 Correlates of War signed networks of Doreian & Mrvar (2015), "Structural Balance
and Signed International Relations", J. Social Structure 16(2) — overlapping 4-year windows,
+1 a formal alliance, −1 a militarized interstate dispute (``scenarios/data/cow_signed_1946_1999.csv``).

Design: each window w from 1950–53 on is predicted from the previous non-overlapping window
w − 4 (1946–49 → 1950–53, …, 1992–95 → 1996–99). Three scores for every dyad of the states of
w − 4:

- **balance**: the model's relation dynamics (``balance.balance_drift`` at ``balance_rate``)
  integrated for four years, monthly, from the signed adjacency of w − 4 (0 where no tie);
- **persistence**: the sign in w − 4 (0 where no tie);
- **triads**: the balance heuristic of Leskovec, Huttenlocher & Kleinberg (2010), "Predicting
  positive and negative links in online social networks", WWW '10: the number of balanced minus
  unbalanced two-paths through common neighbours, ``(S·S)_uv``.

Reported: the AUC of predicting a positive tie, (a) for dyads tied in both windows and (b) for
new ties (untied in w − 4, tied in w), pooled over windows and per window.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .. import data
from .. import params as P
from ..mechanisms import balance
from . import skill

YEARS = 4  # the windows' length, and the time the dynamics run
SCORES = ("balance", "persistence", "triads")


@lru_cache(maxsize=1)
def windows() -> dict[str, pd.DataFrame]:
    """Every window's ties (``period`` '46-49' … '96-99' → source, target, sign)."""
    table = pd.read_csv(data.data_file("cow_signed_1946_1999.csv"))
    return {period: group[["source", "target", "sign"]] for period, group in table.groupby("period", sort=True)}


def adjacency(ties: pd.DataFrame, nodes: list[str]) -> np.ndarray:
    """The symmetric signed adjacency of ``ties`` over ``nodes`` (0 where no tie, or a node is absent)."""
    index = {n: i for i, n in enumerate(nodes)}
    s = np.zeros((len(nodes), len(nodes)))
    for a, b, sign in ties.itertuples(index=False):
        if a in index and b in index:
            s[index[a], index[b]] = s[index[b], index[a]] = sign
    return s


def evolve(s: np.ndarray, rate: float, years: float = YEARS, dt: float = 1 / 12) -> np.ndarray:
    """The bounded Heider dynamics of the model, Euler steps of ``dt`` years, from ``s``."""
    a = s.astype(float).copy()
    for _ in range(round(years / dt)):
        a = np.clip(a + dt * balance.balance_drift(a, rate), -1.0, 1.0)
    return a


def pairs(previous: str, following: str, rate: float) -> pd.DataFrame:
    """Every dyad of the states of window ``previous`` (tied then, or tied in ``following``): the
    three scores and the signs in both windows.
    """
    w = windows()
    nodes = sorted(set(w[previous]["source"]) | set(w[previous]["target"]))
    before, after = adjacency(w[previous], nodes), adjacency(w[following], nodes)
    scores = {"balance": evolve(before, rate), "persistence": before, "triads": before @ before}
    iu = np.triu_indices(len(nodes), 1)
    frame = pd.DataFrame({"window": following, "from": previous, "a": np.array(nodes)[iu[0]],
                          "b": np.array(nodes)[iu[1]], "sign_before": before[iu], "sign": after[iu]}
                         | {name: m[iu] for name, m in scores.items()})
    return frame[(frame["sign_before"] != 0) | (frame["sign"] != 0)].reset_index(drop=True)


def chain() -> list[tuple[str, str]]:
    """(w − 4, w) for every window w with a non-overlapping predecessor."""
    periods = sorted(windows())
    starts = {int(p[:2]): p for p in periods}
    return [(starts[y - YEARS], p) for y, p in ((int(p[:2]), p) for p in periods) if y - YEARS in starts]


def backtest_ties(rate: float | None = None) -> pd.DataFrame:
    """The dyads of every (w − 4, w) of the chain."""
    rate = P.defaults()["balance_rate"] if rate is None else rate
    return pd.concat([pairs(a, b, rate) for a, b in chain()], ignore_index=True)


def auc_table(dyads: pd.DataFrame) -> pd.DataFrame:
    """The AUC of each score for a positive tie: dyads tied in both windows, and new ties;
    pooled ('all') and per window.
    """
    rows = []
    kinds = {"tied in both": (dyads["sign_before"] != 0) & (dyads["sign"] != 0),
             "new ties": (dyads["sign_before"] == 0) & (dyads["sign"] != 0)}
    for window, part in [("all", dyads), *dyads.groupby("window", sort=True)]:
        for kind, mask in kinds.items():
            sub = part[mask.loc[part.index]]
            row = {"window": window, "dyads": kind, "n": len(sub), "positive": int((sub["sign"] > 0).sum())}
            for score in SCORES:
                row[score] = skill.direction_auc(sub[score].to_numpy(), sub["sign"].to_numpy(), threshold=0)[0]
            rows.append(row)
    return pd.DataFrame(rows)


def manifest(rate: float | None) -> dict:
    import hashlib

    from ..runner import package_version, platform_info

    used = P.defaults()["balance_rate"] if rate is None else rate
    return {"package": "alliance-sim", "version": package_version(), "command": "backtest-ties",
            "design": {"windows": [list(pair) for pair in chain()], "years": YEARS, "dt_years": 1 / 12,
                       "balance_rate": used, "scores": list(SCORES),
                       "data": "cow_signed_1946_1999.csv (Doreian & Mrvar 2015, via signnet)"},
            "data": {"cow_signed_1946_1999.csv":
                     hashlib.sha256(data.data_file("cow_signed_1946_1999.csv").read_bytes()).hexdigest()},
            "platform": platform_info()}
