"""Sensitivity analysis of a sweep folder: Sobol (S1, ST with confidence intervals), Morris
(mu*, sigma) or, for a Latin hypercube, RBD-FAST first-order indices per output via SALib, on a
finished or a partial sweep.

Outputs are averaged over replicates per sample first. A partial Sobol sweep is analysed on its
complete Saltelli blocks (each base sample's N+2 rows), a partial Morris sweep on its complete
trajectories; the result says how many of each it used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .design import design, expected_runs, problem
from .design import values as design_values
from .execute import SweepError, read_manifest, read_results
from .spec import SweepSpec, output_columns

INDEX_COLUMNS = ["output", "factor", "method", "index", "value", "conf"]
RESPONSE_COLUMNS = ["factor", "level", "output", "median", "p05", "p95", "runs"]


@dataclass
class Analysis:
    spec: SweepSpec
    results: pd.DataFrame  # one row per run
    means: pd.DataFrame  # one row per complete sample: factors and mean outputs
    indices: pd.DataFrame  # tidy: output, factor, method, index, value, conf
    complete: bool
    note: str
    response: pd.DataFrame | None = None  # grid designs: output against each factor's levels (median, band)


def load_sweep(out: Path) -> tuple[SweepSpec, pd.DataFrame]:
    stored = read_manifest(Path(out))
    return SweepSpec.model_validate(stored["spec"]), read_results(Path(out))


def output_names(spec: SweepSpec, results: pd.DataFrame) -> list[str]:
    """The outputs and expectations (1 if it holds) a sweep records, or for a custom evaluator every
    numeric column that is not bookkeeping or a factor.
    """
    names = output_columns(spec)
    if not names:  # a custom evaluator: every numeric column that is not bookkeeping or a factor
        skip = {"run_id", "sample_id", "replicate", "seconds", *spec.factors}
        names = [c for c in results.select_dtypes("number").columns if c not in skip]
    return names


def _block_size(spec: SweepSpec) -> int:
    d = len(spec.factors)
    return {"sobol": d + 2, "morris": d + 1}.get(spec.design, 1)


def sample_means(spec: SweepSpec, results: pd.DataFrame, outputs: list[str]) -> tuple[pd.DataFrame, int]:
    """Mean outputs per sample over its replicates; only samples of complete blocks."""
    ok = results[results["status"] == "ok"]
    counts = ok.groupby("sample_id").size()
    full = counts[counts == spec.replicates].index
    block = _block_size(spec)
    frame = design(spec).set_index("sample_id")
    blocks = pd.Series(frame.index // block, index=frame.index)
    complete_blocks = [b for b, ids in blocks.groupby(blocks) if set(ids.index) <= set(full)]
    keep = blocks[blocks.isin(complete_blocks)].index
    means = ok[ok["sample_id"].isin(keep)].groupby("sample_id")[outputs].mean()
    return frame.loc[means.index].join(means), len(complete_blocks)


def _sobol(spec, means, outputs) -> list[dict]:
    from SALib.analyze import sobol

    prob, rows = problem(spec), []
    for out in outputs:
        res = sobol.analyze(prob, means[out].to_numpy(float), calc_second_order=False,
                            seed=spec.seed, print_to_console=False)
        for i, name in enumerate(prob["names"]):
            rows += [{"output": out, "factor": name, "method": "sobol", "index": "S1",
                      "value": res["S1"][i], "conf": res["S1_conf"][i]},
                     {"output": out, "factor": name, "method": "sobol", "index": "ST",
                      "value": res["ST"][i], "conf": res["ST_conf"][i]}]
    return rows


def _x(spec, means) -> np.ndarray:
    """The factor values of each sample as numbers (dates as day numbers; a categorical factor as
    the encoded value it was drawn as), as SALib wants them.
    """
    encoded = design_values(spec)[means["sample_id"].to_numpy() if "sample_id" in means else means.index.to_numpy()]
    columns = [encoded[:, i] if factor.categorical
               else [float(pd.Timestamp(v).toordinal()) if isinstance(v, (str, dt.date)) else float(v)
                     for v in means[name]]
               for i, (name, factor) in enumerate(spec.factors.items())]
    return np.column_stack(columns).astype(float)


def _rbd_fast(spec, means, outputs) -> list[dict]:
    """First-order indices from any sample (here a Latin hypercube): RBD-FAST (Tarantola et al. 2006;
    Plischke 2010), via SALib.
    """
    from SALib.analyze import rbd_fast

    prob, rows, x = problem(spec), [], _x(spec, means)
    for out in outputs:
        res = rbd_fast.analyze(prob, x, means[out].to_numpy(float), seed=spec.seed, print_to_console=False)
        rows += [{"output": out, "factor": name, "method": "rbd_fast", "index": "S1",
                  "value": res["S1"][i], "conf": res["S1_conf"][i]} for i, name in enumerate(prob["names"])]
    return rows


def _morris(spec, means, outputs) -> list[dict]:
    from SALib.analyze import morris

    prob, rows, x = problem(spec), [], _x(spec, means)
    for out in outputs:
        res = morris.analyze(prob, x, means[out].to_numpy(float), num_levels=spec.levels, seed=spec.seed)
        for i, name in enumerate(prob["names"]):
            rows += [{"output": out, "factor": name, "method": "morris", "index": "mu_star",
                      "value": res["mu_star"][i], "conf": res["mu_star_conf"][i]},
                     {"output": out, "factor": name, "method": "morris", "index": "sigma",
                      "value": res["sigma"][i], "conf": np.nan}]
    return rows


def response(spec: SweepSpec, results: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Dose–response of a grid: every output against each factor's levels, over every run at that
    level (replicates, and the other factors' levels pooled): median and 5–95 % band.
    """
    ok = results[results["status"] == "ok"]
    rows = []
    for factor in spec.factors:
        for level, group in ok.groupby(factor, sort=True):
            for out in outputs:
                values = group[out].to_numpy(float)
                rows.append({"factor": factor, "level": level, "output": out, "median": float(np.median(values)),
                             "p05": float(np.quantile(values, 0.05)), "p95": float(np.quantile(values, 0.95)),
                             "runs": len(values)})
    return pd.DataFrame(rows, columns=RESPONSE_COLUMNS)


