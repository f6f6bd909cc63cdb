"""Every kind of scenario error: one line naming file, line, field and what was expected."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np

import pytest

from simulation.scenario import ScenarioError, load_scenario

from helpers import MINIMAL


def problems(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def only(path) -> str:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


def test_minimal_scenario_is_valid(mini):
    loaded = load_scenario(mini)
    assert loaded.scenario.name == "mini"
    assert len(loaded.sha256) == 64


def test_negative_troops_names_file_line_field_and_bound(write):
    path = write("x.yaml", MINIMAL.replace("troops: 10000", "troops: -5"))
    line = MINIMAL.splitlines().index("    troops: 10000") + 1
    assert only(path) == f"{path}:{line}: events[0].troops: must be >= 0 (got -5)"


def test_yaml_syntax_error_has_line(write):
    path = write("x.yaml", MINIMAL.replace("seed: 7", "seed: [7"))
    msg = only(path)
    assert msg.startswith(f"{path}:") and "YAML syntax error" in msg


def test_duplicate_key_is_an_error(write):
    path = write("x.yaml", MINIMAL.replace("seed: 7", "seed: 7\nseed: 8"))
    assert only(path) == f"{path}:5: seed: duplicate key"


def test_empty_file(write):
    assert "the file is empty" in only(write("x.yaml", ""))


def test_top_level_must_be_a_mapping(write):
    assert "must be a mapping" in only(write("x.yaml", "- a\n- b\n"))


def test_unknown_field_suggests_the_right_one(write):
    path = write("x.yaml", MINIMAL.replace("troops: 10000", "trops: 10000"))
    msgs = problems(path)
    assert any(re.search(r"events\[0\]\.trops: unknown field \(did you mean 'troops'\?\)", m) for m in msgs)
    assert any("events[0].troops: required field is missing" in m for m in msgs)


def test_unknown_event_type(write):
    path = write("x.yaml", MINIMAL.replace("type: troop_deployment", "type: invasion"))
    msg = only(path)
    assert "events[0]: unknown event type 'invasion'" in msg and "troop_deployment" in msg


def test_bad_date(write):
    path = write("x.yaml", MINIMAL.replace("date: 2024-03-10", "date: 10/03/2024"))
    assert "events[0].date: must be a date YYYY-MM-DD (got '10/03/2024')" in only(path)


def test_date_outside_horizon(write):
    path = write("x.yaml", MINIMAL.replace("date: 2024-03-10", "date: 2026-03-10"))
    line = MINIMAL.splitlines().index("    date: 2024-03-10") + 1
    assert only(path) == f"{path}:{line}: events[0].date: 2026-03-10 is outside the calendar (2024-01-01 to 2024-12-31)"


def test_until_before_date(write):
    path = write("x.yaml", MINIMAL.replace("until: 2024-05-31", "until: 2024-01-15"))
    assert "events[1].until: 2024-01-15 is before the event's date 2024-02-01" in only(path)


def test_unknown_state_id_with_suggestion(write):
    path = write("x.yaml", MINIMAL.replace("  USA: {}", "  USX: {}").replace("with: [USA]", "with: []"))
    msg = only(path)
    assert "states.USX: unknown state 'USX'" in msg and "did you mean" in msg and "USA" in msg


def test_event_names_state_not_in_scenario(write):
    path = write("x.yaml", MINIMAL.replace("to: RUS\n    date: 2024-03-10", "to: JPN\n    date: 2024-03-10"))
    assert "events[0].to: state 'JPN' is not in this scenario's states" in only(path)


def test_state_acting_on_itself(write):
    path = write("x.yaml", MINIMAL.replace("to: RUS\n    date: 2024-03-10", "to: PRK\n    date: 2024-03-10"))
    assert "a state cannot act on itself" in only(path)


def test_duplicate_event_id(write):
    path = write("x.yaml", MINIMAL.replace("id: shells", "id: deploy"))
    assert "events[1].id: duplicate event id 'deploy' (first at events[0])" in only(path)


def test_unknown_parameter(write):
    path = write("x.yaml", MINIMAL + "parameters: {balance_rat: 1.0}\n")
    assert "parameters.balance_rat: unknown parameter (did you mean 'balance_rate'?)" in only(path)


def test_parameter_out_of_bounds(write):
    path = write("x.yaml", MINIMAL + "parameters: {balance_rate: 50}\n")
    assert "parameters.balance_rate: must be between 0 and 5 (got 50)" in only(path)


def test_calendar_end_before_start(write):
    path = write("x.yaml", MINIMAL.replace("end: 2024-12-31", "end: 2023-12-31")
                 .replace("date: 2024-03-10", "date: 2023-12-31")
                 .replace("date: 2024-02-01\n    until: 2024-05-31", "date: 2023-12-31"))
    assert any("calendar.end: must be after start 2024-01-01" in m for m in problems(path))


def test_bad_step_unit(write):
    path = write("x.yaml", MINIMAL.replace("step: month", "step: day"))
    assert "calendar.step: must be one of 'week' or 'month' (got 'day')" in only(path)


def test_override_without_source(write):
    path = write("x.yaml", MINIMAL.replace("  ROK: {}", "  ROK: {manpower: 600}"))
    assert "states.ROK: needs a source" in only(path)


def test_missing_required_top_level_field(write):
    path = write("x.yaml", MINIMAL.replace("title: Minimal test scenario\n", ""))
    assert only(path).endswith("title: required field is missing")


def test_missing_source_on_event(write):
    path = write("x.yaml", MINIMAL.replace('    source: "test shells"\n', ""))
    assert "events[1].source: required field is missing" in only(path)


def test_tags_are_not_evaluated(write):
    path = write("x.yaml", MINIMAL.replace("seed: 7", "seed: !!python/object/apply:os.system ['echo hi']"))
    assert "YAML" in only(path)


def test_several_problems_are_all_reported_in_line_order(write):
    path = write("x.yaml", MINIMAL.replace("troops: 10000", "troops: -1").replace("shells: 1000000", "shells: -2"))
    found = problems(path)
    assert len(found) == 2
    lines = [int(m.split(":")[1]) for m in found]
    assert lines == sorted(lines)


def test_impossible_calendar_date_is_positioned(write):
    path = write("x.yaml", MINIMAL.replace("date: 2024-03-10", "date: 2024-02-30"))
    line = MINIMAL.splitlines().index("    date: 2024-03-10") + 1
    msg = only(path)
    assert msg.startswith(f"{path}:{line}:") and "'2024-02-30' is not a valid date" in msg


def test_a_state_named_twice_in_a_war(write):
    path = write("x.yaml", MINIMAL.replace("parties: [RUS, UKR]", "parties: [RUS, RUS]"))
    assert "relations.wars[0].parties[1]: 'RUS' is named twice" in only(path)


def test_iso3_alias_is_the_same_state(write):
    path = write("x.yaml", MINIMAL.replace("  ROK: {}", "  ROK: {}\n  KOR: {}"))
    assert "states.KOR: 'KOR' is the same state as 'ROK'" in only(path)


def test_state_without_data_must_be_given_its_numbers(write):
    path = write("x.yaml", MINIMAL.replace("  USA: {}", "  USA: {}\n  CUB: {}"))
    assert [m.split(": ", 1)[1] for m in problems(path)] == [
        "states.CUB: the shipped data has no milex for CUB; set states.CUB.milex and its source",
        "states.CUB: the shipped data has no gdp for CUB; set states.CUB.gdp and its source"]


def test_state_names_in_stance_errors_are_kept(write):
    path = write("x.yaml", MINIMAL + """\
  - id: pol
    type: policy_change
    state: USA
    date: 2024-05-01
    stance: {UKR: 3}
    source: "test"
