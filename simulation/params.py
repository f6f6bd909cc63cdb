"""Model parameters, declared once.

Every tunable number of the model is a :class:`Parameter` here: its default, its bounds, its
unit, what it means and which mechanism uses it. The same declarations validate the
``parameters:`` section of scenario files and ``--set`` on the command line, and (later) drive
dashboard sliders and sweep designs. Defaults are documented in ``docs/ODD.md`` (section 7).
"""

from __future__ import annotations

import math

import numpy as np
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence


@dataclass(frozen=True)
class Parameter:
    """A sweepable model parameter."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    mechanism: str
    description: str
    integer: bool = False

    def check(self, value: object) -> float:
        """Return ``value`` as a number within bounds, or raise ``ValueError`` saying why."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be a number (got {value!r})")
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number (got {value!r})")
        if self.integer and float(value) != int(value):
            raise ValueError(f"must be an integer (got {value!r})")
        if not self.low <= value <= self.high:
            raise ValueError(f"must be between {self.low:g} and {self.high:g} (got {float(value):g})")
        return int(value) if self.integer else float(value)


_P = Parameter
PARAMETERS: Mapping[str, Parameter] = MappingProxyType(
    {
        p.name: p
        for p in (
            # --- structural balance (Heider 1946; Kulakowski et al. 2005) ---
            _P("balance_rate", 1.0, 0.0, 5.0, "1/year", "balance",
               "speed of the bounded dA/dt = (1 - A^2) A.A/(N-2) drift toward balanced triads"),
            # --- agents' leaning (security, economy, ideology utilities) ---
            _P("lean_rate", 1.0, 0.0, 6.0, "1/year", "agents",
               "speed at which affinity relaxes toward the states' mutual leaning"),
            _P("spin_up_years", 3.0, 0.0, 20.0, "years", "model",
               "noise-free run of the relation dynamics before the start, so initial affinity is in equilibrium "
               "(anchored_start 0 only)"),
            _P("anchored_start", 1, 0, 1, "switch", "model",
               "1: a run starts from the observed voting map (ideology affinity and overrides), held in "
               "equilibrium by a latent residual leaning per pair; 0: from the spin-up's equilibrium",
               integer=True),
            _P("residual_decay", 0.297, 0.0, 5.0, "1/year", "model",
               "rate at which an anchored start's residual leaning fades, so that the dynamics move from the "
               "observed start toward the model's own equilibrium (0: the residual holds for good)"),
            _P("spin_up_enmity", 2.0, 0.0, 4.0, "affinity", "model",
               "hostility between states at war in the spin-up's starting affinity clip(H + K - enmity W, -1, 1) "
               "(anchored_start 0 only)"),
            _P("decision_noise", 0.0043, 0.0, 1.0, "utility", "agents",
               "standard deviation of the random-utility term in each leaning decision"),
            _P("treaty_anchor", 0.6, 0.0, 2.0, "utility", "agents",
               "utility of honouring a full-strength treaty commitment"),
            # --- homophily (Bailey, Strezhnev & Voeten 2017 ideal points) ---
            _P("ideal_point_scale", 2.5, 0.5, 6.0, "ideal-point units", "homophily",
               "UNGA ideal-point distance at which ideological affinity reaches -1"),
            _P("homophily_strength", 1.0, 0.0, 3.0, "multiplier", "homophily",
               "multiplier on every state's ideology weight"),
            # --- balance of threat (Walt 1987) ---
            _P("threat_sensitivity", 1.0, 0.0, 3.0, "multiplier", "threat",
               "multiplier on every state's security weight"),
            _P("proximity_km", 3000.0, 250.0, 20000.0, "km", "threat",
               "distance between capitals over which proximity decays by 1/e (land neighbours: 1)"),
            _P("bandwagon_ratio", 0.2, 0.0, 1.0, "ratio", "threat",
               "a state bandwagons when its own plus its friends' capability is below this share of its main threat's"),
            # --- transactional exchange (Morrow 1991; Keohane 1986) ---
            _P("exchange_gain", 1.5, 0.0, 5.0, "affinity per unit value", "exchange",
               "affinity gained by giver and receiver per unit of relative value transferred"),
            _P("reciprocity", 0.5, 0.0, 2.0, "1/year", "exchange",
               "rate at which a receiver repays what it owes, in money (and technology when it is ahead)"),
            _P("repayment_gdp_share", 0.01, 0.0, 0.1, "share of GDP", "exchange",
               "economic transfer that repays one unit of relative value received"),
            _P("support_budget", 0.05, 0.0, 0.5, "share of GDP a year", "exchange",
               "most of its economy a year a state spends repaying partners, at risk tolerance 1"),
            _P("summit_gain", 0.3, 0.0, 1.0, "share of the gap to +1", "exchange",
               "affinity gained by every pair attending a summit of strength 1: A += gain (1 - A)"),
            _P("signing_gain", 0.3, 0.0, 1.0, "share of the gap to +1", "exchange",
               "affinity gained by the parties of a treaty of strength 1 when they sign it"),
            _P("host_factor", 1.5, 1.0, 3.0, "multiplier", "exchange",
               "affinity gain of a summit's host with each attendee, relative to the attendees' among themselves"),
            _P("tech_transfer", 0.3, 0.0, 1.0, "share of gap", "exchange",
               "share of the technology gap closed per unit of repaid value"),
            _P("memory_years", 1.0, 0.1, 5.0, "years", "exchange",
               "e-folding time of the memory of support received and given"),
            _P("mse_per_usd_bn", 0.15, 0.01, 1.0, "mse per US$ bn", "exchange",
               "million shell-equivalents bought by US$ 1 bn of military aid"),
            _P("missile_mse", 0.0005, 0.0, 0.01, "mse per missile", "exchange",
               "shell-equivalents of one ballistic missile (KN-23, Fath-360)"),
            _P("drone_mse", 0.00005, 0.0, 0.001, "mse per drone", "exchange",
               "shell-equivalents of one one-way attack drone (Shahed-136)"),
            _P("artillery_mse", 0.002, 0.0, 0.02, "mse per piece", "exchange",
               "shell-equivalents of one artillery piece or rocket launcher delivered"),
            # --- war attrition (Lanchester 1916) ---
            _P("attrition_rate", 0.35, 0.0, 3.0, "1/year", "attrition",
               "Lanchester square-law coefficient: front losses per year per unit of enemy firepower"),
            _P("munitions_use", 0.006, 0.0, 0.05, "mse per thousand troops per year", "attrition",
               "munitions a thousand front-line troops fire in a year at intensity 1"),
            _P("reserve_years", 1.0, 0.05, 3.0, "years", "attrition",
               "a belligerent rations fire when its munitions stock is below this many years of use"),
            _P("production_per_milex", 0.02, 0.0, 0.2, "mse per US$ bn per year", "attrition",
               "munitions produced per US$ bn of military expenditure"),
            _P("min_effect", 0.3, 0.0, 1.0, "share", "attrition",
               "firepower of troops with no munitions left, as a share of fully supplied troops"),
            _P("stock_cap", 3.0, 1.0, 10.0, "ratio", "attrition",
               "munitions stock counts toward capability up to this multiple of the initial stock"),
            _P("stock_years", 2.0, 0.1, 10.0, "years", "attrition",
               "initial munitions stock, in years of production, when the scenario gives none"),
            _P("quality_elasticity", 0.25, 0.0, 1.0, "elasticity", "attrition",
               "technology level = (military spending per soldier / median)^elasticity (Beckley 2010)"),
            _P("recruitment_rate", 2.5, 0.0, 20.0, "thousand per million people per year", "attrition",
               "recruits a state at war can raise to replace losses (times its own multiplier)"),
            _P("front_share", 0.5, 0.05, 1.0, "share", "attrition",
               "default share of a belligerent's personnel committed to the front"),
            _P("economy_years", 2.0, 0.1, 10.0, "years", "exchange",
               "e-folding time of an economy's return to its baseline (less what new sanctions cost)"),
            _P("sanction_cost", 0.1, 0.0, 0.5, "share of GDP", "exchange",
               "share of its economy a state loses under full-intensity sanctions"),
            # --- commitment-scaled involvement (Fearon 1997; Snyder 1984) ---
            _P("commitment_troops", 0.05, 0.0, 1.0, "share of the receiver's front", "commitment",
               "troops this share of the receiver's front make the giver a party to its wars at 1 - 1/e "
               "(diminishing returns; 0: any troops make a full party)"),
            _P("commitment_munitions", 1.0, 0.0, 10.0, "share of the receiver's yearly fire", "commitment",
               "munitions delivered a year, as a share of what the receiver's front fires, that commit the giver "
               "at 1 - 1/e (0: the channel is ignored)"),
            _P("commitment_money", 0.05, 0.0, 1.0, "share of the receiver's GDP a year", "commitment",
               "money paid a year, as a share of the receiver's economy, that commits the giver at 1 - 1/e "
               "(0: the channel is ignored)"),
            # --- combat experience (learning curves with forgetting; Argote et al. 1990) ---
            _P("learning_years", 0.5, 0.05, 5.0, "years", "experience",
               "time constant of the learning curve of troops in combat"),
            _P("tour_years", 1.0, 0.1, 5.0, "years", "experience",
               "mean combat tour: rotation brings experience home at this rate (ROK in Vietnam: 12 months)"),
            _P("experience_years", 5.0, 0.5, 30.0, "years", "experience",
               "e-folding time of a force's combat experience once home (retirement, forgetting)"),
            _P("veteran_share", 0.02, 0.001, 1.0, "share of personnel", "experience",
               "share of a force's personnel back from combat at which its experience reaches 1 - 1/e"),
            _P("experience_gain", 0.5, 0.0, 2.0, "multiplier", "experience",
               "firepower and capability of a fully experienced force relative to an unblooded one, minus 1"),
            # --- threat on the change (Walt 1987; Jervis 1976) ---
            _P("alarm_years", 1.0, 0.1, 10.0, "years", "alarm",
               "memory of the threat a state is used to; alarm is the rise above it"),
            _P("alarm_gain", 1.0, 0.0, 5.0, "multiplier", "alarm",
               "weight of alarm (a growing threat shifting the balance against a state) in the security term "
               "of leaning"),
            # --- alliances that deepen (Snyder 1984) ---
            _P("depth_rate", 3.0, 0.0, 10.0, "1/year per unit shared alarm", "alliance",
               "speed at which a treaty alliance deepens with the alarm its partners share"),
            _P("depth_years", 5.0, 0.5, 50.0, "years", "alliance",
               "e-folding time of an alliance's deepening once the alarm has passed"),
            # --- tension (a hazard of militarized incidents; anchored to COW dispute rates) ---
            _P("tension_rate", 3.0, 0.1, 24.0, "1/year", "tension",
               "speed at which pair tension relaxes toward its target"),
            _P("tension_hostility", 2.33, 0.0, 5.0, "hazard", "tension",
               "hazard of incidents between fully hostile states at proximity 1 (a land border)"),
            _P("tension_activity", 0.5, 0.0, 5.0, "hazard", "tension",
               "hazard added by military activity (deployments, transfers, operations) of hostile states"),
            _P("tension_parity", 0.5, 0.0, 1.0, "share", "tension",
               "share of the hostility hazard that depends on power parity (Bremer 1992): 0 none, 1 all"),
            _P("tension_alarm", 1.0, 0.0, 5.0, "hazard per unit alarm", "tension",
               "hazard added by alarm (a threat growing faster than the state is used to)"),
            # --- noise ---
            _P("affinity_noise", 0.05, 0.0, 0.5, "1/sqrt(year)", "model",
               "standard deviation of random shocks to affinity (Wiener increment)"),
            # --- coalitions (Axelrod & Bennett 1993) and blocs (Davis 1967) ---
            _P("k_blocs", 3, 2, 6, "blocs", "blocs",
               "number of blocs of the weak-balance partition", integer=True),
            _P("heuristic_restarts", 20, 1, 200, "restarts", "coalitions",
               "random restarts of the coalition and bloc heuristics above the exact-search size", integer=True),
        )
    }
)


