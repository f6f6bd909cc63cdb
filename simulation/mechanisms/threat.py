"""Balance of threat: states align against the most threatening power.

Theory: Walt (1987) *The Origins of Alliances*, Cornell UP: threat = aggregate power ×
geographic proximity × offensive power × aggressive intentions; states balance against threats,
while weak states close to a threat with no allies available may bandwagon with it (Walt 1987,
ch. 2; Schweller 1994 "Bandwagoning for profit", International Security 19(1):72-107).

Here power is the capability share, proximity decays with the distance between capitals
(land neighbours count as adjacent) and reaches further through allies in proportion to a
state's share of the alliance's power (Boulding 1962; Morrow 1991), and intent is hostility
(negative affinity) plus war.

Parameters: ``proximity_km``, ``bandwagon_ratio``, ``threat_sensitivity`` (applied by agents).
"""

from __future__ import annotations

import numpy as np

from .algebra import at, max_product, of, zero_diagonal

EARTH_RADIUS_KM = 6371.0


def great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances (haversine) in km."""
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(phi[:, None]) * np.cos(phi[None, :]) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def proximity(distance_km: np.ndarray, neighbours: np.ndarray, scale_km: float) -> np.ndarray:
    """P_ij = 1 for land neighbours, else exp(-d_ij / scale); zero diagonal."""
    p = np.where(neighbours, 1.0, np.exp(-distance_km / scale_km))
    np.fill_diagonal(p, 0.0)
    return p


def projected(prox: np.ndarray, treaty: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """Proximity extended through allies: j is as close to i as j's treaty partners k are, scaled
    by the strength of the commitment and by j's share of the pair's capability (forward presence;
    Walt's offensive power). Symmetric.

    ``via_ij = max_k P_ik · K_jk · C_j / (C_j + C_k)``. Power carries beyond a state's home only as
    far as it can be projected (Boulding 1962, *Conflict and Defense*, the loss-of-strength
    gradient), and in an asymmetric alliance it is the stronger partner that gains bases and
    reach, the weaker one protection (Morrow 1991, "Alliances and asymmetry", AJPS 35(4)): the
    United States stands next to the DPRK through South Korea, the DPRK next to Europe through
    Russia only at its small share of their power. ``capability``: CINC at the start (structural).
    """
    c = np.asarray(capability, dtype=float)
    pair = c[..., :, None] + c[..., None, :]
    lead = np.divide(c[..., :, None], pair, out=np.zeros_like(pair), where=pair > 0)  # (j, k): j's share
    via = max_product(prox, (treaty * lead).mT)  # (i, j): max_k prox_ik treaty_jk lead_jk
    # symmetric: forces abroad are within reach both ways
    return zero_diagonal(np.maximum(prox, np.maximum(via, via.mT)))


def hostility(affinity: np.ndarray, at_war: np.ndarray) -> np.ndarray:
    """Aggressive intent in [0, 1]: 1 − (1 − max(−A, 0)) · (1 − Wp).

    Negative affinity and being parties to a war (``at_war`` graded in [0, 1], 1 between
    belligerents) combine like independent sources of intent, so a partial co-belligerence raises
    hostility in proportion to what is left below 1.
    """
    war = np.clip(np.asarray(at_war, dtype=float), 0.0, 1.0)
    return 1.0 - (1.0 - np.clip(-affinity, 0.0, 1.0)) * (1.0 - war)


def threat_matrix(capability: np.ndarray, prox: np.ndarray, hostile: np.ndarray) -> np.ndarray:
    """theta_ij: threat state j poses to state i = capability_j × proximity_ij × hostility_ij."""
    return capability[..., None, :] * prox * hostile


def threat_shares(theta: np.ndarray) -> np.ndarray:
    """Each row of ``theta`` as shares of the state's total perceived threat (zero rows stay zero)."""
    total = theta.sum(axis=-1, keepdims=True)
    return np.divide(theta, total, out=np.zeros_like(theta), where=total > 0)


def security_value(shares: np.ndarray, hostile: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """S_ij: how much partner j helps i against i's threats (hostile to them, and strong)."""
    opposes = shares @ hostile.mT  # (i, j): sum_k share_ik * hostility_jk
    strength = capability[..., None, :] / (capability[..., None, :] + capability[..., :, None] + 1e-12)
    return zero_diagonal(opposes * strength)


def bandwagons(theta: np.ndarray, capability: np.ndarray, affinity: np.ndarray, ratio: float) -> np.ndarray:
    """For each state, whether it bandwagons with its main threat (Walt's weak-state exception).

    True when the state's capability plus its friends' (positive affinity, not friends of the
    threat) is below ``ratio`` × the main threat's capability.
    """
    main = np.argmax(theta, axis=-1)  # (..., i): i's main threat
    has_threat = theta[at(main)] > 0
    friends = (affinity > 0) & (affinity[of(main)] <= 0)  # (i, j): j likes i and not i's main threat
    friends[at(main)] = False  # the threat does not back its victim against itself
    backing = capability + (friends * capability[..., None, :]).sum(axis=-1)
    return has_threat & (backing < ratio * capability[of(main)])
