"""Write a run's tables, manifest and report atomically.

Everything goes into a hidden temporary folder beside the destination; the manifest is written
last; then the folder is renamed into place. A killed run leaves at most a ``.tmp-*`` folder,
never a half-written result, and an existing result is only replaced when asked (the old
folder is renamed aside, the new one renamed into place, then the old one removed).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

FORMATS = ("parquet", "csv")


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


def check_destination(out: Path, overwrite: bool) -> None:
    """Raise :class:`OutputError` when ``out`` cannot be written (before any work is done)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputError(f"{out}: folder exists and is not empty (use --overwrite to replace it)")


def write_run(out: Path, tables: dict[str, pd.DataFrame], manifest: dict, fmt: str = "parquet",
              extras: dict[str, Callable[[Path], None]] | None = None, overwrite: bool = False) -> Path:
    """Write ``tables`` (and ``extras``: file name → writer) into ``out``, manifest last, atomically."""
    if fmt not in FORMATS:
        raise OutputError(f"--format {fmt}: must be one of {', '.join(FORMATS)}")
    check_destination(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{out.name}-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; results are ordinary folders
    try:
        files = [_write_table(t, tmp / name, fmt).name for name, t in tables.items()]
        for name, writer in (extras or {}).items():
            writer(tmp / name)
            files.append(name)
        manifest = dict(manifest) | {"files": sorted(files) + ["manifest.json"], "format": fmt}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_into_place(tmp: Path, out: Path) -> None:
    if not out.exists():
        tmp.rename(out)
        return
    old = out.parent / f".old-{out.name}-{tmp.name[-8:]}"
    out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
