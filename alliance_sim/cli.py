"""The ``alliance-sim`` command line (typer + rich).

Exit codes: 0 success; 2 bad input (a scenario, a flag, an output folder) with a one-line
message per problem and no traceback; 1 an internal error (a bug: please report it; set
``ALLIANCE_SIM_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from simulation import interrupt, limits, tuning
from simulation import params as P
from simulation.output import FORMATS, RUN_FORMATS, OutputError, check_destination, write_run
from simulation.scenario import ScenarioError, load_scenario, shipped_names
from simulation.scenario.loader import display
from simulation.scenario.checks import members_of
from simulation.sweep.execute import SweepError, SweepInterrupted

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Agent-based simulator of alliance dynamics between states.")


def _version(value: bool) -> None:
    if value:
        from simulation.runner import package_version

        print(f"alliance-sim {package_version()}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="print the version and exit")] = False) -> None:
    """Agent-based simulator of alliance dynamics between states."""


# Piped or redirected output is not wrapped at 80 columns.
out_console = Console(width=None if sys.stdout.isatty() else 160, emoji=False)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160, emoji=False)


class BadInput(ValueError):
    """A bad flag value (exit code 2)."""


NOTHING_KEPT = "nothing was written; run the command again to start over"


class _Now:
    """What the command is doing, for the message of an interrupt (``main``)."""

    bar: Progress | None = None  # the progress of the long part
    kept = NOTHING_KEPT

    @classmethod
    def reset(cls) -> None:
        cls.bar, cls.kept = None, NOTHING_KEPT

    @classmethod
    def progress(cls) -> str:
        task = cls.bar.tasks[0] if cls.bar is not None and cls.bar.tasks else None
        if task is None or not task.total:
            return ""
        return f" after {int(task.completed):,} of {int(task.total):,} {task.description}"


def _destination(out: Path, overwrite: bool) -> Path:
    """``check_destination``, and what an interrupt leaves there: nothing (results are written whole)."""
    check_destination(out, overwrite)
    _Now.kept = (f"nothing was written to {display(out)} (results are written only when complete); "
                 "run the command again to start over")
    return out


def _parse_date(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{flag} {value}: must be a date YYYY-MM-DD") from None


Workers = Annotated[int | None, typer.Option(
    help="worker processes for the replicates (default: $ALLIANCE_SIM_WORKERS, else every core once the work "
         "would take longer than starting them); the tables are the same bytes for any number",
    min=1, max=limits.MAX_WORKERS)]


def _workers(asked: int | None) -> int | None:
    """The number of worker processes: asked, else ALLIANCE_SIM_WORKERS, else None (every core, when that pays)."""
    from simulation.parallel import default_workers

    try:
        return asked if asked is not None else default_workers()
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def _parse_sets(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise BadInput(f"--set {item}: expected name=value (see `alliance-sim params`)")
        try:
            number = float(value)
        except ValueError:
            raise BadInput(f"--set {item}: value must be a number") from None
        name = name.strip()
        if name not in P.PARAMETERS:
            hint = difflib.get_close_matches(name, list(P.PARAMETERS), n=1)
            more = f"did you mean {hint[0]!r}?" if hint else "see `alliance-sim params`"
            raise BadInput(f"--set {name}: unknown parameter ({more})")
        try:
            out[name] = P.PARAMETERS[name].check(int(number) if number.is_integer() else number)
        except ValueError as exc:
            raise BadInput(f"--set {name}: {exc}") from None
    return out


def _progress(total: int) -> Progress:
    """A progress bar for the long part of a command (its one task's description names the units)."""
    _Now.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("•"),
                        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err_console,
                        disable=total < 2)
    return _Now.bar


def _summary(result, out: Path) -> None:
    model, states = result.model, result.states
    first, last = model["step"].min(), model["step"].max()
    end = states[states["step"] == last]
    table = Table(title=f"{result.loaded.scenario.title}", title_justify="left", show_edge=False)
    table.add_column("metric")
    table.add_column(str(model.loc[model["step"] == first, "date"].iloc[0].date()), justify="right")
    table.add_column(str(model.loc[model["step"] == last, "date"].iloc[0].date()), justify="right")
    for column in [c for c in model.columns if "tension" in c]:
        start_v = model.loc[model["step"] == first, column].median()
        end_v = model.loc[model["step"] == last, column].median()
        table.add_row(column.replace("_", " "), f"{start_v:.2f}", f"{end_v:.2f}")
    out_console.print(table)
    for code in ("A", "B"):
        share = end.groupby("state")["coalition"].apply(lambda s, code=code: (s == code).mean())
        members = [f"{sid}" + (f" ({v:.0%})" if v < 1 else "") for sid, v in share.items() if v >= 0.5]
        out_console.print(f"coalition {code}: {', '.join(members) or '—'}")
    pairs = result.pairs
    first_aff = pairs[pairs["step"] == first].groupby(["a", "b"])["affinity"].median()
    last_aff = pairs[pairs["step"] == last].groupby(["a", "b"])["affinity"].median()
    change = (last_aff - first_aff).sort_values(key=abs, ascending=False).head(5)
    moves = ", ".join(f"{a}–{b} {first_aff[a, b]:+.2f}→{last_aff[a, b]:+.2f}" for (a, b) in change.index)
    out_console.print(f"largest affinity changes (median): {moves}", highlight=False)
    _hindcast_line(result, model.loc[model["step"] == last, "date"].iloc[0].date())
    report = ", report.html" if (out / "report.html").exists() else ""
    files = ("manifest.json, run.nc (model, states, pairs), events.csv" if (out / "run.nc").exists()
             else "manifest.json, model/states/pairs/events tables") + report
    out_console.print(f"{result.replicates} replicate(s), seed {result.seed} → [bold]{display(out)}[/bold] ({files})")


