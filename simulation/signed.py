"""Signed networks from edge lists: reading, validation, and writing a partition.

An edge list is a CSV file with a header naming the columns ``source,target,sign`` and,
optionally, ``weight`` (in any order). Each row is one undirected tie between two named nodes:
``sign`` is 1 (friendly, alliance) or -1 (hostile), ``weight`` a positive number (default 1).
Lines starting with ``#`` are comments (a shipped copy keeps its provenance there); blank lines
are skipped. The tie's signed weight is ``sign × weight``. Nodes are numbered in order of first
appearance.

Every problem is reported as a :class:`EdgeListError` whose message names the file, the line and
the column (``file:line: column: message``); nothing is guessed. Bloc partitions are computed by
``simulation.search.blocs`` (the code the model uses) and written by ``write_partition``,
atomically and never over an existing file unless asked.
"""

from __future__ import annotations

import csv
import difflib
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import limits
from .scenario.yamlmap import CONTROL

REQUIRED = ("source", "target", "sign")
COLUMNS = REQUIRED + ("weight",)


class EdgeListError(ValueError):
    """A malformed edge list or an unusable output path (one line: file, line, column, message)."""


@dataclass(frozen=True)
class SignedNetwork:
    nodes: list[str]
    weights: np.ndarray  # symmetric, zero diagonal: sign × weight of each tie, 0 where there is none
    ties: int
    positive: int
    negative: int
    weighted: bool

    def frustrated(self, labels: np.ndarray) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The ties a partition leaves unbalanced: (positive ties between blocs, negative ties within)."""
        iu, ju = np.triu_indices(len(self.nodes), 1)
        same = labels[iu] == labels[ju]
        w = self.weights[iu, ju]
        pair = lambda mask: [(self.nodes[i], self.nodes[j]) for i, j in zip(iu[mask], ju[mask])]  # noqa: E731
        return pair(~same & (w > 0)), pair(same & (w < 0))


def _where(path: Path, line: int | None = None, column: str | None = None) -> str:
    out = str(path)
    if line is not None:
        out += f":{line}"
    return out + (f": {column}" if column else "")


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            raise EdgeListError(f"{path}:1: the file is {size / 2**20:.1f} MiB: edge lists are limited to "
                                f"{limits.MAX_FILE_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EdgeListError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise EdgeListError(f"{path}: is a folder, not an edge-list file") from None
    except OSError as exc:
        raise EdgeListError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EdgeListError(f"{_where(path, line)}: not UTF-8 text (byte {exc.start + 1})") from None
    bad = CONTROL.search(text)
    if bad:
        raise EdgeListError(f"{_where(path, text.count(chr(10), 0, bad.start()) + 1)}: control character "
                            f"U+{ord(bad.group()):04X} is not allowed in a text file")
    return text


MAX_WEIGHT = 1e6
MAX_NAME = 200


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise EdgeListError(f"{_where(path, line, column)}: must be a number (got {text[:40]!r})") from None
    if not math.isfinite(value):
        raise EdgeListError(f"{_where(path, line, column)}: must be a finite number (got {text[:40]!r})")
    if value > MAX_WEIGHT:
        raise EdgeListError(f"{_where(path, line, column)}: must be at most {MAX_WEIGHT:g} (got {text[:40]!r})")
    return value


def _fields(text: str, path: Path, line: int) -> list[str]:
    try:
        return [f.strip() for f in next(csv.reader([text]))]
    except (csv.Error, StopIteration) as exc:
        raise EdgeListError(f"{_where(path, line)}: not a CSV line ({exc})") from None


def read_edge_list(path: str | Path) -> SignedNetwork:
    """Read and validate a signed edge list; raise :class:`EdgeListError` on the first problem."""
    path = Path(path)
    text = _read_text(path)
    rows = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise EdgeListError(f"{_where(path, 1)}: empty file: expected a header line source,target,sign[,weight]")
    header_line, header_text = rows[0]
    header = _fields(header_text, path, header_line)
    if not set(header) & set(COLUMNS):
        raise EdgeListError(f"{_where(path, header_line)}: header: the first line must name the columns "
                            f"source,target,sign[,weight] (got {header_text.strip()!r})")
    for position, name in enumerate(header, start=1):
        if name not in COLUMNS:
            hint = difflib.get_close_matches(name.lower(), COLUMNS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else f" (expected {', '.join(COLUMNS)})"
            label = name or f"column {position}"
            raise EdgeListError(f"{_where(path, header_line, label)}: unknown column{suggestion}")
        if header.index(name) != position - 1:
            raise EdgeListError(f"{_where(path, header_line, name)}: column named twice")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise EdgeListError(f"{_where(path, header_line)}: header: missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} (expected source,target,sign[,weight])")
    col = {name: i for i, name in enumerate(header)}
    index: dict[str, int] = {}
    seen: dict[tuple[str, str], int] = {}
    ties: list[tuple[int, int, float]] = []
    if len(rows) - 1 > limits.MAX_BLOCS_EDGES:
        raise EdgeListError(f"{_where(path, rows[limits.MAX_BLOCS_EDGES + 1][0])}: more than "
                            f"{limits.MAX_BLOCS_EDGES:,} ties")
    for line, row_text in rows[1:]:
        fields = _fields(row_text, path, line)
        if len(fields) != len(header):
            raise EdgeListError(f"{_where(path, line)}: expected {len(header)} fields ({','.join(header)}), "
                                f"got {len(fields)}")
        source, target = fields[col["source"]], fields[col["target"]]
        for name, value in (("source", source), ("target", target)):
            if not value:
                raise EdgeListError(f"{_where(path, line, name)}: empty node name")
            if len(value) > MAX_NAME:
                raise EdgeListError(f"{_where(path, line, name)}: a node name of more than {MAX_NAME} characters")
        if source == target:
            raise EdgeListError(f"{_where(path, line, 'target')}: self-loop: a tie from {source!r} to itself")
        sign_text = fields[col["sign"]]
        try:
            sign = float(sign_text)
        except ValueError:
            sign = None
        if sign not in (1.0, -1.0):
            raise EdgeListError(f"{_where(path, line, 'sign')}: must be 1 or -1 (got {sign_text!r})")
        weight = 1.0
        if "weight" in col:
            weight_text = fields[col["weight"]]
            weight = _number(weight_text, path, line, "weight")
            if weight <= 0:
                raise EdgeListError(f"{_where(path, line, 'weight')}: must be > 0 (got {weight_text!r}); "
                                    "the sign column carries hostility")
        key = (min(source, target), max(source, target))
        if key in seen:
            raise EdgeListError(f"{_where(path, line)}: duplicate tie {source}–{target} (first at line {seen[key]})")
        seen[key] = line
        for node in (source, target):
            index.setdefault(node, len(index))
        if len(index) > limits.MAX_BLOCS_NODES:
            raise EdgeListError(f"{_where(path, line)}: more than {limits.MAX_BLOCS_NODES:,} nodes")
        ties.append((index[source], index[target], sign * weight))
    if not ties:
        raise EdgeListError(f"{_where(path, header_line)}: no ties after the header")
    n = len(index)
    weights = np.zeros((n, n))
    for i, j, value in ties:
        weights[i, j] = weights[j, i] = value
    positive = sum(1 for *_, v in ties if v > 0)
    return SignedNetwork(list(index), weights, len(ties), positive, len(ties) - positive, "weight" in col)


def check_output(path: str | Path, overwrite: bool) -> Path:
    """Refuse an output path that cannot be written, before any work is done."""
    path = Path(path)
    if path.is_dir():
        raise EdgeListError(f"{path}: is a folder (give a file name for the node,bloc table)")
    if path.exists() and not overwrite:
        raise EdgeListError(f"{path}: already exists (use --overwrite to replace it)")
    if not path.parent.is_dir():
        raise EdgeListError(f"{path}: folder {path.parent} does not exist")
    return path


def write_partition(path: str | Path, nodes: list[str], labels: np.ndarray, overwrite: bool = False) -> Path:
    """Write a ``node,bloc`` CSV (blocs numbered from 1) atomically: temporary file, then rename.

    Without ``overwrite`` an existing file is never replaced, even one created meanwhile: the
    temporary file is hard-linked into place, which fails if the name is taken.
    """
    path = check_output(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["node", "bloc"])
            for node, label in zip(nodes, labels):
                writer.writerow([node, int(label) + 1])
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise EdgeListError(f"{path}: already exists (use --overwrite to replace it)") from None
            except OSError:  # no hard links on this file system: check, then rename
                if path.exists():
                    raise EdgeListError(f"{path}: already exists (use --overwrite to replace it)") from None
                os.replace(tmp, path)
            if os.path.exists(tmp):
                os.unlink(tmp)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
