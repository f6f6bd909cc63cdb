"""Regenerate the README figures from a real run (needs Debian's Chromium at /usr/bin/chromium).

.venv/bin/python docs/make_figures.py [--dose runs/dose]

``--dose``: a folder of ``alliance-sim sweep scenarios/sweeps/deployment_dose.yaml`` after
``alliance-sim analyze``; its ``response.csv`` becomes ``img/dose_response.png``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from simulation import run
from viz import figures as F
from viz.sweep_report import response_curves

HERE = Path(__file__).resolve().parent
CHROMIUM = ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            "--virtual-time-budget=4000"]


def shoot(fig, name: str, width: int = 1100) -> None:
    height = int(fig.layout.height or 500)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "fig.html"
        page.write_text(fig.to_html(include_plotlyjs=True, full_html=True, default_width=f"{width}px",
                                    default_height=f"{height}px"), encoding="utf-8")
        subprocess.run(CHROMIUM + [f"--user-data-dir={tmp}/profile", f"--window-size={width + 20},{height + 20}",
                                   f"--screenshot={HERE / 'img' / name}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dose", type=Path, help="an analysed deployment_dose sweep folder")
    args = parser.parse_args()
    if args.dose:
        shoot(response_curves(pd.read_csv(args.dose / "response.csv"), "events.deploy_main.troops"),
              "dose_response.png")
    result = run("korea_russia_2024", replicates=20)
    meta = {"title": result.loaded.scenario.title, "states": result.names,
            "coalition_names": {"A": "with USA", "B": "against USA"}}
    shoot(F.tension_lines(result.model, result.events, meta), "tension.png")
    shoot(F.affinity_lines(result.pairs, meta), "affinity.png")


if __name__ == "__main__":
    main()
