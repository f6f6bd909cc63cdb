"""The model end to end on small scenarios: reproducibility, events, agents, tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from simulation import load_scenario, run
from simulation.agents import StateAgent
from simulation.model import AllianceModel
from simulation.model import seed_sequence
from simulation.world import build_world


def model_for(path, **params) -> AllianceModel:
    loaded = load_scenario(path)
    from simulation.runner import resolve_params

    return AllianceModel(build_world(loaded.scenario), resolve_params(loaded, params), [np.random.default_rng(1)])


def test_same_seed_gives_identical_tables(mini):
    a, b = run(mini, seed=3, replicates=2), run(mini, seed=3, replicates=2)
    for name in ("model", "states", "pairs", "events"):
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


def test_different_seeds_give_different_tables(mini):
    a, b = run(mini, seed=3), run(mini, seed=4)
    assert not np.allclose(a.pairs["affinity"], b.pairs["affinity"])


def test_replicate_r_does_not_depend_on_the_number_of_replicates(mini):
    one, three = run(mini, seed=5, replicates=1), run(mini, seed=5, replicates=3)
    pd.testing.assert_frame_equal(one.pairs, three.pairs[three.pairs["replicate"] == 0].reset_index(drop=True))
    assert three.pairs["replicate"].nunique() == 3


def test_replicates_are_seeded_by_seedsequence_spawn():
    spawned = np.random.SeedSequence(11).spawn(3)
    for r, child in enumerate(spawned):
        ours = seed_sequence(11, r)
        assert (ours.entropy, ours.spawn_key) == (child.entropy, child.spawn_key) == (11, (r,))
        assert np.array_equal(ours.generate_state(8), child.generate_state(8))


def test_agents_are_mesa_agents_with_resources_and_preferences(mini):
    m = model_for(mini)
    assert len(m.agents) == 5 and all(isinstance(a, StateAgent) for a in m.agents)
    prk = m.states[m.idx("PRK")]
    assert prk.manpower.tolist() == [1280.0] and prk.name == "North Korea"  # one value per replicate: a batch of one
    assert set(prk.weights) == {"security", "economy", "ideology"} and ((0 <= prk.risk_tolerance) & (prk.risk_tolerance <= 1)).all()
    from simulation.model import make_batch
    from simulation.runner import resolve_params
    from simulation.scenario import load_scenario
    from simulation.world import build_world

    loaded = load_scenario(mini)
    batch = make_batch(build_world(loaded.scenario), resolve_params(loaded), 3, [0, 1, 2])
    for _ in range(4):
        batch.step()
    agent = batch.states[batch.idx("PRK")]
    assert agent.manpower.shape == (3,) and len(agent.main_threat) == 3
    assert np.array_equal(agent.manpower, batch.state.manpower[:, batch.idx("PRK")])


def test_deployment_moves_manpower_and_raises_affinity(mini, write):
    """Compare with and without the deployment, same seed: PRK loses troops, RUS gains them."""
    from helpers import MINIMAL

    without = write("without.yaml", MINIMAL.replace("troops: 10000", "troops: 0"))
    m1, m0 = model_for(mini), model_for(without)
    k = m1.calendar.step_of(dt.date(2024, 3, 10))
    while m1.steps < k:
        m1.step()
        m0.step()
    prk, rus = m1.idx("PRK"), m1.idx("RUS")
    assert m0.state.item(0).manpower[prk] - m1.state.item(0).manpower[prk] == pytest.approx(10.0)
    assert 9.0 < m1.state.item(0).deployed[prk, rus] <= 10.0 and m0.state.item(0).deployed[prk, rus] == 0  # some fall in their first month
    assert m1.state.item(0).affinity[prk, rus] > m0.state.item(0).affinity[prk, rus]
    assert m1.state.item(0).debt[rus, prk] > 0  # Russia owes North Korea for the troops


def test_flow_with_until_is_spread_over_its_days(mini):
    m = model_for(mini)
    prk = m.idx("PRK")
    start = m.state.item(0).munitions[prk]
    delivered = []
    while m.running:
        before = m.state.item(0).munitions[prk]
        m.step()
        delivered.append(before - m.state.item(0).munitions[prk])
    # 1 m shells over Feb–May (121 days): February gets 29/121 of them (plus ageing/production noise)
    assert delivered[1] == pytest.approx(29 / 121, abs=0.02)
    assert start - m.state.item(0).munitions[prk] == pytest.approx(1.0, abs=0.05)


def test_events_fire_in_the_step_that_contains_their_date(mini):
    result = run(mini)
    fired = result.events.set_index("id")
    assert fired.loc["deploy", "step"] == 3  # March
    assert fired.loc["shells", "step"] == 2  # February
    assert set(result.events.columns) >= {"id", "type", "date", "step", "label", "source", "states"}


def test_until_truncates_the_run(mini):
    result = run(mini, until=dt.date(2024, 4, 15))
    assert result.model["date"].max() == pd.Timestamp("2024-04-30")
    assert "deploy" in set(result.events["id"])


def test_war_attrition_consumes_manpower_and_foreign_troops(mini):
    result = run(mini)
    s = result.states
    ukr = s[s["state"] == "UKR"].set_index("step")
    rus = s[s["state"] == "RUS"].set_index("step")
    assert (ukr["front_strength"].iloc[1:] > 0).all() and (s.loc[s["state"] == "USA", "front_strength"] == 0).all()
    assert ukr["losses"].iloc[1:].gt(0).all()
    assert rus.loc[3:, "foreign_troops"].iloc[0] > 0
    assert rus["foreign_troops"].iloc[-1] < rus.loc[3:, "foreign_troops"].iloc[0]  # DPRK troops are lost too


def test_tables_have_the_documented_shape(mini):
    result = run(mini, replicates=2)
    steps = 13  # step 0 + 12 months
    assert len(result.model) == 2 * steps
    assert len(result.states) == 2 * steps * 5
    assert len(result.pairs) == 2 * steps * 10
    assert (result.pairs["a"] < result.pairs["b"]).all()
    assert result.pairs["affinity"].between(-1, 1).all() and result.pairs["tension"].between(0, 1).all()
    assert set(result.states["coalition"]) <= {"A", "B"}
    assert "tension_peninsula" in result.model.columns


def test_default_scenario_runs_and_russia_and_north_korea_end_close(tmp_path):
    result = run("korea_russia_2024", replicates=3)
    last = result.pairs[(result.pairs["step"] == result.pairs["step"].max())]
    rp = last[(last["a"] == "PRK") & (last["b"] == "RUS")]["affinity"]
    first = result.pairs[(result.pairs["step"] == 0) & (result.pairs["a"] == "PRK") & (result.pairs["b"] == "RUS")]
    assert (rp.to_numpy() > first["affinity"].to_numpy()).all()


def test_model_owns_one_generator_and_does_not_touch_global_state(mini):
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    m = model_for(mini)
    m.run()
    assert np.array_equal(np.random.get_state()[1], before)
    assert isinstance(m.rng, np.random.Generator)


def test_a_step_builds_a_new_state_and_never_changes_the_previous_one():
    """Step purely: state k−1 is read, state k is new arrays; events and repayments write only the new one."""
    import dataclasses

    m = model_for("korea_russia_2024")
    for _ in range(6):  # steps with deployments, transfers and repayments
        before = m.state
        frozen = {f.name: np.copy(getattr(before, f.name)) for f in dataclasses.fields(before)}
        m.step()
        assert m.state is not before
        for name, value in frozen.items():
            assert np.array_equal(getattr(before, name), value, equal_nan=True), name
            if isinstance(value, np.ndarray) and value.ndim:
                assert not np.shares_memory(getattr(before, name), getattr(m.state, name)), name


def test_only_the_states_that_owe_decide_repayments(monkeypatch):
    """``StateAgent.debtors``: calling every agent's ``step`` (Mesa's ``agents.do``) changes nothing."""
    a, b = model_for("korea_russia_2024"), model_for("korea_russia_2024")
    monkeypatch.setattr(StateAgent, "debtors", staticmethod(lambda state: list(range(state.manpower.shape[-1]))))
    b.run()
    monkeypatch.undo()
    a.run()
    owing = StateAgent.debtors(a.state)
    assert 0 < len(owing) < a.n
    for table in ("model", "states", "pairs"):
        pd.testing.assert_frame_equal(a.recorder.item(0).tables()[table], b.recorder.item(0).tables()[table], check_exact=True)


def test_the_model_computes_with_one_blas_thread_whatever_the_process_has(monkeypatch):
    """A BLAS routine split over threads sums in another order: a run's bits would depend on the
    machine's cores. The model holds one thread while it builds and steps, and gives it back."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from simulation import model as M

    seen = []
    real = M.relations  # in the spin-up (building) and every step

    def spy(*args, **kwargs):
        seen.append(max(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"))
        return real(*args, **kwargs)

    monkeypatch.setattr(M, "relations", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        m = model_for("korea_russia_2024")
        m.step()
        after = max(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")
    assert seen and set(seen) == {1} and after == 2


QUIET = """name: quiet
title: "Six states, no war, no event: nothing happens"
calendar: {start: 2025-01-01, end: 2026-12-31, step: month}
states: {USA: {}, CHN: {}, RUS: {}, JPN: {}, IND: {}, GMY: {}}
relations:
  treaties:
    - {parties: [USA, JPN], kind: mutual_defence, source: "test"}
parameters: {decision_noise: 0, affinity_noise: 0}
events: []
"""


def test_an_anchored_start_is_the_observed_map_and_a_world_where_nothing_happens_stays_there(tmp_path):
    from simulation.mechanisms import homophily

    (tmp_path / "quiet.yaml").write_text(QUIET)
    loaded = load_scenario(tmp_path / "quiet.yaml")
    world = build_world(loaded.scenario)
    anchored = AllianceModel(world, resolve(loaded, anchored_start=1, residual_decay=0), [np.random.default_rng(1)])
    observed = homophily.ideology_affinity(anchored.state.ideal_points[0], anchored.params["ideal_point_scale"])
    assert np.array_equal(anchored.state.affinity[0], observed)
    start = anchored.state.affinity.copy()
    anchored.run()
    assert np.abs(anchored.state.affinity - start).max() < 1e-4  # held where it is observed
    spun = AllianceModel(world, resolve(loaded, anchored_start=0), [np.random.default_rng(1)]).run()
    assert np.abs(spun.state.affinity - observed).max() > 0.1  # the spin-up's equilibrium is elsewhere
    fading = AllianceModel(world, resolve(loaded, anchored_start=1, residual_decay=2.0), [np.random.default_rng(1)])
    fading.run()
    moved = np.abs(fading.state.affinity - start).max()
    assert moved > 0.05 and np.abs(fading.state.affinity - spun.state.affinity).max() < np.abs(
        start - spun.state.affinity).max()  # fading: from the observed start toward the model's equilibrium


def resolve(loaded, **params):
    from simulation.runner import resolve_params

    return resolve_params(loaded, params)
