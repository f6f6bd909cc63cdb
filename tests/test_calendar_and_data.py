"""Calendar arithmetic and the shipped data tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from simulation import data, run
from simulation.calendar import Calendar, add_months, overlap_days


def test_add_months_clips_to_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 15)


def test_monthly_calendar_dates_and_steps():
    cal = Calendar(dt.date(2024, 6, 1), dt.date(2025, 12, 31), "month")
    dates = cal.dates()
    assert dates[0] == dt.date(2024, 6, 1) and dates[1] == dt.date(2024, 6, 30) and dates[-1] == dt.date(2025, 12, 31)
    assert len(dates) == 20
    assert cal.step_of(dt.date(2024, 6, 19)) == 1 and cal.step_of(dt.date(2024, 7, 1)) == 2
    assert cal.years()[1] == pytest.approx(30 / 365.25)


def test_weekly_calendar():
    cal = Calendar(dt.date(2024, 1, 1), dt.date(2024, 3, 31), "week")
    dates = cal.dates()
    assert dates[1] == dt.date(2024, 1, 7) and all((b - a).days == 7 for a, b in zip(dates[1:], dates[2:]))
    assert dates[-1] >= dt.date(2024, 3, 31)


def test_overlap_days():
    assert overlap_days(dt.date(2024, 1, 1), dt.date(2024, 1, 11), dt.date(2024, 1, 5), dt.date(2024, 2, 1)) == 6
    assert overlap_days(dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 3, 1), dt.date(2024, 4, 1)) == 0


def test_weekly_run_has_one_row_per_week(mini, write):
    from helpers import MINIMAL

    weekly = write("weekly.yaml", MINIMAL.replace("step: month", "step: week"))
    result = run(weekly)
    assert len(result.model) == len(Calendar(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "week").dates())
    assert result.events.set_index("id").loc["deploy", "date"] == pd.Timestamp("2024-03-10")


def test_every_initial_number_of_the_seven_states_has_a_source():
    for sid in ("RUS", "PRK", "CHN", "IRN", "ROK", "USA", "UKR"):
        record = data.state_record(sid)
        assert not data.missing_fields(record)
        for field in data.NUMERIC_FIELDS:
            assert record.sources.get(field), (sid, field)


def test_curated_figures_override_nmc():
    rus = data.state_record("RUS")
    assert rus.manpower == 1100 and "IISS" in rus.sources["manpower"]
    assert rus.gdp == pytest.approx(2021.4) and "World Bank" in rus.sources["gdp"]
    assert rus.ideal_point == pytest.approx(-0.5984852) and "Voeten" in rus.sources["ideal_point"]


def test_any_nmc_state_can_be_loaded_by_cow_code_or_iso3():
    assert data.resolve_id("GMY") == "GMY" and data.resolve_id("DEU") == "GMY" and data.resolve_id("kor") == "ROK"
    germany = data.state_record("GMY")
    assert germany.name == "Germany" and "National Material Capabilities" in germany.sources["manpower"] and germany.lat == pytest.approx(52.52, abs=0.1)
    assert "FRN" in germany.neighbours
    assert data.resolve_id("XXX") is None and "did you mean" in data.suggest("USX")


def test_missing_codes_are_missing_not_negative():
    world = data.world()
    assert (world[["milper", "cinc", "tpop"]].dropna() >= 0).all().all()
    assert world.loc["USA", "continent"] == "NA"  # North America, not a missing value


def test_data_tables_carry_source_columns():
    assert {"nmc_source", "unga_source", "geo_source"} <= set(data.world().columns)
    assert data.curated()["source"].str.len().gt(10).all()
