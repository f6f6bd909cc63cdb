"""What every state perceives: one pure function of the state, the pipeline of ODD §7.2.

Ideology (homophily), proximity projected through allies and threat (Walt 1987: capability ×
proximity × hostility), co-belligerence and commitment (Fearon 1997; Snyder 1984), security value
of partners, bandwagoning of weak states, backing and aggregate power, and alarm at a growing
threat (Jervis 1976) — each a function of ``simulation.mechanisms``; nothing here has equations
of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from .mechanisms import alarm, commitment, homophily, threat
from .params import Points
from .state import Baseline, Perception, State


def commitments(state: State, base: Baseline, p: Points) -> tuple[np.ndarray, np.ndarray]:
    """(belligerence, involvement) of every giver in every receiver's war (troops; all channels)."""
    front = base.front_share * state.manpower + state.deployed.sum(axis=-2)
    shares = commitment.effort_shares(state.deployed, front, state.support_munitions / p.nn("memory_years"),
                                      p.n("munitions_use") * front, state.support_money / p.nn("memory_years"),
                                      state.economy)
    belligerence = commitment.belligerence(shares[0], p.nn("commitment_troops"))
    involvement = commitment.involvement(*shares, p.nn("commitment_troops"), p.nn("commitment_munitions"),
                                         p.nn("commitment_money"))
    return belligerence, involvement


# The state fields perception reads (besides the power baseline, which only alarm reads), by the
# part of perception that reads them first; ``test_perception`` checks the list is complete.
IDEOLOGY_INPUTS = ("ideal_points",)
PROXIMITY_INPUTS = ("treaty",)
COMMITMENT_INPUTS = ("manpower", "deployed", "support_munitions", "support_money", "economy")
INPUTS = frozenset(IDEOLOGY_INPUTS + PROXIMITY_INPUTS + COMMITMENT_INPUTS + ("at_war", "affinity", "capability"))
MECHANISM_INPUTS = INPUTS - set(IDEOLOGY_INPUTS + PROXIMITY_INPUTS)  # what a step's mechanisms change (not events)


def changed(state: State, before: State) -> frozenset[str]:
    """The perception inputs whose values differ between two states."""
    return frozenset(name for name in INPUTS if not np.array_equal(getattr(state, name), getattr(before, name)))


def perceive(state: State, base: Baseline, params: Mapping[str, float], seen: Perception | None = None,
             moved: frozenset[str] = INPUTS) -> Perception:
    """The perception of every state, from the current state (and the baseline: geography).

    ``seen`` is an earlier perception of a state that differs from this one only in the inputs
    ``moved`` (and the power baseline): the parts none of whose inputs moved are taken from it
    — ideology, projected proximity, commitments, or, when nothing moved, everything but alarm
    and recalibration — the same arrays a full perception computes (``test_perception``).
    """
    p = Points.of(params, None)
    if seen is not None and not moved:
        return _realarm(seen, state)
    def kept(inputs: tuple[str, ...]) -> bool:
        return seen is not None and not moved.intersection(inputs)

    ideology = (seen.ideology if kept(IDEOLOGY_INPUTS)
                else homophily.ideology_affinity(state.ideal_points, p.nn("ideal_point_scale")))
    proximity = seen.proximity if kept(PROXIMITY_INPUTS) else threat.projected(base.proximity, state.treaty, base.cinc)
    belligerence, involvement = ((seen.belligerence, seen.involvement) if kept(COMMITMENT_INPUTS)
                                 else commitments(state, base, p))
    war_parties = commitment.parties_at_war(state.at_war, belligerence)
    hostile = threat.hostility(state.affinity, war_parties)
    theta = threat.threat_matrix(state.capability, proximity, hostile)
    shares = threat.threat_shares(theta)
    security = threat.security_value(shares, hostile, state.capability)
    bandwagoning = threat.bandwagons(theta, state.capability, state.affinity, p.n("bandwagon_ratio"))
    backing = commitment.backing(involvement, state.treaty, belligerence)
    power = alarm.aggregate_power(state.capability, backing)
    reference = power if state.power_baseline is None else state.power_baseline
    alarms = alarm.alarm(power, reference, proximity, hostile, state.capability, state.treaty)
    recalibration = alarm.recalibration(alarms, hostile, backing, state.treaty)
    return Perception(ideology=ideology, proximity=proximity, belligerence=belligerence, involvement=involvement,
                      war_parties=war_parties, hostile=hostile, threat=theta, threat_shares=shares, security=security,
                      bandwagoning=bandwagoning, backing=backing, power=power, alarm=alarms,
                      recalibration=recalibration)


def _realarm(seen: Perception, state: State) -> Perception:
    """``seen`` with alarm and recalibration computed again against the state's power baseline."""
    reference = seen.power if state.power_baseline is None else state.power_baseline
    alarms = alarm.alarm(seen.power, reference, seen.proximity, seen.hostile, state.capability, state.treaty)
    recalibration = alarm.recalibration(alarms, seen.hostile, seen.backing, state.treaty)
    return dataclasses.replace(seen, alarm=alarms, recalibration=recalibration)
