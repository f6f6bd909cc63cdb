"""What every state perceives: one pure function of the state, the pipeline of ODD §7.2.

Ideology (homophily), proximity projected through allies and threat (Walt 1987: capability ×
proximity × hostility), co-belligerence and commitment (Fearon 1997; Snyder 1984), security value
of partners, bandwagoning of weak states, backing and aggregate power, and alarm at a growing
threat (Jervis 1976) — each a function of ``simulation.mechanisms``; nothing here has equations
of its own.
"""

from __future__ import annotations

import numpy as np

from .mechanisms import alarm, commitment, homophily, threat
from .state import Baseline, Perception, State


def commitments(state: State, base: Baseline, params: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(belligerence, involvement) of every giver in every receiver's war (troops; all channels)."""
    p = params
    front = base.front_share * state.manpower + state.deployed.sum(axis=0)
    shares = commitment.effort_shares(state.deployed, front, state.support_munitions / p["memory_years"],
                                      p["munitions_use"] * front, state.support_money / p["memory_years"],
                                      state.economy)
    belligerence = commitment.belligerence(shares[0], p["commitment_troops"])
    involvement = commitment.involvement(*shares, p["commitment_troops"], p["commitment_munitions"],
                                         p["commitment_money"])
    return belligerence, involvement


def perceive(state: State, base: Baseline, params: dict[str, float]) -> Perception:
    """The perception of every state, from the current state (and the baseline: geography)."""
    p = params
    ideology = homophily.ideology_affinity(state.ideal_points, p["ideal_point_scale"])
    proximity = threat.projected(base.proximity, state.treaty)
    belligerence, involvement = commitments(state, base, p)
    war_parties = commitment.parties_at_war(state.at_war, belligerence)
    hostile = threat.hostility(state.affinity, war_parties)
    theta = threat.threat_matrix(state.capability, proximity, hostile)
    shares = threat.threat_shares(theta)
    security = threat.security_value(shares, hostile, state.capability)
    bandwagoning = threat.bandwagons(theta, state.capability, state.affinity, p["bandwagon_ratio"])
    backing = commitment.backing(involvement, state.treaty, belligerence)
    power = alarm.aggregate_power(state.capability, backing)
    reference = power if state.power_baseline is None else state.power_baseline
    alarms = alarm.alarm(power, reference, proximity, hostile, state.capability)
    recalibration = alarm.recalibration(alarms, hostile, backing, state.treaty)
    return Perception(ideology=ideology, proximity=proximity, belligerence=belligerence, involvement=involvement,
                      war_parties=war_parties, hostile=hostile, threat=theta, threat_shares=shares, security=security,
                      bandwagoning=bandwagoning, backing=backing, power=power, alarm=alarms,
                      recalibration=recalibration)
