"""Backtest (issue 14): skill scores with known answers, the observed map, a real two-origin run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simulation import system
from simulation.backtest import runner as B
from simulation.backtest import skill
from helpers import cli


def test_a_model_that_is_persistence_has_skill_0_and_the_observed_future_skill_1():
    rng = np.random.default_rng(3)
    start = rng.uniform(-1, 1, 500)
    future = np.clip(start + rng.normal(0, 0.2, 500), -1, 1)
    assert skill.skill_score(start, start, future) == 0.0
    assert skill.skill_score(future, start, future) == 1.0
    worse = future + 2 * (start - future)  # twice persistence's error
    assert skill.skill_score(worse, start, future) == pytest.approx(-3.0)
    origins = np.repeat(np.arange(10), 50)
    point, lo, hi = skill.bootstrap_skill(origins, future, start, future, rng)
    assert point == lo == hi == 1.0
    point, lo, hi = skill.bootstrap_skill(origins, 0.5 * (start + future), start, future, rng)
    assert point == pytest.approx(0.75)  # half persistence's error everywhere: a quarter of its MSE
    noisy = future + rng.normal(0, 0.1, 500)
    point, lo, hi = skill.bootstrap_skill(origins, noisy, start, future, rng)
    assert lo < point < hi and point == pytest.approx(skill.skill_score(noisy, start, future))


def test_the_direction_auc_and_the_change_correlation():
    observed = np.array([0.3, 0.2, -0.2, -0.4, 0.01, -0.01])
    assert skill.direction_auc(observed, observed) == (1.0, 4)  # the two small moves are left out
    assert skill.direction_auc(-observed, observed) == (0.0, 4)
    assert skill.direction_auc(np.zeros(6), observed) == (0.5, 4)  # ties count one half
    assert np.isnan(skill.direction_auc(observed, np.abs(observed))[0])  # no dyad fell: no AUC
    assert skill.change_correlation(2 * observed + 1, observed) == pytest.approx(1.0)
    assert np.isnan(skill.change_correlation(np.zeros(6), observed))


def test_mean_reversion_is_fitted_and_falls_back_to_persistence():
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, 2000)
    y = 0.2 + 0.6 * (x - 0.2) + rng.normal(0, 0.01, 2000)
    phi, mu = skill.fit_ar1(x, y)
    assert phi == pytest.approx(0.6, abs=0.01) and mu == pytest.approx(0.2, abs=0.02)
    assert skill.fit_ar1(x[:1], y[:1]) == (1.0, 0.0)
    records = system.system(1991).records
    iu = np.triu_indices(len(records), 1)
    start = B.observed_affinity(system.voted(records, 1991), 2.5)[iu]
    covariates = B.dyad_covariates(system_world(1991), iu)
    ladder = B._baselines(records, 1991, 5, 2.5, iu, start, covariates)  # nothing observed five years before 1991
    for baseline in ("ar1", "ar1_dyad", "regression"):
        assert np.array_equal(ladder[baseline], start, equal_nan=True), baseline
    assert np.isnan(ladder["spread"]).all()


def test_each_dyad_has_its_own_mean_reversion_between_persistence_and_its_mean():
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, (30, 3))
    y = np.column_stack([0.1 + 0.8 * (x[:, 0] - 0.1), -0.3 + 0.2 * (x[:, 1] + 0.3), 1.5 * x[:, 2]])
    x[4:, 2] = np.nan  # the third dyad: four pairs, too few
    a, phi = skill.fit_ar1_each(x, y)
    assert phi[:2] == pytest.approx([0.8, 0.2]) and a[:2] == pytest.approx([0.1 * 0.2, -0.3 * 0.8])
    assert np.isnan(phi[2]) and np.isnan(a[2])
    _, phi = skill.fit_ar1_each(x[:, :1], 2 * x[:, :1])
    assert phi[0] == 1.0  # explosive fits are held at persistence


def test_the_persistence_spread_sees_no_observation_after_the_fit_period(monkeypatch):
    """The held-out years (2010 on) may move every AR(1), which uses what was observed by the
    origin, but never the persistence ensemble's spread."""
    records = system.system(2015).records
    iu = np.triu_indices(len(records), 1)
    start = B.observed_affinity(system.voted(records, 2015), 2.5)[iu]
    covariates = B.dyad_covariates(system_world(2015), iu)
    before = B._baselines(records, 2015, 3, 2.5, iu, start, covariates)
    real = system.voted
    monkeypatch.setattr(system, "voted", lambda recs, year: real(recs, year) + (3.0 * (year > B.FIT_LAST)))
    after = B._baselines(records, 2015, 3, 2.5, iu, start, covariates)
    assert np.array_equal(after["spread"], before["spread"]) and np.isfinite(before["spread"]).all()
    for baseline in ("ar1", "ar1_dyad", "regression"):  # the spy does reach the held-out years
        assert not np.array_equal(after[baseline], before[baseline], equal_nan=True), baseline


