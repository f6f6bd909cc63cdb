"""docs/outputs.md §6 documents every key a real manifest has, and no key a real one lacks.

Two real runs through the command line: the default scenario, and a whole world (which adds
``world`` and more ``data`` tables). The documented keys are the first column of §6's table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import cli

DOC = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text(encoding="utf-8")


def documented_keys() -> set[str]:
    section = DOC[DOC.index("## 6 `manifest.json`"):DOC.index("\n---", DOC.index("## 6 `manifest.json`"))]
    table = section[section.index("| field | meaning |"):]
    keys = set()
    for cell in re.findall(r"^\| ([^|]+) \|", table, flags=re.M):
        keys |= {k.split(".")[0] for k in re.findall(r"`([\w.]+)`", cell)}
    return keys


@pytest.fixture(scope="module")
def manifests(tmp_path_factory):
    base = tmp_path_factory.mktemp("manifests")
    out = {}
    for name in ("korea_russia_2024", "world_2024"):
        done = cli("run", name, "-k", "1", "--until", "2024-07-31", "--no-report", "--out", str(base / name))
        assert done.returncode == 0, done.stderr
        out[name] = json.loads((base / name / "manifest.json").read_text())
    return out


def test_every_manifest_key_is_documented_and_every_documented_key_is_real(manifests):
    real = set(manifests["korea_russia_2024"]) | set(manifests["world_2024"])
    assert documented_keys() == real


def test_a_world_adds_world_and_its_tables(manifests):
    plain, world = manifests["korea_russia_2024"], manifests["world_2024"]
    assert "world" not in plain and set(world) - set(plain) == {"world"}
    assert set(plain["data"]) == {"world_2016.csv", "states.csv"}
    assert len(world["data"]) == 8 and set(plain["data"]) < set(world["data"])
    for name in ("on", "nmc_year", "states", "ideal_point_year", "imputed", "rules", "treaties", "wars"):
        assert name in world["world"]


def test_readme_lists_every_command_of_the_cli():
    """README's command block names every command `alliance-sim --help` lists, and --version."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Command line"):readme.index("`SCENARIO` is a file")]
    from alliance_sim.cli import app

    import typer.main

    commands = set(typer.main.get_command(app).commands)
    listed = set(re.findall(r"^alliance-sim ([a-z-]+)", block, flags=re.M))
    assert commands == listed - {"--version"} and "alliance-sim --version" in block
