"""Seconds from Ctrl-C (or SIGTERM) to the shell prompt, for every long command (printed, never
asserted; the goal is 3 s, docs/reliability.md §5).

    python benchmarks/interrupt.py [--repeats 3]

Each command runs with a fault point (tests/gate.py) that holds its runs, in this process or on
two worker processes, so the signal always lands while runs are in flight (on Dask, the client
only cancels its futures: tests/test_interrupt.py); the last case has no gate: a world-scale
ensemble (195 states) on two workers, signalled once its workers have computed for a second.
Medians over the repeats.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_interrupt import COMMANDS, GATED, HELD, SPEC, group_members  # noqa: E402

PYTHON = sys.executable


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out += [int(entry.name), *descendants(int(entry.name))]
            except (OSError, ValueError, IndexError):
                pass
    return out


def latency(args: list[str], gate: str | None, held: str, count: int, signum: int,
            env: dict | None = None) -> tuple[float, float]:
    """Start the command, wait until ``count`` runs are held (or, without a gate, until its workers
    have computed for ``count`` seconds), signal it; the seconds until it has exited, and until the
    last of its processes (the forkserver, the resource tracker, the workers) has."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        gates = folder / "gate"
        gates.mkdir()
        command = [PYTHON, str(GATED), *args] if gate else [PYTHON, "-m", "alliance_sim", *args]
        proc = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, env=os.environ | (env or {}) | {
                                    "GATE": gate or "", "GATE_DIR": str(gates), "PYTHONPATH": str(ROOT / "tests")})
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{args[0]} ended before it was signalled: {proc.stderr.read()[-1000:]}")
            if gate and len(list(gates.glob(f"reached-{held}-*"))) >= count:
                break
            workers = [p for p in descendants(proc.pid) if p != proc.pid]
            if not gate and sum(cpu_seconds(p) for p in workers if Path(f"/proc/{p}").exists()) > count:
                break
            time.sleep(0.01)
        start = time.perf_counter()
        os.killpg(proc.pid, signum) if signum == signal.SIGINT else proc.send_signal(signum)
        proc.wait()
        seconds = time.perf_counter() - start
        (gates / "release").touch()
        while group_members(proc.pid):
            if time.perf_counter() - start > 60:
                os.killpg(proc.pid, signal.SIGKILL)
                raise RuntimeError(f"{args[0]} left processes: {group_members(proc.pid)}")
            time.sleep(0.005)
        return seconds, time.perf_counter() - start


def cases(folder: Path) -> list[tuple[str, list[str], str | None, str, int, int]]:
    spec = folder / "spec.yaml"
    spec.write_text(SPEC)
    sweep_gate = "simulation.sweep.evaluate:evaluate_model@3"
    out = []
    for name, (args, gate) in COMMANDS.items():
        held = HELD.get(gate, gate.split(":")[1].split("@")[0])
        for workers in ((1, 2) if name != "backtest-ties" else (None,)):
            extra = ["--workers", str(workers)] if workers else []
            out.append((f"{name} ({workers or 1} process{'es' if workers == 2 else ''})", args + extra, gate, held,
                        workers or 1, signal.SIGINT))
    for workers in (1, 2):
        out.append((f"sweep ({workers} process{'es' * (workers > 1)})",
                    ["sweep", str(spec), "--out", "out", "--workers", str(workers)], sweep_gate, "evaluate_model",
                    workers, signal.SIGINT))
    out.append(("run, SIGTERM to the main process (2 processes)", COMMANDS["run"][0] + ["--workers", "2"],
                COMMANDS["run"][1], "run_replicates", 2, signal.SIGTERM))
    out.append(("run world_2024 -k 8, no gate (2 processes)",
                ["run", "world_2024", "-k", "8", "--workers", "2", "--no-report", "--out", "out"], None, "", 1,
                signal.SIGINT))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as folder:
        table = cases(Path(folder))
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in table}
        for _ in range(repeats):  # interleaved: noise hits every case alike
            for name, args, gate, held, count, signum in table:
                times[name].append(latency(args, gate, held, count, signum))
    width = max(map(len, times))
    print(f"seconds from the signal, median of {repeats} (goal: the prompt within 3 s)")
    print(f"  {'command':{width}}  {'prompt':>7} {'(max)':>7}  {'no process left':>15}")
    for name, values in times.items():
        prompt, gone = [v[0] for v in values], [v[1] for v in values]
        print(f"  {name:{width}}  {statistics.median(prompt):7.3f} {max(prompt):7.3f}  {statistics.median(gone):15.3f}")
    print(f"slowest median to the prompt: {max(statistics.median([v[0] for v in x]) for x in times.values()):.3f} s")


if __name__ == "__main__":
    main()
