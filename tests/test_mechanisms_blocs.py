"""Tests for simulation.mechanisms.blocs: minimum-frustration k-bloc partitions (Davis; Doreian & Mrvar)."""

from __future__ import annotations

from itertools import permutations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulation.mechanisms import blocs
from simulation.mechanisms.blocs import (
    align_labels,
    best_blocs,
    canonical,
    exact_blocs,
    frustration,
    heuristic_blocs,
    relocate,
)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def sym(n: int, edges: dict[tuple[int, int], float]) -> np.ndarray:
    a = np.zeros((n, n))
    for (i, j), v in edges.items():
        a[i, j] = a[j, i] = v
    return a


def random_signed(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = np.triu(rng.uniform(-1.0, 1.0, (n, n)), 1)
    return z + z.T


def planted(labels: np.ndarray, seed: int, noise: float = 0.2) -> np.ndarray:
    """+0.6 within blocs, -0.6 between, plus symmetric noise."""
    n = len(labels)
    rng = np.random.default_rng(seed)
    z = np.triu(rng.normal(0.0, noise, (n, n)), 1)
    w = np.where(labels[:, None] == labels[None, :], 0.6, -0.6) + z + z.T
    np.fill_diagonal(w, 0.0)
    return w


def brute_frustration(weights: np.ndarray, labels) -> float:
    n = len(labels)
    total = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            w = weights[i, j]
            if labels[i] == labels[j]:
                total += max(-w, 0.0)
            else:
                total += max(w, 0.0)
    return total


def brute_blocs(weights: np.ndarray, k: int) -> float:
    """Minimum frustration over all k^N labelings (vectorised over labelings, looped over pairs)."""
    n = weights.shape[0]
    labels = np.array(list(product(range(k), repeat=n)))
    f = np.zeros(len(labels))
    for i in range(n):
        for j in range(i + 1, n):
            same = labels[:, i] == labels[:, j]
            f += np.where(same, max(-weights[i, j], 0.0), max(weights[i, j], 0.0))
    return float(f.min())


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a[:, None] == a[None, :], b[:, None] == b[None, :]))


@st.composite
def seeded_case(draw, max_n: int = 7):
    k = draw(st.sampled_from([2, 3]))
    n = draw(st.integers(1, max_n))
    return random_signed(n, draw(st.integers(0, 2**32 - 1))), k


@st.composite
def drawn_case(draw, max_n: int = 7):
    """Signed weights drawn element by element (zeros and ties included)."""
    k = draw(st.sampled_from([2, 3]))
    n = draw(st.integers(2, max_n))
    raw = draw(arrays(np.float64, (n, n), elements=st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0])))
    upper = np.triu(raw, 1)
    return upper + upper.T, k


# ---------------------------------------------------------------- frustration by hand

def hand_case():
    return sym(3, {(0, 1): 2.0, (0, 2): -1.0, (1, 2): 0.5})


@pytest.mark.parametrize("labels, expected", [
    ([0, 0, 0], 1.0),  # the negative tie 0-2 sits inside
    ([0, 0, 1], 0.5),  # the positive tie 1-2 crosses
    ([0, 1, 1], 2.0),  # the positive tie 0-1 crosses (negative 0-2 crosses too: no cost)
    ([0, 1, 0], 2.0 + 0.5 + 1.0),
    ([0, 1, 2], 2.0 + 0.5),
])
def test_frustration_by_hand(labels, expected):
    assert float(frustration(hand_case(), np.array(labels))) == pytest.approx(expected)


def test_frustration_batch_matches_single_and_brute():
    w = random_signed(6, seed=0)
    batch = np.random.default_rng(1).integers(0, 3, (12, 6))
    f = frustration(w, batch)
    assert f.shape == (12,)
    np.testing.assert_allclose(f, [frustration(w, lab) for lab in batch])
    np.testing.assert_allclose(f, [brute_frustration(w, lab) for lab in batch])


def test_frustration_invariant_under_renaming_blocs():
    w = random_signed(7, seed=2)
    lab = np.random.default_rng(3).integers(0, 3, 7)
    for perm in permutations(range(3)):
        assert float(frustration(w, np.asarray(perm)[lab])) == pytest.approx(float(frustration(w, lab)))


