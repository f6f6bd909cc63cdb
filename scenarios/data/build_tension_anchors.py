"""Rebuild ``tension_anchors.csv``: how often dyads have militarized disputes, by class.

Run once by a maintainer (not at run time):

    python scenarios/data/build_tension_anchors.py --reference ../shared/data/reference

The model's pair tension is read as the chance of a militarized dispute between the two states
within a few years (``simulation.mechanisms.tension``). These are the rates it is anchored to:
in the 51 Correlates of War signed networks 1946–1999 (4-year windows; −1 = militarized
interstate dispute, +1 = alliance; Doreian & Mrvar 2015, as distributed with the R package
signnet), the share of dyads with a dispute in a window, given their tie in the window four
years before (the next non-overlapping one) and whether they share a land border. Dyads are all
pairs of states present in both windows. Contiguity is that of ``world_2016.csv`` (GeoNames land
borders, 2016 states): a state of the networks that no longer exists counts as having none.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCE = ("Correlates of War signed networks 1946-1999 (Doreian & Mrvar 2015, J. Social Structure 16(2); "
          "R package signnet), windows t and t+4; contiguity from world_2016.csv (GeoNames)")
# The networks use Pajek abbreviations; where they differ from COW's, this maps them (by the
# states' ties: e.g. AUS is allied with NZD and USA, so it is Australia, COW AUL).
TO_COW = {
    "AUS": "AUL", "AUT": "AUS", "ANT": "AAB", "BKF": "BFO", "CAF": "CEN", "CMB": "CAM", "CVD": "CAP",
    "ELS": "SAL", "ESP": "SPN", "FRA": "FRN", "GBR": "UKG", "GER": "GMY", "GFR": "GMY",
    "KOR": "ROK", "KYG": "KYR", "LTN": "LIE", "LYB": "LIB", "MLW": "MAW", "MOL": "MLD", "MYR": "MYA",
    "MYS": "MAL", "NDL": "NTH", "NGA": "NIG", "NKR": "PRK", "NZD": "NEW", "OMN": "OMA", "PHL": "PHI",
    "PRG": "PAR", "SGP": "SIN", "SLR": "SIE", "STK": "SKN", "STL": "SLU", "SVN": "SLV", "SWE": "SWD",
    "TGO": "TOG", "THA": "THI", "TNZ": "TAZ", "TWN": "TAW", "UKI": "UKR", "VTN": "DRV", "VZA": "VEN",
    "YAR": "YEM",
}


def signed_networks(folder: Path) -> dict[str, dict[tuple[str, str], int]]:
    out = {}
    for path in sorted(folder.glob("[0-9]*.csv")):
        edges = pd.read_csv(path)
        out[path.stem] = {tuple(sorted((TO_COW.get(a, a), TO_COW.get(b, b)))): int(s)
                          for a, b, s in zip(edges["source"], edges["target"], edges["sign"])}
    return out


def dyads(nets: dict, neighbours: dict[str, set[str]]) -> pd.DataFrame:
    periods = list(nets)
    rows = []
    for i, period in enumerate(periods[:-4]):
        before, after = nets[period], nets[periods[i + 4]]
        nodes = sorted({s for pair in before for s in pair} & {s for pair in after for s in pair})
        for a, b in itertools.combinations(nodes, 2):
            rows.append((period, b in neighbours.get(a, set()), before.get((a, b), 0), after.get((a, b), 0)))
    return pd.DataFrame(rows, columns=["window", "contiguous", "tie_before", "tie_after"])


def anchors(table: pd.DataFrame) -> pd.DataFrame:
    label = {-1: "dispute", 0: "no tie", 1: "alliance"}
    out = (table.groupby(["contiguous", "tie_before"])
           .agg(dyads=("tie_after", "size"), p_dispute=("tie_after", lambda s: float((s == -1).mean())))
           .reset_index())
    out["tie_before"] = out["tie_before"].map(label)
    out["p_dispute"] = out["p_dispute"].round(4)
    out["source"] = SOURCE
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, required=True, help="shared/data/reference folder")
    args = parser.parse_args()
    world = pd.read_csv(HERE / "world_2016.csv", keep_default_na=False, na_values=[""])
    neighbours = {r.id: set(r.neighbours.split(";")) if isinstance(r.neighbours, str) else set()
                  for r in world.itertuples()}
    table = anchors(dyads(signed_networks(args.reference / "cow_signed"), neighbours))
    table.to_csv(HERE / "tension_anchors.csv", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
