"""Regenerate the golden tables of every shipped scenario (tests/test_golden.py compares with them).

    .venv/bin/python tests/golden/make_golden.py

Run it only when a change is meant to alter the model's numbers, and say in the commit which
columns changed and why. Two replicates of every shipped scenario at seed 20261202.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED, REPLICATES = 20261202, 2
TABLES = ("model", "states", "pairs", "events")


def golden_run(name: str):
    from simulation import load_scenario, run

    return run(load_scenario(name), seed=SEED, replicates=REPLICATES)


def main() -> None:
    from simulation.scenario import shipped_names

    for name in shipped_names():
        result = golden_run(name)
        for table in TABLES:
            result.tables[table].to_parquet(HERE / f"{name}.{table}.parquet", index=False)
        print(f"{name}: {', '.join(f'{t} {len(result.tables[t])}' for t in TABLES)} rows")


if __name__ == "__main__":
    main()
