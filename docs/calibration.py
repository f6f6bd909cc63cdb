"""Ablations of the default scenario: which expectation fails without which mechanism or event.

    .venv/bin/python docs/calibration.py [--replicates 100]

Prints a Markdown table (pass shares) for docs/calibration.md. Each column switches one
mechanism off (a parameter set to 0) or removes the events that drive a claim.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

import yaml

from simulation import load_scenario
from simulation.expectations import check

DEPLOYMENTS = ["deploy_special_forces", "deploy_main", "deploy_rotation_2025", "deploy_engineers_2025"]
DPRK_ARMS = ["shells_2024_summer", "shells_2024_2025", "shells_2025_h2", "kn23_2024", "kn23_2025", "guns_mrls"]
STATES = ("USA", "ROK", "UKR", "RUS", "PRK", "JPN", "CHN", "IRN")
ABLATIONS: dict[str, dict] = {
    "full model": {},
    "no balance": {"parameters": {"balance_rate": 0}},
    "no exchange": {"parameters": {"exchange_gain": 0}},
    "no leaning": {"parameters": {"lean_rate": 0}},
    "no threat": {"parameters": {"threat_sensitivity": 0}},
    "no homophily": {"parameters": {"homophily_strength": 0}},
    "no attrition": {"parameters": {"attrition_rate": 0}},
    "no treaty anchor": {"parameters": {"treaty_anchor": 0}},
    "no alarm": {"parameters": {"alarm_gain": 0, "tension_alarm": 0}},
    "no deepening": {"parameters": {"depth_rate": 0}},
    "no experience": {"parameters": {"experience_gain": 0}},
    "all-or-nothing commitment": {"parameters": {"commitment_troops": 0}},
    "no deployment": {"remove_events": DEPLOYMENTS},
    "no DPRK arms": {"remove_events": DPRK_ARMS},
    "no treaty": {"remove_events": ["treaty_rus_prk"]},
    "no Kazan": {"remove_events": ["brics_kazan"]},
    "no RUS–DPRK ties": {"remove_events": ["treaty_rus_prk"] + DPRK_ARMS + DEPLOYMENTS},
    "no preferences": {"parameters": {"homophily_strength": 0, "threat_sensitivity": 0, "treaty_anchor": 0}},
    "no data structure": {"states": {s: {"ideal_point": 0.0, "source": "ablation: identical ideal points"}
                                     for s in STATES},
                          "relations": {"treaties": [], "wars": [], "sanctions": []}},
    "China like others": {"states": {"CHN": {"weights": {"security": 0.5, "economy": 0.2, "ideology": 0.3},
                                             "risk_tolerance": 0.5, "source": "ablation: default preferences"}}},
}


def ablation(folder: Path, name: str, change: dict) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    doc = {"extends": "korea_russia_2024", "name": slug} | change
    path = folder / f"{slug}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--only", nargs="*", help="ablations to run (default: all)")
    args = parser.parse_args()
    shares = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, change in ABLATIONS.items():
            if args.only and name not in args.only and name != "full model":
                continue
            loaded = load_scenario(ablation(Path(tmp), name, change), root=Path(tmp))
            table = check(loaded, replicates=args.replicates).table.set_index("id")
            shares[name] = table
    base = shares["full model"]
    names = list(shares)
    print("| expectation | needed | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for eid in base.index:
        cells = []
        for name in names:
            row = shares[name].loc[eid]
            text = f"{row['share']:.0%}"
            cells.append(text if row["passed"] else f"**{text}** ✗")
        print(f"| `{eid}` | {base.loc[eid, 'required']:.0%} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