def _hindcast_line(result, last: dt.date) -> None:
    """One line: the run against the scenario's observed outcomes due by its last date."""
    from simulation import hindcast

    sc = result.loaded.scenario
    due = [o for o in sc.observed if hindcast.span(o, sc.calendar.start)[1] <= last]
    if not due:
        return
    s = hindcast.summary(hindcast.score(result.tables, sc.model_copy(update={"observed": due})))
    if not s["scored"]:
        return
    out_console.print(f"against what happened: right on {round(s['right'] * s['scored'])} of the {s['scored']} "
                      f"observed outcomes the scenario does not script ({s['scripted']} scripted), Brier skill "
                      f"{s['skill']:+.2f} against persistence; `alliance-sim check` scores them with intervals",
                      highlight=False)


@app.command("run")
def run_command(
    scenario: Annotated[str, typer.Argument(help="scenario file or shipped scenario name")],
    seed: Annotated[int | None, typer.Option(help="seed (default: the scenario's)", min=0)] = None,
    replicates: Annotated[int, typer.Option("--replicates", "-k", help="number of replicates", min=1,
                                                   max=limits.MAX_REPLICATES)] = 1,
    until: Annotated[str | None, typer.Option(help="stop at this date (YYYY-MM-DD)")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value (repeatable)")] = [],  # noqa: B006
    workers: Workers = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: runs/<scenario>-<time>)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table format: parquet, csv, or netcdf (one labelled "
                                                      "file for xarray)")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="replace an existing output folder")] = False,
    report: Annotated[bool, typer.Option(help="write report.html")] = True,
    network_date: Annotated[list[str], typer.Option(
        "--network-date", help="date of an alignment-network figure in the report (repeatable; "
        "default: first, middle, last)")] = [],  # noqa: B006
) -> None:
    """Run a scenario: tables, manifest.json and an offline report.html."""
    if fmt not in RUN_FORMATS:
        raise BadInput(f"--format {fmt}: must be one of {', '.join(RUN_FORMATS)}")
    overrides = _parse_sets(set_)
    until_date = _parse_date(until, "--until")
    loaded = load_scenario(scenario)
    sc = loaded.scenario
    if until_date and not sc.calendar.start < until_date <= sc.calendar.end:
        raise BadInput(f"--until {until_date}: must be after {sc.calendar.start} and not after {sc.calendar.end}")
    network_dates = [_parse_date(d, "--network-date") for d in network_date]
    for day in network_dates:
        if not sc.calendar.start <= day <= (until_date or sc.calendar.end):
            raise BadInput(f"--network-date {day}: outside the run "
                           f"({sc.calendar.start} to {until_date or sc.calendar.end})")
    out = out or Path("runs") / f"{sc.name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _destination(out, overwrite)
    from simulation.runner import run  # imports Mesa: only when a run is asked for

    with _progress(replicates) as bar:
        task = bar.add_task("replicates", total=replicates)
        result = run(loaded, seed=seed, replicates=replicates, until=until_date, params=overrides,
                     progress=lambda done: bar.update(task, completed=done), workers=_workers(workers))
    manifest = result.manifest()
    extras = {}
    if report:
        from viz.report import build_report, run_meta

        extras["report.html"] = lambda path: build_report(result.tables, run_meta(result, manifest), path,
                                                          network_dates=network_dates or None)
    write_run(out, result.tables, manifest, fmt, extras, overwrite)
    _summary(result, out)


@app.command("check")
def check_command(
    scenario: Annotated[str, typer.Argument(help="scenario file or shipped scenario name")],
    replicates: Annotated[int, typer.Option("--replicates", "-k", help="ensemble size", min=1,
                                                   max=limits.MAX_REPLICATES)] = 100,
    seed: Annotated[int | None, typer.Option(help="seed (default: the scenario's)", min=0)] = None,
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value (repeatable)")] = [],  # noqa: B006
    workers: Workers = None,
) -> None:
    """Check the scenario's expectations over an ensemble, and score it against what happened
    (its observed outcomes); exit 3 if an expectation that is a target is not met.
    """
    overrides = _parse_sets(set_)
    loaded = load_scenario(scenario)
    if not loaded.scenario.expectations and not loaded.scenario.observed:
        raise BadInput(f"{display(loaded.path)}: the scenario has no expectations: or observed: to check")
    from simulation.expectations import EXIT_FAILED, check

    runs = 2 if any(e.versus_base for e in loaded.scenario.expectations) else 1
    with _progress(replicates * runs) as bar:
        task = bar.add_task("runs", total=replicates * runs)

        def step(done: int) -> None:  # runs done so far (check and compare shift each run's count)
            bar.update(task, completed=done)

        result = check(loaded, replicates=replicates, seed=seed, params=overrides, progress=step,
                       workers=_workers(workers))
    title = (f"{loaded.scenario.title}: {replicates} replicates, seed {result.seed}"
             + (" (base with the same seeds)" if runs == 2 else ""))
    if len(result.table):
        out_console.print(_expectations_table(result.table, title))
    if result.hindcast is not None:
        out_console.print(_hindcast_table(result.hindcast, result.hindcast_summary))
    targets = result.table[result.table["target"].astype(bool)]
    failed = int((~targets["passed"]).sum())
    if failed:
        out_console.print(f"[red]{failed} of {len(targets)} expectations not met[/red]")
        raise typer.Exit(EXIT_FAILED)
    n = len(targets)
    out_console.print(f"[green]all {n} expectation{'s' * (n != 1)} met[/green]")


REALITY = {"came_true": "[green]came true[/green]", "partly": "[yellow]partly[/yellow]",
           "did_not": "[red]did not[/red]", "": ""}


