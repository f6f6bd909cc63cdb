"""Reliability and security of the outputs and the package (docs/reliability.md).

Outputs are atomic and never replace anything but an earlier alliance-sim result; a run killed
at any point leaves the earlier result or a complete new one; a full disk keeps what was
complete; the same seed gives the same bytes; no code is ever made from data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import cli

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "alliance_sim"]
GATED = Path(__file__).with_name("gated.py")
RUN = [*CLI, "run", "korea_russia_2024", "--no-report", "--until", "2024-09-30"]


RUN_ARGS = RUN[3:]  # the same run, for ``helpers.cli`` in this process


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def complete(folder: Path) -> bool:
    """A result as alliance-sim writes it: a manifest listing files that all exist and read."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return all((folder / name).exists() for name in manifest["files"]) and all(
        len(pd.read_parquet(folder / name)) > 0 for name in manifest["files"] if name.endswith(".parquet"))


@pytest.mark.process
def test_the_same_seed_gives_the_same_bytes_in_two_invocations(tmp_path):
    for name in ("a", "b"):
        assert subprocess.run([*RUN, "-k", "3", "--out", str(tmp_path / name)], capture_output=True).returncode == 0
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")  # tables and manifest


def test_overwrite_never_deletes_a_folder_that_is_not_a_result(tmp_path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    proc = cli(*RUN_ARGS, "--out", str(mine), "--overwrite")
    assert proc.returncode == 2 and "is not an alliance-sim result" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name for p in mine.iterdir()] == ["chapter1.tex"] and (mine / "chapter1.tex").read_text() == "precious"


def killed_at(gate: str, args: list[str], folder: Path) -> None:
    """Run ``alliance-sim ARGS`` with a fault point (tests/gate.py) and SIGKILL its process group
    once a call is held there: the kill lands in that window, whatever the machine's speed."""
    gates = folder / f"gate-{gate.replace(':', '-').replace('/', '-')}"
    gates.mkdir()
    proc = subprocess.Popen([sys.executable, str(GATED), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=os.environ | {"GATE": gate, "GATE_DIR": str(gates)})
    try:
        while not list(gates.glob("reached-*")):
            assert proc.poll() is None, f"ended before the gate {gate}: {proc.stderr.read()[-2000:]}"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


WRITE_POINTS = [  # the windows of a run's life, and what a kill there must leave
    ("simulation.runner:run_replicates@0", "old"),  # computing
    ("simulation.output:_write_table@1", "old"),  # one table written in the temporary folder
    ("viz.report:build_report@0", "old"),  # the report being written
    ("simulation.output:_swap_into_place@0", "old"),  # everything written, not yet in place
    ("simulation.output:_exchange@0/after", "new"),  # in place, the earlier result not yet removed
]


@pytest.mark.process
@pytest.mark.parametrize("gate, expected", WRITE_POINTS, ids=[g.split(":")[1] for g, _ in WRITE_POINTS])
def test_a_run_killed_at_any_point_leaves_the_old_result_or_a_complete_new_one(tmp_path, gate, expected):
    """SIGKILL in each window of an --overwrite run: the folder is the earlier result (same bytes)
    or the new one, complete — never missing, never half-written."""
    out = tmp_path / "result"
    assert subprocess.run([*RUN, "-k", "1", "--out", str(out)], capture_output=True).returncode == 0
    before = hashes(out)
    killed_at(gate, [*RUN[3:], "-k", "4", "--out", str(out), "--overwrite", "--report"], tmp_path)
    assert out.is_dir() and complete(out)
    after = hashes(out)
    replicates = json.loads((out / "manifest.json").read_text())["seeds"]["replicates"]
    assert (after == before) if expected == "old" else (replicates == 4 and "report.html" in after)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".old-")]  # nothing hidden aside


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.process
def test_a_full_disk_is_a_clear_error_and_keeps_the_earlier_result(tmp_path):
    """A file-size limit (RLIMIT_FSIZE) stands in for a full disk: writes fail with an OS error."""
    out = tmp_path / "result"
    assert subprocess.run([*RUN, "-k", "1", "--out", str(out)], capture_output=True).returncode == 0
    before = hashes(out)
    proc = subprocess.run([*RUN, "-k", "6", "--out", str(out), "--overwrite"], capture_output=True, text=True,
                          preexec_fn=_file_size_limit(8_000))
    assert proc.returncode == 2 and "cannot be written" in proc.stderr and "Traceback" not in proc.stderr
    assert "earlier result is unchanged" in proc.stderr
    assert hashes(out) == before and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.process
