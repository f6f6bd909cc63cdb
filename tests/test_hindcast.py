"""The hindcast (simulation/hindcast.py): observed outcomes and the reality of predictions.

Their errors, one line ``file:line: field: message`` through the command line; the scores on
known answers (Brier, right, skill and its intervals); which outcomes the scenario's events
script (tests/fixtures/observed_small.yaml); the references; a model that equals the outcomes;
what a prediction reality contradicted does to ``check``'s verdict; and the documentation of
every field (docs/scenario-format.md §9.8 and §9b).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import MINIMAL, cli
from simulation import load_scenario
from simulation.expectations import EXIT_FAILED, check
from simulation.hindcast import HINDCAST_COLUMNS, brier, reference_probability, right, score, scripted_by, summary
from simulation.runner import run
from simulation.scenario.schema import Event, Observed, Reality
from simulation.statements import passes, series

FIXTURE = Path(__file__).parent / "fixtures" / "observed_small.yaml"
DOC = (Path(__file__).resolve().parents[1] / "docs" / "scenario-format.md").read_text(encoding="utf-8")

EXPECTED = """\
expectations:
  - id: closer
    claim: "Russia and the DPRK draw closer"
    metric: affinity
    pair: [RUS, PRK]
    test: rises
    from: 2024-02-01
    to: 2024-06-30
    source: "test claim"
    reality:
      verdict: came_true
      note: "they did"
      source: "test record"
"""
OBSERVED = """\
observed:
  - id: closer
    what: "Russia and the DPRK drew closer"
    metric: affinity
    pair: [RUS, PRK]
    test: rises
    from: 2024-02-01
    to: 2024-06-30
    happened: true
    reference: persistence
    source: "test fact"
