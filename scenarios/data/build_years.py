"""Copy the yearly reference tables the worlds of 1990–2024 are built from (maintainers only).

    .venv/bin/python scenarios/data/build_years.py [--reference ../shared/data/reference]

Writes, from the public reference files (README.md of that folder gives their sources):

- ``nmc_1990_2016.csv``: COW National Material Capabilities v6.0, every state-year 1990–2016
  (``id`` = NMC ``stateabb``; ``milex`` in thousand current US$; NMC's −9 → empty);
- ``unga_1990_2024.csv``: UNGA ideal points, final-passage votes (``idealpointfp``), every
  state-year 1990–2024 (Bailey, Strezhnev & Voeten 2017; July 2025 release); empty values dropped;
- ``cow_signed_1946_1999.csv``: the 51 Correlates of War signed networks of Doreian & Mrvar
  (2015), one row per tie (``period`` ``46-49`` … ``96-99``, ``source``, ``target``, ``sign``), as
  distributed with the R package signnet, in one file, unchanged otherwise.

Never run at run time; the shipped files are what runs read (``simulation/system.py``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FIRST, LAST_NMC, LAST_UNGA = 1990, 2016, 2024


def nmc(reference: Path) -> pd.DataFrame:
    table = pd.read_csv(reference / "nmc_v6_abridged_1816_2016.csv")
    table = table[(table["year"] >= FIRST) & (table["year"] <= LAST_NMC)]
    table = table.rename(columns={"stateabb": "id"})[["id", "ccode", "year", "milex", "milper", "tpop", "cinc"]]
    for column in ("milex", "milper", "tpop", "cinc"):
        table[column] = table[column].where(table[column] != -9)
    table = table.astype({"milex": "Int64", "milper": "Int64", "tpop": "Int64"})
    return table.sort_values(["year", "ccode"])


def unga(reference: Path) -> pd.DataFrame:
    table = pd.read_csv(reference / "unga_idealpoints_July2025_1990_2024.csv")
    table = table.dropna(subset=["idealpointfp"])
    table = table[(table["year"] >= FIRST) & (table["year"] <= LAST_UNGA)]
    out = table[["ccode", "year", "idealpointfp"]].rename(columns={"idealpointfp": "ideal_point"})
    out = out.astype({"ccode": int, "year": int})
    return out.sort_values(["year", "ccode"])


def cow_signed(reference: Path) -> pd.DataFrame:
    folder = reference / "cow_signed"
    frames = [pd.read_csv(path).assign(period=path.stem) for path in sorted(folder.glob("[0-9]*.csv"))]
    return pd.concat(frames, ignore_index=True)[["period", "source", "target", "sign"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=HERE.parents[1].parent / "shared" / "data" / "reference")
    args = parser.parse_args()
    nmc(args.reference).to_csv(HERE / "nmc_1990_2016.csv", index=False)
    unga(args.reference).to_csv(HERE / "unga_1990_2024.csv", index=False)
    cow_signed(args.reference).to_csv(HERE / "cow_signed_1946_1999.csv", index=False)


if __name__ == "__main__":
    main()
