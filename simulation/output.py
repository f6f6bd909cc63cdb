"""Write a run's tables, manifest and report atomically.

Everything goes into a hidden temporary folder beside the destination; the manifest is written
last; then the folder takes the destination's place in one rename. A killed run leaves at most a
``.tmp-*`` folder, never a half-written result. An existing destination is only replaced when
asked (``--overwrite``), and only if it is an earlier alliance-sim result (a folder with its
``manifest.json``): a user's own folder is never deleted. The replacement is one atomic exchange
of the two folders (Linux ``renameat2(RENAME_EXCHANGE)``), so the old result stays in place until
the new one is complete; elsewhere two renames, with the old one restored if the second fails.
Interrupted (Ctrl-C, SIGTERM: ``interrupt``), the temporary folder is removed and the destination
is as it was; the swap itself is never cut in two.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from . import interrupt

FORMATS = ("parquet", "csv")
RUN_FORMATS = FORMATS + ("netcdf",)  # a run's model, states and pairs as one labelled file (simulation.labelled)


class OutputError(ValueError):
    """The destination cannot be written as asked."""


def _write_table(table: pd.DataFrame, path: Path, fmt: str) -> Path:
    if fmt == "parquet":
        target = path.with_suffix(".parquet")
        table.to_parquet(target, index=False)
    else:
        target = path.with_suffix(".csv")
        table.to_csv(target, index=False)
    return target


def _write_tables(tables: dict[str, pd.DataFrame], folder: Path, fmt: str) -> list[str]:
    """The tables as files: one per table, or, for NetCDF, the gridded ones in ``run.nc`` and the
    others (a run's events) as CSV.
    """
    if fmt != "netcdf" or not {"model", "states", "pairs"} <= set(tables):
        return [_write_table(t, folder / name, fmt).name for name, t in tables.items()]
    from .labelled import to_dataset, write_netcdf

    write_netcdf(to_dataset(tables), folder / "run.nc")
    rest = [_write_table(t, folder / name, "csv").name for name, t in tables.items()
            if name not in ("model", "states", "pairs")]
    return ["run.nc", *rest]


def is_result(folder: Path) -> bool:
    """Whether ``folder`` is a result alliance-sim wrote (its manifest says so)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("package") == "alliance-sim"


def _writable_parent(out: Path) -> None:
    """The nearest existing ancestor of ``out`` must be a folder we may write in."""
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{out}: cannot be created: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: cannot be created: no permission to write in {parent}")


def check_destination(out: Path, overwrite: bool) -> None:
    """Raise :class:`OutputError` when ``out`` cannot be written (before any work is done)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise OutputError(f"{out}: folder exists and is not empty (use --overwrite to replace an earlier result)")
        if not is_result(out):
            raise OutputError(f"{out}: is not an alliance-sim result (no manifest.json of ours): --overwrite only "
                              "replaces earlier results, never other folders; choose another --out")
    _writable_parent(out)


def write_run(out: Path, tables: dict[str, pd.DataFrame], manifest: dict, fmt: str = "parquet",
              extras: dict[str, Callable[[Path], None]] | None = None, overwrite: bool = False) -> Path:
    """Write ``tables`` (and ``extras``: file name → writer) into ``out``, manifest last, atomically."""
    if fmt not in RUN_FORMATS:
        raise OutputError(f"--format {fmt}: must be one of {', '.join(RUN_FORMATS)}")
    check_destination(out, overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{out.name}-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot be created ({exc.strerror})") from None
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; results are ordinary folders
    old, swapped = None, False
    try:
        with interrupt.on_force(lambda: shutil.rmtree(tmp, ignore_errors=True)):
            files = _write_tables(tables, tmp, fmt)
            for name, writer in (extras or {}).items():
                writer(tmp / name)
                files.append(name)
            manifest = dict(manifest) | {"files": sorted(files) + ["manifest.json"], "format": fmt}
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
            with interrupt.deferred():  # a signal waits for the swap's renames, then is raised here
                old, swapped = _swap_into_place(tmp, out), True
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{out}: cannot be written ({exc.strerror or exc}); "
                          f"{'the earlier result is unchanged' if out.exists() else 'nothing was written'}") from None
    except BaseException as exc:
        if swapped:  # interrupted just after the swap: the new result is complete and in place
            exc.written = out
        _remove(old if swapped else tmp)
        raise
    _remove(old)
    return out


def _remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when the system cannot."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _swap_into_place(tmp: Path, out: Path) -> Path | None:
    """``tmp`` becomes ``out`` in one step; returns where the earlier result now is (to remove)."""
    if not out.exists():
        tmp.rename(out)
        return None
    if _exchange(tmp, out):
        return tmp  # tmp now holds the old result
    old = out.parent / f".old-{out.name}-{tmp.name[-8:]}"
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)  # restore the earlier result
        raise
    return old
