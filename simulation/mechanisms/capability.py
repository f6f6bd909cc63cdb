"""Capability: the state's share of world power (COW CINC) moved by what happens to its resources.

Theory: Singer, Bremer & Stuckey (1972) "Capability distribution, uncertainty, and major power
war, 1820-1965" — the Composite Index of National Capability averages a state's shares of
military, demographic and economic resources. The model starts every state at its CINC and
scales it each step by the mean of three ratios to the start — troops (own plus foreign troops
on its front), munitions stock (counted up to ``stock_cap`` times the initial stock) and
economy — times its technology and force quality relative to the start (Beckley 2010: the
same resources count for more in better forces).

Parameters: ``stock_cap``.
"""

from __future__ import annotations

import numpy as np


def capability(cinc: np.ndarray, tech_ratio: np.ndarray, quality_ratio: np.ndarray, troops_ratio: np.ndarray,
               stock_ratio: np.ndarray, economy_ratio: np.ndarray, stock_cap: float) -> np.ndarray:
    """CINC × tech ratio × quality ratio × mean(troops, min(stock, cap), economy ratios)."""
    ratios = np.stack(np.broadcast_arrays(troops_ratio, np.minimum(stock_ratio, stock_cap), economy_ratio))
    return cinc * tech_ratio * quality_ratio * ratios.mean(axis=0)
