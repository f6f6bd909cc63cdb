"""Regenerate the README figures from a real run (needs Debian's Chromium at /usr/bin/chromium).

.venv/bin/python docs/make_figures.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from simulation import run
from viz import figures as F

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
    result = run("korea_russia_2024", replicates=20)
    meta = {"title": result.loaded.scenario.title, "states": result.names,
            "coalition_names": {"A": "with USA", "B": "against USA"}}
    shoot(F.tension_lines(result.model, result.events, meta), "tension.png")
    shoot(F.affinity_lines(result.pairs, meta), "affinity.png")


if __name__ == "__main__":
    main()
