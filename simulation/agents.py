"""States as Mesa agents: each step a state perceives threats and opportunities and decides.

A :class:`StateAgent` owns its preferences — what it weighs (security, economy, ideology), its
risk tolerance, the stance of its current leadership — and makes two decisions a step:

1. **How to lean** toward every other state (a row of the model's lean matrix, in [-1, 1]):
   a random-utility evaluation (additive utility plus a Gaussian taste shock, after McFadden
   1974), squashed by tanh into a stance, over security value (Walt's balance of threat, with
   bandwagoning for weak states), economic exchange (support given and received, sanctions),
   ideological affinity (UNGA ideal points), treaty commitments and the leadership's stance.
2. **Whom to support** in return for what it received (transactional exchange): it repays its
   creditors in money and technology, bounded by its economy and its willingness.

The pairwise state (affinity, tension, flows) lives in the model's arrays; an agent reads its
row and writes its own decisions. Everything random comes from the model's one Generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from .data import StateRecord
from .mechanisms import exchange

if TYPE_CHECKING:
    from .model import AllianceModel

SUPPORT_BUDGET = 0.05  # at most this share of GDP a year goes to repaying partners, at risk tolerance 1


class StateAgent(mesa.Agent):
    """One state: resources (in the model's arrays) and alignment preferences (here)."""

    def __init__(self, model: "AllianceModel", index: int, record: StateRecord,
                 weights: dict[str, float], risk_tolerance: float, front_share: float):
        super().__init__(model)
        self.index = index
        self.state_id = record.id
        self.name = record.name
        self.record = record
        self.weights = dict(weights)
        self.risk_tolerance = risk_tolerance
        self.front_share = front_share
        self.main_threat: str | None = None
        self.bandwagoning = False

    # -- resources, read from the model's arrays -------------------------------------------
    @property
    def manpower(self) -> float:
        return float(self.model.manpower[self.index])

    @property
    def munitions(self) -> float:
        return float(self.model.munitions[self.index])

    @property
    def economy(self) -> float:
        return float(self.model.economy[self.index])

    @property
    def capability(self) -> float:
        return float(self.model.capability[self.index])

    @property
    def ideal_point(self) -> float:
        return float(self.model.ideal_points[self.index])

    def __repr__(self) -> str:
        return f"StateAgent({self.state_id})"

    # -- decisions ---------------------------------------------------------------------------
    def step(self) -> None:
        self.model.lean[self.index] = self.decide_leaning(noise=True)
        self.reciprocate()

    def utilities(self, noise: bool) -> np.ndarray:
        """Utility of leaning toward each state (own entry 0)."""
        m, i, p = self.model, self.index, self.model.params
        shares = m.threat_shares[i]
        security = m.security[i] - m.war_parties[i]
        main = int(np.argmax(m.threat[i]))
        self.main_threat = m.ids[main] if m.threat[i, main] > 0 else None
        self.bandwagoning = bool(m.bandwagoning[i])
        against = shares.copy()
        if self.bandwagoning:  # Walt: a weak state next to a threat joins it rather than balance
            against[main] = -shares[main]
        security = security - against * (0.5 + self.risk_tolerance)
        economy = np.tanh(m.memory[:, i] + m.memory[i, :]) - (m.sanctions[i, :] + m.sanctions[:, i])
        security = security + p["alarm_gain"] * m.recalibration[i]  # a growing threat: recalibrate
        u = (self.weights["security"] * p["threat_sensitivity"] * security
             + self.weights["economy"] * economy
             + self.weights["ideology"] * p["homophily_strength"] * m.ideology[i]
             + p["treaty_anchor"] * m.treaty[i] * (1.0 + m.depth[i])
             + m.stance[i])
        if noise:
            u = u + p["decision_noise"] * m.rng.standard_normal(len(u))
        u[i] = 0.0
        return u

    def decide_leaning(self, noise: bool = True) -> np.ndarray:
        """The state's desired stance toward every other state, in [-1, 1]."""
        lean = np.tanh(self.utilities(noise))
        lean[self.index] = 0.0
        return lean

    def reciprocate(self) -> None:
        """Repay creditors it leans toward, in money and technology, within its budget."""
        m, i, p = self.model, self.index, self.model.params
        owed = m.debt[i] * (m.lean[i] > 0)
        repaid = exchange.repayments(owed, p["reciprocity"], m.dt)
        if not repaid.any():
            return
        money = repaid * p["repayment_gdp_share"] * m.economy[i]
        budget = SUPPORT_BUDGET * self.risk_tolerance * m.economy[i] * m.dt
        scale = min(1.0, budget / money.sum()) if money.sum() > 0 else 0.0
        for c in np.flatnonzero(money):
            m.transfer_economy(self.state_id, m.ids[c], money[c] * scale, repayment=repaid[c] * scale)
            level = min(p["tech_transfer"] * repaid[c] * scale, 1.0)
            if m.tech[i] > m.tech[c] and level > 0:
                m.transfer_technology(self.state_id, m.ids[c], level, repayment=0.0)