def _expectations_table(frame, title: str) -> Table:
    """The expectations; for the article's predictions, what reality made of them (the three-way view)."""
    table = Table(title=title, title_justify="left", show_edge=False)
    for col, justify in (("", "left"), ("expectation", "left"), ("subject", "left"), ("test", "left"),
                         ("share", "right"), ("needed", "right"), ("reality", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for row in frame.itertuples():
        mark = "[green]✓[/green]" if row.passed else "[red]✗[/red]"
        if not row.target:
            mark = "[dim]–[/dim]"
        table.add_row(mark, escape(row.claim), escape(row.subject), escape(row.test), f"{row.share:.0%}",
                      f"{row.required:.0%}" if row.target else "[dim]not a target[/dim]", REALITY[row.reality])
    return table


def _hindcast_table(frame, summary: dict | None) -> Table:
    """The hindcast: each observed outcome, the model's probability of it, right or wrong."""
    caption = ""
    if summary and summary["scored"]:
        s = summary
        caption = (f"{s['scored']} outcomes scored ({s['scripted']} scripted by events, left out): "
                   f"right {s['right']:.0%} [{s['right_interval'][0]:.0%}, {s['right_interval'][1]:.0%}]; "
                   f"Brier {s['brier']:.3f} [{s['brier_interval'][0]:.3f}, {s['brier_interval'][1]:.3f}] "
                   f"against {s['brier_reference']:.3f} for the reference; skill {s['skill']:+.2f} "
                   f"[{s['skill_interval'][0]:+.2f}, {s['skill_interval'][1]:+.2f}]")
    table = Table(title="Against what happened (observed outcomes)", title_justify="left", show_edge=False,
                  caption=caption, caption_justify="left")
    for col, justify in (("", "left"), ("what happened", "left"), ("subject", "left"), ("model P", "right"),
                         ("ref. P", "right"), ("Brier", "right")):
        table.add_column(col, justify=justify, overflow="fold")
    for row in frame.itertuples():
        mark = "[green]✓[/green]" if row.right else "[red]✗[/red]"
        what = escape(row.what if row.happened else f"not: {row.what}")
        if row.scripted_by:
            mark, what = "[dim]·[/dim]", what + f" [dim](scripted by {escape(row.scripted_by)})[/dim]"
        table.add_row(mark, what, escape(row.subject), f"{row.model:.0%}", f"{row.reference:.0%}", f"{row.brier:.2f}")
    return table


@app.command("compare")
def compare_command(
    base: Annotated[str, typer.Argument(help="base scenario file or shipped name")],
    variants: Annotated[list[str], typer.Argument(help="one or more variant scenarios")],
    replicates: Annotated[int, typer.Option("--replicates", "-k", help="ensemble size per scenario", min=1,
                                                   max=limits.MAX_REPLICATES)] = 100,
    seed: Annotated[int | None, typer.Option(help="seed shared by all scenarios (default: the base's)", min=0)] = None,
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value (repeatable)")] = [],  # noqa: B006
    at: Annotated[list[str], typer.Option("--at", help="date of the effects table (repeatable; "
                                          "default: a third, two thirds and the end)")] = [],  # noqa: B006
    workers: Workers = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: runs/compare-<base>-<time>)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table format: parquet or csv")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="replace an existing output folder")] = False,
    report: Annotated[bool, typer.Option(help="write report.html")] = True,
) -> None:
    """Compare a base scenario with counterfactual variants (same seeds): bands, effects, report."""
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt}: must be one of {', '.join(FORMATS)}")
    overrides = _parse_sets(set_)
    at_dates = [_parse_date(d, "--at") for d in at]
    loaded_base = load_scenario(base)
    loaded = [load_scenario(v) for v in variants]
    out = out or Path("runs") / f"compare-{loaded_base.scenario.name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _destination(out, overwrite)
    from simulation.compare import compare

    total = replicates * (1 + len(loaded))
    with _progress(total) as bar:
        task = bar.add_task("runs", total=total)

        def step(done: int) -> None:  # runs done so far (check and compare shift each run's count)
            bar.update(task, completed=done)

        result = compare(loaded_base, loaded, replicates=replicates, seed=seed, params=overrides,
                         at=at_dates or None, progress=step, workers=_workers(workers))
    manifest = result.manifest()
    extras = {}
    if report:
        from viz.compare_report import build_compare_report, compare_hindcast

        names = [loaded_base.scenario.name] + [v.scenario.name for v in loaded]
        meta = {"title": f"{loaded_base.scenario.title}: counterfactuals", "base": names[0], "variants": names[1:],
                "titles": {sc.scenario.name: sc.scenario.title for sc in [loaded_base, *loaded]},
                "states": result.base.names, "manifest": manifest}
        extras["report.html"] = lambda path: build_compare_report(result.bands, result.effects, result.events,
                                                                  meta, path, hindcast=compare_hindcast(result))
    write_run(out, {"bands": result.bands, "effects": result.effects}, manifest, fmt, extras, overwrite)
    _compare_summary(result, out)


def _compare_summary(result, out: Path) -> None:
    last = result.effects["date"].max()
    for name, group in result.effects[result.effects["date"] == last].groupby("variant", sort=False):
        top = group.assign(size=group["relative_effect"].abs().fillna(0)).nlargest(5, "size")
        table = Table(title=f"{name} − base at {last.date()} (median, 5–95% of paired differences)",
                      title_justify="left", show_edge=False)
        for col in ("metric", "subject", "base", "variant", "effect"):
            table.add_column(col, justify="left" if col in ("metric", "subject") else "right")
        for r in top.itertuples():
            table.add_row(r.metric, r.subject, f"{r.base_median:.3g}", f"{r.variant_median:.3g}",
                          f"{r.effect_median:+.3g} [{r.effect_lo:+.3g}, {r.effect_hi:+.3g}]")
        out_console.print(table)
    out_console.print(f"{result.base.replicates} replicates per scenario, seed {result.base.seed}, "
                      f"common random numbers → [bold]{display(out)}[/bold]")


