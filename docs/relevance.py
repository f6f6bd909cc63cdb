"""Relevance at world scale (issue 27, item 3): whom does the DPRK deployment put in tension
with North Korea?

    .venv/bin/python docs/relevance.py [--replicates 4] [--at 2025-06-30] [--set NAME=VALUE ...]

``world_2024`` against ``world_no_deployment`` (every state of June 2024, the same seeds): each
state's change of tension with the DPRK from the deployment (median over replicates of the
paired difference) on ``--at``. The goal of issue 27: the effect is larger for Ukraine and South
Korea than for any state that is neither a belligerent of the war, a treaty partner of the
DPRK's adversaries in the region nor a neighbour of the DPRK. Prints the states that break it
and the shares of the tension increase that fall on politically relevant dyads (Maoz & Russett
1993: contiguous, or with a major power — COW's list for 2016 — and the pairs at war). Nothing here is asserted by a
test; docs/backtest.md §2.5 records one run of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.runner import run  # noqa: E402

BELLIGERENTS = {"RUS", "UKR", "PRK"}
REGIONAL_PARTNERS = {"USA", "ROK", "JPN"}  # the DPRK's adversaries in the region and their treaty partners
MAJOR_POWERS = {"USA", "UKG", "FRN", "GMY", "RUS", "CHN", "JPN"}  # COW State System, major powers in 2016


def tension_with_prk(result, day: dt.date) -> dict[str, np.ndarray]:
    """Each state's tension with the DPRK on ``day``, one value per replicate."""
    pairs = result.pairs
    last = pairs[pairs["date"] <= np.datetime64(day)]["date"].max()
    rows = pairs[(pairs["date"] == last) & ((pairs["a"] == "PRK") | (pairs["b"] == "PRK"))]
    other = np.where(rows["a"] == "PRK", rows["b"], rows["a"])
    return {state: rows.loc[other == state].sort_values("replicate")["tension"].to_numpy()
            for state in np.unique(other)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--at", type=dt.date.fromisoformat, default=dt.date(2025, 6, 30))
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    params = {k: float(v) for k, v in (s.split("=", 1) for s in args.sets)}
    until = args.at + dt.timedelta(days=31)
    with_ = tension_with_prk(run("world_2024", replicates=args.replicates, until=until, params=params), args.at)
    without = tension_with_prk(run("world_no_deployment", replicates=args.replicates, until=until, params=params),
                               args.at)
    effect = {s: float(np.median(with_[s] - without[s])) for s in with_}
    ranked = sorted(effect, key=effect.get, reverse=True)
    floor = min(effect["ROK"], effect["UKR"])
    unrelated = [s for s in ranked if s not in BELLIGERENTS | REGIONAL_PARTNERS | {"CHN"}]  # CHN, ROK, RUS: neighbours
    breaking = [s for s in unrelated if effect[s] >= floor]
    relevant = {s for s in effect if s in MAJOR_POWERS | BELLIGERENTS or s in {"CHN", "ROK", "RUS"}}
    rise = {s: max(v, 0.0) for s, v in effect.items()}
    share = sum(rise[s] for s in relevant) / max(sum(rise.values()), 1e-12)
    print(f"parameters {params or 'defaults'}; {args.replicates} replicates; on {args.at}")
    print("largest effects on tension with the DPRK: " + ", ".join(f"{s} {effect[s]:+.4f}" for s in ranked[:12]))
    print(f"South Korea {effect['ROK']:+.4f} (rank {ranked.index('ROK') + 1} of {len(ranked)}), "
          f"Ukraine {effect['UKR']:+.4f} (rank {ranked.index('UKR') + 1})")
    print(f"unrelated states with an effect at least South Korea's and Ukraine's smaller one: {len(breaking)}"
          + (f" ({', '.join(breaking[:15])}{' …' if len(breaking) > 15 else ''})" if breaking else ""))
    print(f"share of the tension increase on politically relevant dyads (contiguous, a major power or at war): "
          f"{share:.2f}")


if __name__ == "__main__":
    main()
