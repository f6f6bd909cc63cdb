"""Scenario discovery: in which region of a sweep's factors does a condition on its outputs hold?

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as scenario discovery uses it
(Bryant & Lempert 2010): starting from the box of every run, peel off thin slices of a factor's
range, each time the slice that most raises the share of runs inside the box where the condition
holds (density), until few runs are left; the peeling trajectory trades that density against
coverage, the share of all the runs where the condition holds that the box still contains. The
PRIM is EMA Workbench's (``ema_workbench.analysis.prim``; Kwakkel 2017), not a copy.

Every stored run of a finished or partial sweep is a case (a replicate is a case: the condition
is a statement about one run); its factors are the case's coordinates. The box reported is the
densest one whose coverage is at least ``min_coverage``; the whole trajectory is kept, so a
reader may choose another point of it.
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .analyze import load_sweep, output_names
from .execute import SweepError
from .spec import SweepSpec

CONDITION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
       "!=": np.not_equal}


@dataclass
class Discovery:
    spec: SweepSpec
    where: str
    cases: pd.DataFrame  # one row per run: its factors and whether the condition holds (column "holds")
    trajectory: pd.DataFrame  # the peeling trajectory: id, coverage, density, mass, res_dim, n, k
    boxes: pd.DataFrame  # every box of the trajectory: id, factor, low, high, restricted
    chosen: int  # the id of the box reported
    note: str

    def box(self, i: int | None = None) -> pd.DataFrame:
        """The limits of box ``i`` (default: the chosen one), restricted factors first."""
        rows = self.boxes[self.boxes["id"] == (self.chosen if i is None else i)]
        return rows.sort_values("restricted", ascending=False, kind="stable").reset_index(drop=True)


def conditions(where: str, outputs: list[str], expectations=()) -> list[tuple[str, str, float]]:
    """``NAME OP NUMBER`` terms joined by ``and`` (OP: < <= > >= == !=), names among the outputs;
    a term that is only the id of an expectation the sweep recorded means that it holds (``ID == 1``).
    """
    terms = []
    for part in re.split(r"\s+and\s+", where.strip()):
        if part.strip() in expectations:
            terms.append((part.strip(), "==", 1.0))
            continue
        m = CONDITION.match(part)
        if not m:
            raise SweepError(f"--where {where!r}: expected OUTPUT OP NUMBER (OP: <, <=, >, >=, ==, !=) or the id of an "
                             f"expectation the sweep recorded, terms joined "
                             f"by 'and' (got {part.strip()!r})")
        name, op, value = m.group(1), m.group(2), float(m.group(3))
        if name not in outputs:
            hint = difflib.get_close_matches(name, outputs, n=1)
            more = f"did you mean {hint[0]!r}?" if hint else f"outputs: {', '.join(outputs)}"
            raise SweepError(f"--where {where!r}: {name!r} is not an output of the sweep ({more})")
        terms.append((name, op, value))
    return terms


def holds(results: pd.DataFrame, terms: list[tuple[str, str, float]]) -> np.ndarray:
    """Whether every term holds, run by run."""
    ok = np.ones(len(results), dtype=bool)
    for name, op, value in terms:
        ok &= OPS[op](results[name].to_numpy(float), value)
    return ok


def _factors(spec: SweepSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """The runs' factor values as PRIM reads them: numbers as floats, anything else as categories."""
    x = pd.DataFrame(index=runs.index)
    for name in spec.factors:
        column = runs[name]
        numeric = pd.to_numeric(column, errors="coerce")
        x[name] = numeric.astype(float) if numeric.notna().all() else column.astype(str).astype("category")
    return x.reset_index(drop=True)


def _prim(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, mass_min: float):
    with warnings.catch_warnings():  # ema_workbench warns at import about optional parallel back-ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        return prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min).find_box()


def _boxes(box, initial: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i, lims in enumerate(box.box_lims):
        for name in lims.columns:
            low, high = lims[name].iloc[0], lims[name].iloc[1]
            if isinstance(low, (set, frozenset)):  # a categorical factor: the categories kept
                kept = sorted(map(str, low))
                rows.append({"id": i, "factor": name, "low": ", ".join(kept), "high": "",
                             "restricted": set(low) != set(initial[name].iloc[0])})
            else:
                rows.append({"id": i, "factor": name, "low": float(low), "high": float(high),
                             "restricted": bool(low > initial[name].iloc[0] or high < initial[name].iloc[1])})
    return pd.DataFrame(rows, columns=["id", "factor", "low", "high", "restricted"])


def discover(out: Path, where: str, min_coverage: float = 0.8, peel_alpha: float = 0.05,
             mass_min: float = 0.05) -> Discovery:
    """PRIM on the stored runs of the sweep in ``out``: where does ``where`` hold?"""
    if not 0.0 < min_coverage <= 1.0:
        raise SweepError(f"--coverage {min_coverage}: must be above 0 and at most 1")
    spec, results = load_sweep(Path(out))
    runs = results[results["status"] == "ok"].reset_index(drop=True)
    if runs.empty:
        raise SweepError(f"{out}: the sweep has no finished runs yet")
    y = holds(runs, conditions(where, output_names(spec, results), spec.expectations))
    n, k = len(y), int(y.sum())
    if k in (0, n):
        raise SweepError(f"--where {where!r} holds in {k} of {n} runs: no region to discover (it must hold in some "
                         "runs and not in others)")
    x = _factors(spec, runs)
    box = _prim(x, y, peel_alpha, mass_min)
    trajectory = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]].astype(
        {"id": int, "res_dim": int, "n": int, "k": int}).reset_index(drop=True)
    eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    chosen = int(eligible.sort_values(["density", "id"], ascending=[False, True]).iloc[0]["id"])
    row = trajectory.loc[trajectory["id"] == chosen].iloc[0]
    complete = len(results) == len(runs) and bool((results["status"] == "ok").all())
    note = (f"{where}: holds in {k} of {n} runs ({k / n:.0%}); box {chosen} of {len(trajectory)}: coverage "
            f"{row['coverage']:.2f}, density {row['density']:.2f}, {int(row['res_dim'])} factor(s) restricted"
            + ("" if complete else "; from a partial sweep"))
    cases = x.assign(holds=y)
    return Discovery(spec, where, cases, trajectory, _boxes(box, box.box_lims[0]), chosen, note)
