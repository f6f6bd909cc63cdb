"""The international system on any day from 1990 to 2024: every state, its initial values, and
the defence treaties and inter-state wars in force.

Built from shipped tables (``scenarios/data/README.md``), every number with its source:

- states and capabilities: COW National Material Capabilities v6.0 of the year (Singer, Bremer
  & Stuckey 1972; Greig & Enterline 2021) — for years after 2016, NMC's last year, 2016, which
  ``System.nmc_year`` and the manifest say; membership inside a year from the COW State System
  Membership List (``system_changes.csv``);
- preferences: UNGA ideal points of the year (Bailey, Strezhnev & Voeten 2017);
- geography: capitals and land borders of ``world_2016.csv`` (GeoNames);
- relations: the curated tables ``alliances.csv`` (NATO and its enlargements, the Warsaw Pact,
  Rio, ANZUS, US bilateral treaties, the CSTO, China–DPRK, Soviet and Russian–DPRK …) and
  ``wars.csv``, a date and a source per row;
- recent figures: ``states.csv`` (the seven states of the default scenario, 2022–2025), used
  for worlds within two years of the figure.

A state with a gap is never dropped: the value is imputed by a stated rule (:data:`RULES`), and
the field is listed in ``StateRecord.imputed`` and the run's manifest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from . import data

FIRST_YEAR, LAST_YEAR, LAST_NMC = 1990, 2024, 2016
NEAREST = 3  # states whose ideal points stand in for a state that never voted (rule "neighbours")
CURATED_YEARS = 2  # a curated figure of year Y is used for worlds of years Y − 2 … Y + 2
RULES = {
    "nearest_year": "the same state's value in the nearest year with data (earlier year on ties)",
    "per_head": "population × the median of the year's states (personnel per head)",
    "per_cinc": "CINC × the median of the year's states (expenditure per unit of CINC)",
    "gdp_per_head": "population × the median GDP per head of the year's states with positive expenditure "
                    "(GDP estimated as milex / 2.2 %)",
    "neighbours": f"the mean ideal point of the {NEAREST} states with the nearest capitals that have one",
    "successor": "the capital and land borders of the state's 2016 successor",
}
# Capitals the GeoNames table lacks (by hand, with a source)
CAPITALS = {"PAL": (7.5004, 134.6243, "OC", "Ngerulmud, capital of Palau since 2006 [R: coordinates recalled]")}
# 2016 states whose territory belonged, before they existed, to a state of the table (borders of earlier years)
PREDECESSOR = {s: "RUS" for s in ("EST", "LAT", "LIT", "UKR", "BLR", "MLD", "GRG", "ARM", "AZE", "KZK", "KYR",
                                  "TAJ", "TKM", "UZB")} | {
    s: "YUG" for s in ("SLV", "CRO", "BOS", "MAC", "MNG", "KOS")} | {
    "CZR": "CZE", "SLO": "CZE", "ERI": "ETH", "SSD": "SUD", "ETM": "INS", "GMY": "GFR", "YEM": "YAR"}
SOURCES = {
    "nmc": "COW National Material Capabilities v6.0 (Singer, Bremer & Stuckey 1972; Greig & Enterline 2021)",
    "unga": "UNGA ideal points, final-passage votes (Bailey, Strezhnev & Voeten 2017), E. Voeten July 2025 release",
}


def _table(name: str, **kw) -> pd.DataFrame:
    with data.data_file(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""], **kw)


@lru_cache(maxsize=1)
def _nmc() -> pd.DataFrame:
    return _table("nmc_1990_2016.csv")


@lru_cache(maxsize=1)
def _unga() -> pd.DataFrame:
    return _table("unga_1990_2024.csv")


@lru_cache(maxsize=1)
def _changes() -> pd.DataFrame:
    return _table("system_changes.csv", parse_dates=["begins", "ends"]).set_index("id")


@dataclass(frozen=True)
class Treaty:
    name: str
    kind: str
    strength: float | None
    parties: tuple[str, ...]
    since: dt.date
    source: str


@dataclass(frozen=True)
class War:
    name: str
    parties: tuple[str, str]
    since: dt.date
    source: str


@dataclass(frozen=True)
class System:
    """Every state of the international system on one day, with the relations in force."""

    on: dt.date
    nmc_year: int  # the NMC year the capabilities are from (2016 for later years)
    records: tuple[data.StateRecord, ...]  # COW order
    treaties: tuple[Treaty, ...]
    wars: tuple[War, ...]

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.records]

    def record(self, state: str) -> data.StateRecord:
        return self.records[self.ids.index(state)]

    def imputed(self) -> dict[str, list[str]]:
        """State → the fields whose values are imputed (for the manifest)."""
        return {r.id: list(r.imputed) for r in self.records if r.imputed}

    def table(self) -> pd.DataFrame:
        """One row per state: its values, land borders, the fields imputed and each value's source."""
        rows = [{"id": r.id, "name": r.name, "ccode": r.ccode, "iso3": r.iso3, "continent": r.continent,
                 **{f: getattr(r, f) for f in data.NUMERIC_FIELDS}, "neighbours": ";".join(r.neighbours),
                 "imputed": ";".join(r.imputed), **{f"source_{k}": v for k, v in r.sources.items()}}
                for r in self.records]
        return pd.DataFrame(rows)

    def relations(self) -> pd.DataFrame:
        """The treaties and wars in force, one row each (parties ``;``-separated)."""
        rows = [{"relation": "treaty", "name": t.name, "kind": t.kind, "strength": t.strength,
                 "parties": ";".join(t.parties), "since": t.since, "source": t.source} for t in self.treaties]
        rows += [{"relation": "war", "name": w.name, "kind": "war", "strength": None, "parties": ";".join(w.parties),
                  "since": w.since, "source": w.source} for w in self.wars]
        return pd.DataFrame(rows)

    def provenance(self) -> dict:
        """What the manifest records about this world."""
        return {"on": str(self.on), "nmc_year": self.nmc_year, "states": len(self.records),
                "ideal_point_year": self.on.year, "imputed": self.imputed(), "rules": RULES,
                "treaties": len(self.treaties), "wars": len(self.wars)}


