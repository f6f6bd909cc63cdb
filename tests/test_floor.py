"""The floor (benchmarks/floor.py) reproduces the model: the same recorded arrays, to 1e-9.

The floor re-implements the model's step on plain arrays for the speed benchmarks
(docs/performance.md). These tests compare, step by step, every column the recorder writes —
states, pairs, model metrics, coalitions and blocs — as read from ``model.recorder.tables(0)``,
on every shipped scenario at two seeds, on a variant that uses every kind of event, on a weekly
calendar and on a generated world large enough for the heuristic coalition and bloc searches.
No timing is asserted anywhere.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from simulation import load_scenario
from simulation.metrics import DIRECTED, PAIR_COLUMNS, STATE_COLUMNS
from simulation.model import make_model
from simulation.runner import resolve_params
from simulation.scenario import shipped_names
from simulation.world import build_world

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-9  # |floor − model| ≤ 1e-9 · max(1, |model|)
SEEDS = (1, 2)


def _load(name: str):
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))  # scaling.py imports floor by name
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


floor = _load("floor")


def model_arrays(model) -> dict[str, np.ndarray]:
    """The recorder's arrays rebuilt from ``model.recorder.tables(0)`` (pairs back in row order i < j)."""
    tables = model.recorder.tables(0)
    n, ids = model.n, np.array(model.ids)
    steps = len(tables["model"])
    states = tables["states"]
    assert list(states["state"][:n]) == model.ids
    iu = np.triu_indices(n, 1)
    swap = ids[iu[0]] > ids[iu[1]]  # the tables write each pair with a < b
    pairs = tables["pairs"].copy()
    rows = np.tile(swap, steps)
    assert (pairs["a"].to_numpy() == np.tile(np.where(swap, ids[iu[1]], ids[iu[0]]), steps)).all()
    original = {c: pairs[c].to_numpy().copy() for c in DIRECTED}
    for column, other in DIRECTED.items():
        pairs[column] = np.where(rows, original[other], original[column])
    return {
        "metrics": tables["model"][list(model.recorder.metric_names)].to_numpy(),
        "states": states[list(STATE_COLUMNS)].to_numpy().reshape(steps, n, len(STATE_COLUMNS)),
        "pairs": pairs[list(PAIR_COLUMNS)].to_numpy(dtype=float).reshape(steps, len(iu[0]), len(PAIR_COLUMNS)),
        "coalition": np.where(states["coalition"].to_numpy() == "A", 0, 1).reshape(steps, n),
        "bloc": states["bloc"].to_numpy().reshape(steps, n),
    }


def assert_reproduces(world, params, seed: int, until=None, search: str = "table") -> None:
    model = make_model(world, params, seed, 0, until).run()
    expected = model_arrays(model)
    got = floor.run_floor(world, params, seed, 0, until, search=search)
    assert got.ids == model.ids and list(got.metric_names) == list(model.recorder.metric_names)
    assert got.dates == list(model.dates)
    for name in ("metrics", "states", "pairs"):
        a, b = getattr(got, name), expected[name]
        assert a.shape == b.shape, name
        excess = np.abs(a - b) - TOLERANCE * np.maximum(1.0, np.abs(b))
        if (excess > 0).any():
            step, *where = np.unravel_index(int(np.argmax(excess)), a.shape)
            columns = {"metrics": got.metric_names, "states": STATE_COLUMNS, "pairs": PAIR_COLUMNS}[name]
            pytest.fail(f"{name} differ at step {step}, {where} ({columns[where[-1]]}): floor {a[step][tuple(where)]!r}"
                        f" model {b[step][tuple(where)]!r}")
    np.testing.assert_array_equal(got.coalition, expected["coalition"])
    np.testing.assert_array_equal(got.bloc, expected["bloc"])


def compiled(source):
    loaded = load_scenario(source)
    return build_world(loaded.scenario), resolve_params(loaded)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", shipped_names())
def test_shipped_scenarios(name, seed):
    world, params = compiled(name)
    assert_reproduces(world, params, seed)


def test_model_searches_give_the_same_run():
    """``search="model"`` (the model's own exact searches) and the tables give the model's labels."""
    world, params = compiled("korea_russia_2024")
    assert_reproduces(world, params, 3, search="model")


