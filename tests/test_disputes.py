"""Militarized disputes as observed outcomes: a binary event forecast from the pair's tension.

Tension is the chance of a dispute within four years (docs/calibration.md §3); held as a constant
hazard over each step, the chance of at least one dispute over a span is 1 − Π (1 − t)^(Δt / 4)
(``simulation.hindcast.disputes``). Known answers, validation, scripting and the reference.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from helpers import cli

from simulation import hindcast
from simulation.expectations import check
from simulation.scenario import load_scenario
from simulation.scenario.schema import Observed
from simulation.statements import series

FIXTURE = Path(__file__).parent / "fixtures" / "observed_small.yaml"


def dispute(**kw) -> Observed:
    base = {"id": "d", "what": "a dispute", "source": "test", "metric": "dispute", "test": "occurs",
            "pair": ["RUS", "PRK"], "from": "2024-02-01", "to": "2024-11-30"}
    return Observed.model_validate(base | kw)


def test_the_chance_of_a_dispute_from_tension_known_answers():
    four_years = hindcast.dispute_chance(np.full((48, 1), 0.63), np.full(48, 1 / 12))
    assert four_years[0] == pytest.approx(0.63)  # the four-year rate tension is anchored to
    one_year = hindcast.dispute_chance(np.full((12, 1), 0.63), np.full(12, 1 / 12))
    assert one_year[0] == pytest.approx(1 - 0.37 ** 0.25)
    assert hindcast.dispute_chance(np.zeros((12, 2)), np.full(12, 1 / 12)) == pytest.approx([0.0, 0.0])
    assert hindcast.dispute_chance(np.ones((3, 1)), np.full(3, 1 / 12))[0] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def small():
    return check(load_scenario(FIXTURE), replicates=3)


def test_a_dispute_is_the_tension_of_the_steps_inside_its_span(small):
    tables, obs = small.run.tables, dispute()
    tension = series(tables, "tension", "pair", pair=["RUS", "PRK"])
    inside = tension[(tension.index >= "2024-02-01") & (tension.index <= "2024-11-30")]
    days = np.diff(tension.index.values.astype("datetime64[D]").astype(np.int64))
    lengths = days[-len(inside):] / 365.25  # each row's step: from the row before it
    expected = 1 - np.prod((1 - inside.to_numpy()) ** (lengths[:, None] / 4), axis=0)
    assert hindcast.disputes(tables, obs) == pytest.approx(expected)


def test_a_dispute_is_scored_scripted_by_a_tension_shock_and_persistence_reads_the_first_row(small):
    sc = small.loaded.scenario
    shocked = sc.model_copy(update={"events": [*sc.events, _tension_shock()], "observed": [dispute()]})
    row = hindcast.score(small.run.tables, shocked).iloc[0]
    assert row["scripted_by"] == "tension_shock"
    plain = hindcast.score(small.run.tables, sc.model_copy(update={"observed": [dispute()]})).iloc[0]
    assert plain["scripted_by"] == ""  # an affinity shock does not script a dispute
    assert plain["model"] == pytest.approx(hindcast.disputes(small.run.tables, dispute()).mean())
    first = series(small.run.tables, "tension", "pair", pair=["RUS", "PRK"]).iloc[0].to_numpy()
    years = (dt.date(2024, 11, 30) - dt.date(2024, 2, 1)).days / 365.25
    assert plain["reference"] == pytest.approx(float(np.mean(1 - (1 - first) ** (years / 4))))


def _tension_shock():
    from simulation.scenario.schema import RelationShock

    return RelationShock.model_validate({"id": "tension_shock", "type": "relation_shock", "pair": ["PRK", "RUS"],
                                         "tension": 0.2, "date": "2024-05-10", "source": "test"})


CASES = {
    "in an expectation": ("expectations", "  - id: e\n    claim: \"a claim\"\n    metric: dispute\n    pair: [RUS, PRK]\n"
                          "    test: occurs\n    from: 2024-02-01\n    to: 2024-06-30\n    source: \"test\"\n",
                          "expectations[0].metric: a militarized dispute ('dispute', 'occurs') is an observed outcome"),
    "occurs with another metric": ("observed", "  - id: o\n    what: \"a dispute\"\n    metric: tension\n"
                                   "    pair: [RUS, PRK]\n    test: occurs\n    from: 2024-02-01\n    to: 2024-06-30\n"
                                   "    source: \"test\"\n", "observed[0].test: 'occurs' applies to the metric dispute only"),
    "dispute tested otherwise": ("observed", "  - id: o\n    what: \"a dispute\"\n    metric: dispute\n"
                                 "    pair: [RUS, PRK]\n    test: rises\n    from: 2024-02-01\n    to: 2024-06-30\n"
                                 "    source: \"test\"\n", "observed[0].test: the metric dispute is tested with 'occurs'"),
    "dispute at a date": ("observed", "  - id: o\n    what: \"a dispute\"\n    metric: dispute\n    pair: [RUS, PRK]\n"
                          "    test: occurs\n    at: 2024-06-30\n    source: \"test\"\n",
                          "observed[0]: 'occurs' needs from: and to: (and no at:/window:)"),
    "dispute of a state": ("observed", "  - id: o\n    what: \"a dispute\"\n    metric: dispute\n    state: RUS\n"
                           "    pair: [RUS, PRK]\n    test: occurs\n    from: 2024-02-01\n    to: 2024-06-30\n"
                           "    source: \"test\"\n", "observed[0].state: this metric takes no state"),
    "dispute misspelt": ("observed", "  - id: o\n    what: \"a dispute\"\n    metric: dispte\n    pair: [RUS, PRK]\n"
                         "    test: rises\n    from: 2024-02-01\n    to: 2024-06-30\n    source: \"test\"\n",
                         "did you mean 'dispute'?"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_dispute_is_refused_at_its_line(tmp_path, case):
    section, entry, message = CASES[case]
    text = ("name: d\ntitle: disputes\ncalendar: {start: 2024-01-01, end: 2024-12-31, step: month}\n"
            f"states: [RUS, PRK, CHN]\n{section}:\n{entry}")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    done = cli("validate", str(path))
    assert done.returncode == 2, done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.yaml:" in lines[0] and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr
