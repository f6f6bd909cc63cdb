"""States as Mesa agents: each step a state perceives threats and opportunities and decides.

A :class:`StateAgent` has preferences — what it weighs (security, economy, ideology), its
risk tolerance, the stance of its current leadership; kept in the model's arrays so that all
states decide in one operation — and makes two decisions a step:

1. **How to lean** toward every other state (its row of the model's lean matrix, in [-1, 1];
   all rows at once, ``StateAgent.decide_leanings``):
   a random-utility evaluation (additive utility plus a Gaussian taste shock, after McFadden
   1974), squashed by tanh into a stance, over security value (Walt's balance of threat, with
   bandwagoning for weak states), economic exchange (support given and received, sanctions),
   ideological affinity (UNGA ideal points), treaty commitments and the leadership's stance.
2. **Whom to support** in return for what it received (transactional exchange): it repays its
   creditors in money and technology, bounded by its economy and its willingness.

The pairwise state (affinity, tension, flows) lives in the model's arrays (``simulation/state.py``);
an agent reads its row and writes its own decisions. Everything random comes from the model's
one Generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from . import effects as fx
from .data import StateRecord
from .effects import WEIGHTS
from .params import Points
from .state import Perception, State
from .mechanisms import exchange
from .mechanisms.algebra import at, zero_diagonal

if TYPE_CHECKING:
    from .model import AllianceModel


class StateAgent(mesa.Agent):
    """One state: its resources and preferences (read from the model's arrays) and its decisions."""

    def __init__(self, model: "AllianceModel", index: int, record: StateRecord):
        super().__init__(model)
        self.index = index
        self.state_id = record.id
        self.name = record.name
        self.record = record

    # -- what the state is, read from the model's arrays: one value per replicate of the batch --
    def _column(self, values: np.ndarray) -> np.ndarray:
        return values[..., self.index]

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """What the state weighs: security, economy, ideology (each one value per replicate)."""
        row = self.model.state.preference_weights[..., self.index, :]
        return {name: row[..., k] for k, name in enumerate(WEIGHTS)}

    @property
    def front_share(self) -> np.ndarray | float:
        """The share of its personnel a belligerent commits to the front (one value per item where points differ)."""
        return self._column(self.model.base.front_share)

    @property
    def risk_tolerance(self) -> np.ndarray:
        return self._column(self.model.state.risk_tolerance)

    @property
    def main_threat(self) -> list[str | None]:
        """The state it perceives as its main threat in each replicate (None where nothing threatens it)."""
        rows = self.model.seen.threat[..., self.index, :].reshape(-1, self.model.n)
        return [self.model.ids[j] if row[j] > 0 else None for row, j in zip(rows, rows.argmax(axis=-1))]

    @property
    def manpower(self) -> np.ndarray:
        return self._column(self.model.state.manpower)

    @property
    def munitions(self) -> np.ndarray:
        return self._column(self.model.state.munitions)

    @property
    def economy(self) -> np.ndarray:
        return self._column(self.model.state.economy)

    @property
    def capability(self) -> np.ndarray:
        return self._column(self.model.state.capability)

    @property
    def ideal_point(self) -> np.ndarray:
        return self._column(self.model.state.ideal_points)

    def __repr__(self) -> str:
        return f"StateAgent({self.state_id})"

    # -- decisions ---------------------------------------------------------------------------
    def step(self) -> None:
        """The state's second decision of the step (the first, leaning, is taken by all at once):
        repay the creditors it leans toward, in every replicate from that replicate's arrays.
        """
        self.repay(self.model.now)

    @staticmethod
    def decide_leanings(s: State, seen: Perception, p: Points, normal: np.ndarray | None = None,
                        residual: np.ndarray | None = None) -> np.ndarray:
        """Every state's desired stance toward every other, in [-1, 1]: row i is state i's decision.

        Random utility (McFadden 1974): the systematic utility (``utility``), the pair's latent
        ``residual`` where the run is anchored to the observed start (``model.spin_up``), and a
        Gaussian taste shock (``decision_noise`` × the standard ``normal`` draws; none without
        them); tanh turns utility into stance. All states decide simultaneously from what they
        perceived (``seen``), as one matrix operation.
        """
        u = StateAgent.utility(s, seen, p)
        if residual is not None:
            u = u + residual
        if normal is not None:
            u = u + p.nn("decision_noise") * normal
        zero_diagonal(u)
        return zero_diagonal(np.tanh(u))

    @staticmethod
    def utility(s: State, seen: Perception, p: Points) -> np.ndarray:
        """The systematic utility of leaning toward each partner: the weighted sum of security
        value (Walt: balance against i's threats, or bandwagon with the main one when weak),
        economic exchange (remembered flows, minus sanctions), ideological affinity, treaty
        commitments (deepened by integration) and the leadership's stance; zero diagonal.
        """
        w = s.preference_weights  # (n, 3): security, economy, ideology
        main = at(np.argmax(seen.threat, axis=-1))  # each state's main threat
        against = seen.threat_shares.copy()
        weak = seen.bandwagoning.astype(bool)  # Walt: a weak state next to a threat joins it, not balance
        against[main] = np.where(weak, -against[main], against[main])
        security = (seen.security - seen.war_parties) - against * (0.5 + s.risk_tolerance)[..., :, None]
        economy = np.tanh(s.memory.mT + s.memory) - (s.sanctions + s.sanctions.mT)
        security = security + p.nn("alarm_gain") * seen.recalibration  # a growing threat: recalibrate
        u = ((w[..., 0] * p.n("threat_sensitivity"))[..., :, None] * security
             + w[..., 1][..., :, None] * economy
             + (w[..., 2] * p.n("homophily_strength"))[..., :, None] * seen.ideology
             + p.nn("treaty_anchor") * s.treaty * (1.0 + s.depth)
             + s.stance)
        return zero_diagonal(u)

    @staticmethod
    def debtors(state: State) -> list[int]:
        """The states (indices) with a repayment to decide this step (they owe a partner they lean
        toward), in agent order: ``repay`` does nothing for the others, and a repayment settles only
        the payer's own debts, so the set does not change while they decide. For a batch: the
        states with a repayment to decide in any replicate.
        """
        owes = (state.debt * (state.lean > 0)).any(axis=-1)
        return np.flatnonzero(owes.reshape(-1, owes.shape[-1]).any(axis=0)).tolist()

    def repay(self, x: fx.Step) -> None:
        """The state's repayments in the step ``x``, in every replicate from its own arrays.

        Debts it owes creditors it leans toward are repaid at the rate ``reciprocity``, in money
        (its GDP share ``repayment_gdp_share``, within ``support_budget`` × risk tolerance of its
        economy) and, toward a creditor less advanced than itself, in technology.
        """
        s, p, i = x.state, x.params, self.index
        owed = s.debt[..., i, :] * (s.lean[..., i, :] > 0)
        repaid = exchange.repayments(owed, p.n("reciprocity"), x.dt)
        if not repaid.any():
            return
        economy = s.economy[..., i]
        money = repaid * p.n("repayment_gdp_share") * economy[..., None]
        budget = p["support_budget"] * s.risk_tolerance[..., i] * economy * x.dt
        total = money.sum(axis=-1)
        ratio = np.divide(budget, total, out=np.zeros_like(total), where=total > 0)
        scale = np.where(total > 0, np.minimum(1.0, ratio), 0.0)
        for c in np.flatnonzero(money.reshape(-1, money.shape[-1]).any(axis=0)).tolist():
            _each_where(x, money[x.at(c)] != 0, fx.transfer_economy, i, c, money[x.at(c)] * scale,
                        repayment=repaid[x.at(c)] * scale)
            level = np.minimum(p["tech_transfer"] * repaid[x.at(c)] * scale, 1.0)
            _each_where(x, (s.tech[x.at(i)] > s.tech[x.at(c)]) & (level > 0), fx.transfer_technology, i, c, level,
                        repayment=0.0)


def _each_where(x: fx.Step, where: np.ndarray, effect, *args, **kwargs) -> None:
    """``effect(x, *args, **kwargs)`` in the replicates ``where`` holds: at once when it holds for
    all of them, else replicate by replicate — a replicate's arrays are never touched by an effect
    that is not its own.
    """
    if where.all():
        effect(x, *args, **kwargs)
        return
    for b in np.flatnonzero(where).tolist():
        effect(x.item(b), *(a[b] if isinstance(a, np.ndarray) else a for a in args),
               **{k: v[b] if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
