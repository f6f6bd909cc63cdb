"""Commitment-scaled involvement: how far a state is in another's war, by the size of its support.

Theory: Fearon (1997) "Signaling foreign policy interests: tying hands versus sinking costs",
J. Conflict Resolution 41(1):68-90 — a transfer is a credible signal in proportion to what it
costs and commits; troops that fight tie the giver's hands (it becomes a party to the war).
Snyder (1984) "The security dilemma in alliance politics", World Politics 36(4):461-495 — the
deeper a state's involvement on a partner's side, the greater its entrapment in the partner's
conflicts and the more third parties count it with the partner. Morrow (1991) "Alliances and
asymmetry", AJPS 35(4):904-933 — what an asymmetric partner supplies is valued against what the
receiver itself fields.

Every channel is measured against the receiver's own war effort (``effort_shares``): troops
against its front, munitions against what its front fires in a year, money against its
economy. Involvement saturates with diminishing returns, ``1 - exp(-Σ share / scale)``: a first
contingent counts almost in proportion to its size, a tenfold one far less than tenfold.

* ``belligerence`` — troops alone make a state a party to the receiver's wars (co-belligerence),
  graded by the contingent's share of the front;
* ``involvement`` — all channels together: how committed the giver is to the receiver's side;
* ``backing`` — what third parties read into it: how much of k's power stands behind j. Either
  k's own involvement in j's war, or a treaty made credible by reciprocity — j's troops fighting
  for k put k in j's debt (Keohane 1986, "Reciprocity in international relations", IO 40(1):1-27).
  A treaty on paper alone adds nothing: its credibility is what the signals reveal.

Parameters: ``commitment_troops``, ``commitment_munitions``, ``commitment_money``.
"""

from __future__ import annotations

import numpy as np

from .algebra import max_product, zero_diagonal


def _share(amount: np.ndarray, of: np.ndarray) -> np.ndarray:
    """amount[g, r] / of[r], 0 where the receiver has nothing to measure against."""
    of = np.asarray(of, dtype=float)[..., None, :]
    return np.divide(amount, of, out=np.zeros_like(amount, dtype=float), where=of > 0)


def effort_shares(troops: np.ndarray, front: np.ndarray, munitions_rate: np.ndarray, consumption: np.ndarray,
                  money_rate: np.ndarray, economy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Support from g to r as shares of r's war effort: (troops, munitions, money), each (g, r).

    ``troops[g, r]`` thousand troops of g with r, against r's ``front`` (thousand);
    ``munitions_rate[g, r]`` mse a year delivered, against r's yearly ``consumption``;
    ``money_rate[g, r]`` US$ bn a year, against r's ``economy`` (US$ bn a year).
    """
    return _share(troops, front), _share(munitions_rate, consumption), _share(money_rate, economy)


def saturate(load: np.ndarray) -> np.ndarray:
    """1 - exp(-load): linear for small loads, never past 1."""
    return -np.expm1(-np.maximum(load, 0.0))


def belligerence(troop_share: np.ndarray, scale: float) -> np.ndarray:
    """Degree β in [0, 1) to which g is a party to r's wars through its troops on r's front."""
    graded = saturate(np.divide(troop_share, scale, out=np.zeros_like(troop_share), where=np.greater(scale, 0)))
    return np.where(np.greater(scale, 0), graded, (troop_share > 0).astype(float))


def involvement(troops: np.ndarray, munitions: np.ndarray, money: np.ndarray,
                scale_troops: float, scale_munitions: float, scale_money: float) -> np.ndarray:
    """Commitment κ in [0, 1) of g to r's side from every channel (zero diagonal)."""
    load = np.zeros_like(troops, dtype=float)
    for share, scale in ((troops, scale_troops), (munitions, scale_munitions), (money, scale_money)):
        load = load + np.divide(share, scale, out=np.zeros_like(load), where=np.greater(scale, 0))  # 0: ignored
    return zero_diagonal(saturate(load))


def parties_at_war(at_war: np.ndarray, belligerent: np.ndarray) -> np.ndarray:
    """Who fights whom, graded in [0, 1]: 1 between formal belligerents; between a co-belligerent g
    and the enemy e of the state r it fights for, g's belligerence with r (the largest such).

    Symmetric, zero diagonal. With ``belligerent`` 0/1 this is the all-or-nothing co-belligerence
    rule (North Korea's troops at Kursk make it a party to Russia's war with Ukraine).
    """
    w = at_war.astype(float)
    joined = max_product(belligerent, w)  # (g, e): max_r β_gr W_re
    return zero_diagonal(np.maximum(w, np.maximum(joined, joined.mT)))


def backing(involvement: np.ndarray, treaty: np.ndarray, belligerent: np.ndarray) -> np.ndarray:
    """b_kj in [0, 1]: how much of k's power stands behind j, as third parties read it.

    b_kj = 1 − (1 − κ_kj) · (1 − K_kj · β_jk): k's involvement on j's side, or its treaty with j
    made credible by j's troops fighting for k (β_jk).
    """
    return zero_diagonal(1.0 - (1.0 - involvement) * (1.0 - treaty * belligerent.mT))
