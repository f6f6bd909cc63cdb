"""Research sweeps: designs, backends (serial, processes, Dask LocalCluster), failures, resume,
and Sobol indices of a function with known indices (Ishigami) through the same machinery."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import cli
from simulation.scenario import ScenarioError
from simulation.sweep import SweepSpec, sweep
from simulation.sweep.analyze import analyze
from simulation.sweep.design import design, expected_runs
from simulation.sweep.evaluate import ishigami
from simulation.sweep.execute import SweepError, collect, run_sweep

SPEC = """\
name: tiny
scenario: korea_russia_2024
seed: 5
design: lhs
samples: 4
replicates: 2
until: 2024-12-31
factors:
  balance_rate: {low: 0.5, high: 2.0}
  events.deploy_main.troops: {low: 0, high: 20000}
outputs:
  - {name: rus_prk, metric: affinity, pair: [RUS, PRK], at: 2024-12-31}
  - {name: strain, metric: manpower_strain, state: UKR, summary: max}
"""
BOOKKEEPING = ["seconds"]


def spec_of(**kw) -> SweepSpec:
    import yaml

    return SweepSpec.model_validate(yaml.safe_load(SPEC) | kw)


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.drop(columns=BOOKKEEPING), b.drop(columns=BOOKKEEPING))


# ------------------------------------------------------------------------------- designs
@pytest.mark.parametrize("kind, size", [("lhs", 7), ("sobol", 8 * (3 + 2)), ("morris", 6 * (3 + 1))])
def test_sampled_designs_have_the_right_size_and_bounds(kind, size):
    samples = {"lhs": 7, "sobol": 8, "morris": 6}[kind]
    spec = SweepSpec(name="d", design=kind, samples=samples, seed=1,
                     factors={"a": {"low": 0, "high": 1.0}, "b": {"low": -5.0, "high": 5.0},
                              "c": {"low": dt.date(2024, 1, 1), "high": dt.date(2024, 12, 31)}})
    frame = design(spec)
    assert len(frame) == size == expected_runs(spec)
    assert frame["a"].between(0, 1).all() and frame["b"].between(-5, 5).all()
    assert frame["c"].map(lambda d: dt.date(2024, 1, 1) <= d <= dt.date(2024, 12, 31)).all()
    assert design(spec).equals(frame)  # seeded: the same design every time


def test_grid_is_the_full_product_and_integers_stay_integers():
    spec = SweepSpec(name="g", design="grid", levels=3, factors={"k_blocs": {"levels": [2, 3]},
                                                                  "balance_rate": {"low": 0.5, "high": 1.5}})
    frame = design(spec)
    assert len(frame) == 6 and set(frame["balance_rate"]) == {0.5, 1.0, 1.5}
    assert frame["k_blocs"].dtype.kind == "i"


def test_lhs_stratifies_each_factor():
    spec = SweepSpec(name="l", design="lhs", samples=10, factors={"a": {"low": 0.0, "high": 1.0}})
    assert sorted((design(spec)["a"] * 10).astype(int)) == list(range(10))


# ------------------------------------------------------------------------------- spec errors
@pytest.mark.parametrize("change, message", [
    ({"factors": {"balance_rat": {"low": 0.5, "high": 1}}}, "unknown factor (did you mean 'balance_rate'?)"),
    ({"factors": {"events.deploy_mian.troops": {"low": 0, "high": 1}}}, "no event 'deploy_mian'"),
    ({"factors": {"balance_rate": {"low": 0.5, "high": 9}}}, "outside the parameter's bounds [0, 5]"),
    ({"factors": {"events.deploy_main.label": {"low": 0, "high": 1}}}, "has no number or date field 'label'"),
    ({"outputs": [{"name": "x", "metric": "afinity", "pair": ["RUS", "PRK"]}]}, "unknown metric 'afinity'"),
    ({"factors": {"events.deploy_main.troops": {"low": -5, "high": 10}}}, "-5: input should be greater than or equal to 0"),
    ({"factors": {"events.deploy_main.date": {"low": dt.date(2020, 1, 1), "high": dt.date(2024, 12, 1)}}},
     "2020-01-01 is outside the calendar of korea_russia_2024"),
    ({"factors": {"events.deploy_main.date": {"low": 0, "high": 5}}}, "values must be dates like the event's"),
    ({"factors": {"events.deploy_main.date": {"low": dt.date(2024, 10, 1), "high": dt.date(2025, 6, 30)}}},
     "factors.events.deploy_main.date: 2025-06-30: the event would then start after it ends"),
    ({"outputs": [{"name": "x", "metric": "affinity", "pair": ["RUS", "RUS"]}]},
     "outputs[0].pair: a pair is two different states (got RUS and RUS)"),
    ({"outputs": [{"name": "x", "metric": "affinity", "pair": ["ROK", "KOR"]}]}, "(got ROK and KOR)"),
])
def test_bad_specs_name_file_line_field(tmp_path, change, message):
    import yaml

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(yaml.safe_load(SPEC) | change))
    with pytest.raises(ScenarioError) as info:
        from simulation.sweep import load_spec

        load_spec(path)
    text = "\n".join(info.value.problems)
    assert message in text and f"{path}:" in text


def test_a_window_without_a_step_reads_the_value_as_of_its_end(tmp_path):
    """As `check` does: a window between two monthly steps (found by the hostile generator) was an IndexError."""
    spec = spec_of(outputs=[{"name": "x", "metric": "global_tension", "window": ["2024-09-05", "2024-09-20"],
                             "summary": "max"},
                            {"name": "y", "metric": "global_tension", "at": "2024-08-31"}], samples=1, replicates=1)
    runs = sweep(spec, tmp_path / "out")
    assert runs["status"].tolist() == ["ok"] and runs["x"].iloc[0] == runs["y"].iloc[0]


@pytest.mark.parametrize("command, message", [
    (["analyze", "{run}"], "{run}: holds the result of `alliance-sim run`, not a sweep"),
    (["analyze", "{spec}"], "{spec}: is a file: expected a sweep folder"),
    (["sweep", "{spec}", "--out", "{run}"], "{run}: holds the result of `alliance-sim run`, not a sweep: choose another --out"),
    (["sweep", "{folder}", "--out", "{folder}/x"], "{folder}: is a folder: expected a sweep spec file"),
    (["sweep", "{scenario}", "--out", "{folder}/x"], "is a scenario (calendar, events, relations, states), not a sweep spec"),
    (["run", "{spec}"], "spec.yaml:1: is a sweep spec (design, factors, outputs, samples), not a scenario"),
    (["check", "{run}"], "{run}: is a folder (it holds an alliance-sim output): expected a scenario file"),
])
def test_a_file_or_folder_of_the_wrong_kind_says_what_was_expected(tmp_path, command, message):
    """Found by a user: `analyze runs/base` (a run's folder) was an internal error."""
    import yaml

    from simulation.scenario import shipped_root

    run = tmp_path / "run"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(yaml.safe_load(SPEC)))
    done = cli("run", "korea_russia_2024", "--until", "2024-07-31", "--no-report", "--out", str(run))
    assert done.returncode == 0, done.stderr
    names = {"run": run, "spec": tmp_path / "spec.yaml", "folder": tmp_path,
             "scenario": shipped_root() / "korea_russia_2024.yaml"}
    proc = cli(*(a.format(**names) for a in command), cwd=tmp_path)
    assert proc.returncode == 2 and message.format(**names) in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_low_must_be_below_high(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("{low: 0.5, high: 2.0}", "{low: 2.0, high: 0.5}"))
    from simulation.sweep import load_spec

    with pytest.raises(ScenarioError, match=r"spec.yaml:9: factors.balance_rate: low must be below high"):
        load_spec(path)


