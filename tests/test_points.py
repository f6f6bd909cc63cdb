"""Parameter points stepped together (``make_batch`` with a point per item) give every item the
bytes its run gets alone: every parameter varied, the spin-up of different lengths, any split of
points and replicates into batches. Structural parameters (the searches' ``k_blocs`` and
``heuristic_restarts``) are shared by a batch and refused when they differ.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.model import make_batch, make_model
from simulation.params import PARAMETERS, SHARED, Points
from test_batch import same_bytes, world_of

UNTIL = dt.date(2025, 3, 1)  # a war, deployments, aid, summits, sanctions and repayments in every run


# parameters that act only with a switch in a given position
SWITCHED = {"residual_decay": {"anchored_start": 1}, "spin_up_years": {"anchored_start": 0},
            "spin_up_enmity": {"anchored_start": 0}}


def varied(params: dict, name: str, where: float) -> dict:
    """``params`` with ``name`` at ``where`` of its range (between its bounds), and its switch set."""
    p = PARAMETERS[name]
    value = p.low + where * (p.high - p.low)
    return params | SWITCHED.get(name, {}) | {name: round(value) if p.integer else value}


def alone(world, point: dict, seed: int, replicate: int, until=UNTIL) -> dict:
    return make_model(world, point, seed, replicate, until).run().recorder.item(0).tables(replicate)


EVERY = str(Path(__file__).with_name("fixtures") / "every_parameter.yaml")  # moves what the default leaves still


@pytest.mark.slow  # ~18 s: 222 runs alone and two batches
def test_every_parameter_varied_in_one_batch_gives_each_item_its_own_run():
    """One batch a scenario: its parameters, and every parameter moved on its own to two values (so
    that every use of every parameter meets values that differ between the items). Between them
    the two scenarios give every parameter but the searches' an effect on the tables."""
    differs, moved = [], set()
    for scenario in ("korea_russia_2024", EVERY):
        world, params = world_of(scenario)
        names = [None] + [name for name in PARAMETERS if name not in SHARED for _ in (0.15, 0.8)]
        points = [params] + [varied(params, name, where) for name in PARAMETERS if name not in SHARED
                             for where in (0.15, 0.8)]
        replicates = [0] + [b % 3 for b in range(1, len(points))]
        batch = make_batch(world, points, 5, replicates, UNTIL).run()
        reference = {r: alone(world, params, 5, r) for r in set(replicates)}
        for b, (point, r) in enumerate(zip(points, replicates)):
            own = alone(world, point, 5, r)
            changed = [names[b]] if names[b] else []
            try:
                same_bytes(batch.recorder.item(b).tables(r), own, f"item {b}")
            except AssertionError as exc:
                differs.append(f"{scenario} {changed}: {exc}")
            if any(not own[t].equals(reference[r][t]) for t in own):
                moved.update(changed)
    assert not differs, "\n".join(differs)
    assert moved == set(PARAMETERS) - set(SHARED)  # else a parameter's batching is not tested


def test_the_spin_up_of_each_point_is_as_long_as_its_own():
    world, params = world_of("korea_russia_2024")
    points = [params | {"anchored_start": 0, "spin_up_years": y} for y in (0.0, 3.0, 0.5, 7.25)]
    batch = make_batch(world, points, 1, [0, 0, 0, 0], dt.date(2024, 9, 1)).run()
    for b, point in enumerate(points):
        same_bytes(batch.recorder.item(b).tables(0), alone(world, point, 1, 0, dt.date(2024, 9, 1)),
                   f"spin-up {point['spin_up_years']}")


@pytest.mark.parametrize("name", SHARED)
def test_a_batch_refuses_points_that_differ_in_a_structural_parameter(name):
    world, params = world_of("korea_russia_2024")
    with pytest.raises(ValueError, match=f"{name} differs between the items of a batch"):
        make_batch(world, [params, varied(params, name, 0.9)], 1, [0, 1])


