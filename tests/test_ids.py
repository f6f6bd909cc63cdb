"""One rule for state ids: a COW code, an ISO3 code or a name works wherever a state is named —
scenario states, relations, regions, events, expectations and sweep outputs — and gives the
same tables as the COW codes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml

from simulation import data
from simulation.runner import run
from simulation.scenario import ScenarioError, load_scenario
from simulation.sweep import SweepSpec, sweep

from helpers import MINIMAL

# COW → (ISO3, name) for the states of MINIMAL
FORMS = {"RUS": ("RUS", "Russia"), "UKR": ("UKR", "Ukraine"), "PRK": ("PRK", "North Korea"),
         "ROK": ("KOR", "South Korea"), "USA": ("USA", "United States")}
UNTIL = dt.date(2024, 6, 30)


def rewritten(form: int | None) -> str:
    """MINIMAL with every state written in one form (None = COW, 0 = ISO3, 1 = name) and an expectation."""
    doc = yaml.safe_load(MINIMAL)
    name = {cow: cow if form is None else forms[form] for cow, forms in FORMS.items()}
    doc["states"] = {name[k]: v for k, v in doc["states"].items()}
    doc["relations"]["wars"][0]["parties"] = [name[p] for p in doc["relations"]["wars"][0]["parties"]]
    region = doc["regions"]["peninsula"]
    doc["regions"]["peninsula"] = {"core": [name[s] for s in region["core"]], "with": [name[s] for s in region["with"]]}
    for event in doc["events"]:
        event["from"], event["to"] = name[event["from"]], name[event["to"]]
    doc["expectations"] = [{"id": "rok_cools", "claim": "ROK and Russia drift apart", "metric": "affinity",
                            "pair": [name["ROK"], name["RUS"]], "test": "below", "value": 5.0,
                            "at": "2024-06-30", "share": 1.0, "source": "test"}]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize("ref, cow", [("ROK", "ROK"), ("KOR", "ROK"), ("South Korea", "ROK"), ("south  korea ", "ROK"),
                                      ("rus", "RUS"), ("North Korea", "PRK"), ("United States", "USA"),
                                      ("AUS", "AUS"), ("AUL", "AUL"), ("Australia", "AUL"), ("Atlantis", None)])
def test_resolve_id_takes_cow_iso3_and_names(ref, cow):
    assert data.resolve_id(ref) == cow


def test_cow_wins_over_iso3():
    """AUS is COW's Austria; ISO3's AUS (Australia) is COW's AUL."""
    table = data.world()
    assert table.loc["AUS", "name"] == "Austria" and table.loc["AUL", "iso3"] == "AUS"
    assert data.resolve_id("AUS") == "AUS" and data.resolve_id("AUT") == "AUS"


@pytest.fixture(scope="module")
def cow_tables():
    return run_written(MINIMAL)


def run_written(text: str) -> dict:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ids.yaml"
        path.write_text(text, encoding="utf-8")
        return run(load_scenario(path), seed=3, replicates=2, until=UNTIL).tables


@pytest.mark.parametrize("form", [0, 1], ids=["iso3", "name"])
def test_a_scenario_in_iso3_codes_or_names_runs_exactly_as_in_cow_codes(cow_tables, form):
    tables = run_written(rewritten(form))
    for key in ("states", "pairs", "model"):
        pd.testing.assert_frame_equal(tables[key], cow_tables[key])
    assert set(tables["states"]["state"]) == set(FORMS)


@pytest.mark.parametrize("form", [0, 1], ids=["iso3", "name"])
def test_check_evaluates_expectations_written_in_any_form(write, form):
    from simulation.expectations import check

    ours = check(load_scenario(write("ids.yaml", rewritten(form))), seed=3, replicates=2).table
    cow = check(load_scenario(write("cow.yaml", rewritten(None))), seed=3, replicates=2).table
    assert ours["passed"].all()
    pd.testing.assert_frame_equal(ours.drop(columns="subject"), cow.drop(columns="subject"))


def test_a_name_that_is_no_state_is_a_one_line_error(write):
    path = write("x.yaml", MINIMAL.replace("  USA: {}", "  Atlantis: {}"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert any("states.Atlantis: unknown state 'Atlantis'" in p for p in info.value.problems)


SPEC = """\
name: ids
scenario: korea_russia_2024
seed: 5
design: grid
replicates: 1
until: 2024-11-30
factors:
  balance_rate: {levels: [1.0]}
outputs:
  - {name: cow, metric: affinity, pair: [ROK, RUS], at: 2024-11-30}
  - {name: iso3, metric: affinity, pair: [KOR, RUS], at: 2024-11-30}
  - {name: name, metric: affinity, pair: [South Korea, Russia], at: 2024-11-30}
  - {name: state_cow, metric: alignment, state: ROK, at: 2024-11-30}
  - {name: state_iso3, metric: alignment, state: KOR, at: 2024-11-30}
  - {name: state_name, metric: alignment, state: South Korea, at: 2024-11-30}
"""


def test_sweep_outputs_take_every_id_form(tmp_path):
    """The bug that opened issue 12: `state: KOR` validated, then every run failed."""
    results = sweep(SweepSpec.model_validate(yaml.safe_load(SPEC)), tmp_path / "out")
    row = results.iloc[0]
    assert row["status"] == "ok", row["error"]
    assert row["cow"] == row["iso3"] == row["name"]
    assert row["state_cow"] == row["state_iso3"] == row["state_name"]


def test_stance_keys_may_be_iso3_codes_or_names(write):
    """A stance key written in another form than under states: resolves by the same rule."""
    text = MINIMAL + """  - id: turn
    type: policy_change
    date: 2024-04-01
    state: USA
    stance: {KOR: 0.3, Russia: -0.2}
    source: test
"""
    cow = text.replace("{KOR: 0.3, Russia: -0.2}", "{ROK: 0.3, RUS: -0.2}")
    ours, theirs = (run(load_scenario(write(name, t)), seed=3, until=UNTIL).tables for name, t in
                    (("aliases.yaml", text), ("cow.yaml", cow)))
    pd.testing.assert_frame_equal(ours["pairs"], theirs["pairs"])
