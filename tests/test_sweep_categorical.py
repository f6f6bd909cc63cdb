"""Categorical sweep factors (issue 29, item 5): an event switched on or off
(``events.<id>.enabled``) and the scenario picked among variants (``variant``), in grid, Latin
hypercube, Sobol and Morris designs, with the encoding docs/sweeps.md states (level ⌊u⌋, u uniform
on [0, k)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import cli

from simulation.sweep import SweepSpec, sweep
from simulation.sweep.analyze import analyze
from simulation.sweep.design import design
from simulation.sweep.execute import run_sweep

SPEC = """\
name: categorical
scenario: korea_russia_2024
seed: 11
design: grid
replicates: 2
until: 2025-03-31
factors:
  events.deploy_main.enabled: {levels: [true, false]}
  variant: {levels: [korea_russia_2024, without_main.yaml]}
outputs:
  - {name: rus_front, metric: front_strength, state: RUS, at: 2025-01-31}
  - {name: rok_ukr, metric: affinity, pair: [ROK, UKR], at: 2025-03-31}
"""
WITHOUT_MAIN = """\
extends: korea_russia_2024
name: without_main
description: the default scenario without the main DPRK deployment of October 2024 (a test variant)
remove_events: [deploy_main]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("categorical")
    (folder / "spec.yaml").write_text(SPEC)
    (folder / "without_main.yaml").write_text(WITHOUT_MAIN)
    done = cli("sweep", str(folder / "spec.yaml"), "--out", str(folder / "out"), "--workers", "2")
    assert done.returncode == 0, done.stderr
    return folder, pd.read_parquet(folder / "out" / "results.parquet")


def _outputs(results, on, variant):
    rows = results[(results["events.deploy_main.enabled"] == on) & (results["variant"] == variant)]
    return rows.sort_values("replicate")[["rus_front", "rok_ukr"]].to_numpy()


def test_a_grid_takes_every_level_and_stores_them_as_written(swept):
    _, results = swept
    assert len(results) == 8 and (results["status"] == "ok").all()
    assert results["events.deploy_main.enabled"].dtype == bool
    assert set(zip(results["events.deploy_main.enabled"], results["variant"])) == {
        (True, "korea_russia_2024"), (False, "korea_russia_2024"), (True, "without_main.yaml"),
        (False, "without_main.yaml")}


def test_switching_an_event_off_is_the_scenario_without_it(swept):
    """Off in the base = the variant that removes it, run for run (the same seeds); on and off differ."""
    _, results = swept
    off = _outputs(results, False, "korea_russia_2024")
    np.testing.assert_array_equal(off, _outputs(results, True, "without_main.yaml"))
    np.testing.assert_array_equal(off, _outputs(results, False, "without_main.yaml"))  # a knob of a removed event
    assert not np.array_equal(off, _outputs(results, True, "korea_russia_2024"))


def test_a_variant_run_is_the_run_of_that_variant_alone(swept):
    from simulation import run

    folder, results = swept
    alone = run(str(folder / "without_main.yaml"), seed=11, replicates=2, until=pd.Timestamp("2025-03-31").date())
    front = alone.states[(alone.states["state"] == "RUS") & (alone.states["date"] <= pd.Timestamp("2025-01-31"))]
    last = front[front["date"] == front["date"].max()].sort_values("replicate")["front_strength"].to_numpy()
    assert _outputs(results, True, "without_main.yaml")[:, 0] == pytest.approx(last, abs=1e-12)


def test_the_manifest_records_every_variant_with_its_hash(swept):
    import json

    folder, _ = swept
    manifest = json.loads((folder / "out" / "manifest.json").read_text())
    variants = manifest["variants"]
    assert set(variants) == {"korea_russia_2024", "without_main.yaml"}
    assert variants["without_main.yaml"]["name"] == "without_main" and len(variants["without_main.yaml"]["sha256"]) == 64


def test_analyze_draws_the_response_to_each_level(swept, tmp_path):
    folder, _ = swept
    done = cli("analyze", str(folder / "out"))
    assert done.returncode == 0, done.stderr
    curves = pd.read_csv(folder / "out" / "response.csv")
    levels = set(curves[curves["factor"] == "variant"]["level"])
    assert levels == {"korea_russia_2024", "without_main.yaml"}
    assert "Response to variant" in (folder / "out" / "analysis.html").read_text()


def _categorical_spec(design_name: str, samples: int) -> SweepSpec:
    return SweepSpec(name="encoding", design=design_name, samples=samples, seed=4,
                     factors={"x": {"low": 0.0, "high": 1.0}, "events.flag.enabled": {"levels": [False, True]},
                              "variant": {"levels": ["a", "b", "c"]}})


def test_lhs_draws_each_level_equally_often():
    """u uniform on [0, k) stratified in `samples` strata: each of k levels exactly samples / k times."""
    frame = design(_categorical_spec("lhs", 60))
    assert frame["events.flag.enabled"].value_counts().to_dict() == {False: 30, True: 30}
    assert frame["variant"].value_counts().to_dict() == {"a": 20, "b": 20, "c": 20}
    assert frame["x"].between(0, 1).all()


@pytest.mark.parametrize("design_name", ["sobol", "morris"])
def test_sampled_designs_give_only_levels_written(design_name):
    frame = design(_categorical_spec(design_name, 16))
    assert set(frame["events.flag.enabled"]) == {False, True} and set(frame["variant"]) == {"a", "b", "c"}


