"""Scenario discovery (`alliance-sim discover`): PRIM, EMA Workbench's, on a sweep's runs.

A synthetic sweep whose true box is known (the condition holds exactly where 0.3 < a < 0.7 and
b > 0.5; c is noise) must be recovered within a stated tolerance; the command writes its tables
and an offline report, and refuses bad conditions with one line.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import cli

from simulation.sweep.discover import conditions, discover, holds
from simulation.sweep.execute import SweepError, run_sweep
from simulation.sweep.spec import SweepSpec

TOLERANCE = 0.05  # of each factor's unit range


def box_function(context, tasks):
    out = []
    for task in tasks:
        a, b, c = (float(task.factors[k]) for k in ("a", "b", "c"))
        inside = 0.3 < a < 0.7 and b > 0.5
        out.append(({"run_id": task.run_id, "sample_id": task.sample_id, "replicate": task.replicate, "seed": "",
                     **task.factors, "y": float(inside) + 0.01 * c, "status": "ok", "error": "", "seconds": 0.0},
                    None))
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("discover") / "box"
    spec = SweepSpec(name="box", design="lhs", samples=1200, seed=5,
                     factors={k: {"low": 0.0, "high": 1.0} for k in ("a", "b", "c")})
    run_sweep(spec, out, box_function, None, flush_every=5000)
    return out


def test_prim_recovers_the_true_box(synthetic):
    d = discover(synthetic, "y > 0.5", min_coverage=0.9)
    box = d.box().set_index("factor")
    assert set(box.index[box["restricted"]]) == {"a", "b"}  # c is noise: not restricted
    assert box.loc["a", "low"] == pytest.approx(0.3, abs=TOLERANCE)
    assert box.loc["a", "high"] == pytest.approx(0.7, abs=TOLERANCE)
    assert box.loc["b", "low"] == pytest.approx(0.5, abs=TOLERANCE)
    row = d.trajectory.set_index("id").loc[d.chosen]
    assert row["coverage"] >= 0.9 and row["density"] >= 0.9
    assert len(d.cases) == 1200 and d.cases["holds"].mean() == pytest.approx(0.2, abs=0.03)


def test_conditions_and_their_errors():
    assert conditions("y > 0.5 and z <= -1e-3", ["y", "z"]) == [("y", ">", 0.5), ("z", "<=", -0.001)]
    with pytest.raises(SweepError, match="did you mean 'y'"):
        conditions("yy > 0", ["y", "z"])
    with pytest.raises(SweepError, match="expected OUTPUT OP NUMBER"):
        conditions("y >> 0", ["y"])
    with pytest.raises(SweepError, match="expected OUTPUT OP NUMBER"):
        conditions("__import__('os') > 0", ["y"])
    import pandas as pd

    frame = pd.DataFrame({"y": [0.0, 1.0, 2.0], "z": [5.0, 5.0, -1.0]})
    assert holds(frame, conditions("y >= 1 and z > 0", ["y", "z"])).tolist() == [False, True, False]


def test_the_command_writes_tables_and_an_offline_report(synthetic):
    done = cli("discover", str(synthetic), "--where", "y > 0.5")
    assert done.returncode == 0, done.stderr
    assert "holds in" in done.stdout and "factor" in done.stdout
    for name in ("discover_boxes.csv", "discover_trajectory.csv", "discover.html"):
        assert (synthetic / name).is_file()
    html = (synthetic / "discover.html").read_text()
    assert "Peeling trajectory" in html and not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?:", html)


@pytest.mark.parametrize("where, message", [
    ("y > 5", "holds in 0 of 1200 runs: no region to discover"),
    ("q > 0", "'q' is not an output of the sweep"),
    ("y >> 0", "expected OUTPUT OP NUMBER"),
])
def test_a_bad_condition_is_refused_with_one_line(synthetic, where, message):
    done = cli("discover", str(synthetic), "--where", where)
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_on_the_dose_sweep_the_turn_of_south_korea(tmp_path):
    """The question of issue 29: in which deployment sizes does South Korea's turn toward Ukraine
    hold? (docs/sweeps.md: it holds in about as many runs at every size: no box of high density.)
    """
    out = tmp_path / "dose"
    assert cli("sweep", "deployment_dose", "--out", str(out)).returncode == 0
    d = discover(out, "rok_ukr_gain > 0")
    assert 0.2 < d.cases["holds"].mean() < 0.8
    assert list(d.box()["factor"]) == ["events.deploy_main.troops"]
    assert d.trajectory["density"].max() < 0.8  # no size at which it reliably holds
    assert np.isfinite(d.trajectory["coverage"]).all()
