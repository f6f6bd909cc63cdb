"""Expectations in sweeps (issue 29, item 4): a sweep records, run by run, whether each named
expectation of its scenario holds — ``check``'s own rule — and ``discover --where ID`` finds the
region of the factors where it does.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from helpers import cli

from simulation.runner import run
from simulation.scenario import load_scenario
from simulation.statements import passes

SPEC = """\
name: claims
scenario: korea_russia_2024
seed: 9
design: grid
replicates: 6
factors:
  balance_rate: {levels: [0.3, 1.0]}
expectations: [rok_ukr_closer, rus_prk_rises, blocs_rus_prk]
outputs:
  - {name: rok_ukr_gain, metric: affinity, pair: [ROK, UKR], summary: change, window: [2024-09-30, 2025-06-30]}
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    (folder / "spec.yaml").write_text(SPEC)
    done = cli("sweep", str(folder / "spec.yaml"), "--out", str(folder / "out"))
    assert done.returncode == 0, done.stderr
    return folder, pd.read_parquet(folder / "out" / "results.parquet")


def test_each_run_records_whether_each_expectation_holds_as_check_reads_it(swept):
    _, results = swept
    sc = load_scenario("korea_russia_2024").scenario
    expectations = {e.id: e for e in sc.expectations}
    for rate in (0.3, 1.0):
        alone = run("korea_russia_2024", seed=9, replicates=6, params={"balance_rate": rate})
        rows = results[results["balance_rate"] == rate].sort_values("replicate")
        for eid in ("rok_ukr_closer", "rus_prk_rises", "blocs_rus_prk"):
            flags, _ = passes(alone.tables, expectations[eid], sc)
            np.testing.assert_array_equal(rows[eid].to_numpy(), flags.astype(float), err_msg=f"{eid} at {rate}")
    assert set(np.unique(results[["rok_ukr_closer", "blocs_rus_prk"]].to_numpy())) <= {0.0, 1.0}


def test_discover_takes_an_expectation_id_as_its_condition(swept):
    folder, results = swept
    done = cli("discover", str(folder / "out"), "--where", "rok_ukr_closer")
    if results["rok_ukr_closer"].nunique() == 1:  # holds in every run or none: refused with one line
        assert done.returncode == 2 and "rok_ukr_closer" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    share = results["rok_ukr_closer"].mean()
    assert f"rok_ukr_closer: holds in {int(results['rok_ukr_closer'].sum())} of {len(results)} runs" in done.stdout
    assert 0 < share < 1
    both = cli("discover", str(folder / "out"), "--where", "rok_ukr_closer and rok_ukr_gain > -1")
    assert both.returncode == 0, both.stderr


def test_analyze_treats_an_expectation_as_an_output(swept):
    folder, _ = swept
    done = cli("analyze", str(folder / "out"))
    assert done.returncode == 0, done.stderr
    curves = pd.read_csv(folder / "out" / "response.csv")
    assert {"rok_ukr_closer", "rus_prk_rises", "blocs_rus_prk", "rok_ukr_gain"} <= set(curves["output"])


@pytest.mark.parametrize(("line", "message"), [
    ("expectations: [rok_ukr_closr]", "spec.yaml:8: expectations[0]: no expectation 'rok_ukr_closr' in "
                                      "korea_russia_2024 (did you mean 'rok_ukr_closer'?)"),
    ("expectations: [rok_ukr_gain]", "expectations[0]: 'rok_ukr_gain' is a column of the results already"),
    ("expectations: [rok_ukr_closer]\nuntil: 2025-03-31", "'rok_ukr_closer' is measured up to 2025-06-30, after "
                                                          "until (2025-03-31)"),
])
def test_bad_expectations_name_file_line_field(tmp_path, line, message):
    (tmp_path / "spec.yaml").write_text(SPEC.replace("expectations: [rok_ukr_closer, rus_prk_rises, blocs_rus_prk]",
                                                     line).replace("rok_ukr_gain, metric", "rok_ukr_gain, metric"))
    done = cli("sweep", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


def test_an_expectation_about_a_variant_and_its_base_is_refused(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC.replace("scenario: korea_russia_2024", "scenario: no_deployment")
                                        .replace("[rok_ukr_closer, rus_prk_rises, blocs_rus_prk]", "[VERSUS]"))
    sc = load_scenario("no_deployment").scenario
    versus = next((e.id for e in sc.expectations if e.versus_base), None)
    if versus is None:
        pytest.skip("no_deployment has no versus_base expectation")
    (tmp_path / "spec.yaml").write_text((tmp_path / "spec.yaml").read_text().replace("VERSUS", versus))
    done = cli("sweep", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "compares a variant with its base" in done.stderr, done.stderr


def test_the_ema_model_has_each_expectation_as_an_outcome(tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import Sample, SequentialEvaluator, perform_experiments
    from simulation.sweep.ema import AllianceModel

    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("balance_rate: {levels: [0.3, 1.0]}", "balance_rate: {low: 0.3, high: 1.0}")
                    .replace("replicates: 6", "replicates: 2"))
    model = AllianceModel("alliance", path)
    assert [o.name for o in model.outcomes] == ["rok_ukr_gain", "rok_ukr_closer", "rus_prk_rises", "blocs_rus_prk"]
    with SequentialEvaluator(model) as evaluator:
        _, outcomes = perform_experiments(model, scenarios=[Sample(balance_rate=0.3)], evaluator=evaluator)
    assert set(np.unique(outcomes["blocs_rus_prk"])) <= {0.0, 1.0} and outcomes["rok_ukr_closer"].shape == (1, 2)