def as_day(on: dt.date | int) -> dt.date:
    """A year means 1 June of that year (the default scenario's start month)."""
    return dt.date(on, 6, 1) if isinstance(on, int) else on


def check_day(on: dt.date) -> None:
    if not FIRST_YEAR <= on.year <= LAST_YEAR:
        raise ValueError(f"worlds exist for {FIRST_YEAR}–{LAST_YEAR} (got {on.year})")


def members(on: dt.date) -> pd.DataFrame:
    """NMC rows of the states in the system on ``on`` (COW order)."""
    year = min(on.year, LAST_NMC)
    rows = _nmc()[_nmc()["year"] == year].set_index("id")
    changes = _changes().reindex(rows.index)
    day = pd.Timestamp(on)
    inside = ~(changes["begins"] > day) & ~(changes["ends"] < day)
    return rows[inside.to_numpy()]


def _nearest(series: pd.DataFrame, column: str, ccode: int, year: int) -> tuple[float, int] | None:
    """(value, year) of a state's column in the year nearest to ``year`` that has one."""
    rows = series[(series["ccode"] == ccode) & series[column].notna()]
    if rows.empty:
        return None
    order = (rows["year"] - year).abs() * 2 + (rows["year"] > year)  # earlier year on ties
    best = rows.loc[order.idxmin()]
    return float(best[column]), int(best["year"])


def _unga_code(sid: str, ccode: int, hist: pd.DataFrame) -> int:
    """The country code a state's UN votes are filed under (a past state's may differ: GFR votes as 255)."""
    if sid in hist.index and pd.notna(hist.loc[sid, "unga_ccode"]):
        return int(hist.loc[sid, "unga_ccode"])
    return ccode


def voted(records: list[data.StateRecord], year: int) -> np.ndarray:
    """Each state's UNGA ideal point of ``year`` as voted, nothing imputed: NaN where it cast no
    vote that year or no longer exists (the observed preferences of a backtest).
    """
    unga, hist = _unga(), data.historical()
    ideal = unga[unga["year"] == year].set_index("ccode")["ideal_point"]
    return np.array([float(ideal.get(_unga_code(r.id, r.ccode, hist), np.nan)) for r in records])


