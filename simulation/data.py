"""Initial values of states, every number with its source.

Two shipped tables (see ``scenarios/data/README.md``):

* ``world_2016.csv`` — every state of COW NMC v6.0 in 2016 joined with its latest UNGA ideal
  point (Bailey, Strezhnev & Voeten 2017) and its capital and land neighbours (GeoNames);
* ``states.csv`` — curated, more recent figures (SIPRI, World Bank, IISS, ROK MND) for the seven
  states of the default scenario, in long form ``state,field,value,unit,year,source``.

A state's record takes the curated figure when there is one and falls back to NMC 2016; the
``sources`` mapping of the record says which.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib.resources import files

import pandas as pd

NUMERIC_FIELDS = ("manpower", "milex", "gdp", "population", "cinc", "ideal_point", "lat", "lon", "warheads")
# Used only when a state has neither a curated GDP nor an override (see ODD section 7).
WORLD_MILITARY_BURDEN = 0.022
def burden_source(nmc_year: int = 2016) -> str:
    """The source of a GDP estimated from military expenditure of NMC's ``nmc_year``."""
    return (f"estimate: NMC {nmc_year} milex / 2.2% (world military burden 2016, SIPRI) - "
            "override with states.<ID>.gdp")


BURDEN_SOURCE = burden_source()


@dataclass(frozen=True)
class StateRecord:
    """Initial data of one state."""

    id: str
    name: str
    ccode: int
    iso3: str
    manpower: float  # thousand active personnel
    milex: float  # US$ bn per year
    gdp: float  # US$ bn per year
    population: float  # million
    cinc: float  # COW composite index of national capability, 2016
    ideal_point: float  # UNGA ideal point
    lat: float
    lon: float
    warheads: float
    neighbours: tuple[str, ...] = ()
    continent: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    imputed: tuple[str, ...] = ()  # fields whose values are imputed by a stated rule (simulation/system.py)

    def with_overrides(self, values: dict[str, float], source: str) -> "StateRecord":
        """A copy with some numbers replaced; each replaced number is attributed to ``source``."""
        sources = dict(self.sources) | {k: source for k in values}
        return replace(self, **values, sources=sources)


# The regions of the COW state system: country codes are allocated in regional blocks (COW State System
# Membership codebook, v2016); Oceania (900-999) is split from Asia here so that a region stays readable.
REGIONS = ((2, "Americas"), (200, "Europe"), (400, "Africa"), (600, "Middle East"), (700, "Asia"), (900, "Oceania"))


def region(ccode: int) -> str:
    """The COW region of a country code (``2`` -> ``"Americas"``, ``365`` -> ``"Europe"``)."""
    name = REGIONS[0][1]
    for start, label in REGIONS:
        if ccode >= start:
            name = label
    return name


TABLES = ("world_2016.csv", "states.csv")
YEAR_TABLES = ("nmc_1990_2016.csv", "unga_1990_2024.csv", "system_changes.csv", "historical_states.csv",
               "alliances.csv", "wars.csv")  # the worlds of 1990–2024 (simulation/system.py)


def data_file(name: str):
    """A shipped data table (a Traversable: works from a wheel or a source tree)."""
    return files("scenarios").joinpath("data", name)


@lru_cache(maxsize=1)
def world() -> pd.DataFrame:
    """All states in COW NMC 2016, indexed by COW abbreviation."""
    with data_file("world_2016.csv").open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, keep_default_na=False, na_values=[""])  # "NA" is North America
    return table.set_index("id")


