"""alliance-sim as a model of EMA Workbench 3, the standard tool of exploratory modelling (Kwakkel 2017).

A sweep spec says what to explore: its scenario, its factors (the uncertainties, with their
ranges), its outputs (the outcomes) and its seed. :class:`AllianceModel` is an EMA
``ReplicatorModel`` built from it, so EMA's samplers, evaluators, PRIM and feature scoring work
on the model as on any other; its ``run_model`` steps an experiment's replicates together in one
batch (the sweep's evaluator, ``evaluate_model``: one code path), instead of EMA's one call per
replication. Replicate r of every experiment is seeded with child r of ``SeedSequence(seed)``
(common random numbers, as ``alliance-sim sweep``), so an experiment's outcomes are those of the
sweep's run with the same factor values and replicate — byte for byte.

    from ema_workbench import perform_experiments, SequentialEvaluator
    from simulation.sweep.ema import AllianceModel
    model = AllianceModel("alliance", "small")      # a spec file or a shipped spec's name
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=50, evaluator=evaluator)

The spec's categorical factors are the model's **levers** (EMA's policies): an event switched on
or off (``events.<id>.enabled``, a ``BooleanParameter``) and the scenario picked among variants
(``variant``, a ``CategoricalParameter``); its numeric factors are the uncertainties. With
``perform_experiments(model, scenarios=n, policies=m)`` every policy meets every scenario.

Outcomes are ``ArrayOutcome``s: one value per replicate (shape: experiments × replicates).
EMA names must be Python identifiers: a factor ``events.deploy_main.troops`` is the uncertainty
``events__deploy_main__troops`` (``ema_name``), read by the model under its own name.
:func:`parameter_uncertainties` gives every model parameter of ``simulation/params.py`` with its
bounds, for a spec that varies them all.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from .. import params as P
from .evaluate import Task, evaluate_model
from .execute import SweepError
from . import model_context
from .spec import VARIANT, SweepSpec, output_columns

with warnings.catch_warnings():  # ema_workbench warns at import about optional parallel back-ends
    warnings.simplefilter("ignore")
    from ema_workbench import (ArrayOutcome, BooleanParameter, CategoricalParameter, IntegerParameter,
                               RealParameter, ReplicatorModel)
    from ema_workbench.em_framework.model import AbstractModel


def ema_name(name: str) -> str:
    """A factor's name as EMA wants it, a Python identifier (``events.deploy_main.troops`` →
    ``events__deploy_main__troops``); the model still reads the factor by its own name.
    """
    return re.sub(r"\W", "__", name)


def _uncertainty(name: str, low, high, integer: bool):
    kind, bounds = (IntegerParameter, (int(low), int(high))) if integer else (RealParameter, (float(low), float(high)))
    return kind(ema_name(name), *bounds, variable_name=name)


def parameter_uncertainties() -> list:
    """Every model parameter (``simulation/params.py``) as an EMA uncertainty over its bounds."""
    return [_uncertainty(p.name, p.low, p.high, p.integer) for p in P.PARAMETERS.values() if p.low < p.high]


def _lever(name: str, factor):
    """A categorical factor as an EMA lever: an event switched on or off (``BooleanParameter``), or
    the scenario picked among variants (``CategoricalParameter``, the levels as written).
    """
    if name == VARIANT:
        return CategoricalParameter(ema_name(name), list(factor.levels), variable_name=name)
    return BooleanParameter(ema_name(name), variable_name=name)


def _unused(**kwargs):  # EMA's BaseModel wants a callable; run_model below does the work
    raise NotImplementedError


class AllianceModel(ReplicatorModel):
    """An EMA ``ReplicatorModel`` of a sweep spec: its numeric factors as uncertainties, its
    categorical ones as levers, its outputs as outcomes, its replicates as replications, stepped
    together in one batch per experiment.
    """

    def __init__(self, name: str, spec: str | Path | SweepSpec, replications: int | None = None):
        super().__init__(name, function=_unused)
        if isinstance(spec, SweepSpec):
            raise SweepError("give the spec as a file or a shipped name (its scenario is found relative to it)")
        sweep, context, _ = model_context(spec)
        if sweep.random_numbers != "common":
            raise SweepError("the EMA model seeds replicate r of every experiment alike (random_numbers: common)")
        if not output_columns(sweep):
            raise SweepError(f"{spec}: the spec has no outputs or expectations to make the outcomes of")
        self.uncertainties = [self._factor(n, f) for n, f in sweep.factors.items() if not f.categorical]
        self.levers = [_lever(n, f) for n, f in sweep.factors.items() if f.categorical]
        self.outcomes = [ArrayOutcome(name) for name in output_columns(sweep)]  # an expectation: 1 if it holds
        self.replications = replications or sweep.replicates
        self.context = context

    @staticmethod
    def _factor(name: str, factor):
        if factor.levels is not None or not isinstance(factor.low, (int, float)):
            raise SweepError(f"factor {name}: the EMA model takes numeric ranges (low, high), not levels or dates")
        integer = name in P.PARAMETERS and P.PARAMETERS[name].integer or name.startswith("events.")
        return _uncertainty(name, factor.low, factor.high, integer and isinstance(factor.low, int))

    def run_model(self, scenario, policy, constants) -> None:
        """One experiment: every replication at once (the sweep's batched evaluator)."""
        AbstractModel.run_model(self, scenario, policy, constants)  # EMA's transforms of the sampled values
        values = {**scenario, **policy, **{c.name: c.value for c in self.constants}}
        factors = {name: values[name] for name in self.context.spec.factors}
        tasks = [Task(run_id=r, sample_id=0, replicate=r, factors=factors) for r in range(self.nreplications)]
        rows = [row for row, _ in evaluate_model(self.context, tasks)]
        failed = [row["error"] for row in rows if row["status"] != "ok"]
        if failed:
            raise SweepError(f"experiment {dict(factors)}: {failed[0]}")
        outputs = {name: [row[name] for row in rows] for name in output_columns(self.context.spec)}
        self.outcomes_output = outputs
        self.constraints_output = (values, outputs)
