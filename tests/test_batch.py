"""A run is a batch of one (``make_model``), and replicates stepped together (``make_batch``) give
every replicate the bytes it gets alone, whatever else is in its batch: every table, on scenarios
with every event type, wars, deployments and aid, repayments, and a world of every state
(heuristic searches with their own random starts).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import load_scenario
from simulation.model import make_batch, make_model
from simulation.runner import resolve_params
from simulation.world import build_world

UNTIL = {"world_2024": dt.date(2024, 8, 1)}


@lru_cache(maxsize=None)
def world_of(name: str):
    loaded = load_scenario(name)
    return build_world(loaded.scenario), resolve_params(loaded)


def same_bytes(got, want, what: str) -> None:
    for table in want:
        assert list(got[table].columns) == list(want[table].columns), f"{what}.{table}"
        for column in want[table].columns:
            x, y = got[table][column].to_numpy(), want[table][column].to_numpy()
            same = x.tobytes() == y.tobytes() if x.dtype.kind in "biufcmM" else list(x) == list(y)
            assert x.dtype == y.dtype and same, f"{what}.{table}.{column} differs"


@pytest.mark.parametrize("name", ["korea_russia_2024", "escalation", "us_withdrawal", "china_distances",
                                  "world_2024"])
def test_each_replicate_of_a_batch_is_the_replicate_run_alone(name):
    world, params = world_of(name)
    replicates = [3, 0, 7]  # any replicates, in any order
    batch = make_batch(world, params, 11, replicates, UNTIL.get(name)).run()
    for b, r in enumerate(replicates):
        alone = make_model(world, params, 11, r, UNTIL.get(name)).run()
        same_bytes(batch.recorder.item(b).tables(r), alone.recorder.item(0).tables(r), f"{name} replicate {r}")
        assert batch.fired == alone.fired


def test_each_replicates_generator_is_where_its_own_model_leaves_it():
    world, params = world_of("korea_russia_2024")
    batch = make_batch(world, params, 2, [0, 1, 2])
    for r, g in enumerate(batch.rngs):
        assert g.bit_generator.state == make_model(world, params, 2, r).rng.bit_generator.state
    batch.run()
    for r, g in enumerate(batch.rngs):
        assert g.bit_generator.state == make_model(world, params, 2, r).run().rng.bit_generator.state


def test_a_run_is_a_batch_of_one_with_one_leading_axis():
    world, params = world_of("korea_russia_2024")
    alone = make_model(world, params, 4, 5, dt.date(2024, 9, 1)).run()
    n = len(world.records)
    assert alone.size == 1 and alone.state.affinity.shape == (1, n, n) and alone.state.energy.shape == (1,)
    assert alone.recorder.item(0).tables(5)["states"]["replicate"].eq(5).all()


@settings(max_examples=8, deadline=None, derandomize=True, database=None)
@given(replicates=st.lists(st.integers(0, 40), min_size=1, max_size=6, unique=True), data=st.data())
def test_any_split_of_replicates_into_batches_gives_each_replicate_its_own_tables(replicates, data):
    """The contract: a replicate's tables depend only on (scenario, parameters, seed, replicate)."""
    world, params = world_of("korea_russia_2024")
    until = dt.date(2024, 12, 31)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(replicates) - 1), max_size=3)) if len(replicates) > 1 else [])
    tables = {}
    for part in np.split(np.array(replicates), cuts):
        model = make_batch(world, params, 9, part.tolist(), until).run()
        tables |= {r: model.recorder.item(b).tables(r) for b, r in enumerate(part.tolist())}
    for r in replicates:
        same_bytes(tables[r], make_model(world, params, 9, r, until).run().recorder.item(0).tables(r), f"replicate {r}")


def test_repayments_some_replicates_make_and_others_not_touch_only_their_own(monkeypatch):
    """When a repayment is made in some replicates of a batch and not in others, those others'
    arrays are not touched at all (a replicate's bits never depend on the rest of its batch).
    """
    from simulation import agents

    mixed = []
    each_where = agents._each_where

    def spy(x, where, effect, *args, **kwargs):
        mixed.append(bool(np.any(where)) and not bool(np.all(where)))
        return each_where(x, where, effect, *args, **kwargs)

    monkeypatch.setattr(agents, "_each_where", spy)
    world, params = world_of("korea_russia_2024")
    replicates = list(range(16))
    batch = make_batch(world, params, 11, replicates).run()
    assert any(mixed), "no step repaid in some replicates only: the test no longer covers that case"
    for b, r in enumerate(replicates):
        alone = make_model(world, params, 11, r).run()
        same_bytes(batch.recorder.item(b).tables(r), alone.recorder.item(0).tables(r), f"replicate {r}")
