"""The scenario format: typed, validated objects (pydantic).

A scenario file is YAML; ``loader.py`` turns it into these objects and reports every problem
as ``file:line: field: what was expected``. The JSON Schema of :class:`Scenario`
(``alliance-sim schema``) lets editors autocomplete; ``docs/scenario-format.md`` documents every
field with an example.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .. import limits

StateId = Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[^\W\d_][\w .&()'’-]*$",
                               description="a state: COW abbreviation (RUS, PRK, ROK), ISO3 code (KOR) "
                                           "or name as in the shipped data (South Korea)")]
Source = Annotated[str, Field(min_length=3, description="where the facts of this entry come from")]



def _number(value: object) -> object:
    """Refuse what pydantic would coerce into a number: a boolean; and non-finite or absurdly large numbers."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number (got {str(value).lower()})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number (got {value})")
    if isinstance(value, int) and abs(value) > 10**18:
        raise ValueError("must be a number of at most 18 digits")
    return value


def _date(value: object) -> object:
    """Refuse what pydantic would coerce into a date: a number (a Unix time) or a date with a time."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"must be a date YYYY-MM-DD, without a time (got {value.isoformat()})")
    if isinstance(value, bool):
        raise ValueError(f"must be a date YYYY-MM-DD (got {str(value).lower()})")
    if isinstance(value, (int, float)):
        raise ValueError(f"must be a date YYYY-MM-DD (got the number {value!r})")
    return value


def _reference(value: object) -> object:
    """A reference forecast: 'persistence', 'coin' or a probability, refused with one message."""
    if value in ("persistence", "coin"):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0:
        return float(value)
    raise ValueError(f"must be 'persistence', 'coin' or a probability from 0 to 1 (got {str(value)[:40]!r})")


Num = Annotated[float, BeforeValidator(_number)]
Int = Annotated[int, BeforeValidator(_number)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Share = Annotated[Num, Field(ge=0.0, le=1.0)]
Count = Annotated[Int, Field(ge=0, le=limits.MAX_AMOUNT)]


class Strict(BaseModel):
    """Unknown fields are errors (a typo must not be silently ignored), and no value is coerced
    across kinds (``Num``, ``Int``, ``Date``): no boolean for a number, no number for a date.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- metadata, calendar
class Calendar(Strict):
    start: Date = Field(description="first day simulated (YYYY-MM-DD)")
    end: Date = Field(description="last day simulated (YYYY-MM-DD)")
    step: Literal["week", "month"] = Field("month", description="length of one model step")

    @model_validator(mode="after")
    def _bounded(self) -> "Calendar":
        if self.end.year > 9000:
            raise ValueError(f"end {self.end} is past the year 9000")
        if (self.end - self.start).days > limits.MAX_CALENDAR_YEARS * 366:
            raise ValueError(f"the calendar spans more than {limits.MAX_CALENDAR_YEARS} years")
        return self


class Region(Strict):
    core: list[StateId] = Field(min_length=1, description="states that define the region")
    with_: list[StateId] = Field(default_factory=list, alias="with",
                                 description="outside states whose relations with the core count")


class Weights(Strict):
    security: Share = 0.5
    economy: Share = 0.2
    ideology: Share = 0.3