EVERY_EVENT = """\
extends: korea_russia_2024
name: every_event
title: every kind of event, for the floor test
parameters: {spin_up_years: 1.0, summit_gain: 0.4}
states:
  JPN: {front_share: 0.3, recruitment: 1.5, munitions: 3, source: "test values"}
relations:
  affinity:
    - {pair: [JPN, CHN], value: -0.3, source: "test override"}
events:
  - {id: t_war, type: war_outbreak, parties: [IRN, USA], date: 2025-02-10, source: test}
  - {id: t_peace, type: ceasefire, parties: [IRN, USA], date: 2025-06-20, source: test}
  - {id: t_end, type: ceasefire, parties: [RUS, UKR], date: 2025-10-01, source: test}
  - {id: t_sanction, type: sanctions, by: [USA, JPN], target: CHN, intensity: 0.3, date: 2024-08-05,
     lifted: 2025-04-10, source: test}
  - {id: t_course, type: policy_change, state: JPN, date: 2024-09-15, ideal_point: 1.5,
     weights: {security: 0.7}, risk_tolerance: 0.8, stance: {PRK: -0.3}, source: test}
  - {id: t_tech, type: technology_transfer, from: RUS, to: PRK, level: 0.2, date: 2024-11-01,
     until: 2025-03-31, source: test}
  - {id: t_money, type: aid, kind: economic, from: USA, to: UKR, value_usd_bn: 5, date: 2024-07-01,
     until: 2024-12-31, source: test}
  - {id: t_relief, type: aid, kind: humanitarian, from: JPN, to: UKR, value_usd_bn: 1, date: 2024-09-01, source: test}
  - {id: t_pact, type: treaty, kind: non_aggression, parties: [JPN, ROK], date: 2024-12-05, source: test}
  - {id: t_pact2, type: treaty, kind: strategic_partnership, strength: 0.4, parties: [CHN, IRN], date: 2025-01-10,
     in_force: 2025-01-20, source: test}
  - {id: t_push, type: military_operation, actor: UKR, target: RUS, intensity: 0.5, date: 2025-02-01,
     until: 2025-02-20, source: test}
  - {id: t_shock, type: relation_shock, pair: [ROK, PRK], affinity: -0.2, tension: 0.1, date: 2025-05-05,
     source: test}
  - {id: t_summit, type: summit, host: JPN, participants: [ROK, USA, UKR], strength: 0.8, date: 2025-03-03,
     source: test}
"""


@pytest.mark.parametrize("seed", SEEDS)
def test_every_kind_of_event(tmp_path, seed):
    path = tmp_path / "every_event.yaml"
    path.write_text(EVERY_EVENT, encoding="utf-8")
    world, params = compiled(path)
    kinds = {type(e).__name__ for e in world.events}
    assert {"WarOutbreak", "Ceasefire", "Sanctions", "PolicyChange", "LeadershipChange", "TechnologyTransfer", "Aid",
            "AidSuspension", "Treaty", "MilitaryOperation", "RelationShock", "Summit", "ArmsTransfer",
            "TroopDeployment"} <= kinds
    assert_reproduces(world, params, seed)


def test_weekly_calendar_and_until(tmp_path):
    path = tmp_path / "weekly.yaml"
    path.write_text(textwrap.dedent("""\
        extends: korea_russia_2024
        name: weekly
        title: weekly steps, for the floor test
        calendar: {step: week}
        """), encoding="utf-8")
    world, params = compiled(path)
    import datetime as dt
    assert_reproduces(world, params, 1, until=dt.date(2025, 2, 14))


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_world_with_heuristic_searches(tmp_path, seed):
    """25 states: the coalition (N > 20) and bloc (3^24 labelings) searches are the heuristic ones."""
    scaling = _load("scaling")
    world, params = compiled(scaling.world_scenario(tmp_path, 25))
    assert len(world.ids) == 25
    import datetime as dt
    assert_reproduces(world, params, seed, until=dt.date(2024, 12, 31))


def test_the_comparison_sees_a_difference():
    """Not vacuous: the floor at another seed, or with a parameter nudged by 1e-6, does not pass."""
    world, params = compiled("korea_russia_2024")
    model = make_model(world, params, 1, 0).run()
    expected = model_arrays(model)
    other = floor.run_floor(world, params, 2, 0)
    nudged = floor.run_floor(world, params | {"lean_rate": params["lean_rate"] * (1 + 1e-6)}, 1, 0)
    for run in (other, nudged):
        assert np.abs(run.pairs - expected["pairs"]).max() > 1e-7
