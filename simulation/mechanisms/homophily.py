"""Homophily: states that vote alike in the UN General Assembly lean toward each other.

Theory: McPherson, Smith-Lovin & Cook (2001) "Birds of a feather: homophily in social networks",
Annual Review of Sociology 27:415-444; for states, similarity of foreign-policy preferences
revealed by UNGA votes: Bailey, Strezhnev & Voeten (2017) "Estimating dynamic state preferences
from United Nations voting data", J. Conflict Resolution 61(2):430-456 (the ideal points used
here); Gartzke (1998) "Kant we all just get along?", AJPS 42(1):1-27 (preference similarity
and conflict).

Parameters: ``ideal_point_scale`` (distance at which ideological affinity reaches -1) and
``homophily_strength`` (multiplier on every state's ideology weight).
"""

from __future__ import annotations

import numpy as np

from .algebra import zero_diagonal


def ideology_affinity(ideal_points: np.ndarray, scale: float) -> np.ndarray:
    """H_ij = 1 - 2 min(1, |x_i - x_j| / scale): +1 for identical ideal points, -1 at ``scale`` apart."""
    distance = np.abs(ideal_points[..., :, None] - ideal_points[..., None, :])
    similarity = 1.0 - 2.0 * np.minimum(1.0, distance / scale)
    return zero_diagonal(similarity)