def test_a_sweep_on_a_full_disk_keeps_the_runs_it_stored(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: full\nscenario: korea_russia_2024\nseed: 1\ndesign: lhs\nsamples: 400\nuntil: 2024-07-31\n"
                    "factors:\n  balance_rate: {low: 0.5, high: 2.0}\n"
                    "outputs:\n  - {name: rus_prk, metric: affinity, pair: [RUS, PRK], at: 2024-07-31}\n")
    # parts of 25 runs (~6.5 kB) fit; the consolidated results of 400 runs (~20 kB) do not
    proc = subprocess.run([*CLI, "sweep", str(spec), "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          preexec_fn=_file_size_limit(10_000))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    parts = list((tmp_path / "out" / "results").glob("part-*.parquet"))
    assert sum(len(pd.read_parquet(p)) for p in parts) == 400  # every run stored, each part whole
    resumed = subprocess.run([*CLI, "sweep", str(spec), "--out", str(tmp_path / "out"), "--resume"],
                             capture_output=True, text=True)
    assert resumed.returncode == 0 and len(pd.read_parquet(tmp_path / "out" / "results.parquet")) == 400


@pytest.mark.parametrize("args, message", [
    (["--out", "{tmp}/afile/sub"], "is a file, not a folder"),
    (["-k", "100000000"], "less than or equal to 10000"),
    (["--set", "k_blocs=inf"], "must be a finite number"),
    (["--bogus"], "No such option: --bogus"),
])
def test_bad_destinations_and_flags_are_one_line_exit_2(tmp_path, args, message):
    (tmp_path / "afile").write_text("x")
    proc = cli(*RUN_ARGS, *[a.format(tmp=tmp_path) for a in args])
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_template_into_a_missing_folder_is_refused(tmp_path):
    proc = cli("template", str(tmp_path / "nowhere" / "x.yaml"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr and not (tmp_path / "nowhere").exists()


def test_no_code_is_made_from_data():
    """No eval/exec/pickle/unsafe YAML anywhere in the package (user input is data only)."""
    pattern = re.compile(r"\b(eval|exec)\s*\(|\bpickle\.loads?\(|yaml\.load\(|yaml\.unsafe_load|"
                         r"yaml\.(full_)?load_all\(|\bLoader\s*=\s*yaml\.(Full)?Loader\b|__import__\(|marshal\.loads")
    offenders = []
    for folder in ("simulation", "viz", "alliance_sim", "scenarios"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_dashboard_listens_on_localhost_unless_told_otherwise():
    proc = cli("dashboard", "--help")
    assert "127.0.0.1" in proc.stdout
    from alliance_sim import cli as module
    import inspect

    assert inspect.signature(module.dashboard_command).parameters["host"].default == "127.0.0.1"


SWEEP = ("name: killed\nscenario: korea_russia_2024\nseed: 3\ndesign: lhs\nsamples: 60\nuntil: 2024-09-30\n"
         "factors:\n  balance_rate: {low: 0.5, high: 2.0}\n"
         "outputs:\n  - {name: rus_prk, metric: affinity, pair: [RUS, PRK], at: 2024-09-30}\n")


@pytest.fixture(scope="module")
def sweep_reference(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("reference")
    (folder / "spec.yaml").write_text(SWEEP)
    assert subprocess.run([*CLI, "sweep", str(folder / "spec.yaml"), "--out", str(folder / "out")],
                          capture_output=True).returncode == 0
    return hashlib.sha256((folder / "out" / "results.parquet").read_bytes()).hexdigest()


SWEEP_POINTS = [
    "simulation.sweep.execute:_atomic_write@0",  # the folder made, its manifest not yet written
    "simulation.sweep.execute:_atomic_write@2",  # manifest and design written, no run stored
    "simulation.sweep.evaluate:evaluate_model@2",  # a part stored (15-run batches, flushed every 25 rows), runs buffered
    "simulation.sweep.execute:consolidate@0",  # every run stored, results.parquet not yet written
]


@pytest.mark.process
@pytest.mark.parametrize("gate", SWEEP_POINTS, ids=["no-manifest", "no-run", "mid-sweep", "unconsolidated"])
def test_a_sweep_killed_at_any_point_resumes_to_the_same_bytes(tmp_path, sweep_reference, gate):
    """SIGKILL to the whole sweep (no chance to save anything) in each window, then --resume:
    every run stored once, results.parquet byte-identical to an uninterrupted sweep's."""
    (tmp_path / "spec.yaml").write_text(SWEEP)
    out = tmp_path / "out"
    killed_at(gate, ["sweep", str(tmp_path / "spec.yaml"), "--out", str(out)], tmp_path)
    assert not (out / "results.parquet").exists()
    if gate.endswith("_atomic_write@2"):  # a sweep folder with no run yet: nothing to analyze, said plainly
        early = cli("analyze", str(out))
        assert early.returncode == 2 and "has no finished runs yet" in early.stderr, early.stderr
    args = [*CLI, "sweep", str(tmp_path / "spec.yaml"), "--out", str(out)]
    resumed = subprocess.run(args + (["--resume"] if (out / "manifest.json").exists() else []),
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert hashlib.sha256((out / "results.parquet").read_bytes()).hexdigest() == sweep_reference
