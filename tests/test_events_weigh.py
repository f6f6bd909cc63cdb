"""Events that weigh: the model responds to the size of what states do (issue "Events that weigh").

Small ensembles of the default scenario with the main DPRK deployment at several sizes; the
same seeds throughout (common random numbers), so the comparisons are of the deployment's effect.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers import FINDINGS, failing
from simulation import load_scenario, run
from simulation.expectations import check
from simulation.model import AllianceModel
from simulation.runner import resolve_params
from simulation.world import build_world

ANCHORS = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "tension_anchors.csv"
SIZES = (0, 12000, 30000)
K = 8


def deployment_variant(folder, troops: int):
    doc = {"extends": "korea_russia_2024", "name": f"dose_{troops}",
           "events": [{"id": "deploy_main", "type": "troop_deployment", "from": "PRK", "to": "RUS",
                       "date": "2024-10-14", "until": "2024-11-04", "troops": troops, "source": "test dose"}]}
    path = folder / f"dose_{troops}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return load_scenario(path, root=folder)


def pair_series(result, a, b, column):
    a, b = sorted((a, b))
    rows = result.pairs[(result.pairs["a"] == a) & (result.pairs["b"] == b)]
    return rows.pivot(index="date", columns="replicate", values=column)


def change(table, start, end):
    return table.loc[pd.Timestamp(end)] - table.loc[pd.Timestamp(start)]


@pytest.fixture(scope="module")
def doses(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doses")
    return {n: run(deployment_variant(folder, n), replicates=K) for n in SIZES}


def test_median_rok_ukr_gain_rises_with_the_size_of_the_deployment(doses):
    gains = [change(pair_series(doses[n], "ROK", "UKR", "affinity"), "2024-09-30", "2025-06-30").median()
             for n in SIZES]
    assert gains[0] < gains[1] < gains[2]
    # not a rounding difference (the issue measured +0.001 before): +0.010 from the anchored start,
    # whose fading residual moves every pair more than the deployment does (+0.023 from the spin-up)
    assert gains[2] - gains[0] > 0.005


def test_every_replicate_responds_to_a_larger_deployment(doses):
    """Paired by replicate (same seeds): ROK–UKR gains more, ROK–USA deepens more, PRK–ROK is tenser."""
    small, large = doses[0], doses[30000]
    gain = lambda r: change(pair_series(r, "ROK", "UKR", "affinity"), "2024-09-30", "2025-06-30")  # noqa: E731
    assert (gain(large) > gain(small)).all()
    depth = lambda r: pair_series(r, "ROK", "USA", "alliance_depth").loc[pd.Timestamp("2025-06-30")]  # noqa: E731
    assert (depth(large) > depth(small)).all()
    tension = lambda r: pair_series(r, "PRK", "ROK", "tension").loc[pd.Timestamp("2025-06-30")]  # noqa: E731
    assert (tension(large) > tension(small)).all()


def test_co_belligerence_is_graded_by_the_size_of_the_contingent(doses):
    war = {n: pair_series(doses[n], "PRK", "UKR", "war_party").loc[pd.Timestamp("2024-11-30")].median()
           for n in SIZES}
    assert 0 < war[0] < war[12000] < war[30000] < 1
    assert pair_series(doses[0], "RUS", "UKR", "war_party").eq(1.0).all().all()  # the formal war stays 1


def test_experience_grows_only_for_states_whose_forces_fight(doses):
    states = doses[12000].states
    exp = states.pivot_table(index="date", columns="state", values="experience", aggfunc="median")
    assert exp["PRK"].iloc[0] == 0.0 and exp["PRK"].iloc[-1] > 0.1  # troops in Kursk from October 2024
    assert exp["PRK"].loc[:"2024-09-30"].eq(0.0).all()  # nothing before they fight
    for sid in ("USA", "ROK", "JPN", "CHN", "IRN"):
        assert exp[sid].eq(0.0).all(), sid
    assert exp["RUS"].iloc[0] > 0.9 and exp["UKR"].iloc[0] > 0.9  # at war since February 2022
    bigger = doses[30000].states.pivot_table(index="date", columns="state", values="experience", aggfunc="median")
    assert bigger["PRK"].iloc[-1] > exp["PRK"].iloc[-1]


def test_experience_raises_north_koreas_capability(tmp_path):
    loaded = deployment_variant(tmp_path, 30000)
    ran = {gain: AllianceModel(build_world(loaded.scenario), resolve_params(loaded, {"experience_gain": gain}),
                               [np.random.default_rng(3)]).run() for gain in (0.0, 0.5)}
    prk = ran[0.5].ids.index("PRK")
    assert ran[0.5].state.item(0).capability[prk] > ran[0.0].state.item(0).capability[prk] * 1.05
    assert ran[0.5].state.item(0).quality[prk] > 1.05 and ran[0.0].state.item(0).quality[prk] == 1.0


def test_default_scenario_scripts_no_south_korean_response():
    events = load_scenario("korea_russia_2024").scenario.events
    shocks = [e for e in events if e.type == "relation_shock"]
    assert shocks and not [e for e in shocks if {"ROK", "JPN"} & set(e.pair)]  # 2025: the US strikes on Iran only
    assert {e.id for e in load_scenario("rok_statements").scenario.events} >= {"rok_review_lethal_aid",
                                                                              "rok_not_ruling_out"}


def test_default_scenario_without_the_rok_statements_meets_its_expectations_but_the_findings():
    result = check(load_scenario("korea_russia_2024"), replicates=20)
    assert failing(result) == FINDINGS["korea_russia_2024"], result.table[~result.table["passed"]].to_string()


@pytest.mark.slow
def test_default_scenario_meets_its_expectations_but_the_findings_at_100_replicates():
    result = check(load_scenario("korea_russia_2024"), replicates=100)
    assert failing(result) == FINDINGS["korea_russia_2024"], result.table[~result.table["passed"]].to_string()


def test_without_alarm_south_koreas_turn_toward_ukraine_is_not_reproduced():
    result = check(load_scenario("korea_russia_2024"), replicates=20, params={"alarm_gain": 0.0})
    row = result.table.set_index("id").loc["rok_ukr_closer"]
    assert not row["passed"]


def test_tension_starts_below_saturation_anchored_and_ordered():
    loaded = load_scenario("korea_russia_2024")
    m = AllianceModel(build_world(loaded.scenario), resolve_params(loaded, {}), [np.random.default_rng(1)])
    t = lambda a, b: m.state.item(0).tension[m.ids.index(a), m.ids.index(b)]  # noqa: E731
    anchors = pd.read_csv(ANCHORS).set_index(["contiguous", "tie_before"])
    hostile_neighbours = anchors.loc[(True, "dispute"), "p_dispute"]
    assert abs(t("PRK", "ROK") - hostile_neighbours) < 0.08
    assert t("CHN", "ROK") < t("PRK", "ROK")
    peace = ~m.state.item(0).at_war & ~np.eye(m.n, dtype=bool)
    assert m.state.item(0).tension[peace].max() < 0.9
    m.run()
    assert t("PRK", "ROK") > hostile_neighbours + 0.05  # the deployment makes it rise visibly
    assert t("CHN", "ROK") < t("PRK", "ROK")


def test_support_flowing_at_the_start_is_not_read_as_new(tmp_path):
    """US aid to Ukraine has flowed since 2022: in the first months of the run it must not alarm
    Russia as if Ukraine's backing had just appeared (it does when relations.support is dropped)."""
    path = tmp_path / "no_support.yaml"
    path.write_text(yaml.safe_dump({"extends": "korea_russia_2024", "name": "no_support",
                                    "relations": {"support": []}}))  # lists are replaced as a whole
    alarms = {}
    for name, loaded in (("with", load_scenario("korea_russia_2024")), ("without", load_scenario(path, root=tmp_path))):
        m = AllianceModel(build_world(loaded.scenario), resolve_params(loaded, {}), [np.random.default_rng(1)])
        for _ in range(3):
            m.step()
        alarms[name] = m.seen.alarm[0, m.ids.index("RUS"), m.ids.index("UKR")]
    assert alarms["with"] < 0.1 < alarms["without"] and alarms["with"] < alarms["without"] / 3, alarms
