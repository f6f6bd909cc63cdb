"""Ctrl-C and SIGTERM stop every long command at once, whatever is running (docs/reliability.md §5).

Each command is started with a fault point (tests/gate.py): its runs wait at a gate that is never
opened, so the command can only exit by abandoning them. The test waits until the runs are held
(a condition, never a duration), signals, and checks the exit code, the message, what was kept,
and that no process of the command is left — in this process, with two worker processes, and on
a Dask cluster for sweeps.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.sweep import SweepSpec
from simulation.sweep.evaluate import ishigami
from simulation.sweep.execute import SHARES, collect, run_sweep
from test_sweep import SPEC as SWEEP_SPEC

pytestmark = pytest.mark.process  # signals, worker processes, a Dask cluster: make test runs them, test-fast not
GATED = Path(__file__).with_name("gated.py")
CLI = [sys.executable, "-m", "alliance_sim"]
BOUND = 180  # seconds: a failure bound for conditions that hold within a second or two


class Gated:
    """A command run by tests/gated.py in a process group of its own, with ``gates`` ($GATE)."""

    def __init__(self, folder: Path, args: list[str], gates: str, env: dict | None = None):
        self.dir = folder / "gate"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([sys.executable, str(GATED), *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=folder,
                                     env=os.environ | (env or {}) | {"GATE": gates, "GATE_DIR": str(self.dir)})

    def held(self, name: str, count: int = 1) -> None:
        """Wait until ``count`` processes hold a call of ``name`` at its gate."""
        end = time.monotonic() + BOUND
        while len(list(self.dir.glob(f"reached-{name}-*"))) < count:
            if self.proc.poll() is not None:
                pytest.fail(f"the command ended (exit {self.proc.returncode}) before its gate: "
                            f"{self.proc.stderr.read()[-3000:]}")
            if time.monotonic() > end:
                pytest.fail(f"no call of {name} reached its gate in {BOUND} s")
            time.sleep(0.02)

    def signal(self, signum: int, group: bool) -> None:
        """``group``: to every process of the command, as a terminal's Ctrl-C; else to the main one, as a scheduler."""
        os.killpg(self.proc.pid, signum) if group else self.proc.send_signal(signum)

    def finish(self) -> tuple[int, str]:
        _, err = self.proc.communicate(timeout=BOUND)
        return self.proc.returncode, err

    def left(self) -> list[str]:
        """The command's processes still alive once it has ended (after they had time to see it)."""
        end = time.monotonic() + BOUND
        while (alive := group_members(self.proc.pid)) and time.monotonic() < end:
            time.sleep(0.05)
        return alive

    def close(self) -> None:
        (self.dir / "release").touch()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def group_members(pgid: int) -> list[str]:
    """Live (not zombie) processes of process group ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{entry.name} {command}")
    return found


@pytest.fixture
def gated(tmp_path):
    commands = []

    def start(args: list[str], gates: str, env: dict | None = None) -> Gated:
        commands.append(Gated(tmp_path, args, gates, env))
        return commands[-1]

    yield start
    for command in commands:
        command.close()


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------- commands
RUN_GATE = "simulation.runner:run_replicates@0"
BACKTEST_GATE = "simulation.backtest.runner:_replicate@0"
COMMANDS = {
    "run": (["run", "korea_russia_2024", "-k", "4", "--until", "2024-09-30", "--out", "out"], RUN_GATE),
    "check": (["check", "korea_russia_2024", "-k", "4"], RUN_GATE),
    "compare": (["compare", "korea_russia_2024", "no_deployment", "-k", "4", "--out", "out"], RUN_GATE),
    "backtest": (["backtest", "--origins", "2000,2001", "--horizons", "1", "-k", "2", "--out", "out"], BACKTEST_GATE),
    "calibrate": (["calibrate", "--origins", "2000,2003,2012", "--horizons", "1", "-k", "1", "--every", "1",
                   "--max-evaluations", "2", "--out", "out"], BACKTEST_GATE),
    "backtest-ties": (["backtest-ties", "--out", "out"], "simulation.backtest.ties:pairs@2"),
}
HELD = {RUN_GATE: "run_replicates", BACKTEST_GATE: "_replicate"}
CASES = [  # (command, workers, signal, to the whole group)
    ("run", 1, signal.SIGINT, True), ("run", 1, signal.SIGTERM, False),
    ("run", 2, signal.SIGINT, True), ("run", 2, signal.SIGTERM, False),
    ("check", 1, signal.SIGINT, True), ("check", 2, signal.SIGTERM, False),
    ("compare", 1, signal.SIGTERM, False), ("compare", 2, signal.SIGINT, True),
    ("backtest", 1, signal.SIGINT, True), ("backtest", 2, signal.SIGTERM, False),
    ("calibrate", 1, signal.SIGTERM, False), ("calibrate", 2, signal.SIGINT, True),
    ("backtest-ties", None, signal.SIGINT, True), ("backtest-ties", None, signal.SIGTERM, False),
]


@pytest.mark.parametrize("command, workers, signum, group", CASES,
                         ids=[f"{c}-{w or 1}-{signal.Signals(s).name}" for c, w, s, _ in CASES])
def test_a_signal_stops_the_command_at_once_and_nothing_is_written(gated, tmp_path, command, workers, signum, group):
    args, gate = COMMANDS[command]
    proc = gated(args + (["--workers", str(workers)] if workers else []), gate)
    proc.held(HELD.get(gate, gate.split(":")[1].split("@")[0]), count=workers or 1)
    proc.signal(signum, group)
    code, err = proc.finish()
    assert code == 128 + signum, err
    said = "interrupted (Ctrl-C)" if signum == signal.SIGINT else "terminated (SIGTERM)"
    assert said in err and "nothing was written" in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate"]  # no result, no temporary folder
    assert proc.left() == []


def test_a_second_ctrl_c_during_the_clean_up_ends_at_once_and_leaves_no_process(gated, tmp_path):
    """The first Ctrl-C is held where the workers are being stopped; the second kills them and ends."""
    args, _ = COMMANDS["run"]
    proc = gated(args + ["--workers", "2"], f"{RUN_GATE} simulation.parallel:_abandon@0")
    proc.held("run_replicates", count=2)
    proc.signal(signal.SIGINT, group=True)
    proc.held("_abandon")
    proc.signal(signal.SIGINT, group=True)
    code, err = proc.finish()
    assert code == 130 and "stopped at once" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate"]
    assert proc.left() == []


def test_analyze_interrupted_leaves_the_sweep_folder_as_it_was(gated, tmp_path):
    pi = 3.141592653589793
    spec = SweepSpec(name="ishigami", design="sobol", samples=64, seed=3,
                     factors={k: {"low": -pi, "high": pi} for k in ("x1", "x2", "x3")})
    folder = tmp_path / "sweep"
    run_sweep(spec, folder, ishigami, None)
    before = hashes(folder)
    proc = gated(["analyze", str(folder)], "viz.sweep_report:build_sweep_report@0")
    proc.held("build_sweep_report")
    proc.signal(signal.SIGINT, group=True)
    code, err = proc.finish()
    assert code == 130 and "is unchanged" in err, err
    assert hashes(folder) == before and proc.left() == []


# ------------------------------------------------------------------------------- sweeps
SPEC = SWEEP_SPEC.replace("samples: 4", "samples: 40")  # 80 runs of two replicates a sample
PASSED = 2  # calls of the evaluator that pass in each process


def runs_per_call(slots: int) -> int:
    """The runs one call of the evaluator gets: 80 runs in at least SHARES batches a slot (batches_of)."""
    return -(-80 // (SHARES * slots))


@pytest.fixture(scope="module")
def sweep_spec(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("gated_sweep")
    (folder / "spec.yaml").write_text(SPEC)
    done = subprocess.run([*CLI, "sweep", str(folder / "spec.yaml"), "--out", str(folder / "reference")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder / "spec.yaml", collect(folder / "reference", None)


CLUSTER = """
import sys
from distributed import LocalCluster
cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()  # until the test closes it
cluster.close()
"""


@pytest.fixture
def dask_scheduler(tmp_path):
    """A Dask LocalCluster whose workers hold the sweep's runs at the same gate, in a process of its
    own: its scheduler unpickles the tasks, and the gates must not reach this test process."""
    pytest.importorskip("distributed")
    gates = tmp_path / "gate"
    gates.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", CLUSTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=os.environ | {"GATE": f"simulation.sweep.evaluate:evaluate_model@{PASSED}",
                                              "GATE_DIR": str(gates), "PYTHONPATH": str(Path(__file__).parent)})
    address = proc.stdout.readline().strip()
    assert address.startswith("tcp://"), address
    yield address
    (gates / "release").touch()  # let the held tasks end before the cluster closes
    proc.stdin.close()
    proc.wait(timeout=BOUND)


@pytest.mark.parametrize("backend, signum", [("here", signal.SIGINT), ("workers", signal.SIGTERM),
                                             ("dask", signal.SIGINT)])
def test_an_interrupted_sweep_keeps_what_finished_and_resumes_to_the_same_results(
        gated, tmp_path, sweep_spec, request, backend, signum):
    spec, reference = sweep_spec
    out = tmp_path / "out"
    extra = {"here": [], "workers": ["--workers", "2"]}.get(backend)
    if extra is None:
        extra = ["--scheduler", request.getfixturevalue("dask_scheduler")]
    proc = gated(["sweep", str(spec), "--out", str(out), *extra], f"simulation.sweep.evaluate:evaluate_model@{PASSED}")
    proc.held("evaluate_model", count=2 if backend == "workers" else 1)
    proc.signal(signum, group=backend == "here")
    code, err = proc.finish()
    assert code == 128 + signum and "continue with --resume" in err, err
    assert proc.left() == []
    kept = collect(out, None)
    assert kept.empty or kept["run_id"].is_unique  # with workers, no result may have come back yet
    if backend == "here":  # exactly the runs that passed the gate
        saved = PASSED * runs_per_call(1)
        assert len(kept) == saved and f"{saved} of 80 runs saved" in err
    else:  # those whose results had come back (two workers or threads: 2 × PASSED calls passed)
        assert len(kept) <= 2 * PASSED * runs_per_call(2)
    resumed = subprocess.run([*CLI, "sweep", str(spec), "--out", str(out), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    final = collect(out, None)
    pd.testing.assert_frame_equal(final.drop(columns="seconds"), reference.drop(columns="seconds"))