def wide(indices: pd.DataFrame) -> pd.DataFrame:
    """One row per output and factor; per index a value column and a ``<index>_conf`` column."""
    if indices.empty:
        return pd.DataFrame(columns=["output", "factor"])
    frame = indices.pivot_table(index=["output", "factor"], columns="index", values=["value", "conf"],
                                sort=False, dropna=False)
    names = list(dict.fromkeys(indices["index"]))
    out = pd.DataFrame(index=frame.index)
    for name in names:
        out[name], out[f"{name}_conf"] = frame[("value", name)], frame[("conf", name)]
    return out.reset_index()


RBD_FAST_MIN = 20  # samples below which RBD-FAST's first-order indices are not estimated


def analyze(out: Path) -> Analysis:
    """Indices for every output of the sweep in ``out`` (complete or partial)."""
    spec, results = load_sweep(Path(out))
    if results.empty:
        raise SweepError(f"{out}: the sweep has no finished runs yet")
    outputs = output_names(spec, results)
    means, blocks = sample_means(spec, results, outputs)
    total = expected_runs(spec)
    complete = len(results) == total and bool((results["status"] == "ok").all())
    note = (f"{'complete' if len(results) == total else 'partial'}: {len(results)} of {total} runs stored, "
            f"{int((results['status'] != 'ok').sum())} failed")
    rows: list[dict] = []
    if spec.design in ("sobol", "morris"):
        unit = "Saltelli blocks" if spec.design == "sobol" else "trajectories"
        blocks_total = expected_runs(spec) // spec.replicates // _block_size(spec)
        note += f"; indices from {blocks} complete {unit} of {blocks_total}"
        if blocks >= 2:
            rows = (_sobol if spec.design == "sobol" else _morris)(spec, means, outputs)
        else:
            note += " (too few for indices)"
    elif spec.design == "lhs" and len(means) >= RBD_FAST_MIN:
        note += f"; first-order indices by RBD-FAST from {len(means)} samples (no total indices: use sobol)"
        rows = _rbd_fast(spec, means, outputs)
    elif spec.design == "lhs":
        note += (f"; design lhs: {len(means)} complete samples, RBD-FAST needs at least {RBD_FAST_MIN}: no "
                 "indices (indices.csv has no rows; raise samples:, or use sobol)")
    else:
        note += "; design grid: no variance-based indices, see the dose–response curves"
    curves = response(spec, results, outputs) if spec.design == "grid" else None
    return Analysis(spec, results, means.reset_index(), pd.DataFrame(rows, columns=INDEX_COLUMNS), complete, note,
                    curves)