@app.command()
def validate(scenario: Annotated[str, typer.Argument(help="scenario file or shipped scenario name")]) -> None:
    """Check a scenario file (and the files it extends) without running it."""
    loaded = load_scenario(scenario)
    sc = loaded.scenario
    states = f"{len(members_of(sc))} states (system: all)" if sc.system else f"{len(sc.states)} states"
    out_console.print(f"[green]ok[/green] {display(loaded.path)}: {sc.name} — {states}, "
                      f"{len(sc.events)} events, {sc.calendar.start} to {sc.calendar.end} by {sc.calendar.step}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from simulation.scenario.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command("params")
def params_command() -> None:
    """List the model parameters: default, bounds, unit, mechanism."""
    for p in P.PARAMETERS.values():
        out_console.print(f"[bold]{p.name}[/bold] = {p.default:g}  [{p.low:g}, {p.high:g}] {p.unit}  "
                          f"({p.mechanism})", highlight=False)
        out_console.print(f"    {p.description}", highlight=False)


@app.command("sweep")
def sweep_command(
    spec: Annotated[Path, typer.Argument(help="sweep spec (YAML)")],
    out: Annotated[Path, typer.Option(help="sweep folder (results stream here)")],
    workers: Annotated[int, typer.Option(help="local worker processes", min=1)] = 1,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786")] = None,
    resume: Annotated[bool, typer.Option(help="continue a sweep folder: run only what is missing")] = False,
) -> None:
    """Run a designed experiment (grid, lhs, sobol, morris) with replicates; resumable."""
    from simulation.sweep import model_context
    from simulation.sweep.execute import check_folder, close, connect

    spec_obj, context, extra = model_context(spec)
    check_folder(out, spec_obj, resume)  # refuse a used folder before anything starts
    client = connect(scheduler) if scheduler else None
    try:
        summary = _sweep_with_progress(spec_obj, out, context, extra, workers, client, resume)
    finally:
        if client is not None:
            close(client)
    out_console.print(f"{summary.ran} runs in {summary.seconds:.1f} s ({summary.failed} failed); "
                      f"{summary.done_before + summary.ran} of {summary.total} stored in [bold]{display(out)}[/bold]"
                      + (" (resumed)" if summary.done_before else ""))


def _sweep_with_progress(spec_obj, out: Path, context, extra: dict, workers: int, client, resume: bool):
    from simulation.sweep.design import expected_runs
    from simulation.sweep.evaluate import batch_size, batching, evaluate_model
    from simulation.sweep.execute import run_sweep

    total = expected_runs(spec_obj)
    bar = Progress(TextColumn("[bold]runs"), BarColumn(), MofNCompleteColumn(), TextColumn("•"),
                   TextColumn("{task.fields[rate]:.1f}/s"), TimeElapsedColumn(), TextColumn("eta"),
                   TimeRemainingColumn(), console=err_console)
    with bar:
        task = bar.add_task("sweep", total=total, rate=0.0)
        started, before = dt.datetime.now(), []

        def progress(done: int, _total: int) -> None:  # first called with the runs stored before
            before.append(done) if not before else None
            elapsed = max((dt.datetime.now() - started).total_seconds(), 1e-9)
            bar.update(task, completed=done, rate=(done - before[0]) / elapsed)

        return run_sweep(spec_obj, out, evaluate_model, context, workers=workers, scheduler=client,
                         resume=resume, progress=progress, manifest_extra=extra, batch=batch_size(context),
                         together=batching(context.scenario))


@app.command("analyze")
def analyze_command(folder: Annotated[Path, typer.Argument(help="sweep folder")]) -> None:
    """Sensitivity indices (Sobol or Morris) of a finished or partial sweep: indices.csv, analysis.html."""
    from simulation.sweep.analyze import analyze, wide
    from simulation.sweep.execute import read_manifest, write_files
    from viz.sweep_report import build_sweep_report

    _Now.kept = (f"{display(folder)} is unchanged (its analysis files are written only when complete); "
                 "run the command again")
    result = analyze(folder)
    manifest = read_manifest(folder)
    files = {"indices.csv": lambda p: result.indices.to_csv(p, index=False)}
    if result.response is not None:
        files["response.csv"] = lambda p: result.response.to_csv(p, index=False)
    files["analysis.html"] = lambda p: build_sweep_report(result, p, manifest)
    write_files(folder, files)
    out_console.print(result.note)
    if result.response is not None:
        _print_response(result.response)
    table = wide(result.indices)
    if len(table):
        names = [c for c in table.columns if c not in ("output", "factor") and not c.endswith("_conf")]
        view = Table(show_edge=False)
        for col in ("output", "factor", *names):
            view.add_column(col, justify="left" if col in ("output", "factor") else "right")
        for _, r in table.iterrows():
            view.add_row(r["output"], r["factor"], *(f"{r[n]:.3f}" + ("" if r[f"{n}_conf"] != r[f"{n}_conf"]
                                                                      else f" ± {r[f'{n}_conf']:.3f}") for n in names))
        out_console.print(view)
    out_console.print("→ " + ", ".join(display(folder / name) for name in files))


def _print_response(curves) -> None:
    """Dose–response in the terminal: per factor, a row per output, the median at each level."""
    for factor, rows in curves.groupby("factor", sort=False):
        levels = list(dict.fromkeys(rows["level"]))
        view = Table(title=f"median by {factor}", show_edge=False)
        view.add_column("output", justify="left")
        for level in levels:
            view.add_column(f"{level:g}" if isinstance(level, (int, float)) else str(level), justify="right")
        for out, sub in rows.groupby("output", sort=False):
            view.add_row(out, *(f"{v:.3f}" for v in sub.set_index("level").loc[levels, "median"]))
        out_console.print(view)


def _parse_years(value: str, flag: str) -> list[int]:
    """'1991:2000' (inclusive) or '1995,2001' -> the years."""
    try:
        if ":" in value:
            first, last = (int(x) for x in value.split(":"))
            years = list(range(first, last + 1))
        else:
            years = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise BadInput(f"{flag} {value}: expected FIRST:LAST or a comma list of whole numbers") from None
    if not years:
        raise BadInput(f"{flag} {value}: no year in it")
    return years


@app.command("discover")
def discover_command(
    folder: Annotated[Path, typer.Argument(help="sweep folder (finished or partial)")],
    where: Annotated[str, typer.Option(help="the condition: OUTPUT OP NUMBER, terms joined by 'and' "
                                             "(e.g. \"rok_ukr_gain > 0\")")],
    coverage: Annotated[float, typer.Option(help="report the densest box with at least this coverage")] = 0.8,
) -> None:
    """Scenario discovery: PRIM (EMA Workbench's) finds the region of the sweep's factors where a
    condition on its outputs holds; writes discover_boxes.csv, discover_trajectory.csv, discover.html.
    """
    from simulation.sweep.discover import discover
    from simulation.sweep.execute import read_manifest, write_files
    from viz.discover_report import build_discover_report

    _Now.kept = f"{display(folder)} is unchanged (the discovery files are written only when complete)"
    result = discover(folder, where, min_coverage=coverage)
    manifest = read_manifest(folder)
    files = {"discover_boxes.csv": lambda p: result.boxes.to_csv(p, index=False),
             "discover_trajectory.csv": lambda p: result.trajectory.to_csv(p, index=False),
             "discover.html": lambda p: build_discover_report(result, p, manifest)}
    write_files(folder, files)
    out_console.print(result.note, highlight=False)
    view = Table(show_edge=False)
    for col in ("factor", "restricted", "low", "high"):
        view.add_column(col, justify="left" if col in ("factor", "restricted") else "right")
    for _, r in result.box().iterrows():
        low, high = (f"{v:.4g}" if isinstance(v, float) else str(v) for v in (r["low"], r["high"]))
        view.add_row(r["factor"], "yes" if r["restricted"] else "", low, high)
    out_console.print(view)
    out_console.print("→ " + ", ".join(display(folder / name) for name in files))


@app.command("backtest")
def backtest_command(
    origins: Annotated[str, typer.Option(help="origin years: FIRST:LAST or a comma list (each scored at the horizons "
                                         "it can be: origin + horizon <= 2023)")] = "1991:2022",
    horizons: Annotated[str, typer.Option(help="horizons in years, a comma list")] = "1,3,5",
    replicates: Annotated[int, typer.Option("--replicates", "-k", help="replicates per origin", min=1,
                                            max=limits.MAX_REPLICATES)] = 4,
    seed: Annotated[int, typer.Option(help="seed (replicate r of every origin: child r)", min=0)] = 20241023,
    set_: Annotated[list[str], typer.Option("--set", help="parameter override name=value (repeatable)")] = [],  # noqa: B006
    workers: Workers = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: runs/backtest-<time>)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table format: parquet or csv")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="replace an existing output folder")] = False,
    report: Annotated[bool, typer.Option(help="write report.html")] = True,
) -> None:
    """Run the model from the real world of each origin year with no scripted events and score its
    forecasts of every dyad's affinity against the UN votes that followed (docs/backtest.md).
    """
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt}: must be one of {', '.join(FORMATS)}")
    years, spans = _parse_years(origins, "--origins"), _parse_years(horizons, "--horizons")
    overrides = _parse_sets(set_)
    from simulation.backtest import observation
    from simulation.backtest import runner as B
    from simulation.params import resolve

    problems = B.check_design(years, spans)
    if problems:
        raise BadInput(problems[0])
    try:
        resolve(overrides)
    except (KeyError, ValueError) as exc:
        raise BadInput(f"--set: {exc}") from None
    out = out or Path("runs") / f"backtest-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _destination(out, overwrite)
    with _progress(len(years)) as bar:
        task = bar.add_task("origins", total=len(years))
        dyads = B.backtest(years, spans, replicates, seed, overrides, _workers(workers),
                           progress=lambda n: bar.advance(task, n))
    skill = B.skill_table(dyads, seed)
    maps = observation.fit(dyads)
    held_out = B.held_out_table(dyads, maps, seed) if not maps.empty else maps
    manifest = B.manifest(years, spans, replicates, seed, overrides)
    extras = {}
    if report:
        from viz.backtest_report import build_backtest_report

        extras["report.html"] = lambda path: build_backtest_report(dyads, skill, manifest, path, maps, held_out)
    tables = {"dyads": dyads, "skill": skill, "pit": B.pit_table(dyads), "observation": maps, "held_out": held_out}
    write_run(out, tables, manifest, fmt, extras, overwrite)
    table = Table(title="Skill (0 = as good as the reference; vs persistence with its 95 % moving-block bootstrap "
                        "interval over origins); ensemble coverage of its 50 and 90 % intervals",
                  title_justify="left", show_edge=False, caption=_seven_caption(), caption_justify="left")
    for col in ("h", "dyads", "n", "vs persistence", "vs best", "change vs best", "CRPS skill", "cover 50/90",
                "AUC"):
        table.add_column(col, justify="left" if col in ("dyads",) else "right")
    for r in skill.itertuples():
        table.add_row(str(r.horizon), r.dyads, f"{r.n:,}", f"{r.model_vs_persistence:+.3f} "
                      f"[{r.model_vs_persistence_lo:+.3f}, {r.model_vs_persistence_hi:+.3f}]",
                      f"{r.model_vs_best:+.3f} ({r.best_baseline})", f"{r.change_only_vs_best:+.3f}",
                      f"{r.crps_skill:+.3f}", f"{r.coverage50:.2f}/{r.coverage90:.2f}", f"{r.direction_auc:.3f}")
    out_console.print(table)
    if not held_out.empty:
        table = Table(title=f"Through the observation model fitted on origin + h <= {B.FIT_LAST}, origins "
                            f"{B.HELD_OUT_FIRST} on (held out)", title_justify="left", show_edge=False,
                      caption=_seven_caption(), caption_justify="left")
        for col in ("h", "dyads", "n", "vs persistence", "vs best", "DM p", "CRPS skill", "cover 50/90"):
            table.add_column(col, justify="left" if col in ("dyads",) else "right")
        for r in held_out.itertuples():
            table.add_row(str(r.horizon), r.dyads, f"{r.n:,}",
                          f"{r.mapped_vs_persistence:+.3f} [{r.mapped_vs_persistence_lo:+.3f}, "
                          f"{r.mapped_vs_persistence_hi:+.3f}]", f"{r.mapped_vs_best:+.3f} ({r.best_baseline})",
                          f"{r.mapped_dm_p:.2g}", f"{r.crps_skill:+.3f}", f"{r.coverage50:.2f}/{r.coverage90:.2f}")
        out_console.print(table)
    out_console.print(f"{len(years)} origin(s), {replicates} replicate(s) each, seed {seed} "
                      f"→ [bold]{display(out)}[/bold]")


