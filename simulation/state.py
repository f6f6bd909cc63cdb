"""The model's dynamic state: typed containers of arrays, declared in one place.

N is the number of states; (N, N) arrays are indexed [row state, column state], "g → r" for a
flow from giver g to receiver r. A batch of B replicates stepped together (``AllianceModel``'s
``batch``) holds the same containers with a leading axis: (B, N), (B, N, N), and (B,) for the
scalars; ``item(b)`` is replicate b's view of them. Four containers, by lifetime:

- :class:`Baseline` — fixed for the run once the model is built (what ratios are taken against);
- :class:`State` — what evolves from step to step (the model's state variables, ODD §2);
- :class:`Flows` — what happened during the current step (reset at its start);
- :class:`Perception` — what every state sees, recomputed from the state (ODD §7.2).

Mechanisms (``simulation/mechanisms``) are pure functions of these arrays; the model's step
pipeline passes them in and stores what they return.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

Array = np.ndarray


PAIRS = ("proximity", "residual")  # the baseline's (N, N) fields


@dataclass(slots=True)
class Baseline:
    """Per-run constants: the start against which ratios are measured, and geography."""

    manpower0: Array  # (N,) thousand military personnel at the start
    munitions0: Array  # (N,) million shell-equivalents at the start (at least 1e-9)
    economy0: Array  # (N,) GDP at the start, US$ bn a year
    milex: Array  # (N,) military expenditure, US$ bn a year
    tech0: Array  # (N,) technology level at the start (1 = the scenario's median spending per soldier)
    cinc: Array  # (N,) COW composite index of national capability
    quality0: Array  # (N,) force quality at the start (combat experience)
    proximity: Array  # (N, N) geographic proximity in [0, 1]: 1 for land neighbours, else exp(-km / proximity_km)
    front_share: Array  # (N,) share of a belligerent's personnel at the front
    residual: Array | None = None  # (N, N) latent leaning that holds an anchored start in place (None: none)

    # A batch of several parameter points holds (B, …) where its items' values differ (``stack``).
    @classmethod
    def stack(cls, items: "list[Baseline]") -> "Baseline":
        """The items' baselines along a leading axis: a field stacked where the items differ, else shared."""
        def field_of(name: str) -> Array | None:
            arrays = [getattr(x, name) for x in items]
            if all(a is None for a in arrays):
                return None
            known = next(a for a in arrays if a is not None)
            arrays = [np.zeros_like(known) if a is None else a for a in arrays]
            same = all(np.array_equal(a, arrays[0], equal_nan=True) for a in arrays[1:])
            return arrays[0] if same else np.stack(arrays)

        return cls(*(field_of(f.name) for f in fields(cls)))

    def item(self, b: int) -> "Baseline":
        """Item b's baseline (its row of every stacked field)."""
        return Baseline(*(v[b] if v is not None and v.ndim > (2 if f.name in PAIRS else 1) else v
                          for f, v in ((f, getattr(self, f.name)) for f in fields(self))))


