"""Reliability and security of the outputs and the package (docs/reliability.md).

Outputs are atomic and never replace anything but an earlier alliance-sim result; a run killed
at any point leaves the earlier result or a complete new one; a full disk keeps what was
complete; the same seed gives the same bytes; no code is ever made from data.
"""

from __future__ import annotations

import hashlib
import json
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "alliance_sim"]
RUN = [*CLI, "run", "korea_russia_2024", "--no-report", "--until", "2024-09-30"]


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, **kw)


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def complete(folder: Path) -> bool:
    """A result as alliance-sim writes it: a manifest listing files that all exist and read."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return all((folder / name).exists() for name in manifest["files"]) and all(
        len(pd.read_parquet(folder / name)) > 0 for name in manifest["files"] if name.endswith(".parquet"))


def test_the_same_seed_gives_the_same_bytes_in_two_invocations(tmp_path):
    for name in ("a", "b"):
        assert subprocess.run([*RUN, "-k", "3", "--out", str(tmp_path / name)], capture_output=True).returncode == 0
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")  # tables and manifest


def test_overwrite_never_deletes_a_folder_that_is_not_a_result(tmp_path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    proc = subprocess.run([*RUN, "--out", str(mine), "--overwrite"], capture_output=True, text=True)
    assert proc.returncode == 2 and "is not an alliance-sim result" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name for p in mine.iterdir()] == ["chapter1.tex"] and (mine / "chapter1.tex").read_text() == "precious"


@pytest.mark.parametrize("kill_after", [0.3, 0.8, 1.2, 1.6, 2.0, 2.4, 3.0, 3.6])
def test_a_run_killed_at_any_point_leaves_the_old_result_or_a_complete_new_one(tmp_path, kill_after):
    """SIGKILL at several offsets of an --overwrite run: whenever it lands, the folder is the
    earlier result (same bytes) or the new one, complete — never missing, never half-written."""
    out = tmp_path / "result"
    assert subprocess.run([*RUN, "-k", "1", "--out", str(out)], capture_output=True).returncode == 0
    before = hashes(out)
    proc = subprocess.Popen([*RUN, "-k", "4", "--out", str(out), "--overwrite"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert out.is_dir() and complete(out)
    after = hashes(out)
    replicates = json.loads((out / "manifest.json").read_text())["seeds"]["replicates"]
    assert after == before or replicates == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".old-")]  # nothing hidden aside


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


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
    proc = subprocess.run([*RUN, *[a.format(tmp=tmp_path) for a in args]], capture_output=True, text=True)
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


@pytest.mark.parametrize("kill_after", [0.5, 1.5, 2.5, 3.5, 5.0])
def test_a_sweep_killed_at_any_point_resumes_to_the_same_bytes(tmp_path, sweep_reference, kill_after):
    """SIGKILL to the whole sweep (no chance to save anything) at several offsets, then --resume:
    every run stored once, results.parquet byte-identical to an uninterrupted sweep's."""
    (tmp_path / "spec.yaml").write_text(SWEEP)
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "sweep", str(tmp_path / "spec.yaml"), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        import os

        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    args = [*CLI, "sweep", str(tmp_path / "spec.yaml"), "--out", str(out)]
    resumed = subprocess.run(args + (["--resume"] if (out / "manifest.json").exists() else []),
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert hashlib.sha256((out / "results.parquet").read_bytes()).hexdigest() == sweep_reference