def system_world(year: int):
    return B._origin_world(year, 1, 20241023)


def test_observed_affinity_is_the_models_map_and_keeps_only_states_that_voted():
    x = np.array([0.0, 0.5, np.nan, 2.5])
    a = B.observed_affinity(x, 2.5)
    assert a[0, 1] == pytest.approx(1 - 2 * 0.5 / 2.5) and a[0, 3] == -1.0
    assert np.isnan(a[2]).all() and np.isnan(a[:, 2]).all()
    voted = system.voted(system.system(2024).records, 2024)
    ids = system.system(2024).ids
    assert np.isnan(voted[ids.index("TAW")]) and np.isfinite(voted[ids.index("USA")])  # Taiwan never votes


def test_a_bad_design_is_one_line_each():
    assert B.check_design([1990], [1]) == [
        "--origins: 1990 is outside 1991–2022 (the observed data end in 2023; origin + horizon must not pass it)"]
    assert B.check_design([2001], [0])[0].startswith("--horizons: each horizon")
    assert B.check_design([2001, 2010], [1, 5]) == []


@pytest.fixture(scope="module")
def two_origins(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt") / "bt"
    done = cli("backtest", "--origins", "2001:2002", "--horizons", "1", "-k", "2", "--workers", "1",
               "--out", str(out))
    return done, out


def test_the_cli_backtests_two_origins_with_tables_manifest_and_report(two_origins):
    done, out = two_origins
    assert done.returncode == 0, done.stderr
    assert "all dyads" in done.stdout and "the seven" in done.stdout
    dyads = pd.read_parquet(out / "dyads.parquet")
    assert set(dyads["origin"]) == {2001, 2002} and set(dyads["horizon"]) == {1}
    assert list(dyads.columns) == B.COLUMNS and dyads.notna().all().all()
    assert dyads["predicted"].between(-1, 1).all() and dyads["observed"].between(-1, 1).all()
    assert len(dyads[dyads["origin"] == 2001]) > 15_000  # every dyad of the states that voted in 2001 and 2002
    skill_table = pd.read_parquet(out / "skill.parquet")
    assert set(skill_table["dyads"]) == {"all dyads", "the seven"}
    assert (skill_table["model_vs_persistence_lo"] <= skill_table["model_vs_persistence"]).all()
    assert skill_table[["crps_skill", "coverage50", "coverage90"]].notna().all().all()
    assert skill_table["model_dm"].isna().all()  # two origins: too few for a Diebold–Mariano test
    pit = pd.read_parquet(out / "pit.parquet")
    assert pit.groupby(["horizon", "dyads"])["share"].sum().round(9).eq(1.0).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design"]["origins"] == [2001, 2002] and manifest["seeds"]["replicates"] == 2
    assert "unga_1990_2024.csv" in manifest["data"]
    html = (out / "report.html").read_text()
    assert "Backtest" in html and "most wrong" in html and "PIT histograms" in html and "https://" not in html.split("<script")[0]


def test_the_same_seed_gives_the_same_dyads(two_origins, tmp_path):
    _, out = two_origins
    again = B.backtest([2002], [1], replicates=2, seed=20241023, workers=2)
    first = pd.read_parquet(out / "dyads.parquet")
    pd.testing.assert_frame_equal(again, first[first["origin"] == 2002].reset_index(drop=True))


def test_bad_backtest_flags_are_one_line_errors(tmp_path):
    for args, message in ((["--origins", "1985:1986"], "--origins: 1985 is outside"),
                          (["--origins", "x"], "--origins x: expected FIRST:LAST"),
                          (["--horizons", "0"], "--horizons: each horizon"),
                          (["--set", "nope=1"], "--set")):
        done = cli("backtest", *args, "--out", str(tmp_path / "never"))
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
        assert not (tmp_path / "never").exists()


def test_the_calibration_split_never_lets_a_later_origin_or_observation_into_the_fit(monkeypatch):
    from simulation.backtest import calibrate as C

    assert C.split([2005, 2009, 2010, 2015]) == ([2005, 2009], [2010, 2015])
    seen = []
    real = B.backtest

    def spy(origins, horizons, *args, **kw):
        seen.append((list(origins), list(horizons)))
        return real(origins, horizons, *args, **kw)

    monkeypatch.setattr(B, "backtest", spy)
    cal = C.calibrate(["balance_rate"], [2006, 2008, 2012], [1, 3], replicates=1, seed=1, max_evaluations=3)
    assert seen and all(max(o) <= C.TRAIN_LAST for o, _ in seen)  # 2012 never runs in the fit
    rows = C.training_rows(pd.DataFrame({"origin": [2006, 2006, 2008, 2012], "horizon": [1, 3, 3, 1]}))
    assert list(zip(rows["origin"], rows["horizon"])) == [(2006, 1), (2006, 3)]  # 2008 + 3 > 2009
    best = min(cal.history, key=lambda h: h["mse"])
    assert cal.fitted["balance_rate"] == best["balance_rate"]
    assert C.check_names(["ideal_point_scale"])[0].startswith("--fit ideal_point_scale: not fitted")
    assert C.check_names(["nope"])[0] == "--fit nope: unknown parameter (see `alliance-sim params`)"


def test_the_cli_calibrates_and_scores_the_held_out_origins(tmp_path):
    out = tmp_path / "cal"
    done = cli("calibrate", "--fit", "balance_rate", "--origins", "2007,2011", "--horizons", "1", "-k", "1",
               "--max-evaluations", "3", "--workers", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    fit = pd.read_parquet(out / "fit.parquet")
    assert list(fit["parameter"]) == ["balance_rate"] and fit["default"].iloc[0] == 1.0
    held = pd.read_parquet(out / "heldout.parquet")
    assert set(held["parameters"]) == {"default", "fitted"} and set(held["horizon"]) == {1}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fit"]["train_origins"] == [2007] and manifest["fit"]["test_origins"] == [2011]
    bad = cli("calibrate", "--origins", "2011:2012", "--out", str(tmp_path / "never"))
    assert bad.returncode == 2 and "needs origins on both sides" in bad.stderr and not (tmp_path / "never").exists()


def test_balance_dynamics_make_the_friend_of_a_friend_a_friend_and_keep_existing_ties():
    from simulation.backtest import ties as T

    s = np.array([[0, 1, 0, -1], [1, 0, 1, 0], [0, 1, 0, 0], [-1, 0, 0, 0]], dtype=float)
    a = T.evolve(s, rate=1.0)
    assert a[0, 2] > 0 and a[2, 0] == a[0, 2]  # A–B, B–C friends: A–C becomes friendly
    assert a[1, 3] < 0  # B is the friend of D's enemy A
    assert a[0, 1] == 1.0 and a[0, 3] == -1.0  # the bounded form never moves a tie at ±1
    assert (s @ s)[0, 2] == 1 and (s @ s)[1, 3] == -1  # the triad heuristic agrees in sign
    assert T.chain()[0] == ("46-49", "50-53") and T.chain()[-1] == ("92-95", "96-99") and len(T.chain()) == 47


def test_the_cli_backtests_the_signed_ties(tmp_path):
    out = tmp_path / "ties"
    done = cli("backtest-ties", "--out", str(out))
    assert done.returncode == 0, done.stderr
    aucs = pd.read_parquet(out / "auc.parquet")
    pooled = aucs[aucs["window"] == "all"].set_index("dyads")
    assert pooled.loc["new ties", "persistence"] == 0.5  # no tie before: persistence cannot rank them
    assert pooled.loc["tied in both", "balance"] == pooled.loc["tied in both", "persistence"]
    assert pooled.loc["new ties", "balance"] > 0.6 and len(aucs) == 2 * 48
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["design"]["windows"]) == 47 and "cow_signed_1946_1999.csv" in manifest["data"]


@pytest.mark.slow
def test_the_full_backtest_gives_the_numbers_of_docs_backtest_md():
    """docs/backtest.md §2.6 (the defaults since issue 27) and §4, rerun: 32 origins × 4 replicates
    (about 70 s on 2 cores)."""
    from simulation.backtest import observation

    dyads = B.backtest(range(1991, 2023), (1, 3, 5), 4, 20241023, workers=2)
    table = B.skill_table(dyads, 20241023).set_index(["horizon", "dyads"])
    maps = observation.fit(dyads)
    assert maps["b"].round(3).tolist() == [0.66, 0.656, 0.57]  # docs/backtest.md §2.6
    held = B.held_out_table(dyads, maps, 20241023).set_index(["horizon", "dyads"])
    for key, (vs_persistence, vs_best) in {(1, "all dyads"): (0.035, 0.005), (5, "all dyads"): (0.137, 0.056)}.items():
        assert held.loc[key, ["mapped_vs_persistence", "mapped_vs_best"]].round(3).tolist() == [vs_persistence,
                                                                                                 vs_best], key
    documented = {(1, "all dyads"): (0.0236, 0.5903, -0.1426, 0.2023, "ar1"),
                  (3, "all dyads"): (0.0690, 0.6556, -0.1671, 0.1467, "ar1"),
                  (5, "all dyads"): (0.0748, 0.6934, -0.2206, 0.1177, "ar1"),
                  (5, "the seven"): (-0.2477, 0.6054, -0.3806, 0.1426, "regression")}
    for key, (model, auc, crps, covered, best) in documented.items():
        row = table.loc[key]
        assert row["model_vs_persistence"] == pytest.approx(model, abs=5e-4), key
        assert row["change_only_vs_persistence"] == pytest.approx(model, abs=5e-4), key  # the start is observed
        assert row["direction_auc"] == pytest.approx(auc, abs=5e-4), key
        assert row["crps_skill"] == pytest.approx(crps, abs=5e-4) and row["best_baseline"] == best, key
        assert row["coverage90"] == pytest.approx(covered, abs=5e-4), key
    from simulation.backtest import ties as T

    pooled = T.auc_table(T.backtest_ties()).query("window == 'all'").set_index("dyads")
    assert pooled.loc["new ties", ["balance", "triads"]].round(3).tolist() == [0.674, 0.657]


def synthetic_dyads(rng, origins=range(1995, 2016), horizons=(1, 3), n=400) -> pd.DataFrame:
    """Dyads whose observed future is 0.05 + 0.3 × the model + 0.6 × the observed start + N(0, 0.1²)."""
    frames = []
    for origin in origins:
        for h in horizons:
            start, model = rng.uniform(-1, 1, n), rng.uniform(-0.6, 0.6, n)
            frames.append(pd.DataFrame({
                "origin": origin, "horizon": h, "a": "AAA", "b": "BBB", "predicted": model,
                "predicted_sd": 0.0, "observed_start": start,
                "observed": 0.05 + 0.3 * model + 0.6 * start + rng.normal(0, 0.1, n)}))
    return pd.concat(frames, ignore_index=True)


def test_the_observation_model_recovers_a_known_map_from_the_fit_period_alone():
    from simulation.backtest import observation

    dyads = synthetic_dyads(np.random.default_rng(8))
    maps = observation.fit(dyads).set_index("horizon")
    assert maps.loc[1, ["a", "b", "c"]].tolist() == pytest.approx([0.05, 0.3, 0.6], abs=0.01)
    assert maps.loc[1, "sd"] == pytest.approx(0.1, abs=0.005) and maps.loc[3, "origins"] == 2006 - 1995 + 1
    later = dyads["origin"] + dyads["horizon"] > observation.FIT_LAST
    moved = dyads.assign(observed=np.where(later, 5.0, dyads["observed"]))  # what happened after 2009: anything
    pd.testing.assert_frame_equal(observation.fit(moved), observation.fit(dyads))
    mapped = observation.apply(dyads, observation.fit(dyads))
    assert mapped["mapped"].to_numpy() == pytest.approx(
        0.05 + 0.3 * dyads["predicted"] + 0.6 * dyads["observed_start"], abs=0.02)


def test_the_held_out_scores_use_only_origins_after_the_fit_period():
    from simulation.backtest import observation

    dyads = synthetic_dyads(np.random.default_rng(9)).assign(crps_persistence=0.1)
    dyads = dyads.assign(**{c: dyads["observed_start"] for c in ("ar1", "ar1_dyad", "regression")})
    table = B.held_out_table(dyads, observation.fit(dyads), seed=1, draws=200).set_index(["horizon", "dyads"])
    assert table.loc[(1, "all dyads"), "origins"] == 2015 - B.HELD_OUT_FIRST + 1
    assert table.loc[(1, "all dyads"), "n"] == 400 * (2015 - B.HELD_OUT_FIRST + 1)
    row = table.loc[(1, "all dyads")]  # the model carries what persistence does not: the map finds it
    assert row["mapped_vs_persistence_lo"] > 0 and row["mapped_dm"] < 0 and row["mapped_dm_p"] < 0.01
    assert row["coverage90"] == pytest.approx(0.9, abs=0.02)


def test_calibrate_fits_the_ensemble_by_crps_from_a_given_point(monkeypatch):
    from simulation.backtest import calibrate as C

    seen = []
    real = B.backtest

    def spy(origins, horizons, replicates, seed, params, *args, **kw):
        seen.append(dict(params))
        return real(origins, horizons, replicates, seed, params, *args, **kw)

    monkeypatch.setattr(B, "backtest", spy)
    cal = C.calibrate(["affinity_noise"], [2006, 2008], [1], replicates=2, seed=1, max_evaluations=2,
                      base={"anchored_start": 1}, objective="crps")
    assert seen and all(p["anchored_start"] == 1 for p in seen)
    assert list(cal.history_table().columns) == ["evaluation", "affinity_noise", "crps"]
    assert cal.history_table()["crps"].gt(0).all()
    assert set(cal.history[0]["by_origin"]) == {2006, 2008} and cal.evidence()["origins"] == 2
    C.held_out(cal, [2012], [1], replicates=2, seed=1)
    assert seen[-1]["anchored_start"] == 1 and seen[-1]["affinity_noise"] == cal.fitted["affinity_noise"]


def test_the_evidence_of_a_fit_is_the_paired_difference_by_origin():
    from simulation.backtest.calibrate import Calibration

    history = [{"evaluation": 1, "x": 1.0, "mse": 0.05, "by_origin": {1991: 0.06, 1994: 0.05, 1997: 0.04}},
               {"evaluation": 2, "x": 2.0, "mse": 0.04, "by_origin": {1991: 0.05, 1994: 0.03, 1997: 0.04}},
               {"evaluation": 3, "x": 3.0, "mse": 0.045, "by_origin": {1991: 0.0, 1994: 0.09, 1997: 0.045}}]
    ev = Calibration(["x"], {"x": 1.0}, {"x": 2.0}, history).evidence()
    diff = np.array([-0.01, -0.02, 0.0])  # the best evaluation (2) against the start (1)
    assert ev["difference"] == pytest.approx(diff.mean()) and ev["origins"] == 3
    assert ev["se"] == pytest.approx(diff.std(ddof=1) / np.sqrt(3))
    assert (ev["start"], ev["fitted"]) == (0.05, 0.04)


def test_a_bad_calibration_objective_is_a_one_line_error(tmp_path):
    done = cli("calibrate", "--objective", "mae", "--out", str(tmp_path / "never"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--objective mae" in done.stderr, done.stderr
    assert not (tmp_path / "never").exists()