"""
ENTRY = OBSERVED.removeprefix("observed:\n")


def observed(**kw) -> Observed:
    base = {"id": "o", "what": "test outcome", "source": "test", "metric": "affinity", "pair": ["RUS", "PRK"]}
    return Observed.model_validate(base | kw)


# --------------------------------------------------------------------------- errors, one line each
def damaged(section: str, old: str, new: str) -> str:
    """The minimal scenario with an expectation (with its reality) and an observed outcome, one of
    the two sections changed: ``old`` (which must be there) replaced by ``new``.
    """
    parts = {"expectations": EXPECTED, "observed": OBSERVED}
    assert old in parts[section], old
    parts[section] = parts[section].replace(old, new, 1)
    return MINIMAL + parts["expectations"] + parts["observed"]


def line_of(text: str, section: str, marker: str, nth: int = 1) -> int:
    """The line of the ``nth`` occurrence of ``marker`` after ``section:``."""
    at = text.index(f"\n{section}:\n")
    for _ in range(nth):
        at = text.index(marker, at + 1)
    return text.count("\n", 0, at) + 1


def refused(write, text: str) -> tuple[Path, list[str]]:
    """The file, and the lines ``validate`` and ``check -k 2`` both print refusing it (exit 2, no traceback)."""
    path = write("bad.yaml", text)
    printed = []
    for args in (("validate", path), ("check", path, "-k", "2")):
        done = cli(*args)
        assert done.returncode == 2, (args, done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        printed.append(done.stderr.strip().splitlines())
    assert printed[0] == printed[1], printed
    return path, printed[0]


def test_the_base_of_the_error_cases_is_valid(write):
    path = write("ok.yaml", MINIMAL + EXPECTED + OBSERVED)
    done = cli("validate", path)
    assert done.returncode == 0, done.stderr
    sc = load_scenario(path).scenario
    assert sc.observed[0].happened is True and sc.observed[0].reference == "persistence"
    assert sc.expectations[0].reality == Reality(verdict="came_true", note="they did", source="test record")


REPLACED = "REPLACED"  # a marker: the line is the one the replacement wrote
CASES = {
    # observed: every field
    "id pattern": ("observed", "  - id: closer", "  - id: c d", REPLACED,
                   "observed[0].id: must match ^[A-Za-z0-9_.-]+$ (got 'c d')"),
    "id duplicate": ("observed", "    source: \"test fact\"\n", "    source: \"test fact\"\n" + ENTRY,
                     ("  - id: closer", 2), "observed[1].id: duplicate observed id 'closer'"),
    "what short": ("observed", '    what: "Russia and the DPRK drew closer"', '    what: "ok"', REPLACED,
                   "observed[0].what: string should have at least 3 characters (got 'ok')"),
    "what missing": ("observed", '    what: "Russia and the DPRK drew closer"\n', "", "  - id: closer",
                     "observed[0].what: required field is missing"),
    "metric misspelt": ("observed", "    metric: affinity", "    metric: afinity", REPLACED,
                        "observed[0].metric: unknown metric 'afinity' (did you mean 'affinity'?)"),
    "metric unknown": ("observed", "    metric: affinity", "    metric: happiness", REPLACED,
                       "observed[0].metric: unknown metric 'happiness' (one of: global_tension, "),
    "state not of the metric": ("observed", "    pair: [RUS, PRK]", "    pair: [RUS, PRK]\n    state: RUS",
                                "    state: RUS", "observed[0].state: this metric takes no state"),
    "state unknown": ("observed", "    pair: [RUS, PRK]", "    pair: [RUS, XXX]", REPLACED,
                      "observed[0].pair[1]: state 'XXX' is not in this scenario's states (PRK, ROK, RUS, UKR, USA); "
                      "add it under states:"),
    "state not in the scenario": ("observed", "    pair: [RUS, PRK]", "    pair: [RUS, JPN]", REPLACED,
                                  "observed[0].pair[1]: state 'JPN' is not in this scenario's states"),
    "pair of one state": ("observed", "    pair: [RUS, PRK]", "    pair: [RUS, RUS]", REPLACED,
                          "observed[0].pair"),
    "pair of three": ("observed", "    pair: [RUS, PRK]", "    pair: [RUS, PRK, ROK]", REPLACED,
                      "observed[0].pair: list should have at most 2 items after validation, not 3"),
    "relative_to unknown state": ("observed", "    pair: [RUS, PRK]", "    pair: [RUS, PRK]\n"
                                  "    relative_to: {pair: [RUS, JPN]}", "    relative_to:",
                                  "observed[0].relative_to.pair[1]: state 'JPN' is not in this scenario's states"),
    "test unknown": ("observed", "    test: rises", "    test: increases", REPLACED,
                     "observed[0].test: must be one of 'rises', 'falls', 'above', 'below', 'same', 'different' or "
                     "'occurs' "
                     "(got 'increases')"),
    "test of membership": ("observed", "    metric: affinity", "    metric: coalition", "    test: rises",
                           "observed[0].test: coalition and bloc are tested with 'same' or 'different'"),
    "from outside the calendar": ("observed", "    from: 2024-02-01", "    from: 2023-12-01", REPLACED,
                                  "observed[0].from: 2023-12-01 is outside the calendar (2024-01-01 to 2024-12-31)"),
    "to outside the calendar": ("observed", "    to: 2024-06-30", "    to: 2025-06-30", REPLACED,
                                "observed[0].to: 2025-06-30 is outside the calendar (2024-01-01 to 2024-12-31)"),
    "to before from": ("observed", "    to: 2024-06-30", "    to: 2024-01-15", REPLACED,
                       "observed[0].to: must be after from: 2024-02-01"),
    "rises at a date": ("observed", "    from: 2024-02-01\n    to: 2024-06-30", "    at: 2024-06-30",
                        "  - id: closer", "observed[0]: 'rises' needs from: and to: (and no at:/window:)"),
    "rises without to": ("observed", "    to: 2024-06-30\n", "", "  - id: closer",
                         "observed[0]: 'rises' needs from: and to: (and no at:/window:)"),
    "window backwards": ("observed", "    test: rises\n    from: 2024-02-01\n    to: 2024-06-30",
                         "    test: above\n    window: [2024-06-30, 2024-02-01]", "    window:",
                         "observed[0].window: the window must run forward in time"),
    "at outside the calendar": ("observed", "    test: rises\n    from: 2024-02-01\n    to: 2024-06-30",
                                "    test: above\n    at: 2025-01-31", "    at:",
                                "observed[0].at: 2025-01-31 is outside the calendar (2024-01-01 to 2024-12-31)"),
    "value text": ("observed", "    test: rises", "    test: rises\n    value: high", "    value:",
                   "observed[0].value: must be a number (got 'high')"),
    "value boolean": ("observed", "    test: rises", "    test: rises\n    value: true", "    value:",
                      "observed[0].value: must be a number (got true)"),
    "source short": ("observed", '    source: "test fact"', '    source: "x"', REPLACED,
                     "observed[0].source: string should have at least 3 characters (got 'x')"),
    "source missing": ("observed", '    source: "test fact"\n', "", "  - id: closer",
                       "observed[0].source: required field is missing"),
    "happened quoted yes": ("observed", "    happened: true", '    happened: "yes"', REPLACED,
                            "observed[0].happened: must be true or false (got 'yes')"),
    "happened 1": ("observed", "    happened: true", "    happened: 1", REPLACED,
                   "observed[0].happened: must be true or false (got '1')"),
    "happened quoted true": ("observed", "    happened: true", '    happened: "true"', REPLACED,
                             "observed[0].happened: must be true or false (got 'true')"),
    "happened null": ("observed", "    happened: true", "    happened: null", REPLACED,
                      "observed[0].happened: must be true or false (got 'None')"),
    "happened misspelt": ("observed", "    happened: true", "    happend: true", REPLACED,
                          "observed[0].happend: unknown field (did you mean 'happened'?)"),
    "reference a probability without its source": ("observed", "    reference: persistence",
                                                   "    reference: 0.3", "  - id: closer",
                                                   "observed[0]: a probability as reference needs reference_source "
                                                   "(where the base rate comes from)"),
    "reference_source short": ("observed", "    reference: persistence",
                               "    reference: 0.3\n    reference_source: x", "    reference_source:",
                               "observed[0].reference_source: string should have at least 3 characters (got 'x')"),
    "a field of expectations": ("observed", "    test: rises", "    test: rises\n    share: 0.9", "    share:",
                                "observed[0].share: not a field of this entry (another kind of entry has it)"),
    # reality: every field
    "verdict unknown": ("expectations", "      verdict: came_true", "      verdict: maybe", REPLACED,
                        "expectations[0].reality.verdict: must be one of 'came_true', 'partly' or 'did_not' "
                        "(got 'maybe')"),
    "verdict missing": ("expectations", "      verdict: came_true\n", "", "    reality:",
                        "expectations[0].reality.verdict: required field is missing"),
    "note short": ("expectations", '      note: "they did"', '      note: "x"', REPLACED,
                   "expectations[0].reality.note: string should have at least 3 characters (got 'x')"),
    "reality source missing": ("expectations", '      source: "test record"\n', "", "    reality:",
                               "expectations[0].reality.source: required field is missing"),
    "reality field unknown": ("expectations", "      verdict: came_true", "      verdict: came_true\n      verdikt: x",
                              "      verdikt:",
                               "expectations[0].reality.verdikt: unknown field (did you mean 'verdict'?)"),
}
# Cases that give more than one line today (bugs reported to the lead; the marker comes off with the fix)
KNOWN = {
    "pair of one state": ("one problem, two lines: `a pair is two different states` and `'RUS' is named twice` "
                          "(simulation/scenario/checks.py _statement_problems: subject_problems and _repeats)"),
}
CASES |= {
    "happened yes": ("observed", "    happened: true", "    happened: yes", REPLACED,
                     "observed[0].happened: must be true or false (got "),
    "reference above 1": ("observed", "    reference: persistence", "    reference: 1.5", REPLACED,
                          "observed[0].reference: must be 'persistence', 'coin' or a probability"),
    "reference below 0": ("observed", "    reference: persistence", "    reference: -0.2", REPLACED,
                          "observed[0].reference: must be 'persistence', 'coin' or a probability"),
    "reference misspelt": ("observed", "    reference: persistence", "    reference: persistance", REPLACED,
                           "observed[0].reference: must be 'persistence', 'coin' or a probability"),
    "reference boolean": ("observed", "    reference: persistence", "    reference: true", REPLACED,
                          "observed[0].reference: must be 'persistence', 'coin' or a probability"),
}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN[c]))
                                  if c in KNOWN else c for c in CASES])
def test_a_bad_observed_outcome_or_reality_gives_one_line_naming_file_line_and_field(write, case):
    section, old, new, marker, message = CASES[case]
    text = damaged(section, old, new)
    path, lines = refused(write, text)
    line = line_of(text, section, new.strip().splitlines()[0]) if marker == REPLACED else \
        line_of(text, section, *marker) if isinstance(marker, tuple) else line_of(text, section, marker)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}:{line}: {message}"), (lines[0], line)


@pytest.mark.parametrize("value", ["1.5", "-0.2", "persistance", "true"])
def test_a_reference_that_is_neither_a_kind_nor_a_probability_is_refused_at_its_line(write, value):
    """Refused, however many lines it takes (one, once the union's messages are merged)."""
    text = damaged("observed", "    reference: persistence", f"    reference: {value}")
    path, lines = refused(write, text)
    line = line_of(text, "observed", f"    reference: {value}")
    assert lines and all(x.startswith(f"error: {path}:{line}: observed[0].reference: ") for x in lines), lines


def test_every_problem_of_several_outcomes_is_reported_with_its_index(write):
    text = MINIMAL + OBSERVED + ENTRY.replace("id: closer", "id: other").replace("metric: affinity",
                                                                                "metric: afinity")
    path, lines = refused(write, text)
    assert lines == [f"error: {path}:{line_of(text, 'observed', 'metric: afinity')}: observed[1].metric: "
                     "unknown metric 'afinity' (did you mean 'affinity'?)"]


# --------------------------------------------------------------------------- scores on known answers
def test_the_brier_score_of_the_outcomes_themselves_is_zero_and_of_a_coin_a_quarter():
    outcomes = np.array([True, False, True, True, False])
    assert brier(outcomes.astype(float), outcomes) == pytest.approx(np.zeros(5))
    assert brier(np.full(5, 0.5), outcomes) == pytest.approx(np.full(5, 0.25))
    assert brier(0.2, True) == pytest.approx(0.64) and brier(0.2, False) == pytest.approx(0.04)
    assert brier(1.0, False) == pytest.approx(1.0)


def test_right_means_pointing_the_way_reality_went_and_an_even_chance_points_nowhere():
    p = [0.9, 0.51, 0.5, 0.49, 0.1, 0.5, 0.0, 1.0]
    happened = [True, True, True, True, False, False, False, False]
    assert right(p, happened).tolist() == [True, True, False, False, True, False, True, False]


def table(rows: list[tuple[float, bool, float, str]]) -> pd.DataFrame:
    """A hindcast table by hand: (model, happened, reference, scripted_by) per outcome."""
    out = []
    for i, (p, o, ref, scripted) in enumerate(rows):
        out.append({"id": f"o{i}", "what": "test", "metric": "affinity", "subject": "RUS–PRK", "test": "rises",
                    "happened": o, "model": p, "reference": ref, "reference_kind": "coin",
                    "brier": float(brier(p, o)), "brier_reference": float(brier(ref, o)), "right": bool(right(p, o)),
                    "scripted_by": scripted, "median": 0.0, "low": 0.0, "high": 0.0, "source": "test"})
    return pd.DataFrame(out, columns=HINDCAST_COLUMNS)


FREE = [(0.9, True, 0.5, ""), (0.2, False, 0.5, ""), (0.6, False, 0.5, ""), (0.4, True, 0.5, ""),
        (0.8, True, 0.5, ""), (0.7, True, 0.5, "")]


def test_summary_of_a_hand_made_table():
    s = summary(table(FREE))
    b = np.mean([0.01, 0.04, 0.36, 0.36, 0.04, 0.09])
    assert s["outcomes"] == s["scored"] == 6 and s["scripted"] == 0
    assert s["brier"] == pytest.approx(b) and s["brier_reference"] == pytest.approx(0.25)
    assert s["skill"] == pytest.approx(1 - b / 0.25)
    assert s["right"] == pytest.approx(4 / 6)
    for name in ("right", "brier", "skill"):
        low, high = s[f"{name}_interval"]
        assert low <= s[name] <= high, (name, low, s[name], high)
        assert low < high, name  # six different outcomes: the resamples differ
    assert summary(table(FREE)) == s  # the intervals' resamples are seeded


def test_scripted_outcomes_are_counted_apart_and_left_out_of_the_score():
    scripted = [(0.0, True, 0.5, "shock"), (1.0, True, 0.5, "shock meeting")]  # a wrong one, a right one
    s, free = summary(table(FREE + scripted)), summary(table(FREE))
    assert (s["outcomes"], s["scored"], s["scripted"]) == (8, 6, 2)
    assert {k: v for k, v in s.items() if k not in ("outcomes", "scripted")} == \
        {k: v for k, v in free.items() if k not in ("outcomes", "scripted")}
    only = summary(table(scripted))
    assert only == {"outcomes": 2, "scored": 0, "scripted": 2}


def test_a_perfect_reference_leaves_the_skill_undefined_not_infinite():
    s = summary(table([(0.9, True, 1.0, ""), (0.2, False, 0.0, "")]))
    assert s["brier_reference"] == 0 and np.isnan(s["skill"])


# --------------------------------------------------------------------------- a real run
@pytest.fixture(scope="module")
def small():
    """The fixture scenario checked over 4 replicates (its seed, 11): outcomes, expectations and runs."""
    return check(load_scenario(FIXTURE), replicates=4)


def rows(result) -> pd.DataFrame:
    return result.hindcast.set_index("id")


def test_an_event_acting_inside_the_span_that_sets_the_metric_scripts_the_outcome(small):
    got = rows(small)["scripted_by"].to_dict()
    assert got == {
        "shock_closer": "shock",  # the shock (15 Mar) inside [1 Feb, 30 Apr]
        "summit_closer": "meeting",  # the summit (10 Sep) inside [1 Aug, 31 Oct]
        "rus_prk_later": "",  # the shock before [31 May, 31 Dec]
        "chn_prk_spring": "",  # the summit after the window
        "rus_prk_level_early": "",  # a level at 29 Feb: the span is [start, at], the shock after it
        "rus_prk_level_late": "shock",  # a level at 31 Dec: the shock inside [start, at]
        "one_coalition": "shock",  # membership reads the pair's affinity
        "rus_prk_calm": "",  # the shock sets affinity, not tension
    }


def test_the_summary_of_the_run_scores_only_what_the_events_do_not_script(small):
    s = small.hindcast_summary
    assert (s["outcomes"], s["scored"], s["scripted"]) == (8, 4, 4)
    free = small.hindcast[small.hindcast["scripted_by"] == ""]
    assert s["brier"] == pytest.approx(free["brier"].mean())
    assert s["right"] == pytest.approx(free["right"].mean())


def test_the_model_probability_is_the_share_of_replicates_and_the_scores_follow(small):
    sc, tables = small.loaded.scenario, small.run.tables
    got = rows(small)
    for obs in sc.observed:
        ok, _ = passes(tables, obs, sc)
        row = got.loc[obs.id]
        assert row["model"] == pytest.approx(ok.mean()), obs.id
        assert row["happened"] == obs.happened
        assert row["brier"] == pytest.approx((row["model"] - obs.happened) ** 2)
        assert row["brier_reference"] == pytest.approx((row["reference"] - obs.happened) ** 2)
        assert row["right"] == bool(right(row["model"], obs.happened))
        assert row["low"] <= row["median"] <= row["high"]
    assert got.loc["rus_prk_later", "happened"] == False  # noqa: E712 (a numpy boolean)
    assert got.loc["shock_closer", "model"] == 1.0  # the scripted shock lifts every replicate


def test_the_reference_kinds(small):
    got = rows(small)
    assert (got.loc["chn_prk_spring", "reference"], got.loc["chn_prk_spring", "reference_kind"]) == (0.5, "coin")
    assert (got.loc["rus_prk_calm", "reference"], got.loc["rus_prk_calm", "reference_kind"]) == (0.3, "base rate")
    assert got.loc["shock_closer", "reference_kind"] == "persistence"
    assert got.loc["shock_closer", "reference"] == 0.5  # a change: up or down with even odds


def test_persistence_of_a_level_is_whether_the_start_value_meets_it(small):
    sc, tables = small.loaded.scenario, small.run.tables
    start = series(tables, "affinity", "pair", pair=["RUS", "PRK"]).iloc[0]
    assert start.nunique() == 1  # every replicate starts from the data
    first = float(start.iloc[0])
    for value in (first - 0.2, first - 1e-6, first + 1e-6, first + 0.1):
        for test, holds in (("above", first > value), ("below", first < value)):
            for timing in ({"at": "2024-09-30"}, {"window": ["2024-06-01", "2024-11-30"]}):
                obs = observed(test=test, value=value, **timing)
                assert reference_probability(obs, tables, sc) == float(holds), (test, value, timing)
    assert rows(small).loc["rus_prk_level_early", "reference"] == float(first > 0.3)


def test_persistence_of_a_membership_is_whether_the_pair_starts_in_one_coalition(small):
    sc, tables = small.loaded.scenario, small.run.tables
    coalition = tables["states"][tables["states"]["step"] == 0].set_index(["replicate", "state"])["coalition"]
    together = float((coalition.xs("RUS", level="state") == coalition.xs("PRK", level="state")).mean())
    same = observed(metric="coalition", test="same", at="2024-12-31")
    different = observed(metric="coalition", test="different", window=["2024-06-30", "2024-12-31"])
    assert reference_probability(same, tables, sc) == together
    assert reference_probability(different, tables, sc) == 1.0 - together


@pytest.mark.parametrize("test", ["rises", "falls"])
def test_persistence_of_a_rise_or_a_fall_is_an_even_chance(small, test):
    obs = observed(test=test, value=0.1, **{"from": "2024-02-01"}, to="2024-06-30")
    assert reference_probability(obs, small.run.tables, small.loaded.scenario) == 0.5


def test_persistence_of_a_change_tested_with_above_is_an_even_chance(small):
    obs = observed(test="above", value=0.1, **{"from": "2024-02-01"}, to="2024-06-30")
    assert reference_probability(obs, small.run.tables, small.loaded.scenario) == 0.5


def test_a_model_equal_to_the_outcomes_scores_brier_zero_and_right_everywhere(small):
    """Outcomes written from the run itself, each a statement every replicate agrees on."""
    sc, tables = small.loaded.scenario, small.run.tables
    statements = [
        {"metric": "tension", "pair": ["RUS", "PRK"], "at": "2024-06-30"},
        {"metric": "affinity", "pair": ["CHN", "RUS"], "window": ["2024-03-01", "2024-08-31"]},
        {"metric": "munitions", "state": "PRK", "at": "2024-12-31"},
        {"metric": "global_tension", "at": "2024-10-31"},
        {"metric": "affinity", "pair": ["CHN", "PRK"], "from": "2024-02-01", "to": "2024-05-31"},
    ]
    outcomes = []
    for i, st in enumerate(statements):
        probe = observed(id="probe", test="above", **({"pair": None} | st))
        _, values = passes(tables, probe, sc)
        for j, (test, value) in enumerate((("above", values.min() - 0.01), ("below", values.min() - 0.01),
                                           ("above", values.max() + 0.01), ("below", values.max() + 0.01))):
            ok, _ = passes(tables, probe.model_copy(update={"test": test, "value": value}), sc)
            assert ok.all() or not ok.any()  # every replicate agrees
            outcomes.append(probe.model_copy(update={"id": f"s{i}_{j}", "test": test, "value": value,
                                                     "happened": bool(ok.all()), "reference": "coin"}))
    equal = sc.model_copy(update={"observed": outcomes, "events": []})  # nothing scripted
    got = score(tables, equal)
    assert got["model"].isin([0.0, 1.0]).all() and got["happened"].nunique() == 2
    assert (got["brier"] == 0).all() and got["right"].all()
    s = summary(got)
    assert (s["scored"], s["brier"], s["right"], s["brier_reference"], s["skill"]) == (20, 0.0, 1.0, 0.25, 1.0)
    assert s["brier_interval"] == [0.0, 0.0] and s["right_interval"] == [1.0, 1.0]


# --------------------------------------------------------------------------- which events script what
def event(**kw):
    from pydantic import TypeAdapter

    return TypeAdapter(Event).validate_python({"id": "e", "date": "2024-04-10", "source": "test"} | kw)


SPRING = {"from": "2024-03-01", "to": "2024-05-31"}


@pytest.mark.parametrize("name, spec, obs, scripts", [
    ("shock of tension only", {"type": "relation_shock", "pair": ["PRK", "RUS"], "tension": 0.3},
     {"metric": "affinity", "test": "rises", **SPRING}, False),
    ("shock of tension only", {"type": "relation_shock", "pair": ["PRK", "RUS"], "tension": 0.3},
     {"metric": "tension", "test": "rises", **SPRING}, True),
    ("summit of another pair", {"type": "summit", "host": "CHN", "participants": ["RUS"]},
     {"metric": "affinity", "test": "rises", **SPRING}, False),
    ("summit, participants among themselves", {"type": "summit", "host": "CHN", "participants": ["RUS", "PRK"]},
     {"metric": "affinity", "test": "rises", **SPRING}, True),
    ("summit, the subject of relative_to", {"type": "summit", "host": "CHN", "participants": ["PRK"]},
     {"metric": "affinity", "relative_to": {"pair": ["PRK", "CHN"]}, "test": "rises", **SPRING}, True),
    ("a flow begun before the span, delivered into it",
     {"type": "arms_transfer", "from": "PRK", "to": "RUS", "date": "2024-01-10", "until": "2024-03-20",
      "shells": 1000}, {"metric": "munitions", "pair": None, "state": "RUS", "test": "rises", **SPRING}, True),
    ("a flow ended before the span",
     {"type": "arms_transfer", "from": "PRK", "to": "RUS", "date": "2024-01-10", "until": "2024-02-20",
      "shells": 1000}, {"metric": "munitions", "pair": None, "state": "RUS", "test": "rises", **SPRING}, False),
    ("a flow's pair columns", {"type": "aid", "from": "RUS", "to": "PRK", "value_usd_bn": 1},
     {"metric": "flow_ab", "test": "rises", **SPRING}, True),
    ("a treaty signed before the span, in force inside it",
     {"type": "treaty", "parties": ["RUS", "PRK"], "kind": "mutual_defence", "date": "2024-01-10",
      "in_force": "2024-04-01"}, {"metric": "treaty", "test": "rises", **SPRING}, True),
    ("a treaty signed before the span and in force after it: the period overlaps",
     {"type": "treaty", "parties": ["RUS", "PRK"], "kind": "mutual_defence", "date": "2024-01-10",
      "in_force": "2024-08-01"}, {"metric": "treaty", "test": "rises", **SPRING}, True),
    ("a treaty signed after the span", {"type": "treaty", "parties": ["RUS", "PRK"], "kind": "other",
                                         "date": "2024-06-10"}, {"metric": "affinity", "test": "rises", **SPRING},
     False),
    ("sanctions lifted inside the span",
     {"type": "sanctions", "by": ["RUS"], "target": "PRK", "date": "2024-01-10", "lifted": "2024-04-01"},
     {"metric": "economy", "pair": None, "state": "PRK", "test": "rises", **SPRING}, True),
    ("sanctions set the pair's affinity (its leaning, as written)",
     {"type": "sanctions", "by": ["RUS"], "target": "PRK"}, {"metric": "affinity", "test": "rises", **SPRING}, True),
    ("sanctions do not set the sanctioner's economy",
     {"type": "sanctions", "by": ["RUS"], "target": "PRK"},
     {"metric": "economy", "pair": None, "state": "RUS", "test": "rises", **SPRING}, False),
    ("sanctions do not set the pair's tension",
     {"type": "sanctions", "by": ["RUS"], "target": "PRK"}, {"metric": "tension", "test": "rises", **SPRING}, False),
    ("a new ideal point moves the state's affinity with every state",
     {"type": "policy_change", "state": "CHN", "ideal_point": 1.0},
     {"metric": "affinity", "pair": ["PRK", "CHN"], "test": "rises", **SPRING}, True),
    ("a stance moves only the affinities it names",
     {"type": "leadership_change", "state": "CHN", "leader": "X", "stance": {"RUS": 0.2}},
     {"metric": "affinity", "pair": ["PRK", "CHN"], "test": "rises", **SPRING}, False),
    ("a course change sets its own alignment",
     {"type": "leadership_change", "state": "CHN", "leader": "X", "stance": {"RUS": 0.2}},
     {"metric": "alignment", "pair": None, "state": "CHN", "test": "rises", **SPRING}, True),
    ("an operation sets the front and tension of its states",
     {"type": "military_operation", "actor": "RUS", "target": "PRK", "until": "2024-06-30"},
     {"metric": "front_strength", "pair": None, "state": "PRK", "test": "rises", **SPRING}, True),
    ("a level is scripted from the start of the scenario",
     {"type": "relation_shock", "pair": ["PRK", "RUS"], "affinity": 0.3, "date": "2024-01-10"},
     {"metric": "affinity", "test": "above", "at": "2024-02-29"}, True),
    ("a window is not", {"type": "relation_shock", "pair": ["PRK", "RUS"], "affinity": 0.3, "date": "2024-01-10"},
     {"metric": "affinity", "test": "above", "window": ["2024-02-01", "2024-02-29"]}, False),
])
def test_which_events_script_which_outcome(small, name, spec, obs, scripts):
    sc = small.loaded.scenario.model_copy(update={"events": [event(**spec)]})
    assert scripted_by(observed(**obs), sc) == (["e"] if scripts else []), name


# --------------------------------------------------------------------------- reality and the verdict
def test_a_prediction_reality_contradicted_is_not_a_target(small):
    t = small.table.set_index("id")
    assert not t.loc["predicted_drift", "passed"] and not t.loc["predicted_drift", "target"]
    assert t.loc["predicted_drift", "reality"] == "did_not"
    assert t.loc["rus_prk_rises", "passed"] and t.loc["rus_prk_rises", "target"]
    assert small.passed  # the one that fails is not a target


def test_check_exits_0_when_only_a_contradicted_prediction_fails(small):
    done = cli("check", FIXTURE, "-k", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not a target" in done.stdout and "did not" in done.stdout and "all 1 expectation met" in done.stdout
    assert "scripted by shock" in done.stdout and "Against what happened" in done.stdout


@pytest.mark.parametrize("verdict", ["came_true", "partly"])
def test_a_prediction_that_came_true_or_partly_is_a_target(write, verdict):
    path = write("v.yaml", FIXTURE.read_text(encoding="utf-8").replace("verdict: did_not", f"verdict: {verdict}"))
    result = check(load_scenario(path), replicates=2)
    assert result.table.set_index("id").loc["predicted_drift", "target"] and not result.passed
    done = cli("check", path, "-k", "2")
    assert done.returncode == EXIT_FAILED == 3, done.stdout + done.stderr
    assert "1 of 2 expectations not met" in done.stdout


def without_expectations(write) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    return write("o.yaml", text[:text.index("expectations:")] + text[text.index("observed:"):])



def test_a_scenario_with_observed_outcomes_only_is_checked(write):
    result = check(load_scenario(without_expectations(write)), replicates=2)
    assert len(result.table) == 0 and len(result.hindcast) == 8
    assert result.passed


def test_check_of_observed_outcomes_only_exits_0(write):
    done = cli("check", without_expectations(write), "-k", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Against what happened" in done.stdout


def test_a_scenario_with_neither_expectations_nor_observed_is_refused(write):
    done = cli("check", write("n.yaml", MINIMAL), "-k", "2")
    assert done.returncode == 2 and "no expectations: or observed: to check" in done.stderr


# --------------------------------------------------------------------------- the documentation
def documented(heading: str) -> set[str]:
    """The field names in the first column of the table under ``heading`` in docs/scenario-format.md."""
    section = DOC[DOC.index(heading):]
    section = section[:section.index("\n#", 1)]
    return {name for m in re.finditer(r"^\| ([^|]+) \|", section, re.MULTILINE)
            for name in re.findall(r"`([^`]+)`", m[1])}


def fields(model) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


@pytest.mark.parametrize("model, heading", [(Observed, "### 9b.1 Fields (`Observed`)"),
                                            (Reality, "### 9.8 What became of a prediction: `reality` (`Reality`)")])
def test_every_field_is_documented_and_every_documented_field_exists(model, heading):
    assert documented(heading) == fields(model)


def test_the_top_level_table_and_the_expectation_table_name_the_new_fields():
    assert "observed" in documented("## 2 Top level (`Scenario`)")
    assert "reality" in documented("### 9.1 Fields (`Expectation`)")
    from simulation.scenario.schema import Expectation, Scenario

    assert documented("### 9.1 Fields (`Expectation`)") == fields(Expectation)
    assert fields(Scenario) <= documented("## 2 Top level (`Scenario`)")


def test_the_documented_example_validates_and_is_scored(write):
    example = DOC[DOC.index("### 9b.2 Example"):]
    text = re.search(r"```yaml\n(.*?)```", example, re.DOTALL)[1]
    loaded = load_scenario(write("observed_example.yaml", text))
    assert len(loaded.scenario.observed) >= 3
    got = score(run(loaded, replicates=2).tables, loaded.scenario)
    assert {"persistence", "coin", "base rate"} <= set(got["reference_kind"])
    assert (got["scripted_by"] != "").any() and (got["scripted_by"] == "").any()
