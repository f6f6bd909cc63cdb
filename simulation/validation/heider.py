"""Continuous structural-balance dynamics, for validation only: Marvel et al. 2011 and bounded Kułakowski.

Theory: Cartwright & Harary (1956) "Structural balance: a generalization of Heider's theory",
Psychological Review 63(5):277-293 (the structure theorem behind ``balanced_factions``);
Kułakowski, Gawroński & Gronek (2005) "The Heider balance: a continuous approach", Int. J. Mod.
Phys. C 16(5):707-716, with the bounded form dR/dt = (1 - (R/R_max)^2) R·R (``evolve_bounded``);
Marvel, Kleinberg, Kleinberg & Strogatz (2011) "Continuous-time model of structural balance", PNAS
108(5):1771-1776, dX/dt = X^2 (``marvel_rhs``, ``marvel_solution``, ``blowup_time``), whose
solution splits into the two factions given by the signs of the leading eigenvector of X(0)
(``leading_eigenvector_factions``).

The right-hand side of the bounded form is ``simulation.mechanisms.balance.heider_rhs``, the same
function the model's ``balance_drift`` calls; what is here only integrates and reads it for
``docs/validation.md`` and the tests.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..mechanisms.balance import heider_rhs


def marvel_rhs(x: np.ndarray) -> np.ndarray:
    """dX/dt = X² (Marvel et al. 2011); the diagonal (self-regard) is kept, as in the paper."""
    return x @ x


def rk4(rhs: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, t_end: float, dt: float) -> np.ndarray:
    """Classical fourth-order Runge-Kutta from t = 0 to ``t_end`` (last step shortened to land on it)."""
    x, t = np.array(x0, dtype=float, copy=True), 0.0
    while t < t_end - 1e-15:
        h = min(dt, t_end - t)
        k1 = rhs(x)
        k2 = rhs(x + h / 2 * k1)
        k3 = rhs(x + h / 2 * k2)
        k4 = rhs(x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += h
    return x


def blowup_time(x0: np.ndarray) -> float:
    """t* = 1/λ_max of the symmetric X(0): the time at which dX/dt = X² diverges (inf if λ_max ≤ 0)."""
    lam = float(np.linalg.eigvalsh((x0 + x0.T) / 2.0).max())
    return 1.0 / lam if lam > 0 else float("inf")


def marvel_solution(x0: np.ndarray, t: float) -> np.ndarray:
    """Closed form X(t) = V diag(λ / (1 - λt)) Vᵀ of dX/dt = X² for symmetric X(0) = V diag(λ) Vᵀ, t < t*."""
    values, vectors = np.linalg.eigh((x0 + x0.T) / 2.0)
    return (vectors * (values / (1.0 - values * t))) @ vectors.T


def evolve_bounded(r0: np.ndarray, r_max: float, dt: float, max_time: float,
                   saturation: float = 0.0) -> tuple[np.ndarray, float]:
    """Integrate dR/dt = (1 - (R/R_max)²) R·R until the signs are balanced, or ``max_time``.

    Integrated (RK4) in u = artanh(R/R_max), where the bounding factor cancels exactly:
    du/dt = (R·R)/R_max with R = R_max tanh(u). In R itself, an entry within machine precision of
    ±R_max has 1 - (R/R_max)² = 0 in floating point and can never leave, even when its triads
    later turn against it; in u it moves as the exact dynamics say. Stops at the first step at which
    every triad is balanced (and every |R_ij| ≥ ``saturation`` · R_max, if asked): a balanced sign
    pattern never changes again, since then sign((R·R)_ij) = sign(R_ij) for every pair. Returns R
    and the time reached (Kułakowski et al.'s time τ to balance, to within one step).
    """
    r = np.clip(np.array(r0, dtype=float), -r_max * (1 - 1e-12), r_max * (1 - 1e-12))
    np.fill_diagonal(r, 0.0)
    u, t = np.arctanh(r / r_max), 0.0

    def rhs(v: np.ndarray) -> np.ndarray:
        return heider_rhs(r_max * np.tanh(v), rate=1.0 / r_max)

    off = ~np.eye(len(u), dtype=bool)
    while t < max_time:
        r = r_max * np.tanh(u)
        if np.all(np.abs(r[off]) >= saturation * r_max) and balanced_factions(r) is not None:
            break
        u = rk4(rhs, u, dt, dt)
        t += dt
    return r_max * np.tanh(u), t


def leading_eigenvector_factions(matrix: np.ndarray) -> np.ndarray:
    """Faction labels (0/1) from the signs of the leading eigenvector (Marvel et al. 2011)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    lead = vectors[:, np.argmax(values)]
    lead = lead if lead[np.argmax(np.abs(lead))] > 0 else -lead
    return (lead < 0).astype(int)


def balanced_factions(signs: np.ndarray) -> np.ndarray | None:
    """Faction labels (0/1, state 0 in faction 0) of a complete signed graph, or None if it is not balanced.

    Cartwright & Harary's structure theorem: a complete signed graph is balanced exactly when its
    nodes split into at most two groups, friendly within and hostile across. A zero relation is
    neither and makes the graph unbalanced.
    """
    s = np.sign(signs)
    n = s.shape[0]
    if n < 2:
        return np.zeros(n, dtype=int)
    side = s[0].copy()
    side[0] = 1.0
    expected = np.outer(side, side)
    off = ~np.eye(n, dtype=bool)
    if not np.array_equal(s[off], expected[off]):
        return None
    return (side < 0).astype(int)


def is_balanced(signs: np.ndarray) -> bool:
    """True when every triad of the complete signed graph has a positive product."""
    s = np.sign(signs)
    n = s.shape[0]
    triads = np.einsum("ij,jk,ki->ijk", s, s, s)
    mask = np.ones((n, n, n), dtype=bool)
    idx = np.arange(n)
    mask[idx, idx, :] = mask[idx, :, idx] = mask[:, idx, idx] = False
    return bool(np.all(triads[mask] > 0))
