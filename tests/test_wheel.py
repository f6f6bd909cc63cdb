"""The built wheel, installed into a fresh virtual environment outside the source tree.

What a researcher does who installs the package instead of cloning it: `pip install` the wheel,
then, from a folder of their own, run the default scenario, check it, sweep a spec of their own
that names a shipped scenario, sweep a shipped spec by name, backtest two origins, and start the
dashboard, whose plotly.js comes from the installed ``plotly`` package. Nothing may come from the
source tree: the test proves that the code and the data run are the installed ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.process]
SPEC = """\
name: mine
scenario: korea_russia_2024
seed: 3
design: lhs
samples: 2
replicates: 1
until: 2024-09-30
factors:
  balance_rate: {low: 0.5, high: 2.0}
outputs:
  - {name: rus_prk, metric: affinity, pair: [RUS, PRK], at: 2024-09-30}
"""


def _run(args: list, cwd: Path, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the fresh environment's bin folder, a working folder outside the source tree, its environment)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    built = _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--quiet", "-w", str(base / "dist")],
                 base, env)
    assert built.returncode == 0, built.stderr
    assert "absent from the `packages` configuration" not in built.stderr  # no setuptools warnings
    wheel = next((base / "dist").glob("alliance_sim-*.whl"))
    venv = base / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], base, env).returncode == 0
    bin_ = venv / "bin"
    done = _run([str(bin_ / "python"), "-m", "pip", "install", "--quiet", str(wheel)], base, env, timeout=1800)
    assert done.returncode == 0, done.stderr
    work = base / "work"
    work.mkdir()
    env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"
    return bin_, work, env


def test_the_installed_code_and_data_are_used_not_the_source_tree(installed):
    bin_, work, env = installed
    where = _run([str(bin_ / "python"), "-c", "import simulation, scenarios, viz; "
                  "print(simulation.__file__, scenarios.__file__, viz.__file__)"], work, env)
    assert where.returncode == 0, where.stderr
    assert all(str(ROOT) not in p and "site-packages" in p for p in where.stdout.split())
    version = _run([str(bin_ / "alliance-sim"), "--version"], work, env)
    assert version.returncode == 0 and version.stdout.strip() == "alliance-sim 0.1.0"


def test_run_and_check_the_default_scenario(installed):
    bin_, work, env = installed
    run = _run([str(bin_ / "alliance-sim"), "run", "korea_russia_2024", "-k", "2", "--out", "r"], work, env)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((work / "r" / "manifest.json").read_text())
    assert manifest["version"] == "0.1.0"
    assert (work / "r" / "report.html").stat().st_size > 1_000_000  # plotly.js inlined: offline
    check = _run([str(bin_ / "alliance-sim"), "check", "korea_russia_2024", "-k", "2"], work, env)
    assert check.returncode in (0, 3), check.stderr  # 3: the findings (docs/calibration.md §4)
    assert "Against what happened" in check.stdout


def test_sweeps_a_spec_of_ones_own_and_a_shipped_one_by_name(installed):
    bin_, work, env = installed
    (work / "mine.yaml").write_text(SPEC)
    mine = _run([str(bin_ / "alliance-sim"), "sweep", "mine.yaml", "--out", "s"], work, env)
    assert mine.returncode == 0, mine.stderr
    assert {"design.parquet", "results.parquet", "manifest.json"} <= {p.name for p in (work / "s").iterdir()}
    wrong = _run([str(bin_ / "alliance-sim"), "sweep", "smal", "--out", "t"], work, env)
    assert wrong.returncode == 2 and "did you mean small?" in wrong.stderr


def test_backtest_on_two_origins(installed):
    bin_, work, env = installed
    done = _run([str(bin_ / "alliance-sim"), "backtest", "--origins", "2010:2011", "--horizons", "1", "-k", "1",
                 "--out", "b", "--no-report"], work, env)
    assert done.returncode == 0, done.stderr
    assert (work / "b" / "manifest.json").is_file()


def test_the_dashboard_serves_plotly_from_the_installed_package(installed):
    bin_, work, env = installed
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(bin_ / "alliance-sim"), "dashboard", "--port", str(port)], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 180  # one bound for the condition below, not a wait
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.5)  # polling for the port to open
        with urllib.request.urlopen(url + "static/assets/plotly.min.js", timeout=30) as r:
            assert r.status == 200 and len(r.read()) > 1_000_000
        with urllib.request.urlopen(url + "static/assets/world_110m.json", timeout=30) as r:  # the map's outlines
            assert r.status == 200 and len(json.loads(r.read())["features"]) == 176
    finally:
        proc.terminate()
        proc.wait(timeout=30)
