"""Landscape theory on Europe in 1936: a reproduction of Axelrod & Bennett (1993).

Axelrod & Bennett (1993) "A landscape theory of aggregation", British Journal of Political
Science 23(2):211-233, predicted the sides of 17 European nations in the Second World War from
their 1936 sizes (COW capabilities) and pairwise propensities built from five factors: ethnic
conflict, religion, territorial disputes, type of government and history of wars. Their minimum
put 15 of the 17 on their actual side (Poland and Portugal misplaced); a second, metastable
configuration united most of Europe against the USSR. Their propensity table is not available
here, so this module codes the five factors itself, from
``scenarios/data/europe_1936_nations.csv`` (sizes, religion, government, each with a source) and
``scenarios/data/europe_1936_factors.csv`` (one row per pairwise coding decision, with its basis,
source, confidence and the alternative a reasonable coder might choose):

- ethnic conflict, territorial disputes: −1 for each pair listed, 0 otherwise;
- religion: +1 when both nations have the same majority tradition (catholic, protestant,
  orthodox), 0 otherwise ("none" and "mixed" match nothing);
- type of government: +1 same type (democracy, authoritarian, communist), −1 different;
- history of wars: the pair's most recent common COW inter-state war, +1 same side, −1 opposite.

The propensity is the sum, p_ij ∈ [−5, 5], as Axelrod & Bennett combine their factors. Energy,
exact minimum, local minima and basins come from ``simulation.search.coalitions``, the code
the model uses. ``python -m simulation.validation.landscape`` prints the report of
``docs/validation.md``; ``--write-scenario`` regenerates ``scenarios/europe_1936.yaml`` from the
same data.
"""

from __future__ import annotations

import argparse
import csv
import io
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np

from ..data import data_file
from ..mechanisms import coalitions
from ..search import coalitions as search

FACTORS = ("ethnic_conflict", "religion", "territorial_dispute", "government", "history_of_wars")
PAIR_FACTORS = ("ethnic_conflict", "territorial_dispute", "history_of_wars")
SIDES = "AB"
ANCHOR = "Britain"  # side A is the side of Britain
SCALE = 5.0  # |p_ij| ≤ 5: the scenario's affinity is p / 5
ALLIES_1914 = ("Britain", "France", "USSR", "Italy", "Yugoslavia", "Romania", "Greece", "Portugal")


@dataclass(frozen=True)
class Coding:
    """One pairwise coding decision of the factors file."""

    factor: str
    a: int
    b: int
    value: int
    alternative: int | None
    confidence: str
    basis: str
    source: str


@dataclass(frozen=True)
class Case:
    nations: list[str]
    ids: list[str]  # COW abbreviations (CZE = Czechoslovakia, COW 315)
    cinc: dict[int, np.ndarray]  # year → COW CINC
    predicted: np.ndarray  # Axelrod & Bennett's prediction, 0 = A, 1 = B
    actual: np.ndarray  # side at the outbreak of war, 0 = A, 1 = B
    religion: list[str]
    government: list[str]
    religion_alternative: list[str]
    government_alternative: list[str]
    codings: list[Coding] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.nations)


@dataclass(frozen=True)
class Outcome:
    config: np.ndarray  # 0 = side A (Britain's), 1 = side B
    energy: float
    match_predicted: int
    match_actual: int