class StateSpec(Strict):
    """Overrides of a state's shipped data; every overridden number needs a ``source``."""

    name: str | None = None
    manpower: Num | None = Field(None, ge=0, le=1e6, description="thousand active personnel")
    milex: Num | None = Field(None, ge=0, le=limits.MAX_USD_BN, description="military expenditure, US$ bn per year")
    gdp: Num | None = Field(None, gt=0, le=limits.MAX_USD_BN, description="GDP, US$ bn per year")
    cinc: Num | None = Field(None, ge=0, le=1, description="COW composite index of national capability")
    ideal_point: Num | None = Field(None, ge=-4, le=4, description="UNGA ideal point")
    lat: Num | None = Field(None, ge=-90, le=90)
    lon: Num | None = Field(None, ge=-180, le=180)
    munitions: Num | None = Field(None, ge=0, le=1e6, description="initial stock, million shell-equivalents "
                                    "(default: production_per_milex × milex × stock_years)")
    weights: Weights | None = Field(None, description="what the state weighs when it leans")
    risk_tolerance: Share | None = Field(None, description="0 = cautious, 1 = bold")
    front_share: Annotated[Num, Field(ge=0.05, le=1.0)] | None = Field(
        None, description="share of personnel at the front when at war")
    recruitment: Num | None = Field(None, ge=0, le=5, description="multiplier on recruitment_rate")
    source: str | None = Field(None, description="source of the overridden numbers")


# --------------------------------------------------------------------------- initial relations
class TreatySpec(Strict):
    parties: list[StateId] = Field(min_length=2)
    kind: Literal["mutual_defence", "strategic_partnership", "non_aggression", "other"]
    since: Date | None = None
    strength: Share | None = Field(None, description="commitment; default by kind")
    source: Source


class WarSpec(Strict):
    parties: list[StateId] = Field(min_length=2, max_length=2)
    since: Date | None = None
    source: Source


class AffinitySpec(Strict):
    pair: list[StateId] = Field(min_length=2, max_length=2)
    value: Annotated[Num, Field(ge=-1.0, le=1.0)]
    source: Source


class SanctionSpec(Strict):
    by: list[StateId] = Field(min_length=1)
    target: StateId
    intensity: Share = 0.5
    source: Source


PerYear = Annotated[Num, Field(ge=0, le=limits.MAX_AMOUNT, allow_inf_nan=False)]
UsdPerYear = Annotated[Num, Field(ge=0, le=limits.MAX_USD_BN, allow_inf_nan=False)]


class SupportSpec(Strict):
    """Support already flowing at the start, per year: the commitment the model starts from.

    It is not delivered again (the scenario's events deliver what comes after the start); it
    fills the memory of support (``memory_years``) as if it had flowed at this rate since
    ``since``, so that continuing support is not read as new.
    """

    from_: StateId = Field(alias="from")
    to: StateId
    since: Date | None = Field(None, description="when the flow began (default: long enough to be steady)")
    shells: PerYear = Field(0, description="shells a year")
    missiles: PerYear = Field(0, description="ballistic missiles a year")
    drones: PerYear = Field(0, description="one-way attack drones a year")
    artillery: PerYear = Field(0, description="guns and rocket launchers a year")
    military_aid_usd_bn: UsdPerYear = Field(0, description="military aid, US$ bn a year (buys munitions)")
    economic_aid_usd_bn: UsdPerYear = Field(0, description="economic or humanitarian aid, US$ bn a year")
    source: Source


class Relations(Strict):
    wars: list[WarSpec] = Field(default_factory=list, description="pairs at war at the start")
    treaties: list[TreatySpec] = Field(default_factory=list)
    affinity: list[AffinitySpec] = Field(default_factory=list, description="initial affinity overrides")
    sanctions: list[SanctionSpec] = Field(default_factory=list)
    support: list[SupportSpec] = Field(default_factory=list, description="support flowing at the start (per year)")


# --------------------------------------------------------------------------- events
class EventBase(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="unique within the scenario")
    date: Date
    source: Source
    label: str | None = Field(None, description="short text for reports (default: derived)")


class Flow(EventBase):
    """Something delivered from one state to another, at once or spread until ``until``."""

    from_: StateId = Field(alias="from")
    to: StateId
    until: Date | None = Field(None, description="spread the delivery evenly until this date")


class TroopDeployment(Flow):
    type: Literal["troop_deployment"]
    troops: Count = Field(description="personnel sent")


class ArmsTransfer(Flow):
    type: Literal["arms_transfer"]
    shells: Count = 0
    missiles: Count = 0
    drones: Count = 0
    artillery: Count = Field(0, description="guns and rocket launchers")


