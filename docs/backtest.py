"""The ablation of docs/backtest.md: the backtest with each mechanism switched off in turn.

    .venv/bin/python docs/backtest.py [--replicates 2] [--every 1] [--workers 2] [--json FILE]

For each row the same origins, horizons and seeds as the default backtest, with one parameter
set so that its mechanism does nothing; printed as a Markdown table of the pooled MSE skill of
the model and of the model's change (against persistence) and the direction AUC, by horizon,
with the difference from the default row. Nothing here is asserted by a test; docs/backtest.md
records one run of it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.backtest import runner as B  # noqa: E402

ABLATIONS = {  # mechanism -> the parameter that switches it off
    "none (default)": {},
    "structural balance": {"balance_rate": 0.0},
    "leaning toward preferences": {"lean_rate": 0.0},
    "homophily (ideology)": {"homophily_strength": 0.0},
    "balance of threat": {"threat_sensitivity": 0.0},
    "treaty commitments": {"treaty_anchor": 0.0},
    "decision noise": {"decision_noise": 0.0},
    "spin-up": {"spin_up_years": 0.0},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=2)
    parser.add_argument("--every", type=int, default=1, help="every N-th origin of 1991-2022")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    origins = list(range(B.FIRST_ORIGIN, B.LAST_OBSERVED))[:: args.every]
    rows = {}
    for name, params in ABLATIONS.items():
        start = time.perf_counter()
        skill = B.skill_table(B.backtest(origins, B.DEFAULT_HORIZONS, args.replicates, 20241023, params,
                                         args.workers))
        rows[name] = skill[skill["dyads"] == "all dyads"].set_index("horizon")
        print(f"{name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    base = rows["none (default)"]
    print(f"origins {origins[0]}–{origins[-1]} (every {args.every}), {args.replicates} replicates, all dyads\n")
    head = "| mechanism off | " + " | ".join(f"h = {h}: model / change / AUC" for h in base.index) + " |"
    print(head)
    print("|" + "---|" * (1 + len(base.index)))
    for name, table in rows.items():
        cells = []
        for h in base.index:
            r, b = table.loc[h], base.loc[h]
            model, delta = r["model_vs_persistence"], r["model_vs_persistence"] - b["model_vs_persistence"]
            cells.append(f"{model:+.3f} ({delta:+.3f}) / {r['change_only_vs_persistence']:+.4f} / "
                         f"{r['direction_auc']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps({k: v.reset_index().to_dict("records") for k, v in rows.items()}, indent=1,
                                        default=float))


if __name__ == "__main__":
    main()