def test_frustration_zero_for_clusterable_partition_and_ignores_diagonal():
    labels = np.array([0, 0, 1, 2, 2])
    w = np.where(labels[:, None] == labels[None, :], 1.0, -1.0)  # diagonal +1 is ignored
    np.fill_diagonal(w, -5.0)
    assert float(frustration(w, labels)) == 0.0


# ---------------------------------------------------------------- exact_blocs: theory

def test_all_negative_triangle_is_three_clusterable_but_not_two():
    """Davis (1967): weak balance allows 'the enemy of my enemy is my enemy' with three blocs."""
    w = sym(3, {(0, 1): -1.0, (0, 2): -1.0, (1, 2): -1.0})
    labels3, f3 = exact_blocs(w, 3)
    assert f3 == 0.0
    np.testing.assert_array_equal(labels3, [0, 1, 2])
    _, f2 = exact_blocs(w, 2)
    assert f2 == 1.0


def test_exact_blocs_recovers_planted_three_blocs():
    labels = np.array([0, 1, 2, 0, 1, 2, 1])
    found, f = exact_blocs(planted(labels, seed=4), 3)
    assert same_partition(found, labels)
    assert f >= 0.0


def test_exact_blocs_all_friends_one_bloc():
    w = np.ones((5, 5)) - np.eye(5)
    labels, f = exact_blocs(w, 3)
    np.testing.assert_array_equal(labels, np.zeros(5, int))
    assert f == 0.0


def test_exact_blocs_hand_case():
    labels, f = exact_blocs(hand_case(), 2)
    assert f == pytest.approx(0.5)
    np.testing.assert_array_equal(labels, [0, 0, 1])


def test_exact_blocs_single_node():
    labels, f = exact_blocs(np.zeros((1, 1)), 3)
    np.testing.assert_array_equal(labels, [0])
    assert f == 0.0


# ---------------------------------------------------------------- exact_blocs against brute force

@SETTINGS
@given(seeded_case())
def test_exact_blocs_equals_brute_force_seeded(case):
    w, k = case
    labels, f = exact_blocs(w, k)
    assert f == pytest.approx(brute_blocs(w, k), abs=1e-12)
    assert brute_frustration(w, labels) == pytest.approx(f, abs=1e-12)
    assert len(labels) == w.shape[0] and labels.min() >= 0 and labels.max() < k
    np.testing.assert_array_equal(labels, canonical(labels))


@SETTINGS
@given(drawn_case())
def test_exact_blocs_equals_brute_force_drawn(case):
    w, k = case
    labels, f = exact_blocs(w, k)
    assert f == pytest.approx(brute_blocs(w, k), abs=1e-12)
    assert brute_frustration(w, labels) == pytest.approx(f, abs=1e-12)


@pytest.mark.parametrize("k", [2, 3])
def test_exact_blocs_across_chunks(monkeypatch, k):
    w = random_signed(7, seed=5 + k)
    monkeypatch.setattr(blocs, "CHUNK", 10)  # many uneven chunks
    labels, f = exact_blocs(w, k)
    assert f == pytest.approx(brute_blocs(w, k), abs=1e-12)
    assert brute_frustration(w, labels) == pytest.approx(f, abs=1e-12)


def test_exact_blocs_refuses_large_enumerations(monkeypatch):
    monkeypatch.setattr(blocs, "EXACT_LIMIT", 81)
    exact_blocs(random_signed(5, seed=6), 3)  # 3^4 = 81 labelings: at the limit, allowed
    with pytest.raises(ValueError):
        exact_blocs(random_signed(6, seed=6), 3)


# ---------------------------------------------------------------- relocate

def test_relocate_returns_local_minimum():
    rng = np.random.default_rng(7)
    for case in range(30):
        n, k = int(rng.integers(2, 12)), int(rng.integers(2, 5))
        w = random_signed(n, seed=200 + case)
        lab = relocate(rng.integers(0, k, n), w, k)
        f = float(frustration(w, lab))
        for i in range(n):
            for b in range(k):
                moved = lab.copy()
                moved[i] = b
                assert float(frustration(w, moved)) >= f - 1e-12


def test_relocate_moves_a_misplaced_node_home_and_keeps_input():
    labels = np.array([0, 0, 1, 1, 2, 2])
    w = planted(labels, seed=8, noise=0.0)
    start = labels.copy()
    start[2] = 2
    got = relocate(start, w, 3)
    np.testing.assert_array_equal(got, labels)
    assert start[2] == 2


