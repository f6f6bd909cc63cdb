"""Regenerate the golden tables of every shipped scenario (tests/test_golden.py compares with them).

    .venv/bin/python tests/golden/make_golden.py [SCENARIO ...]   # all, or a new scenario's only

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
# every state: a few steps keep the files small (the variant: past the first deployment, October 2024)
UNTIL = {"world_2024": "2024-08-01", "world_no_deployment": "2024-11-01"}


def golden_run(name: str | Path):
    import datetime as dt

    from simulation import load_scenario, run

    until = UNTIL.get(str(name))
    return run(load_scenario(name), seed=SEED, replicates=REPLICATES,
               until=dt.date.fromisoformat(until) if until else None)


def write(result, folder: Path, name: str) -> None:
    for table in TABLES:
        result.tables[table].to_parquet(folder / f"{name}.{table}.parquet", index=False)
    print(f"{name}: {', '.join(f'{t} {len(result.tables[t])}' for t in TABLES)} rows")


def main(names: list[str] | None = None) -> None:
    """Every shipped scenario and the large world, or only the scenarios named."""
    from simulation.scenario import shipped_names

    for name in names or shipped_names():
        write(golden_run(name), HERE, name)
    if not names:
        write(golden_run(LARGE), LARGE.parent, LARGE.stem)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])  # e.g. `make_golden.py world_2024` for a new scenario only
