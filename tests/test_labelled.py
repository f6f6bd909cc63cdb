"""A run as labelled arrays: ``RunResult.to_xarray()`` and ``alliance-sim run --format netcdf``
hold exactly the tables' values, over (replicate, date[, state | pair]).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import xarray as xr
from helpers import cli

from simulation import load_scenario, run
from simulation.labelled import to_dataset


@pytest.fixture(scope="module")
def result():
    return run(load_scenario("korea_russia_2024"), seed=3, replicates=3, until=dt.date(2024, 12, 31))


def test_the_dataset_holds_the_tables(result):
    ds = result.to_xarray()
    assert dict(ds.sizes) == {"replicate": 3, "date": 8, "state": 8, "pair": 28}
    states, pairs, model = result.states, result.pairs, result.model
    for _, row in states.sample(20, random_state=1).iterrows():
        cell = ds.sel(replicate=row["replicate"], date=row["date"], state=row["state"])
        assert float(cell["manpower"]) == row["manpower"] and float(cell["alignment"]) == row["alignment"]
        assert str(cell["coalition"].values) == row["coalition"]
    for _, row in pairs.sample(20, random_state=2).iterrows():
        cell = ds.sel(replicate=row["replicate"], date=row["date"], pair=f"{row['a']}–{row['b']}")
        assert float(cell["affinity"]) == row["affinity"] and int(cell["at_war"]) == int(row["at_war"])
        assert (str(cell["a"].values), str(cell["b"].values)) == (row["a"], row["b"])
    grid = ds["global_tension"].transpose("replicate", "date").values
    assert np.array_equal(grid, model.pivot(index="replicate", columns="date", values="global_tension").values)


def test_netcdf_round_trip(result, tmp_path):
    out = tmp_path / "nc"
    done = cli("run", "korea_russia_2024", "-k", "3", "--seed", "3", "--until", "2024-12-31", "--format", "netcdf",
               "--no-report", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "manifest.json", "run.nc"]
    with xr.open_dataset(out / "run.nc", engine="scipy") as ds:
        expected = to_dataset(result.tables)
        for name in ("affinity", "tension", "manpower", "global_tension"):
            np.testing.assert_array_equal(ds[name].values, expected[name].values)
        assert list(ds["pair"].values) == list(expected["pair"].values)


def test_netcdf_only_for_a_run(tmp_path):
    done = cli("compare", "korea_russia_2024", "no_deployment", "-k", "2", "--format", "netcdf",
               "--out", str(tmp_path / "c"))
    assert done.returncode == 2 and "--format netcdf: must be one of parquet, csv" in done.stderr
