"""Tests for simulation.mechanisms.coalitions: Axelrod & Bennett's landscape theory."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulation.mechanisms.coalitions import energy, label_against, pair_weights
from simulation.search import annealing, coalitions
from simulation.search.coalitions import heuristic_minimum


def exact_minimum(weights: np.ndarray) -> tuple[np.ndarray, float]:
    """``coalitions.exact_minimum`` of one network: a stack of one."""
    config, e = coalitions.exact_minimum(np.asarray(weights, dtype=float)[None])
    return config[0], float(e[0])


def minimum(weights: np.ndarray, rng: np.random.Generator, restarts: int) -> tuple[np.ndarray, float]:
    """``coalitions.minimum`` of one network: a stack of one."""
    config, e = coalitions.minimum(np.asarray(weights, dtype=float)[None], [rng], restarts)
    return config[0], float(e[0])


def descend(assignment: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One flip descent: ``coalitions.descend_each`` of a batch of one."""
    return coalitions.descend_each(np.asarray(assignment)[None], weights)[0]

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def random_weights(n: int, seed: int) -> np.ndarray:
    """Capability shares (Dirichlet) times symmetric propensities in [-1, 1]."""
    rng = np.random.default_rng(seed)
    z = np.triu(rng.uniform(-1.0, 1.0, (n, n)), 1)
    return pair_weights(rng.dirichlet(np.ones(n)), z + z.T)


def brute_energy(assignment, weights) -> float:
    n = len(assignment)
    return sum(weights[i, j] for i in range(n) for j in range(i + 1, n) if assignment[i] != assignment[j])


def brute_minimum(weights: np.ndarray) -> float:
    n = weights.shape[0]
    configs = np.array(list(product([0, 1], repeat=n)))
    apart = configs[:, :, None] != configs[:, None, :]
    return float((apart * np.triu(weights, 1)).sum(axis=(1, 2)).min())


def two_bloc_weights(labels: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    same = labels[:, None] == labels[None, :]
    return pair_weights(sizes, np.where(same, 0.8, -0.6))


@st.composite
def seeded_weights(draw, min_n: int = 2, max_n: int = 9) -> np.ndarray:
    return random_weights(draw(st.integers(min_n, max_n)), draw(st.integers(0, 2**32 - 1)))


@st.composite
def drawn_weights(draw, min_n: int = 2, max_n: int = 9) -> np.ndarray:
    """Symmetric weights drawn element by element (zeros and ties included)."""
    n = draw(st.integers(min_n, max_n))
    raw = draw(arrays(np.float64, (n, n), elements=st.sampled_from([-1.0, -0.5, 0.0, 0.25, 0.5, 1.0])))
    upper = np.triu(raw, 1)
    return upper + upper.T


# ---------------------------------------------------------------- pair_weights / energy by hand

def hand_case():
    sizes = np.array([0.5, 0.3, 0.2])
    propensity = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.5], [-1.0, 0.5, 0.0]])
    return pair_weights(sizes, propensity)


def test_pair_weights_hand_values():
    w = hand_case()
    assert w[0, 1] == pytest.approx(0.15)
    assert w[0, 2] == pytest.approx(-0.10)
    assert w[1, 2] == pytest.approx(0.03)
    np.testing.assert_array_equal(w, w.T)
    assert not np.diag(w).any()


def test_pair_weights_zero_diagonal_even_with_self_propensity():
    assert not np.diag(pair_weights(np.array([0.5, 0.5]), np.ones((2, 2)))).any()


@pytest.mark.parametrize("assignment, expected", [
    ([0, 0, 0], 0.0),
    ([1, 1, 1], 0.0),
    ([0, 0, 1], -0.10 + 0.03),  # 2 leaves: 0-2 (negative) and 1-2 split
    ([0, 1, 0], 0.15 + 0.03),
    ([0, 1, 1], 0.15 - 0.10),
    ([1, 1, 0], -0.10 + 0.03),  # same split as [0, 0, 1]
])
def test_energy_by_hand_three_states(assignment, expected):
    assert float(energy(np.array(assignment), hand_case())) == pytest.approx(expected)