@lru_cache(maxsize=64)
def system(on: dt.date | int) -> System:
    """The international system on a day (or on 1 June of a year), 1990–2024."""
    on = as_day(on)
    check_day(on)
    rows = members(on)
    nmc_year = min(on.year, LAST_NMC)
    geo, hist = data.world(), data.historical()
    unga = _unga()
    ideal = unga[unga["year"] == on.year].set_index("ccode")["ideal_point"]
    nmc_src = f"{SOURCES['nmc']}, year {nmc_year}"
    values, sources, imputed = {}, {}, {}
    for sid, row in rows.iterrows():
        v, s, imp = {}, {}, []
        v["manpower"], v["milex"], v["population"], v["cinc"] = (
            row["milper"], row["milex"] / 1e6 if pd.notna(row["milex"]) else np.nan,
            row["tpop"] / 1000.0 if pd.notna(row["tpop"]) else np.nan, row["cinc"])
        for field, column in (("manpower", "milper"), ("milex", "milex"), ("population", "tpop"), ("cinc", "cinc")):
            s[field] = f"{nmc_src} ({column})"
            if pd.isna(v[field]):
                found = _nearest(_nmc(), column, int(row["ccode"]), nmc_year)
                if found is not None:
                    scale = {"milex": 1e-6, "population": 1e-3}.get(field, 1.0)
                    v[field] = found[0] * scale
                    s[field] = f"imputed ({RULES['nearest_year']}: NMC {found[1]})"
                    imp.append(field)
        code = _unga_code(sid, int(row["ccode"]), hist)
        v["ideal_point"] = float(ideal.get(code, np.nan))
        s["ideal_point"] = f"{SOURCES['unga']}, year {on.year}"
        if pd.isna(v["ideal_point"]):
            found = _nearest(unga, "ideal_point", code, on.year)
            if found is not None:
                v["ideal_point"], s["ideal_point"] = found[0], f"imputed ({RULES['nearest_year']}: UNGA {found[1]})"
                imp.append("ideal_point")
        values[sid], sources[sid], imputed[sid] = v, s, imp
    table = pd.DataFrame.from_dict(values, orient="index")
    _impute_by_rule(table, sources, imputed)
    geography = {sid: _geography(sid, geo, hist) for sid in table.index}
    table["lat"] = [geography[sid][0] for sid in table.index]
    table["lon"] = [geography[sid][1] for sid in table.index]
    _impute_ideal_points(table, sources, imputed)
    present = set(table.index)
    records = [_record(sid, rows.loc[sid], table.loc[sid].to_dict(), sources[sid], imputed[sid], geography[sid],
                       present, on) for sid in table.index]
    records = [_curated(r, on.year) for r in _gdp_where_no_spending(records, on.year)]
    return System(on=on, nmc_year=nmc_year, records=tuple(records), treaties=_treaties(on, present),
                  wars=_wars(on, present))


def _record(sid: str, row: pd.Series, v: dict, sources: dict, imputed: list, geography: tuple, present: set[str],
            on: dt.date) -> data.StateRecord:
    lat, lon, continent, neighbours, name, iso3, geo_source, from_successor = geography
    if sid == "RUS" and on < dt.date(1991, 12, 26):
        name = "Soviet Union"
    borders = (_present(n, present) for n in neighbours)
    return data.StateRecord(
        id=sid, name=name, ccode=int(row["ccode"]), iso3=iso3, manpower=float(v["manpower"]),
        milex=float(v["milex"]), gdp=float(v["milex"]) / data.WORLD_MILITARY_BURDEN,
        population=float(v["population"]), cinc=float(v["cinc"]), ideal_point=float(v["ideal_point"]),
        lat=float(lat), lon=float(lon), warheads=0.0, neighbours=tuple(dict.fromkeys(b for b in borders if b)),
        continent=continent,
        sources=sources | {"lat": geo_source, "lon": geo_source, "gdp": data.burden_source(min(on.year, LAST_NMC)),
                           "warheads": "not in the shipped data: assumed 0"},
        imputed=tuple(dict.fromkeys(imputed + (["lat", "lon", "neighbours"] if from_successor else []))))


def _impute_by_rule(table: pd.DataFrame, sources: dict, imputed: dict) -> None:
    """Fields still missing after the nearest-year rule: per head or per unit of CINC, the year's median."""
    per_head = (table["manpower"] / table["population"]).median()
    per_cinc = (table["milex"] / table["cinc"]).replace([np.inf, -np.inf], np.nan).median()
    for sid in table.index[table["manpower"].isna()]:
        table.loc[sid, "manpower"] = table.loc[sid, "population"] * per_head
        sources[sid]["manpower"], _ = f"imputed ({RULES['per_head']})", imputed[sid].append("manpower")
    for sid in table.index[table["milex"].isna()]:
        table.loc[sid, "milex"] = table.loc[sid, "cinc"] * per_cinc
        sources[sid]["milex"], _ = f"imputed ({RULES['per_cinc']})", imputed[sid].append("milex")


def _impute_ideal_points(table: pd.DataFrame, sources: dict, imputed: dict) -> None:
    """States that never voted (e.g. Taiwan): the mean of the nearest capitals' ideal points."""
    known = table["ideal_point"].notna().to_numpy()
    lat, lon = np.radians(table["lat"].to_numpy(float)), np.radians(table["lon"].to_numpy(float))
    for i in np.flatnonzero(~known):
        cos = (np.sin(lat[i]) * np.sin(lat) + np.cos(lat[i]) * np.cos(lat) * np.cos(lon - lon[i])).clip(-1, 1)
        km = np.where(known, np.arccos(cos), np.inf)
        near = np.argsort(km, kind="stable")[:NEAREST]
        sid = table.index[i]
        table.iloc[i, table.columns.get_loc("ideal_point")] = float(table["ideal_point"].iloc[near].mean())
        sources[sid]["ideal_point"] = (f"imputed ({RULES['neighbours']}: "
                                       f"{', '.join(table.index[near])})")
        imputed[sid].append("ideal_point")


