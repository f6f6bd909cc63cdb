"""Regenerate the golden tables of every shipped scenario (tests/test_golden.py compares with them).

    .venv/bin/python tests/golden/make_golden.py

Run it only when a change is meant to alter the model's numbers, and say in the commit which
columns changed and why. Two replicates of every shipped scenario at seed 20261202, and of
``large/world_2016.yaml`` (146 states, five months): the shipped scenarios are small enough for
exact bloc and coalition searches, the large one pins the heuristic searches.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
LARGE = HERE / "large" / "world_2016.yaml"
SEED, REPLICATES = 20261202, 2
TABLES = ("model", "states", "pairs", "events")


def golden_run(name: str | Path):
    from simulation import load_scenario, run

    return run(load_scenario(name), seed=SEED, replicates=REPLICATES)


def write(result, folder: Path, name: str) -> None:
    for table in TABLES:
        result.tables[table].to_parquet(folder / f"{name}.{table}.parquet", index=False)
    print(f"{name}: {', '.join(f'{t} {len(result.tables[t])}' for t in TABLES)} rows")


def main() -> None:
    from simulation.scenario import shipped_names

    for name in shipped_names():
        write(golden_run(name), HERE, name)
    write(golden_run(LARGE), LARGE.parent, LARGE.stem)


if __name__ == "__main__":
    main()