# ---------------------------------------------------------------- heuristic_blocs

@SETTINGS
@given(seeded_case(), st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_heuristic_reports_its_frustration_and_never_beats_exact(case, seed, restarts):
    w, k = case
    labels, f = heuristic_blocs(w, k, np.random.default_rng(seed), restarts)
    assert f == pytest.approx(float(frustration(w, labels)), abs=1e-12)
    assert f == pytest.approx(brute_frustration(w, labels), abs=1e-12)
    assert f >= exact_blocs(w, k)[1] - 1e-12
    np.testing.assert_array_equal(labels, canonical(labels))


def test_heuristic_reaches_exact_in_most_cases():
    rng = np.random.default_rng(9)
    hits = 0
    for case in range(50):
        n, k = int(rng.integers(2, 8)), int(rng.integers(2, 4))
        w = random_signed(n, seed=300 + case)
        _, f = heuristic_blocs(w, k, np.random.default_rng(case), restarts=20)
        hits += f <= exact_blocs(w, k)[1] + 1e-12
    assert hits >= 45


def test_heuristic_keeps_a_good_start():
    w = random_signed(7, seed=10)
    labels, f = exact_blocs(w, 3)
    got, got_f = heuristic_blocs(w, 3, np.random.default_rng(0), restarts=0, start=labels)
    assert same_partition(got, labels)
    assert got_f == pytest.approx(f)


# ---------------------------------------------------------------- best_blocs

def test_best_blocs_exact_when_small():
    w = random_signed(6, seed=11)
    labels, f = best_blocs(w, 3, np.random.default_rng(0), restarts=1)
    exact_labels, exact_f = exact_blocs(w, 3)
    np.testing.assert_array_equal(labels, exact_labels)
    assert f == exact_f


def test_best_blocs_heuristic_beyond_limit(monkeypatch):
    monkeypatch.setattr(blocs, "EXACT_LIMIT", 10)
    w = random_signed(6, seed=12)
    labels, f = best_blocs(w, 3, np.random.default_rng(0), restarts=20)
    assert f == pytest.approx(float(frustration(w, labels)))
    assert f >= brute_blocs(w, 3) - 1e-12


# ---------------------------------------------------------------- canonical

def test_canonical_orders_by_first_appearance():
    np.testing.assert_array_equal(canonical(np.array([2, 2, 0, 1, 0])), [0, 0, 1, 2, 1])


def test_canonical_idempotent_and_preserves_partition():
    lab = np.random.default_rng(13).integers(0, 4, 15)
    c = canonical(lab)
    np.testing.assert_array_equal(canonical(c), c)
    assert same_partition(c, lab)
    assert c[0] == 0


def test_canonical_same_for_renamed_labelings():
    lab = np.array([1, 0, 2, 1, 2])
    np.testing.assert_array_equal(canonical(np.array([2, 1, 0, 2, 0])), canonical(lab))


# ---------------------------------------------------------------- align_labels

@pytest.mark.parametrize("perm", list(permutations(range(3))))
def test_align_labels_maps_a_permuted_labeling_back(perm):
    previous = np.array([0, 0, 1, 1, 2, 2, 0])
    permuted = np.asarray(perm)[previous]
    np.testing.assert_array_equal(align_labels(permuted, previous, 3), previous)


def test_align_labels_best_overlap_when_partition_changed():
    previous = np.array([0, 0, 0, 1, 1, 2])
    labels = np.array([2, 2, 1, 0, 0, 1])  # node 2 moved to the bloc of node 5
    aligned = align_labels(labels, previous, 3)
    np.testing.assert_array_equal(aligned, [0, 0, 2, 1, 1, 2])
    assert same_partition(aligned, labels)


def test_align_labels_keeps_partition_random():
    rng = np.random.default_rng(14)
    for _ in range(10):
        labels, previous = rng.integers(0, 3, 9), rng.integers(0, 3, 9)
        aligned = align_labels(labels, previous, 3)
        assert same_partition(aligned, labels)
        best = max(int((np.asarray(p)[labels] == previous).sum()) for p in permutations(range(3)))
        assert int((aligned == previous).sum()) == best


# ---------------------------------------------------------------- branch and bound, solve, choice of k

@SETTINGS
@given(seeded_case(max_n=7))
def test_branch_and_bound_equals_brute_force(case):
    w, k = case
    labels, f, proven = blocs.branch_and_bound(w, k)
    assert proven
    assert f == pytest.approx(brute_blocs(w, k), abs=1e-12)
    assert brute_frustration(w, labels) == pytest.approx(f, abs=1e-12)
    assert labels.max() < k


@SETTINGS
@given(drawn_case(max_n=7), st.integers(1, 5))
def test_branch_and_bound_with_ties_zeros_and_any_k(case, k):
    w, _ = case
    labels, f, proven = blocs.branch_and_bound(w, k)
    assert proven and f == pytest.approx(brute_blocs(w, k), abs=1e-12)
    assert brute_frustration(w, labels) == pytest.approx(f, abs=1e-12)


def test_branch_and_bound_keeps_incumbent_when_cut_short():
    w = random_signed(12, seed=15)
    start, start_f = heuristic_blocs(w, 3, np.random.default_rng(0), restarts=1)
    labels, f, proven = blocs.branch_and_bound(w, 3, start, node_limit=5)
    assert not proven
    assert f <= start_f + 1e-12 and f == pytest.approx(float(frustration(w, labels)))


def test_branch_and_bound_beyond_the_enumeration_limit_matches_heuristic_bound():
    """16 nodes, k = 3 (3^15 labelings, beyond EXACT_LIMIT): proven optimum ≤ every heuristic restart."""
    labels = np.repeat([0, 1, 2, 0], 4)
    w = planted(labels, seed=16, noise=0.5)
    found, f, proven = blocs.branch_and_bound(w, 3, heuristic_blocs(w, 3, np.random.default_rng(0), 5)[0])
    assert proven
    for seed in range(5):
        assert heuristic_blocs(w, 3, np.random.default_rng(seed), 1)[1] >= f - 1e-12


def test_single_restarts_usually_reach_the_exact_optimum():
    """Most single relocation descents (one random start each) already find the exact optimum."""
    rng = np.random.default_rng(17)
    hits = total = 0
    for case in range(40):
        n, k = int(rng.integers(4, 9)), int(rng.integers(2, 4))
        w = random_signed(n, seed=500 + case)
        best = exact_blocs(w, k)[1]
        for r in range(10):
            labels, f = heuristic_blocs(w, k, np.random.default_rng(1000 * case + r), restarts=1)
            assert f == pytest.approx(float(frustration(w, labels)), abs=1e-12)  # reports only what it holds
            hits += f <= best + 1e-12
            total += 1
    assert hits / total >= 0.6


def test_solve_reports_method_and_exactness(monkeypatch):
    w = random_signed(7, seed=18)
    small = blocs.solve(w, 3, np.random.default_rng(0), 5)
    assert small.exact and small.method == "enumeration" and small.frustration == exact_blocs(w, 3)[1]
    monkeypatch.setattr(blocs, "EXACT_LIMIT", 10)
    bb = blocs.solve(w, 3, np.random.default_rng(0), 5)
    assert bb.exact and bb.method == "branch and bound"
    assert bb.frustration == pytest.approx(small.frustration)
    cut = blocs.solve(w, 3, np.random.default_rng(0), 1, node_limit=1)
    assert cut.frustration == pytest.approx(float(frustration(w, cut.labels)))
    assert cut.exact == (cut.method != "heuristic")


def test_blocs_by_k_never_increase_and_choose_smallest_k():
    w = planted(np.array([0, 0, 1, 1, 2, 2, 2]), seed=19, noise=0.0)
    sols = blocs.blocs_by_k(w, 5, np.random.default_rng(0), 10)
    f = [s.frustration for s in sols]
    assert [s.k for s in sols] == [1, 2, 3, 4, 5]
    assert all(b <= a + 1e-12 for a, b in zip(f, f[1:]))
    chosen = blocs.choose_k(sols)
    assert chosen.k == 3 and chosen.frustration == 0.0
    assert same_partition(chosen.labels, np.array([0, 0, 1, 1, 2, 2, 2]))


def test_choose_k_all_negative_triangle_needs_three_blocs():
    w = sym(3, {(0, 1): -1.0, (0, 2): -1.0, (1, 2): -1.0})
    chosen = blocs.choose_k(blocs.blocs_by_k(w, 3, np.random.default_rng(0), 5))
    assert chosen.k == 3 and chosen.frustration == 0.0