def test_points_are_one_float_where_items_agree_and_shaped_for_states_and_pairs():
    _, params = world_of("korea_russia_2024")
    p = Points([params, params | {"lean_rate": 2.0}, params])
    assert p["balance_rate"] == params["balance_rate"] and isinstance(p["balance_rate"], float)
    assert p["lean_rate"].tolist() == [params["lean_rate"], 2.0, params["lean_rate"]]
    assert p.n("lean_rate").shape == (3, 1) and p.nn("lean_rate").shape == (3, 1, 1)
    points, inverse = p.distinct()
    assert len(points) == 2 and inverse.tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="2 parameter points for a batch of 3"):
        Points.of([params, params], 3)


@settings(max_examples=6, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_any_split_of_points_and_replicates_into_batches_gives_each_run_its_own_tables(data):
    """The contract: a run's tables depend only on (scenario, parameters, seed, replicate)."""
    world, params = world_of("korea_russia_2024")
    until = dt.date(2024, 12, 31)
    names = [n for n in PARAMETERS if n not in SHARED]
    runs = data.draw(st.lists(st.tuples(st.sampled_from(names), st.floats(0.0, 1.0), st.integers(0, 5)),
                              min_size=2, max_size=7))
    points = [varied(params, name, where) for name, where, _ in runs]
    replicates = [r for *_, r in runs]
    cuts = sorted(data.draw(st.sets(st.integers(1, len(runs) - 1), max_size=3)))
    start = 0
    for stop in [*cuts, len(runs)]:
        model = make_batch(world, points[start:stop], 9, replicates[start:stop], until).run()
        for b in range(stop - start):
            i = start + b
            same_bytes(model.recorder.item(b).tables(replicates[i]), alone(world, points[i], 9, replicates[i], until),
                       f"run {i} ({runs[i][0]})")
        start = stop


@pytest.mark.parametrize("design, size", [("grid", {"levels": 2}), ("lhs", {"samples": 6}), ("sobol", {"samples": 2}),
                                          ("morris", {"samples": 2})])
def test_a_sweeps_batches_of_samples_give_each_run_its_results_alone(design, size):
    """Every design: the runs of different samples that a sweep steps together (parameters and an
    event amount differing between them) record what each records when evaluated alone."""
    from simulation.sweep import model_context
    from simulation.sweep.evaluate import batch_size, batching, evaluate_model
    from simulation.sweep.execute import batches_of, tasks_of
    from test_sweep import spec_of

    spec, context, _ = model_context(spec_of(design=design, **size, factors={
        "balance_rate": {"low": 0.5, "high": 2.0}, "memory_years": {"low": 0.5, "high": 3.0},
        "events.deploy_main.troops": {"low": 0, "high": 20000}}))
    tasks = tasks_of(spec, set())
    batches = batches_of(tasks, batch_size(context), 1, batching(context.scenario))
    assert any(len({t.sample_id for t in batch}) > 1 for batch in batches)  # samples stepped together
    together = {row["run_id"]: row for batch in batches for row, _ in evaluate_model(context, batch)}
    for task in tasks:
        (row, _), = evaluate_model(context, [task])
        assert row["status"] == "ok" and together[task.run_id]["status"] == "ok", row["error"]
        for output in spec.outputs:
            assert np.float64(row[output.name]).tobytes() == np.float64(together[task.run_id][output.name]).tobytes(), \
                (task, output.name)


def test_runs_that_differ_in_an_event_date_or_a_structural_parameter_are_never_batched_together():
    from simulation.sweep import model_context
    from simulation.sweep.evaluate import batch_size, batching
    from simulation.sweep.execute import batches_of, tasks_of
    from test_sweep import spec_of

    spec, context, _ = model_context(spec_of(design="grid", levels=2, factors={
        "k_blocs": {"levels": [2, 3]}, "events.deploy_main.date": {"levels": ["2024-10-01", "2024-11-01"]},
        "balance_rate": {"low": 0.5, "high": 2.0}}))
    for batch in batches_of(tasks_of(spec, set()), batch_size(context), 1, batching(context.scenario)):
        assert len({(t.factors["k_blocs"], str(t.factors["events.deploy_main.date"])) for t in batch}) == 1