def _geography(sid: str, geo: pd.DataFrame, hist: pd.DataFrame) -> tuple:
    """(lat, lon, continent, neighbours, name, iso3, source, from a successor) of a state."""
    from_successor = sid not in geo.index
    row = geo.loc[hist.loc[sid, "geography_of"] if from_successor else sid]
    name = str(hist.loc[sid, "name"]) if from_successor else str(row["name"])
    iso3 = "" if from_successor else str(row["iso3"])
    source = str(row["geo_source"]) + (f" (imputed: {RULES['successor']}, {row.name})" if from_successor else "")
    lat, lon = row["lat"], row["lon"]
    continent = str(row["continent"]) if isinstance(row["continent"], str) else ""
    if pd.isna(lat) and sid in CAPITALS:
        lat, lon, continent, source = CAPITALS[sid]
    neighbours = tuple(row["neighbours"].split(";")) if isinstance(row["neighbours"], str) and row["neighbours"] else ()
    return lat, lon, continent, neighbours, name, iso3, source, from_successor


def _present(state: str, present: set[str]) -> str | None:
    """A 2016 neighbour as a state of the day: itself, its predecessor, or none."""
    while state is not None and state not in present:
        state = PREDECESSOR.get(state)
    return state


def _gdp_where_no_spending(records: list[data.StateRecord], year: int) -> list[data.StateRecord]:
    """GDP of states that report no military expenditure: population × the year's median GDP per head."""
    per_head = np.median([r.gdp / r.population for r in records if r.milex > 0 and r.population > 0])
    return [r if r.milex > 0 else replace(
        r, gdp=max(r.population, 1e-3) * per_head, imputed=(*r.imputed, "gdp"),
        sources=r.sources | {"gdp": f"imputed ({RULES['gdp_per_head']}, {year})"}) for r in records]


@lru_cache(maxsize=1)
def _curated_rows() -> dict[str, list]:
    out: dict[str, list] = {}
    for r in data.curated().itertuples():
        out.setdefault(r.state, []).append(r)
    return out


def _curated(record: data.StateRecord, year: int) -> data.StateRecord:
    """The curated recent figures (``states.csv``) of years close to the world's replace NMC's."""
    rows = [r for r in _curated_rows().get(record.id, []) if abs(r.year - year) <= CURATED_YEARS]
    if not rows:
        return record
    values = {r.field: float(r.value) for r in rows}
    sources = {r.field: f"{r.source} ({r.year})" for r in rows}
    if "gdp" not in values and "milex" in values:  # the GDP estimate follows the curated expenditure
        values["gdp"] = values["milex"] / data.WORLD_MILITARY_BURDEN
    return replace(record, **values, sources=record.sources | sources,
                   imputed=tuple(f for f in record.imputed if f not in values))


def _in_force(name: str, begins: str, ends: str, on: dt.date, present: set[str]) -> pd.DataFrame:
    """Rows of table ``name`` in force on the day (begun, not yet ended) whose state is present."""
    table = _table(name, parse_dates=[begins, ends])
    day = pd.Timestamp(on)
    return table[(table[begins] <= day) & ~(table[ends] < day) & table["state"].isin(present)]


def _treaties(on: dt.date, present: set[str]) -> tuple[Treaty, ...]:
    """The defence treaties in force on the day, among the states present (``alliances.csv``)."""
    live = _in_force("alliances.csv", "joined", "left", on, present)
    out = []
    for name, group in live.groupby("treaty", sort=False):
        parties = tuple(dict.fromkeys(group["state"]))
        if len(parties) >= 2:
            first = group.iloc[0]
            strength = None if pd.isna(first["strength"]) else float(first["strength"])
            out.append(Treaty(name, str(first["kind"]), strength, parties, group["joined"].max().date(),
                              str(first["source"])))
    return tuple(out)


def _wars(on: dt.date, present: set[str]) -> tuple[War, ...]:
    """Pairs of states on opposite sides of an inter-state war in progress on the day (``wars.csv``)."""
    live = _in_force("wars.csv", "begins", "ends", on, present)
    out = []
    for name, group in live.groupby("war", sort=False):
        a, b = (group[group["side"] == side] for side in ("A", "B"))
        for x in a["state"]:
            for y in b["state"]:
                out.append(War(name, (x, y), group["begins"].min().date(), str(group["source"].iloc[0])))
    return tuple(out)
