"""A run's tables as labelled n-dimensional arrays (xarray), for users of xarray and NetCDF.

One ``xarray.Dataset``: the model's columns over (replicate, date), the states' over
(replicate, date, state), the pairs' over (replicate, date, pair) — a pair is labelled ``A–B``
as in the tables, with ``a`` and ``b`` as coordinates. The events (a list, not a grid) stay a
table. ``RunResult.to_xarray()`` builds it; ``alliance-sim run --format netcdf`` writes it
(NetCDF 3 through SciPy: no HDF5 library needed) beside ``events.csv``.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

KEYS = {"model": ["replicate", "date"], "states": ["replicate", "date", "state"],
        "pairs": ["replicate", "date", "pair"]}


def _grid(table: pd.DataFrame, keys: list[str]) -> xr.Dataset:
    frame = table.drop(columns=["step"], errors="ignore")
    for column in frame.columns:
        if frame[column].dtype == bool:
            frame[column] = frame[column].astype("int8")  # NetCDF 3 has no booleans: 0/1
        elif column not in keys and not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
    return frame.set_index(keys).to_xarray()


def to_dataset(tables: dict[str, pd.DataFrame]) -> xr.Dataset:
    """The model, states and pairs tables of a run as one Dataset (the events are left out)."""
    pairs = tables["pairs"].assign(pair=lambda t: t["a"] + "–" + t["b"])
    ab = pairs.drop_duplicates("pair").set_index("pair")[["a", "b"]]
    parts = [_grid(tables["model"], KEYS["model"]), _grid(tables["states"], KEYS["states"]),
             _grid(pairs.drop(columns=["a", "b"]), KEYS["pairs"])]
    clash = set(parts[0].data_vars) & set(parts[1].data_vars) | set(parts[1].data_vars) & set(parts[2].data_vars)
    if clash:
        raise ValueError(f"columns named alike in two tables: {sorted(clash)}")
    ds = xr.merge(parts, join="outer", compat="no_conflicts")
    return ds.assign_coords(a=("pair", ab.loc[ds["pair"].values, "a"].to_numpy()),
                            b=("pair", ab.loc[ds["pair"].values, "b"].to_numpy()))


def write_netcdf(ds: xr.Dataset, path) -> None:
    ds.to_netcdf(path, engine="scipy")