@dataclass(slots=True)
class State:
    """State variables, changed by events and mechanisms step after step."""

    manpower: Array  # (N,) thousand personnel at home
    munitions: Array  # (N,) million shell-equivalents in stock
    economy: Array  # (N,) US$ bn a year
    ideal_points: Array  # (N,) UNGA ideal point (Bailey, Strezhnev & Voeten 2017)
    tech: Array  # (N,) technology level
    capability: Array  # (N,) CINC moved by resources (mechanisms.capability)
    preference_weights: Array  # (N, 3) what each state weighs: security, economy, ideology
    risk_tolerance: Array  # (N,) in [0, 1]
    affinity: Array  # (N, N) symmetric in [-1, 1], zero diagonal
    tension: Array  # (N, N) symmetric in [0, 1]: hazard of a militarized incident
    treaty: Array  # (N, N) treaty strength in [0, 1]
    at_war: Array  # (N, N) bool, formal belligerents
    sanctions: Array  # (N, N) intensity, sanctioning row → target column
    stance: Array  # (N, N) leadership's lasting shift of leaning row → column
    lean: Array  # (N, N) each state's decided stance toward each other, in [-1, 1]
    deployed: Array  # (N, N) thousand troops of row state fighting for column state
    memory: Array  # (N, N) decayed value of support row → column
    debt: Array  # (N, N) value row owes column
    support_munitions: Array  # (N, N) decayed mse delivered row → column
    support_money: Array  # (N, N) decayed US$ bn paid row → column
    depth: Array  # (N, N) deepening of treaty alliances since the start
    activity: Array  # (N,) decayed military activity
    losses_total: Array  # (N,) thousand troops lost since the start
    field: Array  # (N,) experience of troops in the field
    veterans: Array  # (N,) veterans at home
    experience: Array  # (N,) force experience in [0, 1)
    quality: Array  # (N,) force quality from experience
    front_strength: Array  # (N,) firepower at the front
    power_baseline: Array | None  # (N,) the power a state is used to (alarm); None before the spin-up ends
    coalition: Array  # (N,) 0 = the anchor's side (A), 1 = the other (B)
    bloc: Array  # (N,) bloc labels 0 … k_blocs − 1
    alignment: Array  # (N,) in [-1, 1], toward coalition A
    energy: float = 0.0  # landscape energy of the coalition split
    frustration: float = 0.0  # frustration of the bloc partition
    polarization: float = 0.0

    def copy(self) -> "State":
        """A state of new arrays with the same values (a step builds its state from a copy)."""
        return State(*(v.copy() if isinstance(v, np.ndarray) else v
                       for v in (getattr(self, f.name) for f in fields(self))))

    def stacked(self, batch: int) -> "State":
        """``batch`` copies of this state along a new leading axis (scalars become (batch,) arrays)."""
        return State(*(None if v is None else np.repeat(np.asarray(v)[None], batch, axis=0)
                       for v in (getattr(self, f.name) for f in fields(self))))

    @classmethod
    def stack(cls, items: "list[State]") -> "State":
        """States along a new leading axis (scalars become (B,) arrays)."""
        return cls(*(None if getattr(items[0], f.name) is None else np.stack([getattr(x, f.name) for x in items])
                     for f in fields(cls)))

    def item(self, b: int) -> "State":
        """Replicate b of a stacked state: views, so that writing to them writes to the stack."""
        return State(*(None if v is None else v[b] for v in (getattr(self, f.name) for f in fields(self))))


@dataclass(slots=True)
class Flows:
    """What moved during the current step (all zero at its start)."""

    delivered_munitions: Array  # (N, N) mse row → column
    paid_money: Array  # (N, N) US$ bn row → column (not repayments)
    value: Array  # (N, N) relative value to the receiver column
    military_value: Array  # (N, N) the military part of value
    cost: Array  # (N, N) relative cost to the giver row
    operations: Array  # (N, N) extra front intensity, actor row against target column
    tension_shock: Array  # (N, N) one-off tension added after relaxation
    losses: Array  # (N,) thousand troops lost this step
    paid: Array  # (N,) US$ bn paid out this step (aid and repayments: the affordability cap)

    @classmethod
    def zeros(cls, n: int, batch: int | None = None) -> "Flows":
        """No flows, for one replicate or (``batch``) a stack of them."""
        lead = () if batch is None else (batch,)
        return cls(*(np.zeros((*lead, n, n)) for _ in range(7)), np.zeros((*lead, n)), np.zeros((*lead, n)))

    def item(self, b: int) -> "Flows":
        """Replicate b of stacked flows (views)."""
        return Flows(*(getattr(self, f.name)[b] for f in fields(self)))


@dataclass(slots=True)
class Perception:
    """What every state perceives this step (threat, security value, alarm …), from the state."""

    ideology: Array  # (N, N) ideological affinity in [-1, 1]
    proximity: Array  # (N, N) projected through allies, in [0, 1]
    belligerence: Array  # (N, N) degree to which row is a party to column's wars through its troops
    involvement: Array  # (N, N) commitment of row to column's side, all channels
    war_parties: Array  # (N, N) who fights whom, graded in [0, 1]
    hostile: Array  # (N, N) hostility in [0, 1]
    threat: Array  # (N, N) threat column poses to row
    threat_shares: Array  # (N, N) rows as shares of each state's total threat
    security: Array  # (N, N) security value of partner column to row
    bandwagoning: Array  # (N,) bool: bandwagons with its main threat
    backing: Array  # (N, N) how much of row's power stands behind column
    power: Array  # (N,) own capability plus backing
    alarm: Array  # (N, N) alarm of row at column's growing power
    recalibration: Array  # (N, N) row's shift toward partners against an alarming power