def _known(context, tasks):
    """y = x + 3·flag + {a: 0, b: 0, c: 1}[variant]: Var = 1/12 + 9/4 + 2/9, so S1 = (0.033, 0.881, 0.087)."""
    out = []
    for task in tasks:
        f = task.factors
        y = f["x"] + 3.0 * bool(f["events.flag.enabled"]) + {"a": 0.0, "b": 0.0, "c": 1.0}[f["variant"]]
        out.append(({"run_id": task.run_id, "sample_id": task.sample_id, "replicate": task.replicate, "seed": "",
                     **f, "y": y, "status": "ok", "error": "", "seconds": 0.0}, None))
    return out


def test_sobol_indices_of_categorical_factors_are_right(tmp_path):
    total = 1 / 12 + 9 / 4 + 2 / 9
    run_sweep(_categorical_spec("sobol", 1024), tmp_path / "known", _known, None, flush_every=10_000)
    idx = analyze(tmp_path / "known").indices.set_index(["factor", "index"])["value"]
    for factor, part in (("x", 1 / 12), ("events.flag.enabled", 9 / 4), ("variant", 2 / 9)):
        assert idx[(factor, "S1")] == pytest.approx(part / total, abs=0.05), factor
        assert idx[(factor, "ST")] == pytest.approx(part / total, abs=0.05), factor


def test_morris_and_rbd_fast_read_categorical_factors(tmp_path):
    run_sweep(_categorical_spec("morris", 20), tmp_path / "morris", _known, None)
    mu = analyze(tmp_path / "morris").indices.query("index == 'mu_star'").set_index("factor")["value"]
    assert mu["events.flag.enabled"] > mu["variant"] > 0 and mu["events.flag.enabled"] > mu["x"]
    run_sweep(_categorical_spec("lhs", 200), tmp_path / "lhs", _known, None)
    s1 = analyze(tmp_path / "lhs").indices.set_index("factor")["value"]
    assert s1["events.flag.enabled"] == pytest.approx(9 / 4 / (1 / 12 + 9 / 4 + 2 / 9), abs=0.1)


BAD = [
    ("  events.deploy_main.enabled: {levels: [true, false]}", "  balance_rate: {levels: [true, false]}",
     "spec.yaml:8: factors.balance_rate: true/false levels are for the categorical factors"),
    ("  events.deploy_main.enabled: {levels: [true, false]}", "  events.deploy_main.enabled: {levels: [1, 0]}",
     "spec.yaml:8: factors.events.deploy_main.enabled: levels must be true and/or false"),
    ("  events.deploy_main.enabled: {levels: [true, false]}", "  events.deploy_mian.enabled: {levels: [false]}",
     "factors.events.deploy_mian.enabled: no event 'deploy_mian' in korea_russia_2024 (did you mean 'deploy_main'?)"),
    ("without_main.yaml]", "nowhere]", "spec.yaml:9: factors.variant: nowhere: no such scenario file"),
    ("without_main.yaml]", "korea_russia_2024]", "spec.yaml:9: factors.variant: a level is given twice"),
    ("without_main.yaml]", "broken.yaml]", "broken.yaml:5: events[0].source: required field is missing"),
    ("  variant: {levels: [korea_russia_2024, without_main.yaml]}", "  variant: {levels: [1, 2]}",
     "spec.yaml:9: factors.variant: levels must be scenario names"),
    ("  events.deploy_main.enabled: {levels: [true, false]}", "  events.deploy_main.enabled: {low: false, high: true}",
     "spec.yaml:8: factors.events.deploy_main.enabled.low: must be a number (got false)"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_bad_categorical_factors_name_file_line_field(tmp_path, old, new, message):
    (tmp_path / "spec.yaml").write_text(SPEC.replace(old, new))
    (tmp_path / "without_main.yaml").write_text(WITHOUT_MAIN)
    (tmp_path / "broken.yaml").write_text(WITHOUT_MAIN.replace("remove_events: [deploy_main]\n", "events:\n")
                                          + "  - {id: x, type: summit, date: 2025-01-01, states: [RUS, PRK]}\n")
    done = cli("sweep", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_the_python_api_takes_categorical_factors(tmp_path):
    spec = SweepSpec(name="api", scenario="korea_russia_2024", design="grid", replicates=1, seed=2,
                     until="2024-12-31", factors={"variant": {"levels": ["korea_russia_2024", "no_deployment"]}},
                     outputs=[{"name": "rus_prk", "metric": "affinity", "pair": ["RUS", "PRK"]}])
    results = sweep(spec, tmp_path / "api")
    assert list(results["variant"]) == ["korea_russia_2024", "no_deployment"]
    assert results["rus_prk"].nunique() == 2


def test_a_stored_spec_reads_back_as_it_was_dates_and_levels_alike():
    """The manifest stores the spec as JSON (dates as ISO strings): read back, a date level is a date
    again, not a name, and a variant's names stay names.
    """
    spec = SweepSpec(name="roundtrip", design="grid", seed=1,
                     factors={"events.deploy_main.date": {"levels": ["2024-10-01", "2024-11-01"]},
                              "events.deploy_main.enabled": {"levels": [True, False]},
                              "variant": {"levels": ["korea_russia_2024", "no_deployment"]}})
    back = SweepSpec.model_validate(spec.model_dump(mode="json"))
    assert back == spec and not back.factors["events.deploy_main.date"].categorical
    assert str(design(back)["events.deploy_main.date"].iloc[0]) == "2024-10-01"
