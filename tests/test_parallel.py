"""`run`, `check` and `compare` with --workers: every output file is the same bytes for 1 and 2
worker processes (replicate r is seeded by child r of the seed sequence and stacked in order r)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import helpers
from simulation.runner import run

CLI = [sys.executable, "-m", "alliance_sim"]
SHORT = ["--until", "2024-12-31"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600)


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.process
def test_run_tables_are_identical_with_two_workers():
    one = run("korea_russia_2024", seed=4, replicates=5, until=pd.Timestamp("2024-12-31").date())
    two = run("korea_russia_2024", seed=4, replicates=5, until=pd.Timestamp("2024-12-31").date(), workers=2)
    for name in ("model", "states", "pairs", "events"):
        pd.testing.assert_frame_equal(one.tables[name], two.tables[name], check_exact=True)
    assert one.manifest() == two.manifest()


@pytest.mark.process
def test_cli_run_writes_the_same_bytes_with_one_and_two_workers(tmp_path):
    for n in (1, 2):
        proc = cli("run", "korea_russia_2024", "-k", "4", *SHORT, "--workers", str(n), "--out", str(tmp_path / str(n)))
        assert proc.returncode == 0, proc.stderr
    assert hashes(tmp_path / "1") == hashes(tmp_path / "2")
    assert {"report.html", "states.parquet", "manifest.json"} <= set(hashes(tmp_path / "1"))


@pytest.mark.process
def test_cli_compare_writes_the_same_bytes_with_one_and_two_workers(tmp_path):
    for n in (1, 2):
        proc = cli("compare", "korea_russia_2024", "no_deployment", "-k", "3", "--workers", str(n),
                   "--out", str(tmp_path / str(n)))
        assert proc.returncode == 0, proc.stderr
    assert hashes(tmp_path / "1") == hashes(tmp_path / "2")


@pytest.mark.process
def test_cli_check_prints_the_same_table_with_one_and_two_workers():
    outs = [cli("check", "korea_russia_2024", "-k", "4", "--workers", str(n)) for n in (1, 2)]
    assert outs[0].returncode == outs[1].returncode and outs[0].returncode in (0, 3), outs[0].stderr
    assert outs[0].stdout == outs[1].stdout and "expectation" in outs[0].stdout


def test_workers_must_be_positive():
    proc = helpers.cli("run", "korea_russia_2024", "--workers", "0")
    assert proc.returncode == 2 and "--workers" in proc.stderr and "Traceback" not in proc.stderr


def test_workers_start_only_when_the_rest_would_take_longer_here():
    """The automatic choice is a function of what was measured, nothing else (POOL_START = 2 s)."""
    from simulation.parallel import pays

    assert not pays(elapsed=1.0, done=1, total=2, workers=2)  # 1 s left: never worth 2 s of start-up
    assert pays(elapsed=1.0, done=1, total=10, workers=2)  # 9 s left: 4.5 s saved on two workers
    assert not pays(elapsed=1.0, done=1, total=10, workers=1)  # one core: never
    assert not pays(elapsed=0.4, done=2, total=10, workers=2) and pays(elapsed=0.4, done=2, total=30, workers=2)
    assert not pays(elapsed=5.0, done=5, total=5, workers=4)  # nothing left


@pytest.mark.process
def test_automatic_hands_the_rest_to_workers_once_they_pay():
    """With a clock that says each task takes 10 s, the first task runs here and the rest on
    workers; with one that says no time passes, everything stays here."""
    from helpers import where_run
    from simulation.parallel import automatic

    ticks = iter(range(0, 1000, 10))
    done = list(automatic(list(range(6)), where_run, None, 2, ("helpers",), clock=lambda: next(ticks)))
    assert sorted(t for t, _ in done) == list(range(6))
    assert done[0] == (0, os.getpid()) and os.getpid() not in {pid for _, pid in done[1:]}
    done = list(automatic(list(range(6)), where_run, None, 2, (), clock=lambda: 0.0))
    assert [t for t, _ in done] == list(range(6)) and {pid for _, pid in done} == {os.getpid()}


def test_the_default_number_of_workers_comes_from_the_environment(monkeypatch):
    from simulation.parallel import default_workers

    monkeypatch.setenv("ALLIANCE_SIM_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.delenv("ALLIANCE_SIM_WORKERS")
    assert default_workers() is None
    monkeypatch.setenv("ALLIANCE_SIM_WORKERS", "two")
    with pytest.raises(ValueError, match="ALLIANCE_SIM_WORKERS=two: must be a whole number"):
        default_workers()
    proc = helpers.cli("run", "korea_russia_2024", "--until", "2024-07-31", env={"ALLIANCE_SIM_WORKERS": "0"})
    assert proc.returncode == 2 and "ALLIANCE_SIM_WORKERS=0" in proc.stderr and "Traceback" not in proc.stderr


def test_batches_cut_in_order_and_give_every_worker_work():
    from simulation.parallel import batches

    assert batches(list(range(10)), 4) == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]
    assert batches(list(range(10)), 64, workers=2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert batches([1], 64, workers=4) == [[1]] and batches([], 8) == []