def _seven_caption() -> str:
    """What the backtest tables' 'the seven' are."""
    from simulation.backtest.runner import SEVEN

    return f"dyads: 'all dyads' of the system, or 'the seven': the dyads among {', '.join(SEVEN)}"


@app.command("backtest-ties")
def backtest_ties_command(
    balance_rate: Annotated[float | None, typer.Option(help="speed of the balance dynamics (default: the model's)",
                                                       min=0.0, max=5.0)] = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: runs/backtest-ties-<time>)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table format: parquet or csv")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="replace an existing output folder")] = False,
) -> None:
    """Signed ties 1946–1999 (COW alliances and disputes): predict each 4-year window from the
    previous one with the model's balance dynamics, against persistence and the triad heuristic.
    """
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt}: must be one of {', '.join(FORMATS)}")
    out = out or Path("runs") / f"backtest-ties-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _destination(out, overwrite)
    from simulation.backtest import ties as T

    dyads = T.backtest_ties(balance_rate)
    aucs = T.auc_table(dyads)
    manifest = T.manifest(balance_rate)
    write_run(out, {"ties": dyads, "auc": aucs}, manifest, fmt, None, overwrite)
    view = Table(title="AUC of a positive tie, 47 windows pooled (0.5 = chance)", title_justify="left",
                 show_edge=False)
    for col in ("dyads", "n", "balance", "persistence", "triads"):
        view.add_column(col, justify="left" if col == "dyads" else "right")
    for r in aucs[aucs["window"] == "all"].itertuples():
        view.add_row(r.dyads, f"{r.n:,}", f"{r.balance:.3f}", f"{r.persistence:.3f}", f"{r.triads:.3f}")
    out_console.print(view)
    out_console.print(f"→ [bold]{display(out)}[/bold]")


