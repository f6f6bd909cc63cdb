"""Hostile input never crashes, exhausts or writes: a generator of damaged files and flags.

Every case must end with exit code 0 or 2 (never 1, never a traceback), write nothing on exit 2,
and stay within bounded memory. The fast profile (``make test``) runs about 600 cases; the long
profile, ``make test-hostile`` (``HOSTILE_PROFILE=long``), 12,000 or more.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import MINIMAL
from hostile import (BASE_EDGES, BASE_HINDCAST, BASE_SCENARIO, BASE_SPEC, HINDCAST_KEYS, LARGEST, damaged_document,
                     damaged_text, extends_trick, huge_or_deep, invoke, plausible_spec, write)

LONG = os.environ.get("HOSTILE_PROFILE") == "long"
CASES = {"scenario": 2500, "text": 2500, "huge": 600, "extends": 600, "spec": 2000, "plausible": 1000, "edges": 1500,
         "flags": 1500, "upload": 1000, "hindcast": 2000} if LONG else \
        {"scenario": 120, "text": 120, "huge": 25, "extends": 40, "spec": 100, "plausible": 60, "edges": 80, "flags": 40,
         "upload": 60, "hindcast": 80}
SLOWEST: dict[str, float] = {}


def profile(family: str):
    return settings(max_examples=CASES[family], deadline=None, derandomize=not LONG, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


def outcome(family: str, *args: str) -> tuple[int, str]:
    start = time.perf_counter()
    code, out, err = invoke(*args)
    SLOWEST[family] = max(SLOWEST.get(family, 0.0), time.perf_counter() - start)
    assert code in (0, 2), (code, args, err[-2000:])
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    return code, err


@pytest.fixture
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@profile("scenario")
@given(text=damaged_document(BASE_SCENARIO))
def test_damaged_scenarios_are_refused_cleanly(folder, text):
    path = write(folder, "mini.yaml", text)
    code, err = outcome("scenario", "validate", str(path))
    if code == 2:
        assert err.startswith("error: ") and str(path.name) in err


@profile("hindcast")
@given(text=damaged_document(BASE_HINDCAST, within=("expectations", "observed"), keys=tuple(HINDCAST_KEYS)))
def test_damaged_observed_outcomes_are_refused_cleanly_or_scored(folder, text):
    """The same damage to ``expectations:`` (with ``reality:``) and ``observed:``: refused with
    file:line, or, when it still validates, scored without an error (what validates must run)."""
    from simulation import hindcast, load_scenario
    from simulation.runner import run

    path = write(folder, "mini.yaml", text)
    code, err = outcome("hindcast", "validate", str(path))
    if code == 2:
        assert err.startswith("error: ") and str(path.name) in err
        return
    loaded = load_scenario(path)
    table = hindcast.score(run(loaded, replicates=1).tables, loaded.scenario)
    assert len(table) == len(loaded.scenario.observed)
    hindcast.summary(table)


@profile("text")
@given(text=damaged_text(MINIMAL))
def test_junk_in_the_text_is_refused_cleanly(folder, text):
    outcome("text", "validate", str(write(folder, "mini.yaml", text)))


@profile("huge")
@given(text=huge_or_deep(kinds=("bomb", "deep", "recursive", "wide")))
def test_bombs_and_deep_documents_are_refused_before_they_cost_memory(folder, text):
    code, err = outcome("huge", "validate", str(write(folder, "big.yaml", text)))
    assert code == 2


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=huge_or_deep(kinds=("long",)))
def test_long_legal_values_are_accepted(folder, text):
    assert outcome("huge", "validate", str(write(folder, "long.yaml", text)))[0] == 0


@profile("extends")
@given(trick=extends_trick())
def test_extends_never_leaves_the_folder_nor_echoes_another_file(folder, trick):
    target, text = trick
    secret = write(folder, "secret.yaml", "name: secret\ntitle: SECRET-TOKEN-123\nseed: SECRET-TOKEN-123\n")
    link = folder / "mine" / "secret_link.yaml"
    link.parent.mkdir(exist_ok=True)
    if not link.exists():
        link.symlink_to(secret)
    code, err = outcome("extends", "validate", str(write(folder, "mine/v.yaml", text)))
    assert "SECRET-TOKEN-123" not in err
    if target not in ("korea_russia_2024", "no_deployment"):
        assert code == 2


@profile("spec")
@given(text=damaged_document(BASE_SPEC))
def test_damaged_sweep_specs_are_refused_before_anything_is_written(folder, text):
    from simulation.scenario import ScenarioError
    from simulation.sweep import load_spec

    write(folder, "mini.yaml", MINIMAL)
    path = write(folder, "spec.yaml", text)
    start = time.perf_counter()
    try:
        spec, _ = load_spec(path)
    except ScenarioError as exc:
        assert all(line.split(":")[0].endswith(".yaml") for line in exc.problems), exc.problems
    SLOWEST["spec"] = max(SLOWEST.get("spec", 0.0), time.perf_counter() - start)
    assert sorted(p.name for p in folder.iterdir()) == ["mini.yaml", "spec.yaml"]


@profile("plausible")
@given(doc=plausible_spec())
def test_a_spec_that_validates_never_fails_at_run_time(folder, doc):
    """What validates must run: a run error that is really a validation error (a pair of one state,
    an event moved past its own end) must be caught at validation with its file:line."""
    import yaml

    from simulation.scenario import ScenarioError
    from simulation.sweep import load_spec
    from simulation.sweep.evaluate import ModelContext, evaluate_model
    from simulation.sweep.execute import collect, run_sweep

    path = write(folder, "spec.yaml", yaml.safe_dump({k: v for k, v in doc.items() if v is not None}, sort_keys=False))
    try:
        spec, loaded = load_spec(path)
    except ScenarioError:
        return
    out = Path(tempfile.mkdtemp(dir=folder)) / "out"  # one folder per example (the fixture's is shared)
    run_sweep(spec, out, evaluate_model, ModelContext(spec, loaded.scenario))
    runs = collect(out, spec)
    assert (runs["status"] == "ok").all(), runs.loc[runs["status"] != "ok", "error"].iloc[0]


@profile("edges")
@given(text=damaged_text(BASE_EDGES) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_damaged_edge_lists_are_refused_cleanly(folder, text):
    outcome("edges", "blocs", str(write(folder, "edges.csv", text)), "--seconds", "86400")  # the clock never cuts a search short


FLAGS = st.lists(st.sampled_from([
    ["--seed", "-1"], ["--seed", "x"], ["--seed", str(2**70)], ["-k", "0"], ["-k", "-3"], ["-k", "2.5"],
    ["-k", str(10**20)], ["--until", "2023-01-01"], ["--until", "2099-01-01"], ["--until", "2024-02-30"],
    ["--until", "x"], ["--set", "k_blocs=inf"], ["--set", "balance_rate=nan"], ["--set", "balance_rate=9"],
    ["--set", "nosuch=1"], ["--set", "=1"], ["--set", "balance_rate"], ["--format", "xls"], ["--format", "csv"],
    ["--network-date", "1999-01-01"], ["--bogus"], ["--overwrite"], ["-k"], ["--out"], ["--until", "2024-02-15"],
]), min_size=1, max_size=3)


@profile("flags")
@given(flags=FLAGS)
def test_bad_flags_are_refused_and_nothing_is_written(folder, flags):
    write(folder, "mini.yaml", MINIMAL)
    out = folder / "out"
    args = [a for flag in flags for a in flag]
    if "--until" not in args:
        args += ["--until", "2024-02-15"]  # keep the valid cases short
    if "-k" in args and args.index("-k") + 1 < len(args) and args[args.index("-k") + 1].isdigit():
        if int(args[args.index("-k") + 1]) > 3:
            args[args.index("-k") + 1] = "3"
    with contextlib.chdir(folder):  # a flag may take the next one as its value (--out --bogus): stay here
        before = sorted(p.name for p in folder.iterdir())
        code, err = outcome("flags", "run", str(folder / "mini.yaml"), "--out", str(out), "--no-report", *args)
        if code == 2:
            assert sorted(p.name for p in folder.iterdir()) == before and len(err.strip().splitlines()) <= 30
        for made in set(p.name for p in folder.iterdir()) - set(before):
            shutil.rmtree(folder / made)


@profile("upload")
@given(text=damaged_document(BASE_SCENARIO) | damaged_text(MINIMAL) | huge_or_deep(),
       name=st.sampled_from(["a.yaml", "../../x.yaml", "", "\x00.yaml", "x" * 300, "C:\\a.yaml"]))
def test_dashboard_uploads_are_refused_cleanly(text, name):
    from simulation.scenario import ScenarioError
    from viz.session import load_upload

    start = time.perf_counter()
    try:
        load_upload(name, text.encode("utf-8", "surrogatepass"))
    except ScenarioError as exc:
        assert exc.problems
    SLOWEST["upload"] = max(SLOWEST.get("upload", 0.0), time.perf_counter() - start)


@pytest.fixture(scope="module", autouse=True)
def report_the_slowest_cases():
    """Print the slowest case of each family (a report, not a test: the machine's speed decides nothing)."""
    yield
    print(f"\nhostile cases: {sum(CASES.values()):,}; slowest case per family: "
          f"{', '.join(f'{k} {v:.2f} s' for k, v in sorted(SLOWEST.items()))}")


MEMORY = """
import resource, sys
from hostile import invoke
invoke("validate", sys.argv[1])  # imports and one ordinary file first: the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[2:]:
    code, _, err = invoke("validate", path)
    assert code in (0, 2) and "Traceback" not in err, (path, code, err[-500:])
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.process
def test_the_largest_hostile_documents_stay_within_bounded_memory(tmp_path):
    """In a process of its own (no earlier test's peak can hide its own): the largest alias bomb,
    deepest nesting, widest list and longest value the generator makes, validated one after the
    other, raise the peak memory by less than 128 MB (measured: 9 MB; one alias bomb let through takes gigabytes)."""
    files = [str(write(tmp_path, f"{kind}.yaml", text)) for kind, text in LARGEST.items()]
    proc = subprocess.run([sys.executable, "-c", MEMORY, str(write(tmp_path, "mini.yaml", MINIMAL)), *files],
                          capture_output=True, text=True, cwd=Path(__file__).parent,
                          env=os.environ | {"PYTHONPATH": str(Path(__file__).parent)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    grown_mb = int(proc.stdout.split()[-1])
    print(f"\npeak memory grew by {grown_mb} MB over the largest hostile documents")
    assert grown_mb < 128
