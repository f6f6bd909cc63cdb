"""The documentation states the model's parameters as they are declared (simulation/params.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulation.params import PARAMETERS

ODD = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(\w+)` \| ([^|]+) \| \[([^,\]]+), ([^\]]+)\](?: \(integer\))? \|", re.MULTILINE)


def documented() -> dict[str, tuple[float, float, float]]:
    return {m[1]: (float(m[2]), float(m[3]), float(m[4])) for m in ROW.finditer(ODD)}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_every_parameter_is_in_the_odd_tables_with_its_default_and_bounds(name):
    rows = documented()
    assert name in rows, f"docs/ODD.md has no parameter table row for {name}"
    p = PARAMETERS[name]
    assert rows[name] == pytest.approx((p.default, p.low, p.high)), name


def test_the_odd_tables_name_no_parameter_that_does_not_exist():
    assert set(documented()) <= set(PARAMETERS)