@app.command("calibrate")
def calibrate_command(
    fit: Annotated[str, typer.Option(help="parameters to fit, a comma list")] = ",".join(
        ("lean_rate", "balance_rate", "homophily_strength", "threat_sensitivity")),
    origins: Annotated[str, typer.Option(help="origin years: FIRST:LAST or a comma list (split at 2009/2010)")]
    = "1991:2022",
    every: Annotated[int, typer.Option(help="fit on every N-th training origin (the held-out ones are all scored)",
                                       min=1, max=30)] = 3,
    horizons: Annotated[str, typer.Option(help="horizons in years, a comma list")] = "1,3",
    replicates: Annotated[int, typer.Option("--replicates", "-k", help="replicates per origin", min=1,
                                            max=limits.MAX_REPLICATES)] = 2,
    seed: Annotated[int, typer.Option(help="seed (every evaluation runs the same seeds)", min=0)] = 20241023,
    max_evaluations: Annotated[int, typer.Option(help="cap on the optimiser's evaluations", min=1, max=10_000)] = 40,
    objective: Annotated[str, typer.Option(help="what the fit minimises: mse (the ensemble mean) or crps (the "
                                           "ensemble, spread included: for noise parameters)")] = "mse",
    set_: Annotated[list[str], typer.Option("--set", help="the point the fit starts from, name=value (repeatable)")]
    = [],  # noqa: B006
    workers: Workers = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: runs/calibrate-<time>)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table format: parquet or csv")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="replace an existing output folder")] = False,
) -> None:
    """Fit parameters on origins <= 2009 (no observation after 2009 enters the fit), then score the
    default and the fitted values side by side on the held-out origins >= 2010 (docs/backtest.md).
    """
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt}: must be one of {', '.join(FORMATS)}")
    names = [n.strip() for n in fit.split(",") if n.strip()]
    years, spans = _parse_years(origins, "--origins"), _parse_years(horizons, "--horizons")
    from simulation.backtest import calibrate as C
    from simulation.backtest import runner as B

    base = _parse_sets(set_)
    problems = C.check_names(names) + B.check_design(years, spans)
    if objective not in C.OBJECTIVES:
        problems.insert(0, f"--objective {objective}: must be one of {', '.join(C.OBJECTIVES)}")
    train, test = C.split(years)
    if not train or not test:
        problems.append(f"--origins {origins}: needs origins on both sides of {C.TRAIN_LAST}/{C.TEST_FIRST}")
    if problems:
        raise BadInput(problems[0])
    out = out or Path("runs") / f"calibrate-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _destination(out, overwrite)
    with _progress(max_evaluations) as bar:
        task = bar.add_task("evaluations", total=max_evaluations)
        try:
            result = C.calibrate(names, train[::every], spans, replicates, seed, _workers(workers), max_evaluations,
                                 base, progress=lambda n: bar.advance(task, n), objective=objective)
        except ValueError as exc:
            raise BadInput(f"--origins {origins}: {exc}") from None
    heldout = C.held_out(result, test, spans, replicates, seed, _workers(workers))
    manifest = C.manifest(result, train[::every], test, spans, replicates, seed, max_evaluations)
    write_run(out, {"fit": result.table(), "history": result.history_table(), "heldout": heldout},
              manifest, fmt, None, overwrite)
    fit_view = Table(title=f"fitted on {len(train[::every])} origins <= {C.TRAIN_LAST} "
                     f"({len(result.history)} evaluations)", title_justify="left", show_edge=False)
    for col in ("parameter", "default", "fitted", "range"):
        fit_view.add_column(col, justify="left" if col == "parameter" else "right")
    for r in result.table().itertuples():
        fit_view.add_row(r.parameter, f"{r.default:.4g}", f"{r.fitted:.4g}", f"[{r.low:g}, {r.high:g}]")
    out_console.print(fit_view)
    ev = result.evidence()
    verdict = ("distinguishable from" if abs(ev["difference"]) > 2 * ev["se"] else "within two standard errors of")
    out_console.print(f"{'converged' if result.converged else 'stopped at the cap, not converged'}; training "
                      f"{objective} {ev['start']:.5g} → {ev['fitted']:.5g}; paired by origin {ev['difference']:+.3g} "
                      f"± {ev['se']:.2g} (SE, {ev['origins']} origins): {verdict} the start")
    held_view = Table(title=f"held-out skill vs persistence, origins {test[0]}–{test[-1]} (95 % moving-block "
                      "bootstrap); CRPS skill vs the persistence ensemble", title_justify="left", show_edge=False)
    for col in ("h", "dyads", "default", "fitted", "CRPS default", "CRPS fitted"):
        held_view.add_column(col, justify="left" if col == "dyads" else "right")
    for (h, subset), group in heldout.groupby(["horizon", "dyads"], sort=False):
        cells = {r.parameters: f"{r.model_vs_persistence:+.3f} " + (
                 "(one origin: no interval)" if r.model_vs_persistence_lo != r.model_vs_persistence_lo else
                 f"[{r.model_vs_persistence_lo:+.3f}, {r.model_vs_persistence_hi:+.3f}]") for r in group.itertuples()}
        crps = {r.parameters: f"{r.crps_skill:+.3f}" for r in group.itertuples()}
        held_view.add_row(str(h), subset, cells.get("default", ""), cells.get("fitted", ""), crps.get("default", ""),
                          crps.get("fitted", ""))
    out_console.print(held_view)
    out_console.print(f"→ [bold]{display(out)}[/bold]")


