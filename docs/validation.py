"""Numbers of docs/validation.md for the balance dynamics and the Gahuku-Gama blocs.

    .venv/bin/python docs/validation.py            # balance dynamics, triads, Gahuku-Gama (about 5 minutes)
    .venv/bin/python docs/validation.py --half     # also LTD at p = 1/2 up to N = 128 (about 15 minutes more)
    .venv/bin/python -m simulation.validation.landscape  # the Europe 1936 tables (about two minutes)

Prints Markdown. Every run uses fixed seeds, so the output is the same from run to run on the
same NumPy version. The tests that check the same results with stated tolerances are named in
docs/validation.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulation.mechanisms import blocs
from simulation.signed import read_edge_list
from simulation.validation import heider, triads

ROOT = Path(__file__).resolve().parents[1]


def symmetric(n: int, seed: int) -> np.ndarray:
    z = np.random.default_rng(seed).normal(0.0, 1.0, (n, n))
    return (z + z.T) / np.sqrt(2.0)


def uniform(n: int, seed: int, width: float) -> np.ndarray:
    z = np.triu(np.random.default_rng(seed).uniform(-width / 2, width / 2, (n, n)), 1)
    return z + z.T


def marvel(n: int = 20, seeds: int = 20) -> str:
    errors, ratios, factions = [], [], 0
    for seed in range(seeds):
        x0 = symmetric(n, seed)
        t_star = heider.blowup_time(x0)
        numeric = heider.rk4(heider.marvel_rhs, x0, 0.9 * t_star, t_star / 2000)
        exact = heider.marvel_solution(x0, 0.9 * t_star)
        errors.append(np.abs(numeric - exact).max() / np.abs(exact).max())
        x, t = x0.copy(), 0.0
        while np.abs(x).max() < 1e6:
            h = 0.01 / np.abs(x).max()
            x = heider.rk4(heider.marvel_rhs, x, h, h)
            t += h
        ratios.append(t / t_star)
        f = heider.balanced_factions(x)
        lead = heider.leading_eigenvector_factions(x0)
        factions += f is not None and (np.array_equal(f, lead) or np.array_equal(f, 1 - lead))
    return (f"N = {n}, X(0) symmetric Gaussian, {seeds} seeds: RK4 vs closed form at t = 0.9 t*: max relative "
            f"error {max(errors):.1e}; time at which max|X| reaches 10⁶: {min(ratios):.6f}–{max(ratios):.6f} t*; "
            f"final signs = factions of the leading eigenvector of X(0): {factions} of {seeds}.")


def kulakowski() -> str:
    lines = ["| R_max | initial r_ij | N | balanced | median τ |", "|---:|---|---:|---:|---:|"]
    medians = {}
    for n in (25, 50, 100, 200):
        times, ok = [], 0
        for seed in range(20):
            r, t = heider.evolve_bounded(uniform(n, seed, 1.0), 5.0, 0.02 / np.sqrt(n), 20.0)
            if heider.balanced_factions(r) is not None:
                ok += 1
                times.append(t)
        medians[n] = float(np.median(times))
        lines.append(f"| 5 | uniform, width 1 | {n} | {ok} of 20 | {medians[n]:.3f} |")
    slope = np.polyfit(np.log(list(medians)), np.log(list(medians.values())), 1)[0]
    for r_max, width, n in ((1.0, 1.0, 50), (2.0, 1.0, 50), (1.0, 2.0, 30)):
        ok = 0
        for seed in range(40):
            r, _ = heider.evolve_bounded(uniform(n, seed, width), r_max, 0.01, 50.0)
            ok += heider.balanced_factions(r) is not None
        lines.append(f"| {r_max:g} | uniform, width {width:g} | {n} | {ok} of 40 | |")
    return "\n".join(lines) + f"\n\nFitted exponent of median τ against N (R_max = 5, N = 25 … 200): {slope:.2f}."


def ltd_density() -> str:
    lines = ["| p | ρ∞ (mean field) | ours: mean over t ∈ [10, 30], N = 64, 3 runs | difference |",
             "|---:|---:|---:|---:|"]
    for p in (0.0, 0.25, 0.4):
        values = []
        for seed in range(3):
            rng = np.random.default_rng(seed)
            run = triads.local_triad_dynamics(triads.random_signs(64, 0.5, rng), p, rng, 30.0, record_every=0.5)
            times, density = np.array(run.times), np.array(run.density)
            values.append(density[times >= 10].mean())
        rho = triads.stationary_density(p)
        lines.append(f"| {p} | {rho:.4f} | {np.mean(values):.4f} | {np.mean(values) - rho:+.4f} |")
    return "\n".join(lines)


def ltd_paradise() -> str:
    lines = ["| p | N | runs ending in paradise | mean time to paradise |", "|---:|---:|---:|---:|"]
    for p in (0.75, 1.0):
        for n in (16, 32, 64):
            times, paradise = [], 0
            for seed in range(10):
                rng = np.random.default_rng(seed)
                run = triads.local_triad_dynamics(triads.random_signs(n, 0.5, rng), p, rng, 1e6)
                paradise += run.outcome == "paradise"
                times.append(run.time)
            lines.append(f"| {p} | {n} | {paradise} of 10 | {np.mean(times):.2f} |")
    return "\n".join(lines)


def ltd_half() -> str:
    lines = ["| N | runs | ending in paradise | mean time | median time |", "|---:|---:|---:|---:|---:|"]
    means = {}
    for n, runs in ((16, 20), (32, 20), (64, 20), (128, 6)):
        times, paradise = [], 0
        for seed in range(runs):
            rng = np.random.default_rng(seed)
            run = triads.local_triad_dynamics(triads.random_signs(n, 0.5, rng), 0.5, rng, 1e6)
            paradise += run.outcome == "paradise"
            times.append(run.time)
        means[n] = float(np.mean(times))
        lines.append(f"| {n} | {runs} | {paradise} | {means[n]:.1f} | {np.median(times):.1f} |")
    ns = np.array(list(means))
    slope_all = np.polyfit(np.log(ns), np.log(list(means.values())), 1)[0]
    slope_big = np.polyfit(np.log(ns[1:]), np.log(list(means.values())[1:]), 1)[0]
    return "\n".join(lines) + (f"\n\nFitted exponent of the mean time against N: {slope_all:.2f} (N = 16 … 128), "
                               f"{slope_big:.2f} (N = 32 … 128).")


def ctd() -> str:
    lines = ["| N | runs | balanced (two cliques) | paradise | jammed |", "|---:|---:|---:|---:|---:|"]
    for n, runs in ((9, 200), (16, 200), (32, 60)):
        counts = {"balanced": 0, "paradise": 0, "jammed": 0, "running": 0}
        for seed in range(runs):
            rng = np.random.default_rng(seed)
            counts[triads.constrained_triad_dynamics(triads.random_signs(n, 0.5, rng), rng, 1000.0).outcome] += 1
        assert counts["running"] == 0
        lines.append(f"| {n} | {runs} | {counts['balanced']} | {counts['paradise']} | {counts['jammed']} |")
    return "\n".join(lines)


def gahuku_gama() -> str:
    net = read_edge_list(ROOT / "scenarios" / "data" / "gahuku_gama_edges.csv")
    lines = ["| k (at most) | frustration | proven by | blocs |", "|---:|---:|---|---|"]
    for k in (2, 3, 4):
        sol = blocs.solve(net.weights, k, np.random.default_rng(0), 20)
        members = "; ".join("{" + ", ".join(n for n, lab in zip(net.nodes, sol.labels) if lab == b) + "}"
                            for b in range(int(sol.labels.max()) + 1))
        lines.append(f"| {k} | {sol.frustration:g} | {sol.method} | {members} |")
    _, f, proven = blocs.branch_and_bound(net.weights, len(net.nodes))
    return "\n".join(lines) + f"\n\nAny number of blocs (k = 16): minimum frustration {f:g} (proven: {proven})."


def main() -> None:
    parser = argparse.ArgumentParser(description="numbers of docs/validation.md")
    parser.add_argument("--half", action="store_true", help="also LTD at p = 1/2 up to N = 128 (slow)")
    parser.add_argument("--only", help="run only the part with this name (e.g. ltd_paradise)")
    args = parser.parse_args()
    parts = [("Marvel et al. 2011", marvel), ("Kułakowski et al. 2005", kulakowski),
             ("LTD stationary density", ltd_density), ("LTD paradise", ltd_paradise),
             ("CTD", ctd), ("Gahuku-Gama", gahuku_gama)]
    if args.half or args.only == "ltd_half":
        parts.insert(4, ("LTD at p = 1/2", ltd_half))
    for title, part in parts:
        if args.only and part.__name__ != args.only:
            continue
        start = time.perf_counter()
        text = part()
        print(f"#### {title} ({time.perf_counter() - start:.0f} s)\n\n{text}\n")


if __name__ == "__main__":
    main()
