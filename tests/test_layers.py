"""Layers point one way: scenario → world → model → runners → views. A module may import only
from its own layer or the layers below it (checked on the source, so no import can slip in)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# lowest first; a module of layer i may import simulation modules of layers ≤ i only
LAYERS = [
    {"limits", "params", "metrics", "data", "system", "calendar", "mechanisms", "tuning"},
    {"search"},  # finds the partitions the theory of mechanisms/ asks for
    {"scenario", "signed"},  # input files: scenarios, signed edge lists
    {"state", "effects", "events", "world", "statements"},
    {"perception", "agents", "recorder", "model"},
    {"runner", "parallel", "interrupt", "hindcast", "expectations", "compare", "output", "labelled", "sweep"},
    {"validation", "backtest"},  # the model against published results and against what happened
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def imported(path: Path) -> set[str]:
    """The top-level simulation modules a file imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]  # e.g. ("simulation", "scenario")
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for n in ast.walk(block)}  # annotations only: no import at run time
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = ([".".join((*base, node.module))] if node.module
                         else [".".join((*base, a.name)) for a in node.names])
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "simulation" and len(parts) > 1:
                out.add(parts[1])
    return out


SOURCES = sorted(p for p in (ROOT / "simulation").rglob("*.py") if p.parent != ROOT / "simulation"
                 or p.name != "__init__.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    own = path.relative_to(ROOT / "simulation").parts[0].removesuffix(".py")
    assert own in RANK, f"{own} is in no layer: add it to LAYERS"
    upward = {m for m in imported(path) if RANK.get(m, -1) > RANK[own]}
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)} from a higher layer"


def test_views_are_not_imported_by_the_simulation():
    for path in (ROOT / "simulation").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import viz" not in text and "from viz" not in text, path


IMPORTS = """
import ctypes, json, os, sys
calls = []
class Recorder:  # stands in for ctypes.CDLL: any library the import opens, any function it fetches
    def __init__(self, name, *a, **k):
        calls.append(str(name))
    def __getattr__(self, attr):
        calls.append(attr)
        return lambda *a: 0
ctypes.CDLL = Recorder
before = dict(os.environ)
import simulation, simulation.model, simulation.runner, simulation.parallel, simulation.sweep, simulation.compare
import simulation.backtest.runner, simulation.expectations, viz.figures
after = dict(os.environ)
print(json.dumps({"changed": sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)),
                  "calls": calls}))
"""


def test_importing_the_package_changes_nothing_in_the_process():
    """No environment variable, no allocator setting (mallopt) on import: a notebook, EMA Workbench
    or a web app that imports alliance-sim keeps its own process as it was."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    proc = subprocess.run([sys.executable, "-c", IMPORTS], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["changed"] == [] and "mallopt" not in seen["calls"], seen
