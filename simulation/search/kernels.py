"""Compiled inner loops (numba) of the kept-cost descents of ``blocs.relocate_all`` and
``coalitions.descend_each``.

Each kernel runs the descent of every row of a batch on its kept costs (fields), one move after
the other, until the row is finished on a safely decided call (for blocs also when each node's
own bloc is cheaper than every other by more than the bound: its recomputed gain is then exactly
0, so the end needs no recomputed step), reaches its move limit (N² + 1)
or its move ``budget`` for this call (``RUNNING``: call again), or meets a close call
(``EXACT``): the caller then takes the recomputed step with the original numpy formula
(``blocs._exact_step``, ``coalitions._exact_flip``), stores the recomputed costs in the row,
hands the move found to the next call as ``pending`` (or marks the row ``DONE``) and calls the
kernel again. A move or a stop is taken here only when its margin beats the rounding bound
(``blocs.cost_margin``, ``coalitions.field_margin``), so the kernels make the moves of the
recomputing descent although their sums round otherwise than numpy's products: the costs they
compute (``NEW`` rows, and a re-sync every N moves) are plain sums of at most N terms, in node
order, plus one addition, within the error the bounds assume (sums in any order). No fastmath:
every operation is IEEE double, ties go to the first index as in numpy's argmax / argmin.

Importing this module imports numba; ``blocs`` and ``coalitions`` import it only when a descent
first runs (small networks are solved by enumeration and never pay for it). Compiled code is
cached beside the module (``cache=True``).
"""

from __future__ import annotations

import numba
import numpy as np

NEW, RUNNING, EXACT, DONE = 0, 1, 2, 3  # row status


@numba.njit(cache=True)
def _sync_costs(lab, ties, pos_total, cost):
    """cost[b, i] = Σ_{m in bloc b} ties[m, i] + pos_total[i]: N terms at most, then one addition."""
    k, n = cost.shape
    cost[:, :] = 0.0
    for m in range(n):
        b = lab[m]
        for i in range(n):
            cost[b, i] += ties[m, i]
    for b in range(k):
        for i in range(n):
            cost[b, i] += pos_total[i]


@numba.njit(cache=True)
def _settled(lab, cost, move_gain, margin):
    """True when no node can gain on the recomputed costs either: each node's own bloc is cheaper
    than every other by more than 2 margins (its recomputed gain is then exactly 0), or its gain
    is below the threshold by more than 2 margins.
    """
    k, n = cost.shape
    for i in range(n):
        own = lab[i]
        cur = cost[own, i]
        gap = np.inf
        low = cur
        for b in range(k):
            c = cost[b, i]
            if c < low:
                low = c
            if b != own and c - cur < gap:
                gap = c - cur
        if not (gap > 2.0 * margin or cur - low < move_gain - 2.0 * margin):
            return False
    return True


@numba.njit(cache=True)
def _relocate_row(lab, cost, count, ties, pos_total, move_gain, margin, exact, node, to, since, moves, budget,
                  limit):
    """One row of ``relocate_rows``: (status, since, moves); ``node`` ≥ 0 is a pending move to ``to``."""
    k, n = cost.shape
    low = np.empty(n)
    made = 0
    while True:
        if node >= 0:
            a = lab[node]
            lab[node] = to
            for j in range(n):
                cost[a, j] -= ties[node, j]
                cost[to, j] += ties[node, j]
            count[a] -= 1
            count[to] += 1
            if count[a] == 0:  # an empty bloc costs exactly pos_i, as recomputed
                for j in range(n):
                    cost[a, j] = pos_total[j]
            moves += 1
            made += 1
            since += 1
            if since >= n:
                _sync_costs(lab, ties, pos_total, cost)
                since = 0
            node = -1
        if moves >= limit:
            return DONE, since, moves
        if made >= budget:
            return RUNNING, since, moves
        for i in range(n):  # each node's cheapest bloc, a row at a time (vectorised)
            low[i] = cost[0, i]
        for b in range(1, k):
            for i in range(n):
                low[i] = min(low[i], cost[b, i])
        best = 0
        top = -np.inf
        runner = -np.inf  # the best gain of the other nodes
        for i in range(n):
            g = cost[lab[i], i] - low[i]
            if i == 0 or g > top:  # the first of the largest, as argmax
                runner = top
                top = g
                best = i
            elif g > runner:
                runner = g
        cheapest = 0  # the first of the cheapest blocs, as argmin
        for b in range(1, k):
            if cost[b, best] < cost[cheapest, best]:
                cheapest = b
        if exact:
            if not top > move_gain:
                return DONE, since, moves
            node, to = best, cheapest
            continue
        if top < move_gain - 2.0 * margin:
            return DONE, since, moves
        below = max(runner, move_gain - 2.0 * margin)  # the runner-up, or the threshold
        clear = top - below > 4.0 * margin
        if clear and k > 1:  # the two cheapest blocs, empty blocs after the first left out (they cost the same)
            first = np.inf
            second = np.inf
            seen_empty = False
            for b in range(k):
                if count[b] == 0:
                    if seen_empty:
                        continue
                    seen_empty = True
                c = cost[b, best]
                if c < first:
                    second = first
                    first = c
                elif c < second:
                    second = c
            clear = second - first > 2.0 * margin
        if clear:
            node, to = best, cheapest
            continue
        if _settled(lab, cost, move_gain, margin):
            return DONE, since, moves
        return EXACT, since, moves


