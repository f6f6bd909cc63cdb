"""Signed edge lists (simulation.signed) and `alliance-sim blocs` end to end, bad input included."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import helpers
from simulation.signed import EdgeListError, read_edge_list, write_partition

GAHUKU_GAMA = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "gahuku_gama_edges.csv"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``alliance-sim blocs ARGS`` in this process, with no time budget (the clock never cuts a search short)."""
    return helpers.cli("blocs", "--seconds", "86400", *args, cwd=cwd)


def edges(tmp_path: Path, text: str, name: str = "edges.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- reading

def test_reads_ties_signs_weights_and_comments(tmp_path):
    path = edges(tmp_path, "# a comment\nsource,target,sign,weight\nA,B,1,2\n\nB,C,-1,0.5\n\"D, the fourth\",A,+1,1\n")
    net = read_edge_list(path)
    assert net.nodes == ["A", "B", "C", "D, the fourth"]
    assert net.ties == 3 and net.positive == 2 and net.negative == 1 and net.weighted
    assert net.weights[0, 1] == net.weights[1, 0] == 2.0
    assert net.weights[1, 2] == -0.5 and net.weights[3, 0] == 1.0
    assert net.weights[0, 2] == 0.0 and not np.diag(net.weights).any()


def test_columns_in_any_order_and_unweighted(tmp_path):
    net = read_edge_list(edges(tmp_path, "sign,target,source\n-1,B,A\n"))
    assert net.nodes == ["A", "B"] and net.weights[0, 1] == -1.0 and not net.weighted


def test_gahuku_gama_copy_reads_as_published():
    net = read_edge_list(GAHUKU_GAMA)
    assert len(net.nodes) == 16 and net.ties == 58 and net.positive == 29 and net.negative == 29


BAD = [
    ("", "edges.csv:1: empty file"),
    ("# only a comment\n\n", "edges.csv:1: empty file"),
    ("source,target,sign\n", "edges.csv:1: no ties after the header"),
    ("A,B,1\n", "edges.csv:1: header: the first line must name the columns"),
    ("source,target\nA,B\n", "edges.csv:1: header: missing column sign"),
    ("source,target,sign,wieght\nA,B,1,2\n", "edges.csv:1: wieght: unknown column (did you mean 'weight'?)"),
    ("source,target,sign,sign\nA,B,1,1\n", "edges.csv:1: sign: column named twice"),
    ("source,target,sign\nA,B,1\nB,C\n", "edges.csv:3: expected 3 fields (source,target,sign), got 2"),
    ("source,target,sign\nA,B,1\nB,C,0\n", "edges.csv:3: sign: must be 1 or -1 (got '0')"),
    ("source,target,sign\nA,B,2\n", "edges.csv:2: sign: must be 1 or -1 (got '2')"),
    ("source,target,sign\nA,B,yes\n", "edges.csv:2: sign: must be 1 or -1 (got 'yes')"),
    ("source,target,sign\nA,B,\n", "edges.csv:2: sign: must be 1 or -1 (got '')"),
    ("source,target,sign\nA,A,1\n", "edges.csv:2: target: self-loop: a tie from 'A' to itself"),
    ("source,target,sign\n,B,1\n", "edges.csv:2: source: empty node name"),
    ("source,target,sign\nA,B,1\nB,A,-1\n", "edges.csv:3: duplicate tie B–A (first at line 2)"),
    ("source,target,sign,weight\nA,B,1,-2\n", "edges.csv:2: weight: must be > 0 (got '-2')"),
    ("source,target,sign,weight\nA,B,1,heavy\n", "edges.csv:2: weight: must be a number (got 'heavy')"),
    ("source,target,sign,weight\nA,B,1,inf\n", "edges.csv:2: weight: must be a finite number (got 'inf')"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_edge_lists_name_file_line_and_column(tmp_path, text, message):
    with pytest.raises(EdgeListError) as err:
        read_edge_list(edges(tmp_path, text))
    assert str(err.value).replace(str(tmp_path) + os.sep, "").startswith(message)
    assert "\n" not in str(err.value)


def test_missing_file_folder_and_binary(tmp_path):
    with pytest.raises(EdgeListError, match=r"nothing\.csv: no such file"):
        read_edge_list(tmp_path / "nothing.csv")
    with pytest.raises(EdgeListError, match="is a folder"):
        read_edge_list(tmp_path)
    path = tmp_path / "binary.csv"
    path.write_bytes(b"source,target,sign\nA,B,1\n\xff\xfe,C,1\n")
    with pytest.raises(EdgeListError, match=r"binary\.csv:3: not UTF-8 text"):
        read_edge_list(path)


# ---------------------------------------------------------------- writing

def test_write_partition_atomic_and_never_clobbers(tmp_path):
    out = tmp_path / "blocs.csv"
    write_partition(out, ["A", "B", "C"], np.array([0, 1, 0]))
    assert out.read_text() == "node,bloc\nA,1\nB,2\nC,1\n"
    with pytest.raises(EdgeListError, match="already exists"):
        write_partition(out, ["A"], np.array([0]))
    assert out.read_text() == "node,bloc\nA,1\nB,2\nC,1\n"
    write_partition(out, ["A"], np.array([0]), overwrite=True)
    assert out.read_text() == "node,bloc\nA,1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocs.csv"]  # no temporary file left
    with pytest.raises(EdgeListError, match="does not exist"):
        write_partition(tmp_path / "no" / "x.csv", ["A"], np.array([0]))
    with pytest.raises(EdgeListError, match="is a folder"):
        write_partition(tmp_path, ["A"], np.array([0]))


# ---------------------------------------------------------------- the command, end to end

def test_cli_chooses_k_and_writes_partition(tmp_path):
    out = tmp_path / "gg.csv"
    proc = cli(str(GAHUKU_GAMA), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "16 nodes, 58 ties (29 positive, 29 negative)" in proc.stdout
    assert "k = 3: the smallest k reaching the lowest frustration" in proc.stdout
    assert "bloc 1 (4): Gavev, Kotun, Nagad, Gama" in proc.stdout
    assert "frustration 2 (optimal" in proc.stdout
    table = pd.read_csv(out)
    assert list(table.columns) == ["node", "bloc"] and len(table) == 16
    assert set(table["bloc"]) == {1, 2, 3}


def test_cli_fixed_k_and_weights(tmp_path):
    path = edges(tmp_path, "source,target,sign,weight\nA,B,1,3\nB,C,-1,1\nA,C,1,1\n")
    proc = cli(str(path), "--k", "2")
    assert proc.returncode == 0, proc.stderr
    assert "3 weighted ties" in proc.stdout
    assert "frustration 1 (optimal, enumeration" in proc.stdout  # C joins A and B: the -1 tie is inside


def test_cli_never_overwrites_without_flag(tmp_path):
    out = tmp_path / "gg.csv"
    out.write_text("keep me\n")
    proc = cli(str(GAHUKU_GAMA), "--k", "2", "--out", str(out))
    assert proc.returncode == 2
    assert "already exists (use --overwrite to replace it)" in proc.stderr
    assert out.read_text() == "keep me\n"
    proc = cli(str(GAHUKU_GAMA), "--k", "2", "--out", str(out), "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("node,bloc\n")


def check_bad_input_cases(tmp_path: Path, cases: list[tuple[str, str]]) -> None:
    """Each bad edge list, plus a missing file and --k 0, exits 2 with one line on stderr."""
    runs = [(("nothing.csv",), tmp_path), ((str(GAHUKU_GAMA), "--k", "0"), tmp_path)]
    for k, (text, _) in enumerate(cases):
        folder = tmp_path / f"case{k}"
        folder.mkdir()
        edges(folder, text)
        runs.append((("edges.csv",), folder))
    missing, bad_k, *procs = [cli(*args, cwd=cwd) for args, cwd in runs]
    assert missing.returncode == 2 and missing.stderr.strip() == "error: nothing.csv: no such file"
    assert bad_k.returncode == 2 and "Traceback" not in bad_k.stderr and "--k" in bad_k.stderr
    for (text, message), proc in zip(cases, procs):
        assert proc.returncode == 2, (text, proc.stderr)
        assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
        assert proc.stderr.startswith(f"error: {message}"), (message, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_cli_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path):
    """One case per kind of problem: missing file, empty file, no header, missing column, sign not ±1,
    self-loop, duplicate tie, bad weight, and a bad --k."""
    check_bad_input_cases(tmp_path, [BAD[i] for i in (0, 3, 4, 8, 12, 14, 15)])


@pytest.mark.slow
def test_cli_every_bad_input_exits_2_with_one_line(tmp_path):
    check_bad_input_cases(tmp_path, BAD)


