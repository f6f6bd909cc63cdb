"""Shared fixtures: small scenario files written to a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers import MINIMAL



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