@lru_cache(maxsize=1)
def curated() -> pd.DataFrame:
    """The curated long table of recent figures."""
    with data_file("states.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


@lru_cache(maxsize=1)
def historical() -> pd.DataFrame:
    """States of 1990–1992 that are not in the 2016 table (GDR, Czechoslovakia …): names and the
    2016 successor whose geography they take (``historical_states.csv``).
    """
    with data_file("historical_states.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""]).set_index("id")


@lru_cache(maxsize=1)
def _id_table() -> dict[str, str]:
    """Every way of naming a state → its COW abbreviation (upper-cased keys)."""
    table, past = world(), historical()
    out = {sid: sid for sid in past.index}  # past states' COW codes rank last: CZE is ISO3's Czechia
    out |= {" ".join(str(n).split()).upper(): sid for sid, n in past["name"].items()}
    out |= {" ".join(str(n).split()).upper(): sid for sid, n in table["name"].items()}
    out |= {str(iso).upper(): sid for sid, iso in table["iso3"].items() if isinstance(iso, str)}
    out |= {sid: sid for sid in table.index}
    return out


def resolve_id(name: str) -> str | None:
    """The COW abbreviation of a state named by its COW abbreviation, ISO3 code or name, else ``None``.

    The one rule for ids, used wherever a state is named (scenarios, sweep specs, the command
    line): case and surrounding spaces do not matter; a COW abbreviation wins over an ISO3 code
    (``AUS`` is COW's Austria, not ISO3's Australia, which is ``AUL``), and either over a name.
    States of the past (1990–1992: ``GDR``, ``GFR``, ``YAR``, ``YPR``, ``CZE``) come last: their
    COW codes count only where no state of today uses the code (``CZE`` is ISO3's Czechia;
    Czechoslovakia is named by its name).
    """
    if not isinstance(name, str):
        return None
    return _id_table().get(" ".join(name.split()).upper())


def canonical(ref: str) -> str:
    """``resolve_id(ref)``, or ``ref`` itself when it names no known state (validation reports those)."""
    return resolve_id(ref) or ref


def suggest(name: str) -> str:
    """A ' (did you mean ...?)' hint for an unknown state id, or ''."""
    table = world()
    candidates = list(table.index) + list(table["iso3"].dropna())
    close = difflib.get_close_matches(name.upper(), candidates, n=3)
    by_name = table.index[table["name"].str.lower() == name.lower()]
    close = list(dict.fromkeys(list(by_name) + close))
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _value(row: pd.Series, column: str) -> float | None:
    value = row.get(column)
    return None if value is None or pd.isna(value) else float(value)


@lru_cache(maxsize=None)
def state_record(state_id: str) -> StateRecord:
    """The record of a known state (raise ``KeyError`` for an unknown id); records are
    frozen, so one is built per state and process.
    """
    row = world().loc[state_id]
    nmc, unga, geo = row["nmc_source"], row["unga_source"], row["geo_source"]
    values: dict[str, float | None] = {
        "manpower": _value(row, "milper"),
        "milex": _value(row, "milex_bn"),
        "gdp": None,
        "population": (_value(row, "tpop") or 0.0) / 1000.0,
        "cinc": _value(row, "cinc"),
        "ideal_point": _value(row, "ideal_point"),
        "lat": _value(row, "lat"),
        "lon": _value(row, "lon"),
        "warheads": None,
    }
    sources = {
        "manpower": f"{nmc} (milper)",
        "milex": f"{nmc} (milex)",
        "population": f"{nmc} (tpop)",
        "cinc": f"{nmc} (cinc)",
        "ideal_point": f"{unga}, year {int(row['ideal_point_year'])}" if not pd.isna(row["ideal_point_year"]) else unga,
        "lat": geo,
        "lon": geo,
    }
    for rec in curated()[curated()["state"] == state_id].itertuples():
        values[rec.field] = float(rec.value)
        sources[rec.field] = f"{rec.source} ({rec.year})"
    if values["gdp"] is None and values["milex"]:
        values["gdp"] = values["milex"] / WORLD_MILITARY_BURDEN
        sources["gdp"] = BURDEN_SOURCE
    if values["warheads"] is None:
        values["warheads"] = 0.0
        sources["warheads"] = "not in the shipped data: assumed 0"
    neighbours = row["neighbours"]
    return StateRecord(
        id=state_id,
        name=str(row["name"]),
        ccode=int(row["ccode"]),
        iso3=str(row["iso3"]),
        neighbours=tuple(neighbours.split(";")) if isinstance(neighbours, str) and neighbours else (),
        continent=str(row["continent"]) if isinstance(row["continent"], str) else "",
        sources=sources,
        **{k: (float("nan") if v is None else v) for k, v in values.items()},
    )


def missing_fields(record: StateRecord) -> list[str]:
    """Numeric fields the model needs that the record lacks (NaN)."""
    return [f for f in NUMERIC_FIELDS if pd.isna(getattr(record, f))]