def test_energy_batch_matches_single():
    w = random_weights(6, seed=0)
    batch = np.random.default_rng(1).integers(0, 2, (10, 6))
    e = energy(batch, w)
    assert e.shape == (10,)
    np.testing.assert_allclose(e, [energy(a, w) for a in batch])
    np.testing.assert_allclose(e, [brute_energy(a, w) for a in batch], atol=1e-12)


def test_energy_invariant_under_swapping_coalition_names():
    w = random_weights(7, seed=2)
    a = np.random.default_rng(3).integers(0, 2, 7)
    assert float(energy(a, w)) == pytest.approx(float(energy(1 - a, w)))


def test_energy_zero_when_all_together():
    assert float(energy(np.zeros(5, int), random_weights(5, seed=4))) == pytest.approx(0.0, abs=1e-15)


# ---------------------------------------------------------------- exact_minimum

def test_exact_minimum_hand_case():
    config, e = exact_minimum(hand_case())
    assert e == pytest.approx(-0.07)
    # one of the two equivalent labelings of {0, 1} vs {2}; the last state is fixed in coalition 0
    np.testing.assert_array_equal(config, [1, 1, 0])


def test_exact_minimum_recovers_planted_blocs():
    labels = np.array([0, 1, 1, 0, 1, 0, 0])
    sizes = np.random.default_rng(5).dirichlet(np.ones(7))
    config, _ = exact_minimum(two_bloc_weights(labels, sizes))
    np.testing.assert_array_equal(label_against(config, 0), labels)


def test_exact_minimum_all_friends_stay_together():
    config, e = exact_minimum(pair_weights(np.full(4, 0.25), np.ones((4, 4))))
    assert len(set(config)) == 1
    assert e == 0.0


def test_exact_minimum_single_state():
    config, e = exact_minimum(np.zeros((1, 1)))
    np.testing.assert_array_equal(config, [0])
    assert e == 0.0


@SETTINGS
@given(seeded_weights())
def test_exact_minimum_equals_brute_force_seeded(w):
    config, e = exact_minimum(w)
    assert e == pytest.approx(brute_minimum(w), abs=1e-12)
    assert brute_energy(config, w) == pytest.approx(e, abs=1e-12)
    assert set(np.unique(config)) <= {0, 1} and len(config) == w.shape[0]