# ------------------------------------------------------------------------------- backends
@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "serial"
    return sweep(spec_of(), out)


def digest(out: Path) -> str:
    import hashlib

    return hashlib.sha256((out / "results.parquet").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def serial_digest(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("sweep") / "serial_again"
    sweep(spec_of(), out)
    return digest(out)


def test_results_have_one_row_per_run_with_factors_seeds_outputs(serial):
    assert list(serial["run_id"]) == list(range(8))
    assert {"balance_rate", "events.deploy_main.troops", "rus_prk", "strain", "status", "seed"} <= set(serial.columns)
    assert (serial["status"] == "ok").all() and serial["rus_prk"].between(-1, 1).all()
    assert serial.loc[1, "seed"] == "SeedSequence(5).spawn_key=(1,)"


@pytest.mark.process
def test_two_workers_give_identical_results_byte_for_byte(serial, serial_digest, tmp_path):
    same(sweep(spec_of(), tmp_path / "pool", workers=2), serial)
    assert digest(tmp_path / "pool") == serial_digest  # results.parquet: the same bytes


@pytest.mark.process
def test_dask_local_cluster_gives_identical_results_byte_for_byte(serial, serial_digest, tmp_path):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        same(sweep(spec_of(), tmp_path / "dask", scheduler=client), serial)
    assert digest(tmp_path / "dask") == serial_digest


def test_two_invocations_give_the_same_bytes(serial_digest, tmp_path):
    sweep(spec_of(), tmp_path / "again")
    assert digest(tmp_path / "again") == serial_digest


def test_replicate_r_is_replicate_r_of_a_cli_run_with_the_same_seed(tmp_path):
    from simulation import run

    spec = spec_of(design="grid", factors={"balance_rate": {"levels": [1.3]}})
    swept = sweep(spec, tmp_path / "grid")
    result = run("korea_russia_2024", seed=5, replicates=2, until=dt.date(2024, 12, 31), params={"balance_rate": 1.3})
    pairs = result.pairs[(result.pairs["a"] == "PRK") & (result.pairs["b"] == "RUS")]
    last = pairs[pairs["date"] == pairs["date"].max()].sort_values("replicate")["affinity"].to_numpy()
    assert swept["rus_prk"].to_numpy() == pytest.approx(last, abs=1e-12)


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path, monkeypatch):
    """A run that raises is stored with its error; its batch is rerun run by run, so the error is
    recorded against the run that raised it (a validated spec cannot make runs fail: the fault is injected)."""
    import simulation.sweep.evaluate as evaluate

    real = evaluate.make_batch

    def fails_with_replicate_1(world, params, seed, keys, until=None):
        if 1 in keys:
            raise ValueError("injected fault")
        return real(world, params, seed, keys, until)

    monkeypatch.setattr(evaluate, "make_batch", fails_with_replicate_1)
    results = sweep(spec_of(samples=3, replicates=2), tmp_path / "fail")
    failed = results[results["status"] == "error"]
    assert len(results) == 6 and failed["replicate"].tolist() == [1, 1, 1]
    assert failed["error"].str.contains("ValueError: injected fault").all() and failed["rus_prk"].isna().all()
    assert results.loc[results["status"] == "ok", "rus_prk"].notna().all()


def test_an_existing_sweep_needs_resume_and_the_same_spec(serial, tmp_path):
    out = tmp_path / "again"
    sweep(spec_of(), out)
    with pytest.raises(SweepError, match="--resume"):
        sweep(spec_of(), out)
    with pytest.raises(SweepError, match="different sweep"):
        sweep(spec_of(seed=6), out, resume=True)
    same(sweep(spec_of(), out, resume=True), serial)


# ------------------------------------------------------------------------------- a worker killed
def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                children.append(int(entry.name))
    return children


@pytest.fixture(scope="module")
def long_spec(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("long")
    spec = folder / "spec.yaml"
    spec.write_text(SPEC.replace("samples: 4", "samples: 40").replace("until: 2024-12-31\n", ""))
    reference = sweep(spec, folder / "reference", workers=2)
    return spec, reference


@pytest.mark.process
def test_killed_worker_then_resume_stores_every_run_once(long_spec, tmp_path):
    """Deterministic: the workers hold their fourth batch at a gate (tests/gate.py) until the test
    has killed one of them."""
    spec, reference = long_spec
    out, gates = tmp_path / "killed", tmp_path / "gate"
    gates.mkdir()
    env = os.environ | {"GATE": "simulation.sweep.evaluate:evaluate_model@3", "GATE_DIR": str(gates)}
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("gated.py")), "sweep", str(spec),
                             "--out", str(out), "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        while len(list(gates.glob("reached-*"))) < 2:  # both workers hold a batch
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.02)
        # the pool's workers are the forkserver's children (the resource tracker is the sweep's own child)
        workers = [w for child in _children(proc.pid) for w in _children(child)]
        os.kill(workers[-1], signal.SIGKILL)
        assert proc.wait(timeout=120) == 130 and "worker process died" in proc.stderr.read()
    finally:
        (gates / "release").touch()
        proc.kill()
    assert collect(out, None)["run_id"].is_unique
    resumed = cli("sweep", str(spec), "--out", str(out), "--resume", "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    final = collect(out, None)
    assert final["run_id"].is_unique
    same(final, reference)


# ------------------------------------------------------------------------------- analysis
def test_sobol_indices_of_ishigami_are_right(tmp_path):
    """Ishigami (a = 7, b = 0.1): S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244) (Saltelli et al. 2008)."""
    pi = float(np.pi)
    spec = SweepSpec(name="ishigami", design="sobol", samples=1024, seed=3,
                     factors={k: {"low": -pi, "high": pi} for k in ("x1", "x2", "x3")})
    run_sweep(spec, tmp_path / "ishigami", ishigami, None, flush_every=5000)
    idx = analyze(tmp_path / "ishigami").indices.set_index(["factor", "index"])["value"]
    expected = {("x1", "S1"): 0.314, ("x2", "S1"): 0.442, ("x3", "S1"): 0.0,
                ("x1", "ST"): 0.558, ("x2", "ST"): 0.442, ("x3", "ST"): 0.244}
    for key, value in expected.items():
        assert idx[key] == pytest.approx(value, abs=0.05), key


def test_rbd_fast_first_order_indices_of_ishigami_from_a_latin_hypercube(tmp_path):
    pi = float(np.pi)
    spec = SweepSpec(name="lhs", design="lhs", samples=2000, seed=4,
                     factors={k: {"low": -pi, "high": pi} for k in ("x1", "x2", "x3")})
    run_sweep(spec, tmp_path / "lhs", ishigami, None, flush_every=5000)
    result = analyze(tmp_path / "lhs")
    s1 = result.indices.set_index("factor")["value"]
    assert set(result.indices["method"]) == {"rbd_fast"} and "RBD-FAST" in result.note
    for factor, value in {"x1": 0.314, "x2": 0.442, "x3": 0.0}.items():
        assert s1[factor] == pytest.approx(value, abs=0.05), factor


def test_a_latin_hypercube_too_small_for_indices_says_why(tmp_path):
    """16 samples: RBD-FAST needs 20, so no indices, and the note says so (not "see the response
    curves", which only a grid has).
    """
    pi = float(np.pi)
    spec = SweepSpec(name="few", design="lhs", samples=16, seed=4,
                     factors={k: {"low": -pi, "high": pi} for k in ("x1", "x2", "x3")})
    run_sweep(spec, tmp_path / "few", ishigami, None, flush_every=5000)
    result = analyze(tmp_path / "few")
    assert result.indices.empty and result.response is None
    assert "16 complete samples, RBD-FAST needs at least 20" in result.note and "response curves" not in result.note


def test_morris_with_a_date_factor(tmp_path):
    """Date factors reach SALib as day numbers."""
    spec = SweepSpec(name="mdate", design="morris", samples=6, levels=4, seed=2,
                     factors={"x1": {"low": -3.0, "high": 3.0}, "x2": {"low": -3.0, "high": 3.0},
                              "x3": {"low": dt.date(2024, 1, 1), "high": dt.date(2024, 1, 7)}})

    def evaluator(context, tasks):
        return ishigami(context, [dataclasses.replace(task, factors=dict(
            task.factors, x3=float(task.factors["x3"].toordinal() - dt.date(2024, 1, 1).toordinal()) / 2))
            for task in tasks])

    run_sweep(spec, tmp_path / "md", evaluator, None)
    mu = analyze(tmp_path / "md").indices.query("index == 'mu_star'").set_index("factor")["value"]
    assert mu.notna().all() and mu["x3"] > 0


def test_morris_ranks_ishigami_factors(tmp_path):
    pi = float(np.pi)
    spec = SweepSpec(name="morris", design="morris", samples=50, levels=4, seed=2,
                     factors={k: {"low": -pi, "high": pi} for k in ("x1", "x2", "x3")})
    run_sweep(spec, tmp_path / "m", ishigami, None)
    mu = analyze(tmp_path / "m").indices.query("index == 'mu_star'").set_index("factor")["value"]
    assert mu["x3"] > 0 and mu["x1"] > mu["x3"] / 10 and mu.notna().all()


def test_analyze_cli_writes_indices_and_an_offline_report(serial, tmp_path):
    import re

    spec = spec_of(design="sobol", samples=4, replicates=1)
    out = tmp_path / "sob"
    sweep(spec, out)
    proc = cli("analyze", str(out))
    assert proc.returncode == 0, proc.stderr
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["index"]) == {"S1", "ST"} and set(indices["output"]) == {"rus_prk", "strain"}
    html = (out / "analysis.html").read_text()
    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup) and "Sensitivity of rus_prk" in html
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec_sha256"] and manifest["seeds"]["seed"] == 5
    first = indices[(indices["output"] == "rus_prk") & (indices["factor"] == "balance_rate")].set_index("index")
    row = re.search(r"rus_prk\s+│\s+balance_rate\s+│\s+(\S+) ± (\S+)\s+│\s+(\S+) ± (\S+)", proc.stdout)
    assert row, proc.stdout  # one row per output and factor: S1 ± conf, ST ± conf
    assert [float(v) for v in row.groups()] == pytest.approx(
        [first.loc["S1", "value"], first.loc["S1", "conf"], first.loc["ST", "value"], first.loc["ST", "conf"]], abs=5e-4)


