"""Research sweeps: designed experiments over parameters and scenario knobs, with replicates.

Python API (for notebooks)::

    from simulation.sweep import SweepSpec, sweep
    spec = SweepSpec(name="demo", scenario="korea_russia_2024", design="lhs", samples=8, replicates=2,
                     factors={"balance_rate": {"low": 0.5, "high": 2.0}},
                     outputs=[{"name": "rus_prk", "metric": "affinity", "pair": ["RUS", "PRK"]}])
    results = sweep(spec, "runs/demo", workers=2)     # a DataFrame, one row per run
    steps = read_series("runs/demo")                  # with series=True: run_id, date, output, value
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..scenario import ScenarioError, load_scenario
from ..scenario.loader import display
from .evaluate import ModelContext, batch_size, batching, evaluate_model
from .execute import SweepError, SweepInterrupted, collect, read_series, run_sweep
from .spec import SweepSpec, _problems_for_model, load_spec, spec_path, variant_problems

__all__ = ["SweepError", "SweepInterrupted", "SweepSpec", "load_spec", "read_series", "sweep"]


def model_context(spec: SweepSpec | str | Path) -> tuple[SweepSpec, ModelContext, dict]:
    """Validate a spec (object or file) against its scenario; the context workers need."""
    if isinstance(spec, SweepSpec):
        if spec.scenario is None:
            raise ScenarioError(["scenario: required to sweep the model"])
        loaded, folder = load_scenario(spec.scenario), None
        problems = _problems_for_model(spec, loaded) or variant_problems(spec, None)[1]
        if problems:
            raise ScenarioError([f"{'.'.join(map(str, path))}: {msg}" for path, msg in problems])
    else:
        folder = spec_path(spec).parent
        spec, loaded = load_spec(spec)
    variants = variant_problems(spec, folder)[0]
    extra = {"scenario": _described(loaded)}
    if variants:
        extra["variants"] = {level: _described(v) for level, v in variants.items()}
    return spec, ModelContext(spec, loaded.scenario, {k: v.scenario for k, v in variants.items()}), extra


def _described(loaded) -> dict:
    """A scenario as the manifest records it."""
    return {"name": loaded.scenario.name, "file": display(loaded.path), "sha256": loaded.sha256}


def sweep(spec: SweepSpec | str | Path, out: str | Path, workers: int = 1, scheduler=None,
          resume: bool = False, progress=None) -> pd.DataFrame:
    """Run (or continue) a sweep of the model and return its results, one row per run."""
    spec, context, extra = model_context(spec)
    run_sweep(spec, Path(out), evaluate_model, context, workers=workers, scheduler=scheduler, resume=resume,
              progress=progress, manifest_extra=extra, batch=batch_size(context),
              together=batching(context.scenario))
    return collect(Path(out), spec)
