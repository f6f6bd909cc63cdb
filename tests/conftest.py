"""Shared fixtures: small scenario files written to a temporary folder.

Every test runs with ALLIANCE_SIM_WORKERS=1 (inherited by the commands it starts): without
``--workers``, runs stay in one process and never start workers by how fast the machine seems
(``parallel.pays``). Tests of worker processes ask for them (``--workers 2``, ``workers=2``).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from helpers import MINIMAL

os.environ["ALLIANCE_SIM_WORKERS"] = "1"


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) → path of a YAML file in a temporary scenario folder."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def mini(write) -> Path:
    return write("mini.yaml", MINIMAL)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser), for the browser tests."""
    from playwright.sync_api import sync_playwright
    from test_dashboard_browser import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