@app.command("dashboard")
def dashboard_command(
    scenario: Annotated[str, typer.Argument(help="scenario to open (file or shipped name)")] = "korea_russia_2024",
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8765,
) -> None:
    """Start the dashboard (Solara, bundled front-end: works offline) at http://HOST:PORT."""
    loaded = load_scenario(scenario)  # bad input stops here, before a server starts
    from viz.plotly_view import plotly_js_folder

    env = os.environ | {"ALLIANCE_SIM_SCENARIO": str(loaded.path.resolve()) if Path(scenario).is_file() else scenario,
                        "SOLARA_ASSETS_PROXY": "True",  # Solara's front-end from its bundled assets, never a CDN
                        # plotly.js once per page, from the plotly package, at /static/assets/plotly.min.js;
                        # the world map's outlines at /static/assets/world_110m.json (viz/geo)
                        "SOLARA_ASSETS_EXTRA_LOCATIONS": f"{plotly_js_folder()},viz.geo"}
    out_console.print(f"alliance-sim dashboard: http://{host}:{port}  (Ctrl-C stops it)")
    command = [sys.executable, "-m", "solara", "run", "viz.dashboard", "--host", host, "--port", str(port),
               "--production", "--no-open", "--no-check-version", "--log-level", "warning"]
    os.execve(sys.executable, command, env)


@app.command("template")
def template_command(path: Annotated[Path, typer.Argument(help="where to write the new scenario file")]) -> None:
    """Write a commented starting point for a scenario of your own."""
    if path.exists() or path.is_symlink():
        raise BadInput(f"{path}: already exists (choose another name; nothing was written)")
    if not path.parent.is_dir():
        raise BadInput(f"{path}: the folder {path.parent} does not exist (nothing was written)")
    from simulation.scenario import shipped_root

    text = (shipped_root() / "template.yaml").read_text(encoding="utf-8")
    try:
        with open(path, "x", encoding="utf-8") as handle:  # never over a file that appeared meanwhile
            handle.write(text)
    except OSError as exc:
        raise BadInput(f"{path}: cannot be written ({exc.strerror}; nothing was written)") from None
    out_console.print(f"wrote {path}: edit it, then `alliance-sim validate {path}`")


@app.command("world")
def world_command(
    year: Annotated[int, typer.Argument(help="a year from 1990 to 2024 (the world of 1 June)")],
    on: Annotated[str | None, typer.Option(help="a day of that year instead of 1 June (YYYY-MM-DD)")] = None,
    out: Annotated[Path | None, typer.Option(help="write the states (and, beside it, the relations) as CSV")] = None,
) -> None:
    """The international system of a year: every state, what was imputed, the treaties and wars in force."""
    from simulation import system

    day = _parse_date(on, "--on") or dt.date(year, 6, 1)
    if day.year != year:
        raise BadInput(f"--on {on}: must be a day of {year}")
    try:
        world = system.system(day)
    except ValueError as exc:
        raise BadInput(f"{year}: {exc}") from None
    imputed = world.imputed()
    out_console.print(f"[bold]{day}[/bold]: {len(world.records)} states; capabilities COW NMC {world.nmc_year}, "
                      f"UNGA ideal points {day.year}; {sum(map(len, imputed.values()))} values imputed in "
                      f"{len(imputed)} states")
    out_console.print(f"  states: {' '.join(r.id for r in world.records)}", highlight=False)
    if imputed:
        out_console.print("  imputed (rules: scenarios/data/README.md): " + "; ".join(
            f"{sid} {', '.join(fields)}" for sid, fields in imputed.items()), highlight=False)
    for t in world.treaties:
        out_console.print(f"  treaty {t.name}: {', '.join(t.parties)}", highlight=False)
    sides: dict[str, tuple[dict, dict]] = {}
    for w in world.wars:  # pairs across the two sides of each war
        a, b = sides.setdefault(w.name, ({}, {}))
        a[w.parties[0]], b[w.parties[1]] = None, None
    for name, (a, b) in sides.items():
        out_console.print(f"  war {name}: {', '.join(a)} against {', '.join(b)}", highlight=False)
    if out is not None:
        relations = out.with_name(out.stem + "_relations.csv")
        for path in (out, relations):
            if path.exists():
                raise BadInput(f"{path}: already exists (choose another name; nothing was written)")
        if not out.parent.is_dir():
            raise BadInput(f"{out}: the folder {out.parent} does not exist (nothing was written)")
        world.table().to_csv(out, index=False)
        world.relations().to_csv(relations, index=False)
        out_console.print(f"wrote {out} and {relations}")


@app.command("scenarios")
def scenarios_command() -> None:
    """List the shipped scenarios."""
    for name in shipped_names():
        try:
            sc = load_scenario(name).scenario
            out_console.print(f"{name:24} {sc.title}")
        except ScenarioError:
            out_console.print(f"{name:24} [red](invalid)[/red]")