""".replace("  - id: pol", "  - id: pol", 1))
    assert "events[2].stance.UKR: must be <= 1.0 (got 3)" in only(path)


def test_field_of_another_event_type(write):
    path = write("x.yaml", MINIMAL + """\
  - {id: pol, type: policy_change, state: USA, date: 2024-05-01, leader: X, source: "test"}
""")
    assert "events[2].leader: not a field of this entry" in only(path)


def test_dates_in_messages_are_written_as_dates(write):
    path = write("x.yaml", MINIMAL + "expectations:\n  - {id: e, claim: a claim, metric: global_tension, test: above,"
                                     " window: [2024-02-01, 2024-03-01, 2024-04-01], source: test}\n")
    msg = only(path)
    assert "2024-02-01" in msg and "datetime" not in msg


SUPPORT = """\
  support:
    - from: PRK
      to: RUS
      since: 2023-09-13
      shells: 6000000
      source: "test support"
"""


def with_support(text: str) -> str:
    return MINIMAL.replace('    - {parties: [RUS, UKR], source: "test war"}\n',
                           '    - {parties: [RUS, UKR], source: "test war"}\n' + text)


@pytest.mark.parametrize("change, field, message", [
    (("to: RUS", "to: FRA"), "relations.support[0].to", "state 'FRA' is not in this scenario's states"),
    (("to: RUS", "to: PRK"), "relations.support[0]", "a state cannot support itself (PRK)"),
    (("since: 2023-09-13", "since: 2024-03-01"), "relations.support[0].since",
     "2024-03-01 is after the start (2024-01-01): support that begins later is an event"),
    (("shells: 6000000", "shells: -1"), "relations.support[0].shells", "must be >= 0 (got -1)"),
    (("shells: 6000000", "shels: 1"), "relations.support[0].shels", "unknown field"),
])
def test_support_at_the_start_errors_name_file_line_field(write, change, field, message):
    path = write("x.yaml", with_support(SUPPORT.replace(*change)))
    found = problems(path)
    assert any(m.startswith(f"{path}:") and f": {field}: " in m and message in m for m in found), found


def test_support_at_the_start_is_valid_and_fills_the_commitment_memory(write):
    from simulation.model import AllianceModel
    from simulation.runner import resolve_params
    from simulation.world import build_world

    loaded = load_scenario(write("x.yaml", with_support(SUPPORT)))
    m = AllianceModel(build_world(loaded.scenario), resolve_params(loaded, {}), [np.random.default_rng(1)])
    prk, rus = m.idx("PRK"), m.idx("RUS")
    years = (dt.date(2024, 1, 1) - dt.date(2023, 9, 13)).days / 365.25
    held = 1.0 * (1 - math.exp(-years / 1.0))  # memory_years 1: as if it had flowed since 13 Sep 2023
    assert m.state.item(0).support_munitions[prk, rus] == pytest.approx(6.0 * held, rel=1e-3)
    assert m.seen.involvement[0, prk, rus] > 0 and m.state.item(0).support_munitions.sum() == m.state.item(0).support_munitions[prk, rus]
