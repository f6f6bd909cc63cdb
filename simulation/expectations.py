"""Check a scenario's expectations (stylized facts) over an ensemble of runs.

Each expectation is evaluated replicate by replicate on the run's tables; it holds when the
share of replicates that pass reaches its required ``share``. With ``versus_base`` the variant's
measure is compared with the base scenario's measure of the *same* replicate (same seed: common
random numbers), so the comparison is of the counterfactual effect, not of noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compare import calendar_problems
from .hindcast import score as score_observed, summary as observed_summary
from .runner import RunResult, run, shifted
from .scenario import LoadedScenario, ScenarioError, load_scenario
from .statements import passes, subject_of

CHECK_COLUMNS = ["id", "claim", "metric", "subject", "test", "required", "share", "passed", "median", "target",
                 "reality", "reality_note", "reality_source", "source"]
EXIT_FAILED = 3  # `alliance-sim check` exit code when an expectation is not met


@dataclass
class CheckResult:
    loaded: LoadedScenario
    replicates: int
    seed: int
    table: pd.DataFrame
    run: RunResult
    base_run: RunResult | None = None
    hindcast: pd.DataFrame | None = None  # the observed outcomes scored (``simulation.hindcast``)

    @property
    def passed(self) -> bool:
        """Every expectation that is a target holds (a prediction reality contradicted is not one)."""
        targets = self.table[self.table["target"].astype(bool)]
        return bool(targets["passed"].all())

    @property
    def hindcast_summary(self) -> dict | None:
        return observed_summary(self.hindcast) if self.hindcast is not None and len(self.hindcast) else None


def check(loaded: LoadedScenario, replicates: int = 100, seed: int | None = None,
          params: dict | None = None, progress=None, workers: int | None = 1) -> CheckResult:
    """Run the ensemble (and the base's, with the same seeds, when needed) and check every expectation."""
    sc = loaded.scenario
    result = run(loaded, seed=seed, replicates=replicates, params=params, progress=progress, workers=workers)
    base_run = None
    if any(e.versus_base for e in sc.expectations):
        base = load_scenario(loaded.base)
        problems = calendar_problems(base, loaded)
        if problems:
            raise ScenarioError(problems)
        base_run = run(base, seed=result.seed, replicates=replicates, params=params,
                       progress=shifted(progress, replicates), workers=workers)
    rows = []
    for exp in sc.expectations:
        ok, values = passes(result.tables, exp, sc, base_run.tables if base_run else None)
        rows.append({"id": exp.id, "claim": exp.claim, "metric": exp.metric, "subject": subject_of(exp),
                     "test": exp.test + (f" vs base ({exp.versus_base})" if exp.versus_base else ""),
                     "required": exp.share, "share": float(ok.mean()), "passed": bool(ok.mean() >= exp.share),
                     "median": float(np.median(values)), **_reality(exp), "source": exp.source})
    scored = score_observed(result.tables, sc) if sc.observed else None
    return CheckResult(loaded, replicates, result.seed, pd.DataFrame(rows, columns=CHECK_COLUMNS), result, base_run,
                       scored)


def _reality(exp) -> dict:
    """What became of a prediction; one reality contradicted is not a target."""
    r = exp.reality
    return {"target": r is None or r.verdict != "did_not", "reality": r.verdict if r else "",
            "reality_note": r.note if r else "", "reality_source": r.source if r else ""}

