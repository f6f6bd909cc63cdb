"""What a researcher needs to reuse and cite a version: licence, citation, changelog, version.

The version is one value: pyproject's, the one `alliance-sim --version` prints and every manifest
records (``simulation.runner.package_version``), the one CITATION.cff and CHANGELOG.md name.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from helpers import cli

from simulation.runner import package_version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_one_version_everywhere():
    version = PROJECT["version"]
    assert package_version() == version
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"alliance-sim {version}"
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version
    assert re.search(rf"^## {re.escape(version)} — \d{{4}}-\d{{2}}-\d{{2}}$",
                     (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), flags=re.M)


def test_the_licence_is_apache_2_and_said_the_same_everywhere():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
    assert PROJECT["license"] == "Apache-2.0" and PROJECT["license-files"] == ["LICENSE"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["license"] == "Apache-2.0"


def test_the_citation_file_has_what_citation_cff_1_2_requires():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(citation)
    assert all("name" in a or "family-names" in a for a in citation["authors"])
