"""The shipped scenarios cite sources a user of the package can open, and 2025 as it happened.

Issue 28: no source in the shipped scenarios (or the curated data they read) points outside the
package; a file of the package they cite exists in it; the default scenario is completed with the
events of 2025, each sourced, and carries at least 25 observed outcomes of 2025.
"""

from __future__ import annotations

import re

import pytest

from simulation.scenario import load_scenario
from simulation.scenario.loader import shipped_names, shipped_root

ROOT = shipped_root()
CITED = re.compile(r"scenarios/data/[\w.-]+")


def _texts(value) -> list[str]:
    """Every string in a nested scenario document (sources, labels, claims, notes)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts(v)]
    return []


@pytest.mark.parametrize("name", shipped_names())
def test_sources_stay_inside_the_package(name):
    sc = load_scenario(name).scenario
    texts = _texts(sc.model_dump(by_alias=True, mode="json"))
    outside = [t for t in texts if "shared/" in t or "../" in t]
    assert not outside, outside[:3]
    for cited in {m for t in texts for m in CITED.findall(t)}:
        assert (ROOT / cited.removeprefix("scenarios/")).is_file(), f"{name} cites {cited}, not shipped"


@pytest.mark.parametrize("table", ["states.csv", "alliances.csv", "wars.csv"])
def test_curated_data_cite_no_path_outside_the_package(table):
    text = (ROOT / "data" / table).read_text(encoding="utf-8")
    assert "shared/data" not in text


def test_the_facts_file_ships_with_the_package():
    """The file the sources cite is package data (pyproject's package-data takes data/*.md)."""
    import tomllib

    setuptools = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "scenarios.data" in setuptools["packages"] and "*.md" in setuptools["package-data"]["scenarios.data"]
    assert (ROOT / "data" / "facts_2022_2025.md").is_file()


def test_2025_is_complete_in_the_default_scenario():
    sc = load_scenario("korea_russia_2024").scenario
    in_2025 = [e for e in sc.events if e.date.year == 2025]
    assert len(in_2025) >= 25
    assert all(len(e.source) > 20 for e in in_2025)
    facts = (ROOT / "data" / "facts_2022_2025.md").read_text(encoding="utf-8")
    section3 = facts[facts.index("## 3."):facts.index("## 4.")]
    listed = set(re.findall(r"^\| `([\w.-]+)` \|", section3, flags=re.M))
    assert listed and listed <= {e.id for e in in_2025}  # the facts file lists the scenario's events
    assert len(sc.observed) >= 25
    section4 = facts[facts.index("## 4."):facts.index("## 5.")]
    assert {o.id for o in sc.observed} <= set(re.findall(r"`([\w.-]+)`", section4))
    world = load_scenario("world_2024").scenario
    assert {o.id for o in world.observed} <= set(re.findall(r"`([\w.-]+)`", facts[facts.index("## 5."):]))


def test_every_prediction_of_the_article_says_what_became_of_it():
    sc = load_scenario("korea_russia_2024").scenario
    assert all(e.reality is not None for e in sc.expectations)
    assert {e.id for e in sc.expectations if e.reality.verdict == "did_not"} == {"rok_ukr_closer"}


def test_the_facts_file_is_what_its_builder_writes_from_the_scenarios():
    """facts_2022_2025.md lists exactly what the scenarios encode and observe (rebuilt by
    scenarios/data/build_facts.py from them and the reference notes beside the project).
    """
    import importlib.util

    reference = ROOT.parent.parent / "shared" / "data" / "reference"
    if not (reference / "README.md").exists():
        pytest.skip("the reference notes are not beside the project")
    spec = importlib.util.spec_from_file_location("build_facts", ROOT / "data" / "build_facts.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.build(reference) == (ROOT / "data" / "facts_2022_2025.md").read_text(encoding="utf-8")