@numba.njit(cache=True)
def relocate_rows(lab, cost, count, since, moves, status, pending, ties, pos_total, move_gain, margin, exact, budget,
                  limit):
    """Advance every row of ``blocs.relocate_all`` that is not ``DONE`` or ``EXACT``, in place.

    lab (R, N) int64 labels; cost (R, k, N) kept costs and count (R, k) bloc sizes (computed here
    for ``NEW`` rows); since, moves (R,) moves since the last re-sync and in all; status (R,);
    pending (R, 2): a move (node, bloc) to make first, node −1 for none; ties (N, N), pos_total
    (N,) as in ``relocate_all``; at most ``budget`` moves per row in this call, ``limit`` in all.
    """
    runs = lab.shape[0]
    k = cost.shape[1]
    for r in range(runs):
        if status[r] == NEW:
            for b in range(k):
                count[r, b] = 0
            for i in range(lab.shape[1]):
                count[r, lab[r, i]] += 1
            _sync_costs(lab[r], ties, pos_total, cost[r])
            since[r] = 0
            status[r] = RUNNING
        if status[r] != RUNNING:
            continue
        status[r], since[r], moves[r] = _relocate_row(lab[r], cost[r], count[r], ties, pos_total, move_gain, margin,
                                                      exact, pending[r, 0], pending[r, 1], since[r], moves[r],
                                                      budget, limit)
        pending[r, 0] = -1


@numba.njit(cache=True)
def _sync_fields(spins, columns, field):
    """field[i] = Σ_m columns[m, i] σ_m (= Σ_m w_im σ_m): N terms."""
    n = field.shape[0]
    field[:] = 0.0
    for m in range(n):
        s = spins[m]
        for i in range(n):
            field[i] += columns[m, i] * s


@numba.njit(cache=True)
def _descend_row(a, spins, field, columns, flip_gain, margin, exact, node, since, moves,
                 limit):
    """One row of ``descend_rows``: (status, since, moves); ``node`` ≥ 0 is a pending flip."""
    n = field.shape[0]
    while True:
        if node >= 0:
            if spins[node] > 0:
                for j in range(n):
                    field[j] -= 2.0 * columns[node, j]
            else:
                for j in range(n):
                    field[j] += 2.0 * columns[node, j]
            spins[node] = -spins[node]
            a[node] = 1 - a[node]
            moves += 1
            since += 1
            if since >= n:
                _sync_fields(spins, columns, field)
                since = 0
            node = -1
        if moves >= limit:
            return DONE, since, moves
        best = 0
        top = np.inf
        runner = np.inf  # the best gain of the other states
        for i in range(n):
            g = spins[i] * field[i]
            if i == 0 or g < top:  # the first of the lowest, as argmin
                runner = top
                top = g
                best = i
            elif g < runner:
                runner = g
        if exact:
            if not top < -flip_gain:
                return DONE, since, moves
            node = best
            continue
        if top > -flip_gain + 2.0 * margin:
            return DONE, since, moves
        above = min(runner, -flip_gain + 2.0 * margin)  # the runner-up, or the threshold
        if above - top > 4.0 * margin:
            node = best
            continue
        return EXACT, since, moves


@numba.njit(cache=True)
def descend_rows(a, spins, field, since, moves, status, pending, columns, flip_gain, margin, exact,
                 limit):
    """Advance every row of ``coalitions.descend_each`` that is not ``DONE`` or ``EXACT``, in place.

    a (R, N) int64 0/1 labels; spins (R, N) = 1 − 2a and field (R, N) kept fields (computed here
    for ``NEW`` rows); since, moves, status (R,); pending (R,): a state to flip first, −1 for
    none; columns (N, N) = Wᵀ; at most ``limit`` flips per row in all.
    """
    for r in range(a.shape[0]):
        if status[r] == NEW:
            for i in range(a.shape[1]):
                spins[r, i] = 1.0 - 2.0 * a[r, i]
            _sync_fields(spins[r], columns, field[r])
            since[r] = 0
            status[r] = RUNNING
        if status[r] != RUNNING:
            continue
        status[r], since[r], moves[r] = _descend_row(a[r], spins[r], field[r], columns, flip_gain, margin, exact,
                                                     pending[r], since[r], moves[r], limit)
        pending[r] = -1


