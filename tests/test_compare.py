"""Comparing a base with counterfactual variants: common random numbers, bands, effects."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import MINIMAL, cli
from simulation import load_scenario
from simulation.compare import compare
from simulation.scenario import ScenarioError


@pytest.fixture(scope="module")
def withdrawal():
    return compare(load_scenario("korea_russia_2024"), [load_scenario("us_withdrawal")], replicates=8)


def effect(comparison, metric, subject):
    e = comparison.effects
    last = e["date"].max()
    return e[(e["metric"] == metric) & (e["subject"] == subject) & (e["date"] == last)].iloc[0]


def test_effects_have_the_expected_signs(withdrawal):
    assert effect(withdrawal, "front_strength", "UKR")["effect_hi"] < 0
    assert effect(withdrawal, "munitions", "UKR")["effect_hi"] < 0
    row = effect(withdrawal, "affinity", "UKR–USA")
    assert row["effect_median"] < 0 and row["share_positive"] == 0.0


def test_common_random_numbers_make_identical_scenarios_differ_by_nothing(write):
    same = write("same.yaml", "extends: korea_russia_2024\nname: same_as_base\n")
    result = compare(load_scenario("korea_russia_2024"), [load_scenario(same)], replicates=4)
    assert (result.effects["effect_median"].abs() < 1e-12).all()
    assert (result.effects["effect_lo"].abs() < 1e-12).all()


def test_bands_cover_every_scenario_metric_and_date(withdrawal):
    b = withdrawal.bands
    assert set(b["scenario"]) == {"korea_russia_2024", "us_withdrawal"}
    assert {"global_tension", "tension_korean_peninsula", "affinity", "front_strength"} <= set(b["metric"])
    assert (b["lo"] <= b["med"] + 1e-12).all() and (b["med"] <= b["hi"] + 1e-12).all()
    assert b.groupby("scenario")["date"].nunique().nunique() == 1
    assert (b["n"] == 8).all()


def test_effect_dates_default_and_chosen():
    base, variant = load_scenario("korea_russia_2024"), load_scenario("us_withdrawal")
    chosen = compare(base, [variant], replicates=2, at=[pd.Timestamp("2025-04-15").date()])
    assert list(chosen.effects["date"].unique()) == [pd.Timestamp("2025-03-31")]
    with pytest.raises(ScenarioError, match="outside the compared dates"):
        compare(base, [variant], replicates=2, at=[pd.Timestamp("2027-01-01").date()])


def test_manifest_says_common_random_numbers(withdrawal):
    m = withdrawal.manifest()["comparison"]
    assert "same seeds" in m["common_random_numbers"] and "us_withdrawal" in m["variants"]


def test_calendars_that_cannot_be_compared(write):
    weekly = write("weekly.yaml", MINIMAL.replace("name: mini", "name: weekly").replace("step: month", "step: week"))
    later = write("later.yaml", MINIMAL.replace("name: mini", "name: later").replace("start: 2024-01-01", "start: 2024-01-15")
                  .replace("date: 2024-02-01\n", "date: 2024-02-01\n"))
    base = load_scenario(write("mini.yaml", MINIMAL))
    with pytest.raises(ScenarioError) as info:
        compare(base, [load_scenario(weekly), load_scenario(later)], replicates=1)
    text = "\n".join(info.value.problems)
    assert "calendar.step 'week' differs from the base's 'month'" in text
    assert "calendar.start 2024-01-15 differs from the base's 2024-01-01" in text


def test_variants_need_their_own_names(write):
    twin = write("twin.yaml", "extends: korea_russia_2024\n")
    with pytest.raises(ScenarioError, match="names must differ"):
        compare(load_scenario("korea_russia_2024"), [load_scenario(twin)], replicates=1)


def test_compare_cli_writes_effects_and_manifest(tmp_path):
    out = tmp_path / "cmp"
    proc = cli("compare", "korea_russia_2024", "no_deployment",
                           "us_withdrawal", "-k", "4", "--out", str(out), "--format", "csv", "--no-report")
    assert proc.returncode == 0, proc.stderr
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["variant"]) == {"no_deployment", "us_withdrawal"}
    assert json.loads((out / "manifest.json").read_text())["comparison"]["base"] == "korea_russia_2024"
    assert "no_deployment − base" in proc.stdout


def test_compare_cli_bad_variant_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: korea_russia_2024\nname: bad\nremove_events: [nope]\n")
    proc = cli("compare", "korea_russia_2024", str(bad),
                           "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "remove_events[0]: no event 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


def test_compare_cli_report_is_offline_and_names_each_variant(tmp_path):
    import re

    out = tmp_path / "cmp"
    proc = cli("compare", "korea_russia_2024", "us_withdrawal",
                           "-k", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", html, flags=re.S | re.I)
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup, flags=re.I) == []
    assert "Counterfactual: US military aid to Ukraine ends in March 2025" in html
    assert "same seeds" in html


def test_bad_effect_date_fails_before_any_run(monkeypatch):
    import simulation.compare as cmp

    monkeypatch.setattr(cmp, "run", lambda *a, **k: pytest.fail("ran before checking --at"))
    with pytest.raises(ScenarioError, match="outside the compared dates"):
        cmp.compare(load_scenario("korea_russia_2024"), [load_scenario("us_withdrawal")], replicates=1,
                    at=[pd.Timestamp("2030-01-01").date()])