class TechnologyTransfer(Flow):
    type: Literal["technology_transfer"]
    level: Annotated[Num, Field(gt=0.0, le=1.0)] = Field(description="share of the technology gap closed")


class Aid(Flow):
    type: Literal["aid"]
    kind: Literal["military", "economic", "humanitarian"] = "military"
    value_usd_bn: Annotated[Num, Field(ge=0.0, le=limits.MAX_USD_BN)]


class AidSuspension(EventBase):
    type: Literal["aid_suspension"]
    from_: StateId = Field(alias="from")
    to: StateId
    until: Date | None = Field(None, description="aid resumes on this date; none = for good")


class Summit(EventBase):
    type: Literal["summit"]
    host: StateId
    participants: list[StateId] = Field(min_length=1, description="attending states other than the host")
    strength: Share = 0.5


class Treaty(EventBase):
    type: Literal["treaty"]
    parties: list[StateId] = Field(min_length=2)
    kind: Literal["mutual_defence", "strategic_partnership", "non_aggression", "other"]
    in_force: Date | None = Field(None, description="date of entry into force (half strength before)")
    strength: Share | None = None


class Sanctions(EventBase):
    type: Literal["sanctions"]
    by: list[StateId] = Field(min_length=1)
    target: StateId
    intensity: Share = 0.5
    lifted: Date | None = None


class CourseChange(EventBase):
    """Fields shared by a change of policy and a change of leadership."""

    state: StateId
    ideal_point: Annotated[Num, Field(ge=-4, le=4)] | None = None
    weights: Weights | None = Field(None, description="fields not given keep their current value")
    risk_tolerance: Share | None = None
    stance: dict[StateId, Annotated[Num, Field(ge=-1.0, le=1.0)]] = Field(
        default_factory=dict, description="lasting shift of the state's leaning toward states")


class PolicyChange(CourseChange):
    """A state changes course: what it weighs, its boldness, its stance toward other states."""

    type: Literal["policy_change"]


class LeadershipChange(CourseChange):
    """A new leader: the same changes as a policy change, with the leader's name."""

    type: Literal["leadership_change"]
    leader: str


class Ceasefire(EventBase):
    type: Literal["ceasefire"]
    parties: list[StateId] = Field(min_length=2, max_length=2)


class WarOutbreak(EventBase):
    type: Literal["war_outbreak"]
    parties: list[StateId] = Field(min_length=2, max_length=2)


class MilitaryOperation(EventBase):
    type: Literal["military_operation"]
    actor: StateId
    target: StateId
    intensity: Annotated[Num, Field(gt=0.0, le=5.0)] = Field(1.0, description="extra front intensity")
    until: Date | None = None


class RelationShock(EventBase):
    type: Literal["relation_shock"]
    pair: list[StateId] = Field(min_length=2, max_length=2)
    affinity: Annotated[Num, Field(ge=-2.0, le=2.0)] = 0.0
    tension: Annotated[Num, Field(ge=-1.0, le=1.0)] = 0.0


Event = Annotated[
    Union[TroopDeployment, ArmsTransfer, TechnologyTransfer, Aid, AidSuspension, Summit, Treaty,
          Sanctions, LeadershipChange, PolicyChange, Ceasefire, WarOutbreak, MilitaryOperation, RelationShock],
    Field(discriminator="type"),
]
STATE_FIELDS = ("from_", "to", "host", "state", "actor", "target")  # event fields naming one state
STATE_LISTS = ("participants", "parties", "by", "pair")  # event fields naming several


def state_refs(event: EventBase, stance: bool = False) -> list[tuple[tuple, str]]:
    """Every state an event names, as (path within the event, id as written), in field order;
    with ``stance``, also the states a course change shifts its stance toward.
    """
    fields = type(event).model_fields
    refs = [((name.rstrip("_"),), getattr(event, name)) for name in STATE_FIELDS
            if name in fields and isinstance(getattr(event, name), str)]
    for name in STATE_LISTS:
        if name in fields:
            refs += [((name, j), r) for j, r in enumerate(getattr(event, name) or []) if isinstance(r, str)]
    if stance and "stance" in fields:
        refs += [(("stance", r), r) for r in event.stance or {}]
    return refs