def test_sweep_cli_bad_spec_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SPEC.replace("design: lhs", "design: factorial"))
    proc = cli("sweep", str(path), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "bad.yaml:4: design: must be one of" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


@pytest.mark.process  # waits out the client's connection timeout
def test_an_unreachable_scheduler_is_a_clear_error_and_writes_nothing(tmp_path):
    from simulation.sweep.execute import connect

    with pytest.raises(SweepError, match=r"--scheduler tcp://127.0.0.1:9: cannot reach a Dask scheduler"):
        connect("tcp://127.0.0.1:9", timeout="1s")
    result = cli("sweep", "--out", str(tmp_path / "x"),
                             "--scheduler", "tcp://127.0.0.1:9", str(Path(__file__).parents[1] / "scenarios" /
                                                                     "sweeps" / "small.yaml"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot reach a Dask scheduler" in result.stderr and not (tmp_path / "x").exists()


def test_recorder_series_equals_the_tables_for_every_kind_of_metric():
    """The sweep reads outputs straight from the recorder's arrays; they must equal the tables'."""
    from simulation import load_scenario
    from simulation import params as P
    from simulation.statements import series
    from simulation.model import AllianceModel
    from simulation.world import build_world

    sc = load_scenario("korea_russia_2024").scenario
    model = AllianceModel(build_world(sc), P.resolve(sc.parameters), [np.random.default_rng(3)]).run()
    tables = model.recorder.item(0).tables(0)
    cases = [("model", "energy", None, None), ("model", "tension_korean_peninsula", None, None),
             ("state", "manpower_strain", "UKR", None), ("state", "front_strength", "RUS", None)]
    cases += [("pair", m, None, pair) for m in ("affinity", "tension", "flow_ab", "flow_ba")
              for pair in (["RUS", "PRK"], ["PRK", "RUS"], ["USA", "UKR"], ["CHN", "IRN"])]
    for kind, metric, state, pair in cases:
        expected = series(tables, metric, kind, state, pair)[0]
        got = model.recorder.item(0).series(kind, metric, state, pair)
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy(), err_msg=f"{metric} {state} {pair}")
        assert list(got.index) == list(expected.index)
    assert model.recorder.item(0).series("pair", "flow_ab", pair=["PRK", "RUS"]).abs().sum() > 0  # arms flowed


@pytest.mark.parametrize("output, message", [
    ({"name": "x", "metric": "manpower", "state": "FRA"}, "state 'FRA' is not in this scenario's states"),
    ({"name": "x", "metric": "affinity", "state": "RUS"}, "this metric needs a pair"),
    ({"name": "x", "metric": "coalition", "pair": ["RUS", "PRK"]}, "'coalition' is a label, not a number"),
    ({"name": "x", "metric": "affinity", "pair": ["RUS", "PRK"], "summary": "change"},
     "summary: change needs a window"),
])
def test_bad_outputs_are_named(tmp_path, output, message):
    import yaml

    from simulation.sweep import load_spec

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(yaml.safe_load(SPEC) | {"outputs": [output]}))
    with pytest.raises(ScenarioError, match=message):
        load_spec(path)


def test_series_are_stored_per_output_and_agree_with_the_outputs(tmp_path):
    from simulation.sweep import read_series

    out = tmp_path / "series"
    results = sweep(spec_of(series=True, samples=3), out, workers=2)
    assert sorted(p.name for p in (out / "series").iterdir()) == ["output=rus_prk", "output=strain"]
    steps = read_series(out)
    assert set(steps["output"]) == {"rus_prk", "strain"}
    per_run = steps.groupby(["output", "run_id"]).size()
    assert per_run.nunique() == 1 and len(per_run) == 2 * len(results)  # every run, every step, once
    strain = read_series(out, "strain").groupby("run_id")["value"].max()
    np.testing.assert_allclose(strain.sort_index().to_numpy(), results.sort_values("run_id")["strain"].to_numpy())
    last = read_series(out, "rus_prk").sort_values("date").groupby("run_id")["value"].last()
    np.testing.assert_allclose(last.sort_index().to_numpy(), results.sort_values("run_id")["rus_prk"].to_numpy())


def test_resume_drops_series_of_runs_whose_results_were_never_written(tmp_path):
    from simulation.sweep import read_series

    out = tmp_path / "orphans"
    sweep(spec_of(series=True, samples=2), out)
    parts = sorted((out / "results").glob("part-*.parquet"))
    parts[-1].unlink()  # as if killed after writing the series and before the results
    sweep(spec_of(series=True, samples=2), out, resume=True)
    assert read_series(out).groupby(["output", "run_id", "date"]).size().max() == 1
    assert len(read_series(out)["run_id"].unique()) == 4


@pytest.mark.process
def test_independent_random_numbers_differ_between_samples_and_not_between_backends(tmp_path):
    twin = {"balance_rate": {"levels": [1.3, 1.3]}}  # two samples with the same factor value
    common = sweep(spec_of(design="grid", factors=twin, replicates=1), tmp_path / "common")
    assert common.loc[0, "rus_prk"] == common.loc[1, "rus_prk"]  # same seed, same values: same run
    spec = spec_of(design="grid", factors=twin, replicates=2, random_numbers="independent")
    alone = sweep(spec, tmp_path / "independent")
    assert alone["rus_prk"].nunique() == 4 and list(alone["seed"]) == [f"SeedSequence(5).spawn_key=({i},)"
                                                                        for i in range(4)]
    same(sweep(spec, tmp_path / "independent2", workers=2), alone)
    manifest = json.loads((tmp_path / "independent" / "manifest.json").read_text())
    assert manifest["seeds"]["random_numbers"] == "independent"


def test_scatter_panels_draw_a_sample_of_a_large_sweep_but_bin_all_of_it():
    from viz.sweep_report import MAX_POINTS, factor_scatter

    rng = np.random.default_rng(0)
    means = pd.DataFrame({"a": rng.uniform(0, 1, 5000), "b": rng.uniform(0, 1, 5000)})
    means["y"] = means["a"] ** 2
    fig = factor_scatter(means, ["a", "b"], "y")
    points = [t for t in fig.data if t.mode == "markers"]
    lines = [t for t in fig.data if t.mode == "lines"]
    assert all(len(t.x) == MAX_POINTS for t in points) and "500 of 5,000 samples drawn" in fig.layout.title.text
    assert lines[0].y[-1] == pytest.approx(means["y"][means["a"] >= means["a"].quantile(0.9)].mean())


# ------------------------------------------------------------------------------- dose–response
def test_change_output_is_the_end_value_minus_the_start_value(tmp_path):
    from simulation import load_scenario, run

    spec = spec_of(design="grid", replicates=1, factors={"balance_rate": {"levels": [1.0]}},
                   outputs=[{"name": "gain", "metric": "affinity", "pair": ["ROK", "UKR"], "summary": "change",
                             "window": [dt.date(2024, 7, 31), dt.date(2024, 11, 30)]}])
    stored = sweep(spec, tmp_path / "c")
    pairs = run(load_scenario("korea_russia_2024"), seed=5, replicates=1, until=dt.date(2024, 12, 31)).pairs
    series = pairs[(pairs["a"] == "ROK") & (pairs["b"] == "UKR")].set_index("date")["affinity"]
    expected = series.loc["2024-11-30"] - series.loc["2024-07-31"]
    assert stored["gain"].iloc[0] == pytest.approx(expected)


def test_a_grid_gives_dose_response_curves_in_the_table_terminal_and_report(tmp_path):
    import re

    spec = spec_of(design="grid", replicates=3, factors={"events.deploy_main.troops": {"levels": [0, 30000]}},
                   outputs=[{"name": "experience", "metric": "experience", "state": "PRK", "at": dt.date(2024, 12, 31)},
                            {"name": "rus_prk", "metric": "affinity", "pair": ["RUS", "PRK"], "at": dt.date(2024, 12, 31)}])
    out = tmp_path / "dose"
    sweep(spec, out)
    proc = cli("analyze", str(out))
    assert proc.returncode == 0, proc.stderr
    curves = pd.read_csv(out / "response.csv")
    assert set(curves["level"]) == {0, 30000} and set(curves["runs"]) == {3}
    exp = curves[curves["output"] == "experience"].set_index("level")
    assert exp.loc[30000, "median"] > exp.loc[0, "median"]
    assert (exp["p05"] <= exp["median"]).all() and (exp["median"] <= exp["p95"]).all()
    row = re.search(r"experience\s+│\s+(\S+)\s+│\s+(\S+)", proc.stdout)
    assert row and [float(v) for v in row.groups()] == pytest.approx(list(exp["median"]), abs=5e-4)
    html = (out / "analysis.html").read_text()
    assert "Dose–response" in html and "Response to events.deploy_main.troops" in html


def test_the_shipped_dose_spec_is_valid_and_sweeps_the_main_deployment():
    from simulation.scenario import shipped_root
    from simulation.sweep import load_spec

    spec, loaded = load_spec(shipped_root() / "sweeps" / "deployment_dose.yaml")
    assert spec.design == "grid" and list(spec.factors) == ["events.deploy_main.troops"]
    assert 0 in spec.factors["events.deploy_main.troops"].levels and loaded.scenario.name == "korea_russia_2024"
    assert {o.name for o in spec.outputs} >= {"rok_ukr_gain", "rok_usa_depth", "jpn_usa_depth", "prk_rok_tension",
                                              "rus_front_jan25"}
