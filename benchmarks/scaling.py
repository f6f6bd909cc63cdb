"""Seconds a step against the number of states, N = 7 … 195.

    python benchmarks/scaling.py [--repeats 3] [--sizes 7 25 50 100 146 195]

Each world is a generated scenario (``world_scenario``): the Russia–Ukraine war, the default
scenario's calendar (monthly, June 2024 – December 2025: 19 steps), Russia, Ukraine and the
first other states of ``scenarios/data/world_2016.csv`` (COW order) up to N. Up to N = 146 the
states are those whose shipped data is complete; beyond, the states whose data is incomplete
are added with their missing fields filled in by ``filler`` (each fill names its source; the
fills are for timing only, not for analysis). Model initialisation (the spin-up included) is
timed apart from the steps; runs are interleaved over the sizes and the medians reported, with
the exponent of the least-squares fit of log(seconds a step) on log(N).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # steadier figures on a 2-core machine (docs/performance.md)

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from simulation import data, load_scenario  # noqa: E402
from simulation.model import make_model  # noqa: E402
from simulation.runner import resolve_params  # noqa: E402
from simulation.world import build_world  # noqa: E402
from simulation import tuning  # noqa: E402

tuning.keep_freed_memory()  # the allocator as the command line tunes it (simulation/tuning.py)

SIZES = (7, 25, 50, 100, 146, 195)
NMC = ROOT.parent / "shared" / "data" / "reference" / "nmc_v6_abridged_1816_2016.csv"
FILLER = "benchmark filler, for timing only (not for analysis)"


def complete(sid: str) -> bool:
    return not data.missing_fields(data.state_record(sid))


@lru_cache(maxsize=1)
def _nmc() -> pd.DataFrame | None:
    return pd.read_csv(NMC) if NMC.exists() else None


def _latest_nmc(ccode: int, column: str) -> tuple[int, float] | None:
    """(year, value) of the latest year COW NMC v6.0 reports ``column`` (≥ 0) for a state, if any."""
    table = _nmc()
    if table is None:
        return None
    rows = table[(table["ccode"] == ccode) & (table[column] >= 0)]
    if rows.empty:
        return None
    last = rows.loc[rows["year"].idxmax()]
    return int(last["year"]), float(last[column])


@lru_cache(maxsize=1)
def _medians() -> dict[str, float]:
    ids = [i for i in data.world().index if complete(i)]
    records = [data.state_record(i) for i in ids]
    return {"gdp_per_person": float(np.median([r.gdp / r.population for r in records if r.population > 0])),
            "ideal_point": float(np.median([r.ideal_point for r in records])),
            "manpower": float(np.median([r.manpower for r in records])),
            "milex": float(np.median([r.milex for r in records]))}


def filler(sid: str) -> dict:
    """Overrides for the missing fields of a state, with the source of each in ``source``.

    Personnel and military expenditure: the latest year COW NMC v6.0 reports them
    (``../shared/data/reference/nmc_v6_abridged_1816_2016.csv``), else the median of the states
    with complete data; GDP: military expenditure / 2.2 % (the shipped data's own estimate,
    ``simulation.data.WORLD_MILITARY_BURDEN``) when that is above 0, else population × the
    median GDP per person of the states with complete data; ideal point (Kosovo, Taiwan: no UNGA
    votes): the median; Palau's capital (not in GeoNames' table): Ngerulmud, recalled.
    """
    record = data.state_record(sid)
    missing = data.missing_fields(record)
    out: dict = {}
    notes: list[str] = []
    med = _medians()
    for field, column, scale in (("manpower", "milper", 1.0), ("milex", "milex", 1e-6)):
        if field in missing:
            found = _latest_nmc(record.ccode, column)
            if found:
                out[field] = found[1] * scale
                notes.append(f"{field}: COW NMC v6.0 {column}, {found[0]} (latest year reported)")
            else:
                out[field] = med[field]
                notes.append(f"{field}: median of the states with complete data")
    if "gdp" in missing:
        milex = out.get("milex", record.milex)
        if milex and milex > 0:
            out["gdp"] = milex / data.WORLD_MILITARY_BURDEN
            notes.append("gdp: milex / 2.2% (world military burden 2016, SIPRI; the shipped data's estimate)")
        else:
            out["gdp"] = max(record.population, 0.01) * med["gdp_per_person"]
            notes.append("gdp: population x median GDP per person of the states with complete data")
    if "ideal_point" in missing:
        out["ideal_point"] = med["ideal_point"]
        notes.append("ideal_point: median of the states with complete data")
    if "lat" in missing or "lon" in missing:
        out["lat"], out["lon"] = 7.5006, 134.6242
        notes.append("lat, lon: Ngerulmud, capital of Palau [R: recalled, unverified]")
    if out:
        out["source"] = f"{FILLER}: " + "; ".join(notes)
    return out


def world_ids(n: int | None = None) -> list[str]:
    """Russia, Ukraine and the first other states in COW order up to ``n`` (all 195 when None):
    those with complete data first, then the others.
    """
    table = list(data.world().index)
    others = [i for i in table if i not in ("RUS", "UKR")]
    ordered = [i for i in others if complete(i)] + [i for i in others if not complete(i)]
    chosen = set(["RUS", "UKR"] + ordered[: (len(table) if n is None else n) - 2])
    return [i for i in table if i in chosen]


def world_scenario(folder: Path, n: int | None = None) -> Path:
    """A scenario of ``n`` states (``world_ids``) at war as Russia and Ukraine are, on the default calendar."""
    ids = world_ids(n)
    states = {i: (filler(i) or {}) for i in ids}
    filled = sum(1 for v in states.values() if v)
    doc = {"name": f"world_{len(ids)}", "title": f"{len(ids)} states of COW NMC 2016 ({filled} with filled-in data)",
           "calendar": {"start": "2024-06-01", "end": "2025-12-31", "step": "month"},
           "states": states,
           "relations": {"wars": [{"parties": ["RUS", "UKR"], "source": "Russia's invasion, 24 Feb 2022"}]}}
    path = folder / f"world_{len(ids)}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def fit_exponent(sizes, seconds) -> float:
    """Slope of the least-squares line of log(seconds) on log(N)."""
    return float(np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(seconds, float)), 1)[0])


def time_model(world, params, seed: int = 1) -> tuple[float, float, int]:
    """(initialisation s, steps s, steps) of one model run."""
    start = time.perf_counter()
    model = make_model(world, params, seed, 0)
    ready = time.perf_counter()
    model.run()
    return ready - start, time.perf_counter() - ready, model.n_steps


def measure(sizes=SIZES, repeats: int = 3) -> dict[int, dict[str, float]]:
    """Median init and per-step seconds of the model at each N, runs interleaved."""
    with tempfile.TemporaryDirectory() as tmp:
        worlds = {}
        for n in sizes:
            loaded = load_scenario(world_scenario(Path(tmp), n))
            worlds[n] = build_world(loaded.scenario), resolve_params(loaded)
    samples: dict[int, dict[str, list[float]]] = {n: {} for n in sizes}
    for world, params in worlds.values():  # warm-up: caches, first-call costs
        make_model(world, params, 0, 0, until=world.calendar.start.replace(day=28))
    for _ in range(repeats):
        for n, (world, params) in worlds.items():
            init, steps, count = time_model(world, params)
            row = samples[n]
            row.setdefault("model_init", []).append(init)
            row.setdefault("model_step", []).append(steps / count)
    return {n: {k: statistics.median(v) for k, v in row.items()} | {"states": len(worlds[n][0].ids)}
            for n, row in samples.items()}


def report(results: dict[int, dict[str, float]], repeats: int) -> list[str]:
    sizes = sorted(results)
    lines = [f"{'N':>5} {'init ms':>10} {'ms/step':>10}"]
    lines += [f"{n:5d} {1e3 * results[n]['model_init']:10.1f} {1e3 * results[n]['model_step']:10.2f}" for n in sizes]
    big = [n for n in sizes if n >= 25]
    if len(sizes) >= 2:
        line = f"fitted exponent of s/step vs N: {fit_exponent(sizes, [results[n]['model_step'] for n in sizes]):.2f}"
        if 2 <= len(big) < len(sizes):
            line += f" (all N), {fit_exponent(big, [results[n]['model_step'] for n in big]):.2f} (N >= 25)"
        lines.append(line)
    lines.append(f"(medians of {repeats} interleaved runs; 19 monthly steps; goal <= 10 ms/step at ~190, <= N^2.2; "
                 "where a step's time goes: benchmarks/breakdown.py)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    print("\n".join(report(measure(args.sizes, args.repeats), args.repeats)))


if __name__ == "__main__":
    main()