EVENT_TYPES = tuple(
    cls.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for cls in Event.__origin__.__args__  # type: ignore[attr-defined]
)


# --------------------------------------------------------------------------- expectations
class Subject(Strict):
    state: StateId | None = None
    pair: list[StateId] | None = Field(None, min_length=2, max_length=2)


class Statement(Strict):
    """What expectations and observed outcomes share: a metric of a subject, measured over time.

    The measure is the metric's change from ``from`` to ``to``, or its level ``at`` a date or
    averaged over a ``window``; minus the same measure of ``relative_to`` when given. ``rises``
    / ``above`` hold when the measure exceeds ``value``, ``falls`` / ``below`` when it is under
    it (``falls`` with ``value`` v means a fall of more than v); ``same`` / ``different`` ask
    whether the pair is in the same coalition (or bloc). An observed outcome may also be a
    militarized dispute between a pair from ``from`` to ``to`` (``metric: dispute``,
    ``test: occurs``), whose probability the model gives through the pair's tension.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    metric: str = Field(description="a column of the model, states or pairs table, coalition / bloc, or (observed "
                        "outcomes only) dispute")
    state: StateId | None = None
    pair: list[StateId] | None = Field(None, min_length=2, max_length=2)
    relative_to: Subject | None = Field(None, description="subtract this subject's measure")
    test: Literal["rises", "falls", "above", "below", "same", "different", "occurs"] = Field(
        description="'occurs' only with the metric dispute of an observed outcome")
    from_: Date | None = Field(None, alias="from")
    to: Date | None = None
    at: Date | None = None
    window: list[Date] | None = Field(None, min_length=2, max_length=2)
    value: Num = Field(0.0, ge=-1e9, le=1e9, description="threshold (above/below), margin (rises/falls) or, with "
                         "versus_base, the minimum effect size")
    source: Source


class Reality(Strict):
    """What became of a prediction: came true, partly, or did not, and where that is recorded."""

    verdict: Literal["came_true", "partly", "did_not"]
    note: str = Field(min_length=3, description="what happened, in a sentence")
    source: Source


class Expectation(Statement):
    """A stylized fact to check over an ensemble (``alliance-sim check``).

    It holds when the share of runs in which the statement holds reaches ``share``. With
    ``versus_base`` the measure is compared with the base scenario's, replicate by replicate
    with the same seeds, and must differ from it by more than ``value`` (a minimum effect size)
    in the stated direction. ``reality`` records what became of a claim that was a prediction;
    one reality contradicted (``did_not``) is reported, not a target.
    """

    claim: str = Field(min_length=3, description="the stylized fact, in words")
    versus_base: Literal["higher", "lower"] | None = Field(
        None, description="compare with the base scenario's measure (variants only)")
    share: Annotated[Num, Field(gt=0.0, le=1.0)] = Field(0.9, description="share of runs that must pass")
    reality: Reality | None = Field(None, description="what became of the claim, if it was a prediction")


class Observed(Statement):
    """A dated, sourced fact about what happened, scored against the ensemble (the hindcast).

    The statement (metric, subject, test, dates, value) is what reality did (``happened: true``)
    or did not do (``happened: false``). The model's forecast is the share of runs in which the
    statement holds; its Brier score is compared with the ``reference`` forecast's:
    ``persistence`` (no change from the scenario's start: a change is up or down with even
    odds, a level keeps its start value), ``coin`` (0.5), or a probability (a base rate, with its
    source in ``reference_source``).
    """

    what: str = Field(min_length=3, description="what happened, in words")
    happened: bool = Field(True, description="whether the statement came true")
    reference: Annotated[Literal["persistence", "coin"] | float, BeforeValidator(_reference)] = Field(
        "persistence", description="the reference forecast: persistence, coin, or a probability")
    reference_source: str | None = Field(None, min_length=3, description="source of a base-rate reference")

    @field_validator("happened", mode="before")
    @classmethod
    def _boolean(cls, value: object) -> object:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false (got {str(value)[:40]!r})")
        return value

    @model_validator(mode="after")
    def _reference_sourced(self) -> "Observed":
        if isinstance(self.reference, float) and not self.reference_source:
            raise ValueError("a probability as reference needs reference_source (where the base rate comes from)")
        return self


# --------------------------------------------------------------------------- the scenario
class Scenario(Strict):
    """A validated scenario. Variants are resolved (``extends``) before validation."""

    name: str = Field(pattern=r"^[a-z0-9_-]+$", description="short identifier used in output folders")
    title: str
    description: str = ""
    references: list[str] = Field(default_factory=list, description="bibliography of the scenario")
    calendar: Calendar
    seed: Int = Field(20241023, ge=0, le=2**63 - 1, description="default seed of the random number generator")
    system: Literal["all"] | None = Field(
        None, description="'all': every state of the international system on calendar.start (1990–2024), with "
        "that year's capabilities and ideal points and the treaties and wars then in force; states: entries "
        "override their values")
    states: dict[StateId, StateSpec | None] = Field(
        default_factory=dict, max_length=limits.MAX_STATES,
        description="the states (at least two), or, with system: all, the states whose values are overridden")
    regions: dict[str, Region] = Field(default_factory=dict)
    relations: Relations = Field(default_factory=Relations)
    parameters: dict[str, Annotated[int | float, BeforeValidator(_number)]] = Field(
        default_factory=dict, description="model parameters (see `alliance-sim params`)")
    events: list[Event] = Field(default_factory=list, max_length=limits.MAX_EVENTS)
    expectations: list[Expectation] = Field(
        default_factory=list, description="stylized facts checked by `alliance-sim check` (not inherited "
        "by a variant that lists its own)")
    observed: list[Observed] = Field(
        default_factory=list, max_length=limits.MAX_EVENTS,
        description="what happened: outcomes the ensemble is scored against (the hindcast of `alliance-sim "
        "check`; not inherited by a variant that lists its own)")
    coalition_anchor: StateId | None = Field(
        None, description="state whose coalition is labelled A (default: largest capability)")

    @field_validator("states", mode="before")
    @classmethod
    def _empty_state_entries(cls, value: object) -> object:
        if isinstance(value, list):  # a bare list of ids is allowed
            seen: set = set()
            for v in value:
                if not isinstance(v, str):
                    raise ValueError(f"a list of states holds state ids only (got {str(v)[:40]!r})")
                if v in seen:
                    raise ValueError(f"{v!r} is listed twice")
                seen.add(v)
            return {v: None for v in value}
        return value


def json_schema() -> dict:
    """The JSON Schema of scenario files as written (``extends:``, ``remove_events:``, a list of
    states), for editors' autocompletion (``alliance-sim schema``).
    """
    doc = Scenario.model_json_schema(by_alias=True)
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "alliance-sim scenario"
    extra = {"extends": {"type": "string", "description": "base scenario (file next to this one, or a shipped name)"},
             "remove_events": {"type": "array", "items": {"type": "string"},
                               "description": "ids of base events to drop"}}
    doc["properties"] = extra | doc["properties"]
    states = doc["properties"]["states"]
    doc["properties"]["states"] = {"description": states.get("description", "the states of the scenario"),
                                   "anyOf": [states, {"type": "array", "items": {"type": "string"}}]}
    # a variant (with extends) inherits the required fields from its base
    doc["if"], doc["then"], doc["else"] = {"required": ["extends"]}, {}, {"required": doc.pop("required")}
    return doc