@SETTINGS
@given(drawn_weights())
def test_exact_minimum_equals_brute_force_drawn(w):
    config, e = exact_minimum(w)
    assert e == pytest.approx(brute_minimum(w), abs=1e-12)
    assert brute_energy(config, w) == pytest.approx(e, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_exact_minimum_by_the_compiled_loop(monkeypatch, seed):
    w = random_weights(9, seed=100 + seed)
    monkeypatch.setattr(coalitions, "_table", lambda n: None)  # as when the table would be too large
    config, e = exact_minimum(w)
    assert e == pytest.approx(brute_minimum(w), abs=1e-12)
    assert brute_energy(config, w) == pytest.approx(e, abs=1e-12)


def test_exact_minimum_refuses_large_networks(monkeypatch):
    monkeypatch.setattr(coalitions, "EXACT_MAX", 4)
    with pytest.raises(ValueError):
        exact_minimum(random_weights(5, seed=6))


# ---------------------------------------------------------------- descend

def test_descend_returns_local_minimum():
    rng = np.random.default_rng(7)
    for case in range(30):
        n = int(rng.integers(2, 12))
        w = random_weights(n, seed=case)
        a = descend(rng.integers(0, 2, n), w)
        e = float(energy(a, w))
        for i in range(n):
            flipped = a.copy()
            flipped[i] = 1 - flipped[i]
            assert float(energy(flipped, w)) >= e - 1e-12


def test_descend_never_raises_energy_and_keeps_input():
    rng = np.random.default_rng(8)
    w = random_weights(10, seed=9)
    start = rng.integers(0, 2, 10)
    before = start.copy()
    a = descend(start, w)
    np.testing.assert_array_equal(start, before)
    assert float(energy(a, w)) <= float(energy(start, w)) + 1e-12


def test_descend_moves_a_misplaced_state_home():
    labels = np.array([0, 0, 0, 1, 1, 1])
    w = two_bloc_weights(labels, np.full(6, 1 / 6))
    start = labels.copy()
    start[0] = 1
    np.testing.assert_array_equal(descend(start, w), labels)


def test_descend_fixed_point_at_optimum():
    w = random_weights(8, seed=10)
    config, _ = exact_minimum(w)
    np.testing.assert_array_equal(descend(config, w), config)


# ---------------------------------------------------------------- heuristic_minimum

@SETTINGS
@given(seeded_weights(), st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_heuristic_never_below_exact_and_reports_its_energy(w, seed, restarts):
    config, e = heuristic_minimum(w, np.random.default_rng(seed), restarts)
    _, exact_e = exact_minimum(w)
    assert e >= exact_e - 1e-12
    assert e == pytest.approx(float(energy(config, w)), abs=1e-12)
    assert e == pytest.approx(brute_energy(config, w), abs=1e-12)


def test_heuristic_reaches_exact_in_most_cases():
    rng = np.random.default_rng(11)
    hits = 0
    for case in range(50):
        w = random_weights(int(rng.integers(2, 10)), seed=1000 + case)
        _, e = heuristic_minimum(w, np.random.default_rng(case), restarts=20)
        hits += e <= exact_minimum(w)[1] + 1e-12
    assert hits >= 45


def test_heuristic_keeps_a_good_start():
    w = random_weights(9, seed=12)
    config, e = exact_minimum(w)
    got, got_e = heuristic_minimum(w, np.random.default_rng(0), restarts=0, start=config)
    np.testing.assert_array_equal(got, config)
    assert got_e == pytest.approx(e)


def test_heuristic_reproducible_with_same_seed():
    w = random_weights(9, seed=13)
    a = heuristic_minimum(w, np.random.default_rng(5), 3)
    b = heuristic_minimum(w, np.random.default_rng(5), 3)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]


# ---------------------------------------------------------------- minimum

def test_minimum_is_exact_for_small_networks():
    w = random_weights(8, seed=14)
    config, e = minimum(w, np.random.default_rng(0), restarts=1)
    exact_config, exact_e = exact_minimum(w)
    np.testing.assert_array_equal(config, exact_config)
    assert e == exact_e


def test_minimum_falls_back_to_heuristic_above_limit(monkeypatch):
    monkeypatch.setattr(coalitions, "EXACT_MAX", 4)
    w = random_weights(8, seed=15)
    config, e = minimum(w, np.random.default_rng(0), restarts=20)
    assert e == pytest.approx(float(energy(config, w)))
    assert e >= brute_minimum(w) - 1e-12


# ---------------------------------------------------------------- label_against

def test_label_against_puts_anchor_in_coalition_zero():
    a = np.array([1, 0, 1, 0])
    np.testing.assert_array_equal(label_against(a, 0), [0, 1, 0, 1])
    np.testing.assert_array_equal(label_against(a, 1), a)


def test_label_against_preserves_partition_and_energy():
    w = random_weights(6, seed=16)
    a = np.random.default_rng(17).integers(0, 2, 6)
    for anchor in range(6):
        b = label_against(a, anchor)
        assert b[anchor] == 0
        np.testing.assert_array_equal(b[:, None] == b[None, :], a[:, None] == a[None, :])
        assert float(energy(b, w)) == pytest.approx(float(energy(a, w)))


# ---------------------------------------------------------------- descend_all / local_minima (the landscape)

def brute_landscape(weights: np.ndarray) -> dict[tuple, tuple[float, int]]:
    """Every single-flip local minimum (last state in coalition 0) → (energy, starts whose descent ends there)."""
    n = weights.shape[0]
    configs = [np.array(c + (0,)) for c in product([0, 1], repeat=n - 1)]
    out: dict[tuple, list] = {}
    for c in configs:
        e = brute_energy(c, weights)
        flips = []
        for i in range(n):
            f = c.copy()
            f[i] = 1 - f[i]
            flips.append(brute_energy(f, weights))
        if min(flips) >= e - 1e-12:
            out[tuple(c)] = [e, 0]
    for c in configs:
        end = descend(c, weights)
        end = 1 - end if end[-1] == 1 else end
        out[tuple(end)][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def test_descend_each_equals_descend_row_by_row():
    rng = np.random.default_rng(20)
    for case in range(10):
        n = int(rng.integers(2, 12))
        w = random_weights(n, seed=2000 + case)
        starts = rng.integers(0, 2, (50, n))
        np.testing.assert_array_equal(coalitions.descend_each(starts, w), [descend(s, w) for s in starts])


@SETTINGS
@given(seeded_weights(min_n=1, max_n=8))
def test_local_minima_equal_brute_force(w):
    found = coalitions.local_minima(w)
    brute = brute_landscape(w)
    assert {tuple(m.config) for m in found} == set(brute)
    for m in found:
        e, starts = brute[tuple(m.config)]
        assert m.energy == pytest.approx(e, abs=1e-12)
        assert m.starts == starts
        assert m.basin == pytest.approx(starts / 2 ** (w.shape[0] - 1))
    assert sum(m.starts for m in found) == 2 ** (w.shape[0] - 1)
    assert [m.energy for m in found] == sorted(m.energy for m in found)


@SETTINGS
@given(drawn_weights(max_n=7))
def test_local_minima_with_ties_equal_brute_force(w):
    found = coalitions.local_minima(w)
    brute = brute_landscape(w)
    assert {tuple(m.config): m.starts for m in found} == {k: v[1] for k, v in brute.items()}


def test_lowest_local_minimum_is_the_exact_minimum():
    for seed in range(10):
        w = random_weights(10, seed=3000 + seed)
        assert coalitions.local_minima(w)[0].energy == pytest.approx(exact_minimum(w)[1], abs=1e-12)


def test_two_planted_blocs_have_one_basin():
    labels = np.array([0, 0, 0, 1, 1, 1])
    minima = coalitions.local_minima(two_bloc_weights(labels, np.full(6, 1 / 6)))
    assert len(minima) == 1 and minima[0].basin == 1.0
    np.testing.assert_array_equal(label_against(minima[0].config, 0), labels)


def test_local_minima_refuses_large_networks(monkeypatch):
    monkeypatch.setattr(coalitions, "EXACT_MAX", 4)
    with pytest.raises(ValueError):
        coalitions.local_minima(random_weights(5, seed=6))


def test_local_minima_across_chunks(monkeypatch):
    w = random_weights(9, seed=4000)
    expected = [(tuple(m.config), m.starts) for m in coalitions.local_minima(w)]
    monkeypatch.setattr(coalitions, "CHUNK", 7)
    assert [(tuple(m.config), m.starts) for m in coalitions.local_minima(w)] == expected


# ---------------------------------------------------------------- the incremental descent against the recomputing one

def reference_descend(assignment: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The straightforward single-flip descent (the code before the incremental one): the fields
    W σ recomputed with a matrix product before every flip.
    """
    a = assignment.astype(int).copy()
    for _ in range(len(a) ** 2 + 1):
        spins = 1 - 2 * a
        field = weights @ spins
        gain = spins * field
        i = int(np.argmin(gain))
        if not gain[i] < -1e-12:
            return a
        a[i] = 1 - a[i]
    return a


def reference_heuristic(weights: np.ndarray, rng: np.random.Generator, restarts: int,
                        start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """``heuristic_minimum`` written plainly: one start after the other, each with ``reference_descend``,
    then, on a glassy network, the annealed chains (``annealing.anneal`` with k = 2) one after the
    other, each finished the same way.
    """
    n = weights.shape[0]
    starts = [start] if start is not None else []
    starts += [rng.integers(0, 2, n) for _ in range(restarts)]
    best, best_e = None, np.inf

    def consider(s):
        nonlocal best, best_e
        a = reference_descend(s, weights)
        e = float(energy(a, weights))
        if e < best_e:  # the lowest exact energy, the first found among exact equals
            best, best_e = a, e

    for s in starts:
        consider(s)
    upper_w = np.triu(weights, 1)
    if annealing.frustrated_share(best_e - np.minimum(upper_w, 0.0).sum(), float(np.abs(upper_w).sum())) > annealing.GLASSY:
        for s in annealing.anneal(weights, 2, rng):
            consider(s)
    return best, best_e


def tricky_weights(kind: str, n: int, seed: int) -> np.ndarray:
    """Weights of several kinds, chosen for ties and rounding."""
    rng = np.random.default_rng(seed)
    if kind == "model":  # capability shares times propensities, as the model builds them
        return random_weights(n, seed)
    if kind == "signs":  # sums exact, ties everywhere
        z = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], (n, n))
    elif kind == "decimals":  # ties that rounding breaks one way or the other
        z = rng.choice([-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3], (n, n))
    elif kind == "sparse":
        z = rng.uniform(-1.0, 1.0, (n, n)) * (rng.random((n, n)) < 0.15)
    elif kind == "huge":
        z = rng.uniform(-1.0, 1.0, (n, n)) * 1e9
    elif kind == "diagonal":  # a diagonal counts in W σ: both keep it
        z = rng.uniform(-1.0, 1.0, (n, n))
        return np.triu(z, 1) + np.triu(z, 1).T + np.diag(rng.uniform(-1.0, 1.0, n))
    else:
        raise ValueError(kind)
    z = np.triu(z, 1)
    return z + z.T


WEIGHT_KINDS = ["model", "signs", "decimals", "sparse", "huge", "diagonal"]


@pytest.mark.parametrize("kind", WEIGHT_KINDS)
def test_descend_equals_the_recomputing_descent(kind):
    rng = np.random.default_rng(WEIGHT_KINDS.index(kind))
    for case in range(30):
        n = int(rng.integers(1, 25 if kind == "diagonal" else 90))  # with a diagonal a descent can cycle to N² + 1
        w = tricky_weights(kind, n, seed=5000 + case)
        starts = rng.integers(0, 2, (4, n))
        for s in starts:
            np.testing.assert_array_equal(descend(s, w), reference_descend(s, w))
        np.testing.assert_array_equal(coalitions.descend_each(starts, w), [reference_descend(s, w) for s in starts])


@SETTINGS
@given(drawn_weights(max_n=12), st.integers(0, 2**32 - 1))
def test_descend_equals_the_recomputing_descent_drawn(w, seed):
    starts = np.random.default_rng(seed).integers(0, 2, (4, w.shape[0]))
    np.testing.assert_array_equal(descend(starts[0], w), reference_descend(starts[0], w))
    np.testing.assert_array_equal(coalitions.descend_each(starts, w), [reference_descend(s, w) for s in starts])
    scaled = w * 0.1  # the same ties, no longer exact sums
    np.testing.assert_array_equal(coalitions.descend_each(starts, scaled), [reference_descend(s, scaled) for s in starts])


@pytest.mark.parametrize("kind", WEIGHT_KINDS)
def test_heuristic_equals_the_one_start_at_a_time_search(kind):
    """Same configuration and energy, and the generator left in the same state."""
    for case in range(10):
        rng = np.random.default_rng(100 + 10 * WEIGHT_KINDS.index(kind) + case)
        n = int(rng.integers(1, 25 if kind == "diagonal" else 80))
        w = tricky_weights(kind, n, seed=6000 + case)
        start = rng.integers(0, 2, n) if case % 2 else None
        a, b = np.random.default_rng(case), np.random.default_rng(case)
        config, e = heuristic_minimum(w, a, 15, start)
        ref_config, ref_e = reference_heuristic(w, b, 15, start)
        np.testing.assert_array_equal(config, ref_config)
        assert e == ref_e
        assert a.integers(0, 2**62) == b.integers(0, 2**62)


@pytest.mark.parametrize("kind", WEIGHT_KINDS)
def test_compiled_descent_equals_the_recomputing_descent_in_batches(kind):
    """The compiled kernel (all rows of a batch in one call) makes the flips of the recomputing descent, on many
    matrices of every kind, including the model's size (N = 146).
    """
    rng = np.random.default_rng(50 + WEIGHT_KINDS.index(kind))
    sizes = [int(rng.integers(1, 25 if kind == "diagonal" else 100)) for _ in range(30)]
    if kind != "diagonal":
        sizes += [146, 146]
    for case, n in enumerate(sizes):
        w = tricky_weights(kind, n, seed=50_000 + case)
        starts = rng.integers(0, 2, (6, n))
        np.testing.assert_array_equal(coalitions.descend_each(starts, w), [reference_descend(s, w) for s in starts])


@pytest.mark.parametrize("kind", ["model", "decimals", "sparse", "huge", "diagonal"])
def test_compiled_kept_fields_stay_within_the_rounding_bound(kind):
    """The kernel's kept fields (its own sums, its updates, its re-syncs) stay within field_margin / 8 of W σ
    recomputed with numpy, the bound its decisions rely on, at every stop.
    """
    from simulation.search import kernels

    rng = np.random.default_rng(51)
    for case in range(8):
        n = int(rng.integers(5, 25 if kind == "diagonal" else 150))
        w = tricky_weights(kind, n, seed=51_000 + case)
        columns = np.ascontiguousarray(w.T)
        margin = coalitions.field_margin(n, float(np.abs(w).sum(axis=1).max()))
        runs = 6
        a = rng.integers(0, 2, (runs, n))
        spins, field = np.empty((runs, n)), np.empty((runs, n))
        since, moves, status = (np.zeros(runs, dtype=np.int64) for _ in range(3))
        pending = np.full(runs, -1, dtype=np.int64)
        kernels.descend_rows(a, spins, field, since, moves, status, pending, columns, coalitions.FLIP_GAIN, margin,
                             False, n * n + 1)
        np.testing.assert_array_equal(spins, 1.0 - 2.0 * a)
        for r in range(runs):
            assert np.abs(field[r] - coalitions._exact_flip(a[r], w)[1]).max() <= margin / 8


def test_compiled_descent_hands_close_calls_to_the_numpy_step(monkeypatch):
    """Ties broken by rounding are close calls: the kernel returns them to the recomputed numpy step, and the
    descent still equals the recomputing one.
    """
    calls = []
    real = coalitions._exact_flip
    monkeypatch.setattr(coalitions, "_exact_flip", lambda *a: calls.append(1) or real(*a))
    w = tricky_weights("decimals", 60, seed=52)
    starts = np.random.default_rng(53).integers(0, 2, (8, 60))
    np.testing.assert_array_equal(coalitions.descend_each(starts, w), [reference_descend(s, w) for s in starts])
    assert calls


@pytest.mark.parametrize("kind", ["model", "decimals", "sparse"])
def test_heuristic_at_the_model_size_equals_the_one_start_at_a_time_search(kind):
    """N = 146, 20 restarts plus a start (the model's search): same configuration, energy and generator state."""
    for case in range(2):
        w = tricky_weights(kind, 146, seed=54_000 + case)
        start = np.random.default_rng(case).integers(0, 2, 146)
        a, b = np.random.default_rng(55 + case), np.random.default_rng(55 + case)
        config, e = heuristic_minimum(w, a, 20, start)
        ref_config, ref_e = reference_heuristic(w, b, 20, start)
        np.testing.assert_array_equal(config, ref_config)
        assert e == ref_e
        assert a.integers(0, 2**62) == b.integers(0, 2**62)


def test_descend_on_model_weights_never_recomputes(monkeypatch):
    """On the model's weights (continuous, small) every flip and every stop is decided on the kept fields."""
    monkeypatch.setattr(coalitions, "_exact_flip", lambda *a: pytest.fail("recomputed"))
    w = random_weights(150, seed=7000)
    starts = np.random.default_rng(7001).integers(0, 2, (20, 150))
    np.testing.assert_array_equal(coalitions.descend_each(starts, w), [reference_descend(s, w) for s in starts])


def test_field_margin():
    assert coalitions.field_margin(100, 3.0, exact=True) == 0.0
    assert coalitions.field_margin(100, 3.0) == pytest.approx(3 * coalitions.field_margin(100, 1.0))
    assert coalitions.field_margin(200, 1.0) < 1e-10


def lowest_exactly(weights: np.ndarray) -> tuple[np.ndarray, float]:
    """The rule, the reference: every configuration of the enumeration (the last state in coalition
    0) scored by ``energy`` one at a time; the lowest, the first among exact equals."""
    n = weights.shape[0]
    best, best_e = None, np.inf
    for code in range(1 << max(n - 1, 0)):
        config = np.append((code >> np.arange(n - 1)) & 1, 0).astype(int)
        e = float(energy(config, weights))
        if e < best_e:
            best, best_e = config, e
    return best, best_e


@pytest.mark.parametrize("kind", ["continuous", "signs", "halves", "zeros", "near ties"])
@pytest.mark.parametrize("n", [1, 2, 6, 10])
@pytest.mark.parametrize("tabled", [True, False])
def test_the_enumeration_keeps_the_lowest_exact_energy_first_among_equals(monkeypatch, kind, n, tabled):
    """The table and the compiled loop (``kernels.coalition_energies``, when the table would be too
    large) score every configuration approximately; ``ties`` scores the near-lowest exactly: the
    rule's result, for a stack of networks and for each network alone."""
    rng = np.random.default_rng(n + 100 * tabled)
    if not tabled:
        monkeypatch.setattr(coalitions, "_table", lambda n: None)
    nets = []
    for _ in range(8):
        w = {"continuous": rng.normal(size=(n, n)), "signs": rng.choice([-1.0, 0.0, 1.0], size=(n, n)),
             "halves": rng.integers(-2, 3, size=(n, n)) / 2.0, "zeros": np.zeros((n, n)),
             "near ties": 1.0 + rng.integers(-2, 3, size=(n, n)) * 3e-13}[kind]
        nets.append(np.triu(w, 1) + np.triu(w, 1).T)
    stack = np.stack(nets)
    configs, energies = coalitions.exact_minimum(stack)
    for b, w in enumerate(stack):
        want = lowest_exactly(w)
        assert np.array_equal(configs[b], want[0]) and energies[b] == want[1], b
        alone = coalitions.exact_minimum(w[None])
        assert np.array_equal(alone[0][0], configs[b]) and alone[1][0].tobytes() == energies[b].tobytes()


def test_compiled_energies_are_every_configuration_scored():
    from simulation.search import kernels

    w = random_weights(9, seed=3)
    count = 1 << 8
    expected = energy(coalitions._configs(np.arange(count), 9), w)
    assert np.allclose(kernels.coalition_energies(np.triu(w, 1), count), expected, rtol=0, atol=1e-12)
