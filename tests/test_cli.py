"""The command line end to end, as a user runs it: in this process (``helpers.cli``, the CLI's own
``main``) except where the process itself is the point (the default run and the dashboard, which
replaces its process with Solara's, run as real subprocesses)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from helpers import MINIMAL, cli, cli_process
from simulation.params import PARAMETERS


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("run") / "out"
    return cli_process("run", "korea_russia_2024", "--replicates", "3", "--seed", "42", "--out", str(out)), out


def test_run_default_scenario_writes_tables_manifest_report(default_run):
    proc, out = default_run
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {"model.parquet", "states.parquet", "pairs.parquet",
                                              "events.parquet", "manifest.json", "report.html"}
    states = pd.read_parquet(out / "states.parquet")
    assert set(states["state"]) == {"RUS", "PRK", "CHN", "IRN", "ROK", "USA", "UKR", "JPN"}
    assert states["replicate"].nunique() == 3
    assert "coalition A" in proc.stdout and "tension" in proc.stdout


def test_manifest_has_what_reproduces_the_run(default_run):
    _, out = default_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] and manifest["package"] == "alliance-sim"
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["scenario"]["sha256"])
    assert manifest["seeds"]["seed"] == 42 and manifest["seeds"]["replicates"] == 3
    assert manifest["parameters"]["balance_rate"] == pytest.approx(PARAMETERS["balance_rate"].default)
    assert manifest["platform"]["python"].startswith("3.")
    assert "manifest.json" in manifest["files"] and manifest["format"] == "parquet"


def test_report_is_self_contained(default_run):
    _, out = default_run
    html = (out / "report.html").read_text(encoding="utf-8")
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", html, flags=re.S | re.I)
    # no tag loads anything from elsewhere (plotly.js itself mentions URLs in its code: not loaded)
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup, flags=re.I) == []
    assert re.findall(r"<(?:link|iframe|img)\b", markup, flags=re.I) == []
    assert "@import" not in markup and "url(" not in markup
    assert "<script" in html and "Plotly" in html
    assert "Comprehensive Strategic Partnership" in html  # an event's source


def test_same_seed_same_tables_from_the_cli(default_run, tmp_path):
    _, out = default_run
    again = tmp_path / "again"
    assert cli("run", "korea_russia_2024", "--replicates", "3", "--seed", "42", "--out", str(again),
               "--no-report").returncode == 0
    for name in ("model", "states", "pairs", "events"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"),
                                      pd.read_parquet(again / f"{name}.parquet"))


def test_csv_format_and_until_and_set(tmp_path):
    out = tmp_path / "csv"
    proc = cli("run", "korea_russia_2024", "--format", "csv", "--until", "2024-12-31",
               "--set", "balance_rate=1.5", "--out", str(out), "--no-report")
    assert proc.returncode == 0, proc.stderr
    model = pd.read_csv(out / "model.csv")
    assert model["date"].max() == "2024-12-31"
    assert json.loads((out / "manifest.json").read_text())["parameters"]["balance_rate"] == 1.5


@pytest.mark.parametrize("args, message", [
    (["run", "no_such_scenario"], "no such scenario file or shipped scenario"),
    (["run", "korea_russia_2024", "--until", "2030-01-01"], "--until 2030-01-01: must be after"),
    (["run", "korea_russia_2024", "--until", "tomorrow"], "--until tomorrow: must be a date YYYY-MM-DD"),
    (["run", "korea_russia_2024", "--set", "nope=1"], "--set nope: unknown parameter"),
    (["run", "korea_russia_2024", "--set", "balance_rat=1.2"],
     "--set balance_rat: unknown parameter (did you mean 'balance_rate'?)"),
    (["run", "korea_russia_2024", "--set", "balance_rate"], "--set balance_rate: expected name=value"),
    (["run", "korea_russia_2024", "--set", "balance_rate=99"], "--set balance_rate: must be between 0 and 5"),
    (["run", "korea_russia_2024", "--format", "xlsx"], "--format xlsx: must be one of parquet, csv"),
    (["run", "korea_russia_2024", "--replicates", "0"], "Invalid value for '--replicates'"),
    (["run", "korea_russia_2024", "--network-date", "2023-01-01"], "--network-date 2023-01-01: outside the run"),
    (["run", "korea_russia_2024", "--frobnicate"], "No such option"),
])
def test_bad_input_exits_2_with_a_clear_message(args, message, tmp_path):
    proc = cli(*args, "--out", str(tmp_path / "o")) if args[0] == "run" and "--frobnicate" not in args else cli(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "o").exists()


def test_bad_scenario_file_exits_2_and_names_file_line_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("troops: 10000", "troops: -5"))
    proc = cli("run", str(path), "--out", str(tmp_path / "o"))
    line = MINIMAL.splitlines().index("    troops: 10000") + 1
    assert proc.returncode == 2
    assert f"bad.yaml:{line}: events[0].troops: must be >= 0 (got -5)" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


def test_existing_output_is_never_clobbered(tmp_path):
    out = tmp_path / "keep"
    out.mkdir()
    (out / "precious.txt").write_text("do not lose me")
    proc = cli("run", "korea_russia_2024", "--out", str(out), "--no-report")
    assert proc.returncode == 2 and "--overwrite" in proc.stderr
    assert (out / "precious.txt").read_text() == "do not lose me"


def test_overwrite_replaces_an_earlier_result_atomically_and_leaves_no_temp(tmp_path):
    out = tmp_path / "o"
    assert cli("run", "korea_russia_2024", "--out", str(out), "--no-report", "--until", "2024-08-31").returncode == 0
    (out / "stale.txt").write_text("from before")  # a file in the earlier result goes with it
    assert cli("run", "korea_russia_2024", "--out", str(out), "--no-report", "--overwrite").returncode == 0
    assert not (out / "stale.txt").exists() and (out / "manifest.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_validate_and_schema_and_params(mini):
    ok = cli("validate", str(mini))
    assert ok.returncode == 0 and "mini" in ok.stdout
    schema = json.loads(cli("schema").stdout)
    assert "events" in schema["properties"] and "extends" in schema["properties"]
    assert "troop_deployment" in json.dumps(schema)
    params = cli("params")
    assert params.returncode == 0 and "balance_rate" in params.stdout


def test_run_from_another_folder_finds_shipped_scenario(tmp_path):
    proc = cli("validate", "korea_russia_2024", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_error_text_with_brackets_is_printed_verbatim(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(MINIMAL.replace("name: mini", "name: Mini Scenario"))
    proc = cli("validate", str(path))
    assert proc.returncode == 2 and "must match ^[a-z0-9_-]+$" in proc.stderr


def test_schema_lets_variants_omit_inherited_fields():
    schema = json.loads(cli("schema").stdout)
    assert schema["if"] == {"required": ["extends"]} and "name" in schema["else"]["required"]
    assert "required" not in schema


def test_report_network_at_chosen_dates(tmp_path):
    out = tmp_path / "o"
    proc = cli("run", "korea_russia_2024", "--until", "2024-12-31", "--network-date", "2024-10-31", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Alignment network on 2024-10-31" in (out / "report.html").read_text(encoding="utf-8")


def test_template_command_writes_a_valid_scenario_and_never_overwrites(tmp_path):
    path = tmp_path / "mine.yaml"
    assert cli("template", str(path)).returncode == 0
    assert cli("validate", str(path)).returncode == 0
    path.write_text("mine")
    again = cli("template", str(path))
    assert again.returncode == 2 and "already exists" in again.stderr and path.read_text() == "mine"


def test_dashboard_rejects_bad_input_before_starting_a_server(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("troops: 10000", "troops: -5"))
    proc = cli_process("dashboard", str(bad), "--port", "1")
    assert proc.returncode == 2 and "events[0].troops: must be >= 0" in proc.stderr
    assert cli_process("dashboard", "nope").returncode == 2
    assert cli_process("dashboard", "--port", "0").returncode == 2


def test_progress_of_check_and_compare_ends_at_every_run_when_redirected(tmp_path):
    """With the output redirected the bar is drawn once at the end: it must count every run (a
    variant's check runs its base too; compare runs each scenario), not one per batch.
    """
    check = cli("check", "no_deployment", "-k", "4")
    assert "8/8" in check.stderr, check.stderr
    compare = cli("compare", "korea_russia_2024", "no_deployment", "us_withdrawal", "-k", "3",
                  "--out", str(tmp_path / "c"))
    assert compare.returncode == 0 and "9/9" in compare.stderr, compare.stderr