# What every item of a batch shares: they shape the searches (``model._find_coalitions``), not an
# array operation; runs that differ in them are stepped in separate batches (``Points.one``).
SHARED = ("k_blocs", "heuristic_restarts")


def defaults() -> dict[str, float]:
    """Every parameter at its default value."""
    return {name: p.default for name, p in PARAMETERS.items()}


def resolve(*layers: Mapping[str, object]) -> dict[str, float]:
    """Defaults overridden by each layer in turn; raises ``KeyError``/``ValueError`` on bad input."""
    values = defaults()
    for layer in layers:
        for name, value in layer.items():
            if name not in PARAMETERS:
                raise KeyError(name)
            values[name] = PARAMETERS[name].check(value)
    return values


class Points(Mapping[str, object]):
    """The parameter values of a batch's items: one point (a full set of values) per item.

    ``points[name]`` is one float when every item has the same value (a run, or replicates of
    one point), else an array of one value per item; ``n(name)`` and ``nn(name)`` shape it to
    broadcast against the batch's per-state (B, N) and per-pair (B, N, N) arrays. Items with the
    same value compute with the same float as a run alone does, so that an item's tables never
    depend on the other points of its batch (``tests/test_points.py``).
    """

    def __init__(self, points: Sequence[Mapping[str, float]]):
        if not points:
            raise ValueError("a batch has at least one item")
        self.points = [dict(point) for point in points]
        self._values: dict[str, object] = dict(self.points[0])
        self._items: dict[int, Points] = {}
        for name in self._values if len(self.points) > 1 else ():
            column = [point[name] for point in self.points]
            if any(v != column[0] for v in column):
                self._values[name] = np.array(column, dtype=float)

    @classmethod
    def of(cls, params: "Mapping[str, float] | Sequence[Mapping[str, float]]", size: int | None = None) -> "Points":
        """``params`` for a batch of ``size`` items (None: any): one point for all, or one point per item."""
        if isinstance(params, Points):
            points = params
        elif isinstance(params, Mapping):
            points = cls([params] * (size or 1))
        else:
            points = cls(params)
        if size is not None and len(points) != size:
            raise ValueError(f"{len(points)} parameter points for a batch of {size}")
        return points

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self):
        return iter(self._values)

    def __getitem__(self, name: str):
        return self._values[name]

    def n(self, name: str):
        """The value shaped for per-state arrays (B, N): a float, or (B, 1)."""
        value = self._values[name]
        return value[:, None] if isinstance(value, np.ndarray) else value

    def nn(self, name: str):
        """The value shaped for per-pair arrays (B, N, N): a float, or (B, 1, 1)."""
        value = self._values[name]
        return value[:, None, None] if isinstance(value, np.ndarray) else value

    def one(self, name: str) -> float:
        """A value the whole batch must share (a structural parameter: ``k_blocs``, a search's restarts)."""
        value = self._values[name]
        if isinstance(value, np.ndarray):
            raise ValueError(f"{name} differs between the items of a batch: batch only points that share it")
        return value

    def take(self, index: Sequence[int]) -> "Points":
        """The points of items ``index``."""
        return Points([self.points[int(b)] for b in index])

    def item(self, b: int) -> "Points":
        """Item b's point (kept: a step asks for it again and again)."""
        if b not in self._items:
            self._items[b] = self if self.shared else self.take([b])
        return self._items[b]

    @property
    def shared(self) -> bool:
        """Whether every item has the same value of every parameter."""
        return not any(isinstance(v, np.ndarray) for v in self._values.values())

    def distinct(self) -> "tuple[list[dict[str, float]], np.ndarray]":
        """(the distinct points, in order of first appearance; each item's index among them)."""
        first: dict[tuple, int] = {}
        inverse = np.array([first.setdefault(key(point), len(first)) for point in self.points])
        return [self.points[list(inverse).index(i)] for i in range(len(first))], inverse


def key(point: Mapping[str, float]) -> tuple:
    """A hashable key of one parameter point."""
    return tuple(sorted(point.items()))
