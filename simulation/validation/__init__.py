"""Validation-only code: reproductions of published results, never imported by the production model.

- ``landscape``: Axelrod & Bennett (1993) landscape theory on Europe in 1936
  (``python -m simulation.validation.landscape``; ``--write-scenario`` regenerates
  ``scenarios/europe_1936.yaml``);
- ``heider``: continuous structural-balance dynamics (Marvel et al. 2011; bounded Kułakowski et
  al. 2005) integrated with the model's own right-hand side, ``simulation.mechanisms.balance.heider_rhs``;
- ``triads``: discrete local and constrained triad dynamics (Antal, Krapivsky & Redner 2005).

They are used by ``docs/validation.py`` (the numbers of ``docs/validation.md``) and the tests. The
model, runner, sweeps, CLI and dashboard never import this package (``tests/test_validation.py``
checks it), so what lives here cannot change a simulation result.
"""
