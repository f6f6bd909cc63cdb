"""Run a sweep: local processes or a Dask cluster, streamed to Parquet, resumable.

Results stream to ``OUT/results/part-*.parquet`` (one row per run) as runs finish, a few dozen
rows per file, each file written to a temporary name and renamed: memory does not grow with
the number of runs, and a killed sweep leaves only whole files. ``--resume`` reads the run ids
already stored and runs the rest, so every run is stored exactly once. A run that raises is
stored with its error and the sweep goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .. import interrupt, parallel
from ..runner import package_version, platform_info
from .design import design, expected_runs
from .evaluate import Task, factor_value
from .spec import SweepSpec

MANIFEST = "manifest.json"


class SweepError(ValueError):
    """Bad sweep input or folder (exit code 2)."""


class SweepInterrupted(RuntimeError):
    """Stopped early (Ctrl-C, SIGTERM, a dead worker); what finished is saved. ``code``: the exit code."""

    def __init__(self, message: str, code: int = 130):
        super().__init__(message)
        self.code = code


@dataclass
class SweepSummary:
    out: Path
    total: int
    done_before: int
    ran: int = 0
    failed: int = 0
    seconds: float = 0.0
    parts: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------- the store
def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    write_files(path.parent, {path.name: write})


def write_files(folder: Path, writers: dict[str, Callable[[Path], None]]) -> None:
    """Write several files of ``folder`` as a set: each to a temporary name, then all renamed in
    one go that a signal waits for; stopped before, none of them is changed.
    """
    folder = Path(folder)
    temporary = {name: folder / f".{name}.tmp" for name in writers}
    renamed = False
    try:
        for name, write in writers.items():
            write(temporary[name])
        with interrupt.deferred():
            for name, path in temporary.items():
                os.replace(path, folder / name)
            renamed = True
    except BaseException as exc:
        if renamed:  # a signal that waited for the renames: the files are complete
            exc.written = folder
        for path in temporary.values():
            path.unlink(missing_ok=True)
        raise


def read_results(out: Path) -> pd.DataFrame:
    """Every stored row of a sweep folder (empty frame if none)."""
    parts = sorted((out / "results").glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()


def read_series(out: Path, output: str | None = None) -> pd.DataFrame:
    """The per-step series of a sweep run with ``series: true`` (one output, or all):
    columns run_id, date, output, value.
    """
    root = Path(out) / "series"
    folders = [root / f"output={output}"] if output else sorted(root.glob("output=*"))
    frames = [pd.read_parquet(p).assign(output=folder.name.split("=", 1)[1])
              for folder in folders for p in sorted(folder.glob("part-*.parquet"))]
    columns = ["run_id", "date", "output", "value"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def done_run_ids(out: Path) -> set[int]:
    ids: set[int] = set()
    for part in (out / "results").glob("part-*.parquet"):
        ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
    return ids


def _manifest(spec: SweepSpec, total: int, extra: dict) -> dict:
    return {"package": "alliance-sim", "version": package_version(), "command": "sweep", "sweep": spec.name,
            "spec": spec.model_dump(mode="json"), "spec_sha256": spec.digest(), "runs": total,
            "seeds": {"seed": spec.seed, "random_numbers": spec.random_numbers, "scheme": (
                "run (sample s, replicate r) uses SeedSequence(seed, spawn_key=(r,)): replicate r of "
                "`alliance-sim run --seed seed`; samples share random numbers" if spec.random_numbers == "common" else
                "run i uses SeedSequence(seed, spawn_key=(i,)): every run its own random numbers")},
            "platform": platform_info()} | extra


def _drop_orphan_series(out: Path) -> None:
    """Series parts whose results part was never written (killed in between) would repeat runs."""
    finished = {p.name for p in (out / "results").glob("part-*.parquet")}
    for part in (out / "series").glob("output=*/part-*.parquet"):
        if part.name not in finished:
            part.unlink()


def read_manifest(out: Path) -> dict:
    """The manifest of a sweep folder; :class:`SweepError` saying what ``out`` is when it is not one."""
    if Path(out).is_file():
        raise SweepError(f"{out}: is a file: expected a sweep folder (the --out of `alliance-sim sweep`)")
    try:
        stored = json.loads((Path(out) / MANIFEST).read_text())
    except FileNotFoundError:
        raise SweepError(f"{out}: not a sweep folder (no {MANIFEST}; expected the --out of `alliance-sim sweep`)") \
            from None
    except (OSError, ValueError) as exc:
        raise SweepError(f"{out}/{MANIFEST}: cannot be read ({exc})") from None
    if not isinstance(stored, dict) or "spec" not in stored:
        what = f"the result of `alliance-sim {stored.get('command', 'run')}`" if isinstance(stored, dict) and \
            stored.get("package") == "alliance-sim" else "another program's output"
        raise SweepError(f"{out}: holds {what}, not a sweep")
    return stored


def check_folder(out: Path, spec: SweepSpec, resume: bool) -> bool:
    """Whether ``out`` holds this sweep already (resume it); raise :class:`SweepError` if it cannot be used."""
    if (Path(out) / MANIFEST).exists():
        try:
            stored = read_manifest(out)
        except SweepError as exc:
            raise SweepError(f"{exc}: choose another --out") from None
        if not resume:
            raise SweepError(f"{out}: holds a sweep already (use --resume to continue it, or another --out)")
        if stored.get("spec_sha256") != spec.digest():
            raise SweepError(f"{out}: holds a different sweep ({stored.get('sweep')}, spec changed): "
                             "resume needs the same spec")
        return True
    if Path(out).exists() and (not Path(out).is_dir() or any(p for p in Path(out).iterdir()
                                                            if not p.name.startswith(f".{MANIFEST}"))):
        raise SweepError(f"{out}: exists and is not a sweep folder")
    return False


def prepare(out: Path, spec: SweepSpec, resume: bool, extra: dict) -> set[int]:
    """Create or reopen the sweep folder; return the run ids already stored. The design is built
    before the folder is created, so a design that cannot be built leaves nothing behind.
    """
    if check_folder(out, spec, resume):
        _drop_orphan_series(out)
        return done_run_ids(out)
    table = design(spec).map(factor_value)
    total = expected_runs(spec)
    out.mkdir(parents=True, exist_ok=True)  # killed from here on, the folder is empty or a resumable sweep
    _atomic_write(out / MANIFEST, lambda p: p.write_text(json.dumps(_manifest(spec, total, extra), indent=2,
                                                                     default=str)))
    (out / "results").mkdir(exist_ok=True)
    _atomic_write(out / "design.parquet", lambda p: table.to_parquet(p, index=False))
    return set()


class _Writer:
    """Buffers finished runs and writes them out in small whole Parquet files."""

    def __init__(self, out: Path, flush_every: int):
        self.out, self.flush_every = out, flush_every
        self.rows: list[dict] = []
        self.series: list[pd.DataFrame] = []
        self.parts: list[str] = []

    def add(self, row: dict, series: pd.DataFrame | None) -> None:
        self.rows.append(row)
        if series is not None:
            self.series.append(series)
        if len(self.rows) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        name = f"part-{time.time_ns()}-{os.getpid()}.parquet"
        if self.series:  # series first: a results part is the proof that its runs are complete
            frame = pd.concat(self.series, ignore_index=True)
            for output, rows in frame.groupby("output", sort=False):  # partitioned by output (hive layout)
                folder = self.out / "series" / f"output={output}"
                folder.mkdir(parents=True, exist_ok=True)
                _atomic_write(folder / name,
                              lambda p, rows=rows: rows.drop(columns="output").to_parquet(p, index=False))
        frame = pd.DataFrame(self.rows)
        _atomic_write(self.out / "results" / name, lambda p: frame.to_parquet(p, index=False))
        self.parts.append(name)
        self.rows, self.series = [], []


# ------------------------------------------------------------------------------- the sweep
SHARES = 4  # batches per worker at least
def batches_of(tasks: list[Task], batch: int, workers: int,
               together: Callable[[Task], Hashable] | None = None) -> list[list[Task]]:
    """The tasks in batches of runs that may step together — those with the same ``together(task)``
    (None: runs of one sample) — at most ``batch`` runs, and at least SHARES batches per worker
    (every worker has work, progress shows, and an interruption loses little).
    """
    size = max(1, min(batch, -(-len(tasks) // (SHARES * max(workers, 1)))))
    groups: dict[Hashable, list[Task]] = {}
    for task in tasks:
        groups.setdefault(task.sample_id if together is None else together(task), []).append(task)
    return [part for runs in groups.values() for part in parallel.batches(runs, size)]


def tasks_of(spec: SweepSpec, skip: set[int]) -> list[Task]:
    frame = design(spec)
    names = list(spec.factors)
    out = []
    for row in frame.itertuples(index=False):
        for r in range(spec.replicates):
            run_id = int(row.sample_id) * spec.replicates + r
            if run_id not in skip:
                values = dict(zip(names, row[1:]))
                out.append(Task(run_id, int(row.sample_id), r, values))
    return out


def connect(scheduler: str, timeout: str = "10s"):
    """A client of the Dask scheduler at ``scheduler``, or a clear error."""
    from distributed import Client

    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"--scheduler {scheduler}: cannot reach a Dask scheduler ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no answer'})") from None


CLOSE_TIMEOUT = 5  # seconds a Dask client's close may take before it is left to the scheduler


def close(client) -> None:
    """Close a Dask client this process connected. A close that fails or times out (a scheduler
    still busy with the cancelled tasks of an interrupted sweep) is left to the scheduler: what
    ended the sweep — its results, an interrupt — is never hidden by the clean-up.
    """
    with contextlib.suppress(Exception):
        client.close(timeout=CLOSE_TIMEOUT)


def run_sweep(spec: SweepSpec, out: Path, evaluator: Callable, context, workers: int = 1,
              scheduler: str | object | None = None, resume: bool = False, flush_every: int = 25,
              progress: Callable[[int, int], None] | None = None, manifest_extra: dict | None = None,
              batch: int = 1, together: Callable[[Task], Hashable] | None = None) -> SweepSummary:
    """Run every task of the design not yet stored in ``out``; stream rows to Parquet.

    ``scheduler`` is a Dask scheduler address (connected here, closed at the end) or a Client.
    ``evaluator(context, tasks)`` gets at most ``batch`` runs at a time that share ``together(task)``
    (None: runs of one sample).
    """
    out = Path(out)
    own = isinstance(scheduler, str)
    client = connect(scheduler) if own else scheduler
    try:
        return _execute(spec, out, evaluator, context, workers, client, resume, flush_every, progress,
                        manifest_extra or {}, batch, together)
    finally:
        if own:
            close(client)


def _execute(spec, out, evaluator, context, workers, client, resume, flush_every, progress, extra,
             batch, together) -> SweepSummary:
    created = not out.exists()
    try:
        done = prepare(out, spec, resume, extra)
    except BaseException:
        if created and out.exists():  # a folder this call made and could not finish making
            shutil.rmtree(out, ignore_errors=True)
        raise
    tasks = tasks_of(spec, done)
    summary = SweepSummary(out, expected_runs(spec), len(done))
    writer = _Writer(out, flush_every)
    start = time.perf_counter()
    if progress:
        progress(summary.done_before, summary.total)
    slots = workers if client is None else sum(client.nthreads().values())
    results = parallel.results(batches_of(tasks, batch, slots, together), evaluator, context, workers, client,
                               preload=("simulation.sweep.evaluate",))
    try:
        with contextlib.closing(results):  # stopped early, runs in flight are abandoned, not waited for
            for rows in results:
                for row, series in rows:
                    writer.add({k: factor_value(v) for k, v in row.items()}, series)
                    summary.ran += 1
                    summary.failed += row.get("status") != "ok"
                if progress:
                    progress(summary.done_before + summary.ran, summary.total)
    except BaseException as exc:  # whatever stops the sweep, what finished is saved first
        writer.flush()
        saved = f"{summary.done_before + summary.ran} of {summary.total} runs saved in {out}; continue with --resume"
        if interrupt.stopped(exc):
            what = str(exc) if isinstance(exc, interrupt.Interrupted) else "interrupted"
            raise SweepInterrupted(f"{what}: {saved}", interrupt.exit_code(exc)) from None
        if isinstance(exc, cf.process.BrokenProcessPool) or type(exc).__name__ == "KilledWorker":
            hint = ("" if summary.ran or client is not None else " (if none ever started: in a script, call the "
                    "sweep under `if __name__ == '__main__':`, since worker processes import the main module)")
            raise SweepInterrupted(f"a worker process died: {saved}{hint}") from None
        raise
    writer.flush()
    summary.parts, summary.seconds = writer.parts, time.perf_counter() - start
    if summary.done_before + summary.ran == summary.total:
        consolidate(out)
    return summary


RESULTS = "results.parquet"  # a finished sweep's results in one file, the same bytes whatever the backend
TIMING = ("seconds",)  # bookkeeping that differs between runs of the same spec


def consolidate(out: Path) -> None:
    """Write ``results.parquet``: every run's row, sorted by run id, without timings, so that the
    same spec gives a byte-identical file with 1 or N workers, locally or on Dask, every time.
    """
    table = read_results(out)
    table = table.drop(columns=[c for c in TIMING if c in table]).sort_values("run_id").reset_index(drop=True)
    _atomic_write(out / RESULTS, lambda p: table.to_parquet(p, index=False))


def collect(out: Path, spec: SweepSpec) -> pd.DataFrame:
    """The results of a sweep folder as one DataFrame, sorted by run id."""
    frame = read_results(out)
    return frame.sort_values("run_id").reset_index(drop=True) if len(frame) else frame