@numba.njit(cache=True)
def anneal_rows(lab, ties, pos_total, k, temperatures, seed):
    """Simulated annealing of every row of a batch (R, N) of labelings in 0 … k − 1, in place: row r
    ends as the lowest-frustration labeling it met (checked after every sweep; a labeling replaces
    the best so far when lower by more than 1e-9 of the tie weight, far above the rounding of the
    kept sum).

    Sweep s makes N proposals at temperature ``temperatures[s]``: a node drawn at random, moved to
    one of the other k − 1 blocs drawn at random (no draw when k = 2), accepted when a uniform draw
    u < e^(−Δ/T) (Metropolis; always when Δ ≤ 0, the draw made all the same, so the draws never
    depend on the rounding of Δ), Δ = cost[new, node] − cost[old, node] on the kept costs
    (``_sync_costs``; a move changes two rows of them by the node's ties). The draws are numba's
    Mersenne Twister seeded with ``seed`` (the generator of numpy's ``RandomState``): the same
    seed, the same rows.
    """
    np.random.seed(seed)
    runs, n = lab.shape
    cost = np.empty((k, n))
    best = np.empty(n, dtype=lab.dtype)
    tolerance = 0.0
    for m in range(n):
        for i in range(n):
            tolerance += abs(ties[m, i])
    tolerance *= 0.5e-9
    for r in range(runs):
        row = lab[r]
        _sync_costs(row, ties, pos_total, cost)
        f = 0.0
        for i in range(n):
            f += cost[row[i], i]
        f *= 0.5
        best_f = f
        best[:] = row
        for t in temperatures:
            for _ in range(n):
                node = np.random.randint(0, n)
                old = row[node]
                new = 1 - old if k == 2 else (old + 1 + np.random.randint(0, k - 1)) % k
                delta = cost[new, node] - cost[old, node]
                u = np.random.random()
                if delta <= 0.0 or u < np.exp(-delta / t):
                    for i in range(n):
                        x = ties[node, i]
                        cost[old, i] -= x
                        cost[new, i] += x
                    row[node] = new
                    f += delta
            if f < best_f - tolerance:
                best_f = f
                best[:] = row
        row[:] = best


@numba.njit(cache=True)
def bloc_frustrations(pos, neg, k, count):
    """Approximate frustration of labelings 0 … count − 1 of ``blocs.exact_blocs``'s enumeration:
    code c puts node i < N − 1 in bloc (c // k^i) % k and the last node in bloc 0; the sum over
    the pairs i < j of ``neg`` (same bloc) or ``pos`` (not). The caller settles the rows near the
    minimum with ``blocs.frustration`` itself.

    Codes are counted up in base k (node 0 the lowest digit), and the sum is kept by rows:
    S_m = S_(m+1) + Σ_(j>m) of node m's pairs, so a code that changes the digits 0 … t recomputes
    the rows t … 0 only (1.5 rows a code on average for k = 3) — every S_m a fresh sum, nothing
    accumulated by differences.
    """
    n = pos.shape[0]
    out = np.zeros(count)
    lab = np.zeros(n, dtype=np.int64)
    rows = np.zeros(n + 1)
    top = n - 2
    for code in range(count):
        if code > 0:
            top = 0
            while lab[top] == k - 1:
                lab[top] = 0
                top += 1
            lab[top] += 1
        for m in range(top, -1, -1):
            r = 0.0
            for j in range(m + 1, n):
                r += neg[m, j] if lab[m] == lab[j] else pos[m, j]
            rows[m] = rows[m + 1] + r
        out[code] = rows[0]
    return out


@numba.njit(cache=True)
def coalition_energies(upper, count):
    """Approximate energy of configurations 0 … count − 1 of ``coalitions.exact_minimum``'s
    enumeration: node i < N − 1 in coalition (c >> i) & 1, the last in 0; the sum of the weights
    ``upper`` (i < j) of the pairs apart, kept by rows as in ``bloc_frustrations``. The caller
    settles the rows near the minimum with ``coalitions.energy`` itself.
    """
    n = upper.shape[0]
    out = np.zeros(count)
    side = np.zeros(n, dtype=np.int64)
    rows = np.zeros(n + 1)
    top = n - 2
    for code in range(count):
        if code > 0:
            top = 0
            while side[top] == 1:
                side[top] = 0
                top += 1
            side[top] = 1
        for m in range(top, -1, -1):
            r = 0.0
            for j in range(m + 1, n):
                if side[m] != side[j]:
                    r += upper[m, j]
            rows[m] = rows[m + 1] + r
        out[code] = rows[0]
    return out