def _rows(name: str) -> list[dict[str, str]]:
    with data_file(name).open("r", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_case() -> Case:
    """The 17 nations and every coding decision, from the shipped data."""
    rows = _rows("europe_1936_nations.csv")
    nations = [r["nation"] for r in rows]
    index = {name: i for i, name in enumerate(nations)}
    side = lambda col: np.array([SIDES.index(r[col]) for r in rows])  # noqa: E731
    codings = []
    for r in _rows("europe_1936_factors.csv"):
        if r["factor"] not in PAIR_FACTORS:
            raise ValueError(f"europe_1936_factors.csv: unknown factor {r['factor']!r}")
        alternative = int(r["alternative"]) if r["alternative"] != "" else None
        codings.append(Coding(r["factor"], index[r["nation_a"]], index[r["nation_b"]], int(r["value"]),
                              alternative, r["confidence"], r["basis"], r["source"]))
    return Case(
        nations=nations,
        ids=[r["cow_id"] for r in rows],
        cinc={1936: np.array([float(r["cinc_1936"]) for r in rows]),
              1938: np.array([float(r["cinc_1938"]) for r in rows])},
        predicted=side("ab1993_predicted_side"),
        actual=side("actual_side_1939"),
        religion=[r["religion"] for r in rows],
        government=[r["government_1936"] for r in rows],
        religion_alternative=[r["religion_alternative"] for r in rows],
        government_alternative=[r["government_alternative"] for r in rows],
        codings=codings,
    )


def _same(labels: list[str], unmatched: tuple[str, ...] = ()) -> np.ndarray:
    lab = np.array(labels, dtype=object)
    same = lab[:, None] == lab[None, :]
    same &= ~np.isin(lab, unmatched)[:, None]
    np.fill_diagonal(same, False)
    return same


def factor_matrices(case: Case) -> dict[str, np.ndarray]:
    """The five N×N factor codings (symmetric, zero diagonal)."""
    n = case.n
    out = {f: np.zeros((n, n)) for f in FACTORS}
    out["religion"] = _same(case.religion, unmatched=("none", "mixed")).astype(float)
    gov = np.where(_same(case.government), 1.0, -1.0)
    np.fill_diagonal(gov, 0.0)
    out["government"] = gov
    for c in case.codings:
        out[c.factor][c.a, c.b] = out[c.factor][c.b, c.a] = c.value
    return out


def propensity(matrices: dict[str, np.ndarray], factors: tuple[str, ...] = FACTORS) -> np.ndarray:
    """p_ij: the sum of the factor codings."""
    return sum(matrices[f] for f in factors)


def sizes(case: Case, year: int = 1936) -> np.ndarray:
    """Size shares among the 17 (COW CINC of ``year``)."""
    return case.cinc[year] / case.cinc[year].sum()


def anchored(case: Case, config: np.ndarray) -> np.ndarray:
    return coalitions.label_against(np.asarray(config, dtype=int), case.nations.index(ANCHOR))


def analyse(case: Case, p: np.ndarray | None = None, size: np.ndarray | None = None) -> Outcome:
    """The minimum-energy configuration (exact enumeration) and how many nations it places right."""
    p = propensity(factor_matrices(case)) if p is None else p
    w = coalitions.pair_weights(sizes(case) if size is None else size, p)
    configs, energies = search.exact_minimum(w[None])  # a stack of one network
    config, e = anchored(case, configs[0]), float(energies[0])
    return Outcome(config, e, int((config == case.predicted).sum()), int((config == case.actual).sum()))


def landscape(case: Case, p: np.ndarray | None = None, size: np.ndarray | None = None) -> list[search.LocalMinimum]:
    """Every local minimum with its energy and basin of attraction (sides labelled by Britain)."""
    p = propensity(factor_matrices(case)) if p is None else p
    w = coalitions.pair_weights(sizes(case) if size is None else size, p)
    return [replace(m, config=anchored(case, m.config)) for m in search.local_minima(w)]


# ---------------------------------------------------------------------------------- robustness

@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # "decision" (one contested coding), "factor" (one factor dropped), "rule" (another coding rule)
    p: np.ndarray
    size: np.ndarray | None = None


def _with_pair(matrix: np.ndarray, a: int, b: int, value: float) -> np.ndarray:
    out = matrix.copy()
    out[a, b] = out[b, a] = value
    return out


def _signed(value: int) -> str:
    return f"{value:+d}".replace("-", "−") if value else "0"


def decision_variants(case: Case) -> list[Variant]:
    """Each contested coding (confidence borderline or unverified) switched alone to its alternative."""
    base = factor_matrices(case)
    out = []
    for c in case.codings:
        if c.alternative is None or c.alternative == c.value:
            continue
        m = dict(base)
        m[c.factor] = _with_pair(base[c.factor], c.a, c.b, c.alternative)
        out.append(Variant(f"{c.factor.replace('_', ' ')}: {case.nations[c.a]}–{case.nations[c.b]} "
                           f"{_signed(c.value)} → {_signed(c.alternative)}", "decision", propensity(m)))
    for attr, alt_attr, label in (("religion", "religion_alternative", "religion"),
                                  ("government", "government_alternative", "government")):
        for i, alt in enumerate(getattr(case, alt_attr)):
            if alt:
                labels = list(getattr(case, attr))
                current, labels[i] = labels[i], alt
                changed = replace(case, **{attr: labels})
                out.append(Variant(f"{label}: {case.nations[i]} {current} → {alt}", "decision",
                                   propensity(factor_matrices(changed))))
    return out


def rule_variants(case: Case) -> list[Variant]:
    """Other defensible coding rules, and the other COW size year."""
    base = factor_matrices(case)
    out = []
    conflict_only = dict(base)
    conflict_only["history_of_wars"] = np.minimum(base["history_of_wars"], 0.0)
    out.append(Variant("history of wars: only wars fought against each other count (same side → 0)", "rule",
                       propensity(conflict_only)))
    successor = dict(base)
    hist = base["history_of_wars"].copy()
    h, g = case.nations.index("Hungary"), case.nations.index("Germany")
    for ally in ALLIES_1914:
        a = case.nations.index(ally)
        if hist[h, a] == 0:
            hist[h, a] = hist[a, h] = -1.0
    hist[h, g] = hist[g, h] = 1.0
    successor["history_of_wars"] = hist
    out.append(Variant("history of wars: Hungary inherits Austria-Hungary's First World War", "rule",
                       propensity(successor)))
    gov = list(case.government)
    for name in ("Germany", "Italy"):
        gov[case.nations.index(name)] = "fascist"
    fascist = dict(base)
    fascist["government"] = factor_matrices(replace(case, government=gov))["government"]
    out.append(Variant("government: fascist (Germany, Italy) apart from other authoritarian regimes", "rule",
                       propensity(fascist)))
    out.append(Variant("sizes: COW CINC 1938 instead of 1936", "rule", propensity(base), sizes(case, 1938)))
    return out


def factor_variants(case: Case) -> list[Variant]:
    base = factor_matrices(case)
    return [Variant(f"without {f.replace('_', ' ')}", "factor", propensity(base, tuple(x for x in FACTORS if x != f)))
            for f in FACTORS]


def contested_samples(case: Case, rng: np.random.Generator, samples: int) -> list[np.ndarray]:
    """Propensities with every contested coding switched to its alternative independently with probability 1/2."""
    base = factor_matrices(case)
    contested = [c for c in case.codings if c.alternative is not None and c.alternative != c.value]
    out = []
    for _ in range(samples):
        m = {f: v.copy() for f, v in base.items()}
        for c in contested:
            if rng.random() < 0.5:
                m[c.factor][c.a, c.b] = m[c.factor][c.b, c.a] = c.alternative
        religion = [alt if alt and rng.random() < 0.5 else r
                    for r, alt in zip(case.religion, case.religion_alternative)]
        government = [alt if alt and rng.random() < 0.5 else g
                      for g, alt in zip(case.government, case.government_alternative)]
        attrs = factor_matrices(replace(case, religion=religion, government=government))
        m["religion"], m["government"] = attrs["religion"], attrs["government"]
        out.append(propensity(m))
    return out


def noisy_samples(case: Case, rng: np.random.Generator, samples: int, share: float) -> list[np.ndarray]:
    """Propensities with each of the 5 × 136 pair codings replaced, with probability ``share``, by −1, 0 or +1."""
    base = factor_matrices(case)
    iu = np.triu_indices(case.n, 1)
    out = []
    for _ in range(samples):
        total = np.zeros((case.n, case.n))
        for f in FACTORS:
            upper = base[f][iu].copy()
            hit = rng.random(upper.size) < share
            upper[hit] = rng.integers(-1, 2, hit.sum())
            m = np.zeros_like(total)
            m[iu] = upper
            total += m + m.T
        out.append(total)
    return out


def summarise(case: Case, reference: np.ndarray, ps: list[np.ndarray], size: np.ndarray | None = None) -> dict:
    """Share of propensities whose minimum is ``reference``; distribution of nations on their actual side."""
    same, actual = 0, []
    for p in ps:
        o = analyse(case, p, size)
        same += bool(np.array_equal(o.config, reference))
        actual.append(o.match_actual)
    actual = np.array(actual)
    return {"runs": len(ps), "same_minimum": same / len(ps), "actual_median": float(np.median(actual)),
            "actual_min": int(actual.min()), "actual_max": int(actual.max())}


# ---------------------------------------------------------------------------------- report

def _side(config: np.ndarray, case: Case, side: int) -> str:
    return ", ".join(n for n, c in zip(case.nations, config) if c == side)


def report(samples: int = 400, seed: int = 1936) -> str:
    """The Europe 1936 sections of docs/validation.md (markdown)."""
    case = load_case()
    base = analyse(case)
    minima = landscape(case)
    s = sizes(case)
    out = io.StringIO()
    w = out.write
    w("### Minimum-energy configuration (factors as coded, COW CINC 1936)\n\n")
    w("| nation | size (share of the 17) | Axelrod & Bennett predicted | actual 1939 | ours |\n"
      "|---|---:|:-:|:-:|:-:|\n")
    for i, name in enumerate(case.nations):
        ours = SIDES[base.config[i]]
        mark = "" if base.config[i] == case.actual[i] else " ✗"
        w(f"| {name} | {s[i]:.4f} | {SIDES[case.predicted[i]]} | {SIDES[case.actual[i]]} | {ours}{mark} |\n")
    w(f"\nEnergy {base.energy:.5f} (E = Σ_(i<j) s_i s_j p_ij d_ij). Ours agrees with Axelrod & Bennett's "
      f"prediction for **{base.match_predicted} of 17** nations and with the actual sides for "
      f"**{base.match_actual} of 17** (theirs: 15 of 17). A: {_side(base.config, case, 0)}. "
      f"B: {_side(base.config, case, 1)}.\n\n")
    w("### Propensities p_ij (sum of the five codings)\n\n")
    p = propensity(factor_matrices(case))
    w("| | " + " | ".join(case.ids) + " |\n|---|" + "---:|" * case.n + "\n")
    for i in range(case.n):
        cells = ["" if i == j else _signed(int(p[i, j])) for j in range(case.n)]
        w(f"| **{case.ids[i]}** {case.nations[i]} | " + " | ".join(cells) + " |\n")
    w("\n### Local minima and basins of attraction\n\n")
    w("| # | energy | basin (share of 65,536 starts) | side A (with Britain) | side B | actual side matched |\n"
      "|---|---:|---:|---|---|---:|\n")
    for k, m in enumerate(minima, start=1):
        w(f"| {k} | {m.energy:.5f} | {m.basin:.1%} | {_side(m.config, case, 0)} | {_side(m.config, case, 1)} | "
          f"{int((m.config == case.actual).sum())} of 17 |\n")
    w("\n### Robustness to the codings\n\n")
    w("| variant | minimum unchanged | nations that change side | nations on their actual side |\n"
      "|---|:-:|---|---:|\n")
    for v in decision_variants(case) + factor_variants(case) + rule_variants(case):
        o = analyse(case, v.p, v.size)
        moved = [f"{n} → {SIDES[c]}" for n, c, b in zip(case.nations, o.config, base.config) if c != b]
        w(f"| {v.name} | {'no' if moved else 'yes'} | {', '.join(moved) or '—'} | {o.match_actual} of 17 |\n")
    rng = np.random.default_rng(seed)
    rows = [("every contested coding switched with probability 1/2", contested_samples(case, rng, samples))]
    for share in (0.05, 0.10):
        rows.append((f"each of the 680 pair codings redrawn from {{−1, 0, +1}} with probability {share:.0%}",
                     noisy_samples(case, rng, samples, share)))
    w(f"\n| random perturbation ({samples} draws, seed {seed}) | minimum unchanged | actual side matched: "
      "median [min, max] |\n|---|---:|---:|\n")
    for name, ps in rows:
        r = summarise(case, base.config, ps)
        w(f"| {name} | {r['same_minimum']:.0%} | {r['actual_median']:.0f} [{r['actual_min']}, {r['actual_max']}] |\n")
    return out.getvalue()


# ---------------------------------------------------------------------------------- scenario file

def scenario_yaml(case: Case | None = None) -> str:
    """The text of ``scenarios/europe_1936.yaml``: sizes and propensities as the model's inputs."""
    case = case or load_case()
    p = propensity(factor_matrices(case))
    rows = _rows("europe_1936_nations.csv")
    lines = [
        "# Europe 1936: Axelrod & Bennett's (1993) landscape-theory test case, as a scenario.",
        "# GENERATED by `python -m simulation.validation.landscape --write-scenario` from",
        "# scenarios/data/europe_1936_nations.csv and europe_1936_factors.csv: edit those, not this file.",
        "#",
        "# What it is for: step 0. The model's coalitions at step 0 are the landscape-theory minimum",
        "# over these sizes (COW CINC 1936) and propensities (affinity = p / 5, p the sum of the five",
        "# coded factors), computed by the same code as `python -m simulation.validation.landscape` (see",
        "# docs/validation.md). The dynamics after step 0 are not a model of 1936-1939: states keep",
        "# the shipped 2016-2024 data for what is not overridden (GDP estimate, UNGA ideal points,",
        "# capitals, borders), and there are no events.",
        "# Czechoslovakia (COW 315) is not in the shipped 2016 table: its id CZE resolves to the Czech",
        "# Republic (COW 316, ISO3 CZE), whose record is overridden with Czechoslovakia's 1936 numbers.",
        "name: europe_1936",
        'title: "Europe 1936: landscape theory (Axelrod & Bennett 1993)"',
        "description: >-",
        "  The 17 European nations of Axelrod & Bennett's test of landscape theory, with their 1936",
        "  capabilities and propensities coded from five factors (ethnic conflict, religion, territorial",
        "  disputes, type of government, history of wars). The coalitions at step 0 are the prediction.",
        "references:",
        '  - "Axelrod, R. & Bennett, D. S. (1993) A landscape theory of aggregation. '
        'British Journal of Political Science 23(2):211-233"',
        '  - "COW National Material Capabilities v6.0 (Singer, Bremer & Stuckey 1972; Greig & Enterline 2021)"',
        '  - "Propensity codings and their sources: scenarios/data/europe_1936_factors.csv, europe_1936_nations.csv"',
        "calendar: {start: 1936-01-01, end: 1939-09-01, step: month}",
        "seed: 1936",
        "coalition_anchor: UKG",
        "states:",
    ]
    for r in rows:
        milex = int(r["milex_1936"]) / 1e6  # thousand current US$ → US$ bn
        lines.append(f"  {r['cow_id']}:")
        lines.append(f"    name: {r['nation']}")
        lines.append(f"    cinc: {float(r['cinc_1936'])}")
        lines.append(f"    manpower: {int(r['milper_1936'])}")
        lines.append(f"    milex: {milex:.6f}")
        lines.append(f'    source: "COW NMC v6.0, {r["cow_id"]} ({r["cow_ccode"]}) 1936: cinc, milper (thousands), '
                     f'milex ({int(r["milex_1936"])} thousand current US$)"')
    lines.append("relations:")
    lines.append("  affinity:")
    for i, j in combinations(range(case.n), 2):
        value = p[i, j] / SCALE
        parts = [f"{f.replace('_', ' ')} {int(m[i, j]):+d}" for f, m in factor_matrices(case).items() if m[i, j]]
        reasons = ", ".join(parts) or "no factor"
        lines.append(f"    - {{pair: [{case.ids[i]}, {case.ids[j]}], value: {value:g}, "
                     f'source: "p = {int(p[i, j]):+d}/5: {reasons} (europe_1936_factors.csv)"}}')
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-scenario", action="store_true", help="regenerate scenarios/europe_1936.yaml")
    parser.add_argument("--samples", type=int, default=400, help="draws per random perturbation")
    args = parser.parse_args(argv)
    if args.write_scenario:
        from ..scenario import shipped_root

        path = shipped_root() / "europe_1936.yaml"
        path.write_text(scenario_yaml(), encoding="utf-8")
        print(f"wrote {path}")
        return
    print(report(args.samples))


if __name__ == "__main__":
    main()
