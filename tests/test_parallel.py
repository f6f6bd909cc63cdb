"""`run`, `check` and `compare` with --workers: every output file is the same bytes for 1 and 2
worker processes (replicate r is seeded by child r of the seed sequence and stacked in order r)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd

from simulation.runner import run

CLI = [sys.executable, "-m", "alliance_sim"]
SHORT = ["--until", "2024-12-31"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600)


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_run_tables_are_identical_with_two_workers():
    one = run("korea_russia_2024", seed=4, replicates=5, until=pd.Timestamp("2024-12-31").date())
    two = run("korea_russia_2024", seed=4, replicates=5, until=pd.Timestamp("2024-12-31").date(), workers=2)
    for name in ("model", "states", "pairs", "events"):
        pd.testing.assert_frame_equal(one.tables[name], two.tables[name], check_exact=True)
    assert one.manifest() == two.manifest()


def test_cli_run_writes_the_same_bytes_with_one_and_two_workers(tmp_path):
    for n in (1, 2):
        proc = cli("run", "korea_russia_2024", "-k", "4", *SHORT, "--workers", str(n), "--out", str(tmp_path / str(n)))
        assert proc.returncode == 0, proc.stderr
    assert hashes(tmp_path / "1") == hashes(tmp_path / "2")
    assert {"report.html", "states.parquet", "manifest.json"} <= set(hashes(tmp_path / "1"))


def test_cli_compare_writes_the_same_bytes_with_one_and_two_workers(tmp_path):
    for n in (1, 2):
        proc = cli("compare", "korea_russia_2024", "no_deployment", "-k", "3", "--workers", str(n),
                   "--out", str(tmp_path / str(n)))
        assert proc.returncode == 0, proc.stderr
    assert hashes(tmp_path / "1") == hashes(tmp_path / "2")


def test_cli_check_prints_the_same_table_with_one_and_two_workers():
    outs = [cli("check", "korea_russia_2024", "-k", "4", "--workers", str(n)) for n in (1, 2)]
    assert outs[0].returncode == outs[1].returncode and outs[0].returncode in (0, 3), outs[0].stderr
    assert outs[0].stdout == outs[1].stdout and "expectation" in outs[0].stdout


def test_workers_must_be_positive():
    proc = cli("run", "korea_russia_2024", "--workers", "0")
    assert proc.returncode == 2 and "--workers" in proc.stderr and "Traceback" not in proc.stderr


def test_automatic_workers_start_only_when_the_rest_would_take_longer_here(monkeypatch):
    """Not asked for a number of workers, the executor keeps small work in this process and hands
    the rest of larger work to worker processes (POOL_START set so that the decision is certain).
    """
    import os

    from helpers import where_run
    from simulation import parallel

    monkeypatch.setattr(parallel, "POOL_START", float("inf"))  # starting workers never pays
    done = list(parallel.results(range(6), where_run, None, workers=None))
    assert sorted(t for t, _ in done) == list(range(6)) and {pid for _, pid in done} == {os.getpid()}
    monkeypatch.setattr(parallel, "POOL_START", 0.0)  # always pays: the first task here, the rest on workers
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    done = list(parallel.results(range(6), where_run, None, workers=None, preload=("helpers",)))
    assert sorted(t for t, _ in done) == list(range(6))
    assert done[0] == (0, os.getpid()) and os.getpid() not in {pid for _, pid in done[1:]}


def test_batches_cut_in_order_and_give_every_worker_work():
    from simulation.parallel import batches

    assert batches(list(range(10)), 4) == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]
    assert batches(list(range(10)), 64, workers=2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert batches([1], 64, workers=4) == [[1]] and batches([], 8) == []
