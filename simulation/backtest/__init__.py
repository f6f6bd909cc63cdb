"""Backtests: the model run from the real world of a year, against what happened afterwards.

``runner`` runs the worlds of origins T with no scripted events and collects every dyad's
predicted affinity at T + h beside the observed one; ``skill`` scores them. See docs/backtest.md.
"""
