"""alliance-sim as a model of EMA Workbench 3 (simulation/sweep/ema.py), run by EMA's own
``perform_experiments`` and evaluators: the outcomes equal `alliance-sim sweep` on the same design.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from helpers import cli

from simulation import params as P
from simulation.sweep.design import design
from simulation.sweep.execute import SweepError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import Sample, SequentialEvaluator, perform_experiments

from simulation.sweep.ema import AllianceModel, ema_name, parameter_uncertainties

SPEC = """\
name: ema_test
scenario: korea_russia_2024
seed: 7
design: lhs
samples: 4
replicates: 2
until: 2024-12-31
factors:
  balance_rate: {low: 0.5, high: 2.0}
  events.deploy_main.troops: {low: 0, high: 30000}
outputs:
  - {name: rok_ukr, metric: affinity, pair: [ROK, UKR], at: 2024-12-31}
  - {name: rus_front, metric: front_strength, state: RUS, at: 2024-12-31}
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("ema") / "spec.yaml"
    path.write_text(SPEC)
    return path


def _samples(model) -> list:
    rows = design(model.context.spec).drop(columns="sample_id").to_dict("records")
    return [Sample(**{ema_name(k): int(v) if k.startswith("events.") else float(v) for k, v in r.items()})
            for r in rows]


def test_outcomes_equal_the_sweep_on_the_same_design(spec, tmp_path):
    done = cli("sweep", str(spec), "--out", str(tmp_path / "sweep"))
    assert done.returncode == 0, done.stderr
    results = pd.read_parquet(tmp_path / "sweep" / "results.parquet")
    model = AllianceModel("alliance", spec)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=_samples(model), evaluator=evaluator)
    assert len(experiments) == 4
    for name in ("rok_ukr", "rus_front"):
        sweep = results.pivot(index="sample_id", columns="replicate", values=name).to_numpy()
        assert outcomes[name].shape == (4, 2)
        np.testing.assert_array_equal(outcomes[name], sweep)  # byte for byte: one code path


POOLED = """\
import json, multiprocessing, sys, warnings
warnings.simplefilter("ignore")
from ema_workbench import MultiprocessingEvaluator, Sample, perform_experiments
from simulation.sweep.ema import AllianceModel

if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")  # not fork: the parent has threads (numba, pyarrow)
    spec, points = sys.argv[1], json.loads(sys.argv[2])
    model = AllianceModel("alliance", spec)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        _, outcomes = perform_experiments(model, scenarios=[Sample(**p) for p in points], evaluator=evaluator)
    print(json.dumps({k: v.tolist() for k, v in outcomes.items()}))
"""


def test_emas_own_sampling_and_its_multiprocessing_evaluator(spec, tmp_path):
    """EMA's LHS over the uncertainties; a pool of two processes gives what one process gives."""
    model = AllianceModel("alliance", spec)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=3, evaluator=evaluator)
    assert set(experiments.columns) >= {"balance_rate", "events__deploy_main__troops"}
    assert experiments["balance_rate"].between(0.5, 2.0).all()
    assert np.isfinite(outcomes["rok_ukr"]).all() and outcomes["rok_ukr"].shape == (3, 2)
    points = [{"balance_rate": float(r["balance_rate"]),
               "events__deploy_main__troops": int(r["events__deploy_main__troops"])} for _, r in experiments.iterrows()]
    script = tmp_path / "pooled.py"
    script.write_text(POOLED)
    done = subprocess.run([sys.executable, str(script), str(spec), json.dumps(points)], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    pooled = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_array_equal(np.array(pooled["rok_ukr"]), outcomes["rok_ukr"])


def test_every_model_parameter_is_an_uncertainty_with_its_bounds():
    uncertainties = {u.name: u for u in parameter_uncertainties()}
    for p in P.PARAMETERS.values():
        if p.low < p.high:
            assert (uncertainties[p.name].lower_bound, uncertainties[p.name].upper_bound) == (p.low, p.high)


def test_a_spec_the_model_cannot_take_is_refused(tmp_path):
    path = tmp_path / "levels.yaml"
    path.write_text(SPEC.replace("balance_rate: {low: 0.5, high: 2.0}", "balance_rate: {levels: [0.5, 1.0]}"))
    with pytest.raises(SweepError, match="numeric ranges"):
        AllianceModel("alliance", path)
    independent = tmp_path / "independent.yaml"
    independent.write_text(SPEC + "random_numbers: independent\n")
    with pytest.raises(SweepError, match="random_numbers: common"):
        AllianceModel("alliance", independent)


LEVERS = SPEC.replace("design: lhs\nsamples: 4", "design: grid").replace(
    "  balance_rate: {low: 0.5, high: 2.0}\n  events.deploy_main.troops: {low: 0, high: 30000}\n",
    "  balance_rate: {levels: [0.5, 2.0]}\n  events.deploy_main.enabled: {levels: [true, false]}\n"
    "  variant: {levels: [korea_russia_2024, no_deployment]}\n")


def test_categorical_factors_are_levers_and_every_policy_meets_every_scenario(tmp_path):
    """An event on/off and the variant are EMA levers; EMA's full factorial of scenarios ×
    policies gives, experiment by experiment, the sweep's run with the same values.
    """
    path = tmp_path / "levers.yaml"
    path.write_text(LEVERS)
    done = cli("sweep", str(path), "--out", str(tmp_path / "sweep"))
    assert done.returncode == 0, done.stderr
    results = pd.read_parquet(tmp_path / "sweep" / "results.parquet")
    # the model: balance_rate must be a range for EMA, so give the grid's two values as samples
    ranged = tmp_path / "ranged.yaml"
    ranged.write_text(LEVERS.replace("balance_rate: {levels: [0.5, 2.0]}", "balance_rate: {low: 0.5, high: 2.0}"))
    model = AllianceModel("alliance", ranged)
    assert [u.name for u in model.uncertainties] == ["balance_rate"]
    assert [lever.name for lever in model.levers] == ["events__deploy_main__enabled", "variant"]
    policies = [Sample(name=f"p{i}", events__deploy_main__enabled=on, variant=v)
                for i, (on, v) in enumerate([(True, "korea_russia_2024"), (False, "korea_russia_2024"),
                                             (True, "no_deployment"), (False, "no_deployment")])]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=[Sample(balance_rate=0.5), Sample(balance_rate=2.0)], policies=policies,
            evaluator=evaluator)
    assert len(experiments) == 8
    for i, row in experiments.iterrows():
        same = results[(results["balance_rate"] == row["balance_rate"])
                       & (results["events.deploy_main.enabled"] == row["events__deploy_main__enabled"])
                       & (results["variant"] == row["variant"])].sort_values("replicate")
        np.testing.assert_array_equal(outcomes["rok_ukr"][i], same["rok_ukr"].to_numpy())
    switched = results.groupby(["variant", "events.deploy_main.enabled"])["rus_front"].mean()
    assert switched[("korea_russia_2024", True)] != switched[("korea_russia_2024", False)]


def test_emas_own_lever_sampling_draws_the_levels_written(tmp_path):
    path = tmp_path / "levers.yaml"
    path.write_text(LEVERS.replace("balance_rate: {levels: [0.5, 2.0]}", "balance_rate: {low: 0.5, high: 2.0}"))
    model = AllianceModel("alliance", path)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=1, policies=4, evaluator=evaluator)
    assert set(experiments["variant"]) <= {"korea_russia_2024", "no_deployment"}
    assert set(experiments["events__deploy_main__enabled"]) <= {True, False}
    assert np.isfinite(outcomes["rok_ukr"]).all()
