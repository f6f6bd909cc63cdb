"""Variants: ``extends`` adds, replaces and removes events and overrides parameters."""

from __future__ import annotations

import pytest

from simulation.scenario import ScenarioError, load_scenario


@pytest.fixture
def base(mini):
    return mini


def test_variant_adds_replaces_and_removes_events(base, write):
    variant = write("variant.yaml", """\
        extends: mini.yaml
        name: mini_variant
        remove_events: [shells]
        parameters: {balance_rate: 1.2}
        events:
          - id: deploy
            type: troop_deployment
            from: PRK
            to: RUS
            date: 2024-03-10
            troops: 2000
            source: "replaced deployment"
          - id: extra
            type: summit
            date: 2024-06-01
            host: RUS
            participants: [PRK]
            source: "added summit"
        """)
    loaded = load_scenario(variant)
    sc = loaded.scenario
    assert sc.name == "mini_variant" and sc.title == "Minimal test scenario"  # inherited
    assert [e.id for e in sc.events] == ["deploy", "extra"]
    assert sc.events[0].troops == 2000
    assert sc.parameters == {"balance_rate": 1.2}
    assert len(loaded.files) == 2 and loaded.sha256 != load_scenario(base).sha256


def test_mapping_override_is_key_by_key(base, write):
    variant = write("v.yaml", """\
        extends: mini
        name: v
        calendar: {end: 2024-06-30}
        states: {ROK: {risk_tolerance: 0.9, source: "test"}}
        """)
    sc = load_scenario(variant).scenario
    assert str(sc.calendar.start) == "2024-01-01" and str(sc.calendar.end) == "2024-06-30"
    assert sc.states["ROK"].risk_tolerance == 0.9 and "USA" in sc.states


def test_error_in_variant_points_to_variant_line(base, write):
    variant = write("v.yaml", """\
        extends: mini.yaml
        name: v
        events:
          - id: bad
            type: aid
            from: USA
            to: UKR
            date: 2024-02-01
            value_usd_bn: -3
            source: "test"
        """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    # the event as written in the variant (its first), not its index in the merged list (2)
    assert info.value.problems == [f"{variant}:9: events[0].value_usd_bn: must be >= 0.0 (got -3)"]


def test_error_in_base_points_to_base_line(write):
    base = write("b.yaml", """\
        name: b
        title: base
        calendar: {start: 2024-01-01, end: 2024-12-31}
        states: [RUS, UKR]
        events:
          - {id: s, type: relation_shock, date: 2025-01-01, pair: [RUS, UKR], source: "test"}
        """)
    variant = write("v.yaml", "extends: b.yaml\nname: v\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    assert info.value.problems[0].startswith(f"{base}:6: events[0].date:")


def test_removing_an_unknown_event_is_an_error(base, write):
    variant = write("v.yaml", "extends: mini.yaml\nname: v\nremove_events: [shels]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    assert info.value.problems == [f"{variant}:3: remove_events[0]: no event 'shels' in the base scenario "
                                   "(did you mean shells?)"]


def test_extends_must_stay_inside_the_scenario_root(tmp_path, write):
    write("outside.yaml", "name: o\n")
    variant = write("root/v.yaml", "extends: ../outside.yaml\nname: v\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    assert "outside the scenario folder" in info.value.problems[0]


def test_extends_missing_file(write):
    variant = write("v.yaml", "extends: nothere.yaml\nname: v\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    assert f"{variant}:1: extends: no file 'nothere.yaml'" in info.value.problems[0]


def test_circular_extends(write):
    a = write("a.yaml", "extends: b.yaml\nname: a\n")
    write("b.yaml", "extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(a)
    assert "circular" in info.value.problems[0]


def test_remove_events_without_extends(write):
    path = write("v.yaml", "name: v\nremove_events: [x]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems == [f"{path}:2: remove_events: only allowed with extends:"]


def test_variant_of_a_shipped_scenario_by_name(write):
    variant = write("v.yaml", "extends: korea_russia_2024\nname: v\nremove_events: [deploy_main]\n")
    sc = load_scenario(variant).scenario
    assert "deploy_main" not in [e.id for e in sc.events] and "deploy_special_forces" in [e.id for e in sc.events]


@pytest.mark.process
def test_variant_results_do_not_depend_on_the_process(write, tmp_path):
    """Merged mappings keep the base's key order (a set would reorder states between processes)."""
    import subprocess
    import sys

    variant = write("v.yaml", "extends: korea_russia_2024\nname: v\nstates:\n  ROK: {munitions: 6, source: test}\n")
    code = ("import sys; from simulation import run; r = run(sys.argv[1], replicates=2); "
            "print(list(r.names)); print(r.pairs['affinity'].sum().round(12))")
    outs = {subprocess.run([sys.executable, "-c", code, str(variant)], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3)}
    assert len(outs) == 1 and "ROK" in next(iter(outs))
    assert list(load_scenario(variant).scenario.states)[:3] == ["USA", "ROK", "UKR"]


def test_extends_cannot_climb_out_through_the_shipped_name_fallback(tmp_path, write):
    """`extends: ../../x` must not be looked up as a shipped scenario name (a path out of the package)."""
    secret = write("secret/base.yaml", "name: secret\nseed: SECRET-TOKEN-123\n")
    variant = write("mine/deep/v.yaml", f"extends: {'../' * 12}{str(secret)[1:-5]}\nname: v\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    text = "\n".join(info.value.problems)
    assert "SECRET-TOKEN-123" not in text and "extends" in text


def test_a_symlink_out_of_the_folder_is_refused(tmp_path, write):
    outside = write("outside/base.yaml", "name: o\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "link.yaml").symlink_to(outside)
    variant = write("mine/v.yaml", "extends: link.yaml\nname: v\n")
    with pytest.raises(ScenarioError, match="outside the scenario folder"):
        load_scenario(variant)


def test_a_user_variant_may_extend_a_shipped_variant(write):
    variant = write("v.yaml", "extends: no_deployment\nname: mine\n")
    loaded = load_scenario(variant)
    assert loaded.scenario.name == "mine" and not [e for e in loaded.scenario.events if e.type == "troop_deployment"]


def test_a_long_extends_chain_is_refused(write):
    write("f0.yaml", "name: f0\n")
    for i in range(1, 40):
        write(f"f{i}.yaml", f"extends: f{i - 1}.yaml\nname: f{i}\n")
    with pytest.raises(ScenarioError, match="extends: a chain of more than 16 files"):
        load_scenario(write("top.yaml", "extends: f39.yaml\nname: top\n"))


def test_an_event_of_a_variant_is_numbered_as_written_in_its_file(base, write):
    """A variant's second event, and an event it replaces by id, are named by their place in the
    variant (events[1]), whatever their place in the merged list.
    """
    variant = write("v2.yaml", """\
        extends: mini.yaml
        name: v2
        events:
          - id: fine
            type: aid
            from: USA
            to: UKR
            date: 2024-02-01
            value_usd_bn: 1
            source: "test"
          - id: broken
            type: aid
            from: USA
            to: UKR
            date: 2024-02-01
            value_usd_bn: -1
            source: "test"
        """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    assert info.value.problems == [f"{variant}:16: events[1].value_usd_bn: must be >= 0.0 (got -1)"]
