"""The whole world of any year 1990–2024: every state present, no gap, every imputed value marked;
the treaties and wars in force on the day; the world scenario in the model, the CLI and its manifest."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from simulation import data, system
from simulation.scenario import ScenarioError, load_scenario
from simulation.world import build_world

from helpers import cli

YEARS = range(system.FIRST_YEAR, system.LAST_YEAR + 1)


def nmc_states(day: dt.date) -> set[str]:
    """The states of the NMC year, less those that had not begun or had ended by the day (read apart)."""
    with data.data_file("nmc_1990_2016.csv").open() as fh:
        nmc = pd.read_csv(fh)
    with data.data_file("system_changes.csv").open() as fh:
        changes = pd.read_csv(fh, keep_default_na=False, na_values=[""]).set_index("id")
    ids = set(nmc[nmc["year"] == min(day.year, 2016)]["id"])
    for sid, row in changes.iterrows():
        if (pd.notna(row["begins"]) and dt.date.fromisoformat(row["begins"]) > day) or \
                (pd.notna(row["ends"]) and dt.date.fromisoformat(row["ends"]) < day):
            ids.discard(sid)
    return ids


@pytest.mark.parametrize("year", YEARS)
def test_the_world_of_every_year_has_every_state_and_no_gap(year):
    world = system.system(year)
    assert set(world.ids) == nmc_states(world.on) and len(world.ids) == len(set(world.ids))
    assert world.nmc_year == min(year, 2016)
    present = set(world.ids)
    for r in world.records:
        for name in data.NUMERIC_FIELDS:
            value = getattr(r, name)
            assert math.isfinite(value), (r.id, name)
            assert name in r.sources, (r.id, name)
            assert r.sources[name].startswith("imputed") == (name in r.imputed and name not in ("lat", "lon")) \
                or name in ("lat", "lon"), (r.id, name, r.sources[name])
        assert r.gdp > 0 and r.population > 0 and r.manpower >= 0 and r.cinc >= 0, r.id
        assert set(r.neighbours) <= present, r.id
    for t in world.treaties:
        assert set(t.parties) <= present and t.since <= world.on and t.source
    for w in world.wars:
        assert set(w.parties) <= present and w.since <= world.on and w.source


@pytest.mark.parametrize("year", [1990, 2003, 2024])
def test_every_state_of_a_world_year_validates_and_builds(year, write):
    """`system: all` takes every state of the day into the model, no NaN anywhere."""
    path = write("w.yaml", f"""
        name: w{year}
        title: world of {year}
        calendar: {{start: {year}-06-01, end: {year}-09-30, step: month}}
        system: all
        states: [USA, CHN]
        """)
    world = build_world(load_scenario(path).scenario)
    assert world.ids == system.system(year).ids
    for column in ("manpower", "milex", "gdp", "cinc", "ideal_points", "lat", "lon", "population"):
        assert pd.Series(getattr(world, column)).notna().all(), column
    assert world.provenance["nmc_year"] == min(year, 2016) and world.provenance["imputed"]


def test_the_states_of_the_day_come_and_go():
    assert {"GFR", "GDR"} <= set(system.system(1990).ids) and "UKR" not in system.system(1990).ids
    assert "GMY" in system.system(dt.date(1990, 10, 3)).ids and "GDR" not in system.system(dt.date(1990, 10, 3)).ids
    assert "UKR" not in system.system(1991).ids and "UKR" in system.system(1992).ids
    assert "CZE" in system.system(1992).ids and {"CZR", "SLO"} <= set(system.system(1993).ids)
    assert "SSD" in system.system(2012).ids and "SSD" not in system.system(2010).ids
    assert system.system(1990).record("RUS").name == "Soviet Union" and system.system(1992).record("RUS").name == "Russia"
    assert data.resolve_id("German Democratic Republic") == "GDR" and data.resolve_id("GDR") == "GDR"
    assert data.resolve_id("CZE") == "CZR" and data.resolve_id("Czechoslovakia") == "CZE"  # ISO3 first


def test_the_treaties_and_wars_in_force_on_the_day():
    def parties(year, name):
        return next((set(t.parties) for t in system.system(year).treaties if t.name == name), set())

    assert "POL" not in parties(1998, "NATO") and "POL" in parties(1999, "NATO")
    assert "SWD" in parties(2024, "NATO") and "SWD" not in parties(2023, "NATO") and "FIN" in parties(2023, "NATO")
    assert parties(1991, "Warsaw Pact") and not parties(1992, "Warsaw Pact")
    assert "MEX" in parties(2003, "Rio Treaty") and "MEX" not in parties(2005, "Rio Treaty")
    assert "UZB" in parties(2008, "CSTO") and "UZB" not in parties(2013, "CSTO")
    assert {("RUS", "UKR")} == {w.parties for w in system.system(2024).wars}
    assert {("IND", "PAK")} <= {w.parties for w in system.system(1999).wars}
    assert not system.system(2010).wars


def test_imputed_values_follow_their_rules():
    world = system.system(2024)
    taiwan = world.record("TAW")  # never voted in the UN: the nearest capitals' mean
    assert "ideal_point" in taiwan.imputed and "nearest capitals" in taiwan.sources["ideal_point"]
    afghanistan = world.record("AFG")  # no 2024 vote: its nearest year
    assert "ideal_point" in afghanistan.imputed and "UNGA 2023" in afghanistan.sources["ideal_point"]
    assert world.record("USA").imputed == () and "SIPRI" in world.record("USA").sources["milex"]  # curated
    old = system.system(1995).record("USA")  # curated 2022–2025 figures are not used in 1995
    assert "COW National Material" in old.sources["milex"]


BAD_WORLDS = [  # (start, states, system: all?, the one-line error)
    ("1985-06-01", "[USA, CHN]", True, r"x.yaml:4: calendar.start: system: all needs a start in 1990–2024"),
    ("2024-06-01", "[USA, GDR]", True,
     r"x.yaml:6: states.GDR: GDR is not a state of the international system on 2024-06-01"),
    ("1991-06-01", "[USA, CZE]", True,
     r"CZR is not a state .* on 1991-06-01; for COW's CZE \(Czechoslovakia\) write its name"),
    ("2024-06-01", "[USA, German Democratic Republic]", False,
     r"GDR \(German Democratic Republic\) is a state of the past"),
]


@pytest.mark.parametrize("start, states, everyone, error", BAD_WORLDS)
def test_a_world_out_of_range_or_a_state_of_another_day_is_a_one_line_error(write, start, states, everyone, error):
    end = start[:4] + "-12-31"
    path = write("x.yaml", f"""
        name: x
        title: a bad world
        calendar: {{start: {start}, end: {end}}}
        {"system: all" if everyone else ""}
        states: {states}
        """)
    with pytest.raises(ScenarioError, match=error):
        load_scenario(path)


def test_the_world_scenario_runs_and_its_manifest_says_what_was_imputed(tmp_path):
    out = tmp_path / "w"
    done = cli("run", "world_2024", "-k", "1", "--workers", "1", "--until", "2024-08-01", "--no-report",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["world"]["nmc_year"] == 2016 and manifest["world"]["states"] == len(manifest["states"]) > 190
    assert "ideal_point" in manifest["world"]["imputed"]["TAW"]
    assert "alliances.csv" in manifest["data"]
    states = pd.read_parquet(out / "states.parquet")
    assert states["state"].nunique() > 190 and states.notna().all().all()


def test_the_world_command_prints_and_writes_a_year(tmp_path):
    done = cli("world", "1999", "--out", str(tmp_path / "w1999.csv"))
    assert done.returncode == 0, done.stderr
    assert "187 states" in done.stdout and "Kargil War: IND against PAK" in done.stdout
    table = pd.read_csv(tmp_path / "w1999.csv", keep_default_na=False, na_values=[""])
    assert len(table) == 187 and table[list(data.NUMERIC_FIELDS)].notna().all().all()
    assert (tmp_path / "w1999_relations.csv").exists()
    text = " ".join(done.stdout.split())
    assert "states: USA CAN" in text and "imputed (rules: scenarios/data/README.md): " in text
    estimated = table["source_gdp"].str.startswith("estimate:")
    assert estimated.any() and table.loc[estimated, "source_gdp"].str.contains("NMC 1999 milex").all()
    again = cli("world", "1999", "--out", str(tmp_path / "w1999.csv"))
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = cli("world", "1989")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "1990–2024" in bad.stderr


@pytest.mark.slow  # every state of 2024 through check, compare and a sweep
def test_the_world_scenario_in_check_compare_and_a_sweep(tmp_path):
    checked = cli("check", "world_2024", "-k", "1", "--workers", "1")
    # India (UN votes) and Japan's deepening (the observed start): findings, docs/calibration.md §8
    assert checked.returncode == 3 and "2 of 7 expectations not met" in checked.stdout
    assert "✗ │ Japan deepens its alliance with the United States" in checked.stdout
    assert "✓ │ Japan is in the United States' coalition" in checked.stdout

    out = tmp_path / "cmp"
    compared = cli("compare", "world_2024", "world_no_deployment", "-k", "1", "--workers", "1", "--out", str(out))
    assert compared.returncode == 0, compared.stderr
    effects = pd.read_parquet(out / "effects.parquet")
    last = effects[(effects["date"] == effects["date"].max()) & (effects["metric"] == "foreign_troops")]
    assert last.set_index("subject").loc["RUS", "effect_median"] < 0  # no DPRK troops in Russia
    assert (out / "report.html").stat().st_size < 8 * 2**20  # the report stays small at 195 states

    spec = (tmp_path / "sweep.yaml")
    spec.write_text((load_scenario("world_2024").path.parent / "sweeps" / "world_deployment.yaml").read_text()
                    .replace("../world_2024.yaml", str(load_scenario("world_2024").path))
                    .replace("samples: 16", "samples: 2").replace("replicates: 2", "replicates: 1"))
    swept = cli("sweep", str(spec), "--out", str(tmp_path / "sw"), "--workers", "1")
    assert swept.returncode == 0, swept.stderr
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    assert len(results) == 2 and (results["status"] == "ok").all() and results["jpn_usa_depth_end"].notna().all()


def test_a_world_needs_no_states_list_and_a_list_needs_two(write):
    world = write("w2001.yaml", """
        name: w2001
        title: the world of 2001, no events
        calendar: {start: 2001-06-01, end: 2002-06-01}
        system: all
        """)
    assert len(build_world(load_scenario(world).scenario).ids) == 191
    lonely = write("one.yaml", """
        name: one
        title: one state
        calendar: {start: 2024-01-01, end: 2024-12-31}
        states: [USA]
        """)
    with pytest.raises(ScenarioError, match=r"one.yaml:5: states: at least 2 states are needed, or system: all"):
        load_scenario(lonely)
