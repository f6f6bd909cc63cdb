"""Test data shared by several test modules (tests/ is on sys.path under pytest)."""

import os


def where_run(context, task) -> tuple:
    """An evaluator for ``simulation.parallel``: the task and the process that ran it."""
    return task, os.getpid()

MINIMAL = """\
name: mini
title: Minimal test scenario
calendar: {start: 2024-01-01, end: 2024-12-31, step: month}
seed: 7
states:
  RUS: {}
  UKR: {}
  PRK: {munitions: 25, source: "test stock"}
  ROK: {}
  USA: {}
relations:
  wars:
    - {parties: [RUS, UKR], source: "test war"}
regions:
  peninsula: {core: [PRK, ROK], with: [USA]}
events:
  - id: deploy
    type: troop_deployment
    from: PRK
    to: RUS
    date: 2024-03-10
    troops: 10000
    source: "test deployment"
  - id: shells
    type: arms_transfer
    from: PRK
    to: RUS
    date: 2024-02-01
    until: 2024-05-31
    shells: 1000000
    source: "test shells"
"""