@app.command("blocs")
def blocs_command(
    edges: Annotated[Path, typer.Argument(help="signed edge list: CSV with columns source,target,sign[,weight]")],
    k: Annotated[int | None, typer.Option("--k", help="number of blocs (at most); default: the smallest k "
                                          "reaching the lowest frustration over k = 1 … --max-k", min=1)] = None,
    max_k: Annotated[int, typer.Option("--max-k", help="largest k tried when --k is not given", min=1)] = 6,
    out: Annotated[Path | None, typer.Option(help="write the partition as a node,bloc CSV")] = None,
    overwrite: Annotated[bool, typer.Option(help="replace an existing --out file")] = False,
    seed: Annotated[int, typer.Option(help="seed of the heuristic's random starts", min=0)] = 0,
    restarts: Annotated[int, typer.Option(help="random starts of the heuristic", min=1, max=100_000)] = 50,
    seconds: Annotated[float, typer.Option(help="time budget of the search: beyond it the best partition "
                                           "found is reported, marked not proven", min=1, max=86_400)] = 60,
) -> None:
    """Partition a signed network into blocs that minimise frustration (Davis; Doreian & Mrvar)."""
    import numpy as np

    from simulation.search import blocs
    from simulation.signed import EdgeListError, check_output, read_edge_list, write_partition

    try:
        if out is not None:
            check_output(out, overwrite)
        net = read_edge_list(edges)
    except EdgeListError as exc:
        raise BadInput(str(exc)) from None
    rng = np.random.default_rng(seed)
    kind = "weighted " if net.weighted else ""
    out_console.print(f"{display(edges)}: {len(net.nodes)} nodes, {net.ties} {kind}ties "
                      f"({net.positive} positive, {net.negative} negative)", highlight=False)
    import time

    deadline = time.monotonic() + seconds
    k_max = min(max_k, len(net.nodes)) if k is None else min(k, len(net.nodes))
    exact = all(j ** max(len(net.nodes) - 1, 0) <= blocs.EXACT_LIMIT for j in range(1, k_max + 1))
    with Progress(TextColumn("[bold]blocs search"), BarColumn(), MofNCompleteColumn(), TextColumn("starts •"),
                  TimeElapsedColumn(), console=err_console, transient=True, disable=exact) as bar:
        task = bar.add_task("search", total=(restarts + 1) * (k_max if k is None else 1))
        step = lambda: bar.advance(task)  # noqa: E731
        if k is None:
            solutions = blocs.blocs_by_k(net.weights, k_max, rng, restarts, deadline=deadline, progress=step)
        else:
            chosen = blocs.solve(net.weights, k, rng, restarts, deadline=deadline, progress=step)
    if k is None:
        chosen = blocs.choose_k(solutions)
        table = Table(show_edge=False, title_justify="left")
        for col, justify in (("k", "right"), ("frustration", "right"), ("search", "left")):
            table.add_column(col, justify=justify)
        for sol in solutions:
            table.add_row(str(sol.k), f"{sol.frustration:g}", ("exact, " if sol.exact else "not proven optimal, ")
                          + sol.method)
        out_console.print(table)
        out_console.print(f"k = {chosen.k}: the smallest k reaching the lowest frustration found for "
                          f"k = 1 … {solutions[-1].k}", highlight=False)
    labels = chosen.labels
    used = int(labels.max()) + 1
    for b in range(used):
        members = [net.nodes[i] for i in np.flatnonzero(labels == b)]
        out_console.print(f"bloc {b + 1} ({len(members)}): {', '.join(members)}", highlight=False, soft_wrap=True)
    between, within = net.frustrated(labels)
    names = lambda pairs: ", ".join(f"{a}–{b}" for a, b in pairs)  # noqa: E731
    status = "optimal" if chosen.exact else "best found, not proven optimal"
    out_console.print(f"frustration {chosen.frustration:g} ({status}, {chosen.method}; at most {chosen.k} blocs, "
                      f"{used} used): {len(between)} positive ties between blocs"
                      + (f" ({names(between)})" if 0 < len(between) <= 10 else "")
                      + f", {len(within)} negative ties within blocs"
                      + (f" ({names(within)})" if 0 < len(within) <= 10 else ""), highlight=False, soft_wrap=True)
    if out is not None:
        try:
            write_partition(out, net.nodes, labels, overwrite)
        except EdgeListError as exc:
            raise BadInput(str(exc)) from None
        out_console.print(f"wrote {display(out)} (node,bloc; blocs numbered from 1)", highlight=False)


def _run_app() -> None:
    """The app, with click's usage errors (a bad flag or value) as one line each, exit 2."""
    from typer._click import exceptions as click_exc  # typer vendors click

    try:
        code = app(standalone_mode=False)
    except click_exc.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click_exc.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        err_console.print(f"[red]error:[/red] {escape(exc.format_message())}{escape(hint)}", highlight=False,
                          soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        raise KeyboardInterrupt from None
    if isinstance(code, int) and code:
        sys.exit(code)


def main() -> None:
    """Entry point: run the app and turn expected failures into exit code 2, bugs into 1, signals
    into 130 (SIGINT) or 143 (SIGTERM) with what was kept.
    """
    interrupt.install()
    tuning.for_this_process()
    _Now.reset()
    try:
        _run_app()
    except (ScenarioError, OutputError, BadInput, SweepError) as exc:
        for line in str(exc).splitlines():
            err_console.print(f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except SweepInterrupted as exc:
        err_console.print(f"[yellow]{escape(str(exc))}[/yellow]", highlight=False, soft_wrap=True)
        sys.exit(exc.code)
    except (interrupt.Interrupted, KeyboardInterrupt) as exc:
        written = getattr(exc, "written", None)  # the signal came as the result was put in place
        kept = f"the result is complete in {display(written)}" if written else _Now.kept
        what = str(exc) if isinstance(exc, interrupt.Interrupted) else "interrupted"
        err_console.print(f"[yellow]{what}{_Now.progress()}: {escape(kept)}[/yellow]", highlight=False,
                          soft_wrap=True)
        sys.exit(interrupt.exit_code(exc))
    except OSError as exc:  # the machine said no: a full disk, a file size limit, permissions
        where = f"{exc.filename}: " if exc.filename else ""
        err_console.print(f"[red]error:[/red] {escape(where)}{escape(exc.strerror or str(exc))} "
                          "(what was complete before is kept)", highlight=False, soft_wrap=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("ALLIANCE_SIM_DEBUG"):
            raise
        err_console.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))} "
                          "(a bug: please report it; ALLIANCE_SIM_DEBUG=1 shows the traceback)", soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
