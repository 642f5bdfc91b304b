"""`dms eval`: run scenario suites (spec/scenarios.md) against the assistant."""

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from .cli_errors import OneLineErrors, fail

eval_app = typer.Typer(help="Evaluate the assistant on scenario suites.", no_args_is_help=True, cls=OneLineErrors)
console = Console()
err = Console(stderr=True)


@eval_app.callback()
def _group() -> None:
    """Evaluate the assistant on scenario suites (spec/scenarios.md)."""


@eval_app.command("run")
def run_cmd(
    paths: list[Path] = typer.Argument(..., help="Scenario files or folders (searched for *.yaml, *.yml)"),
    model: str = typer.Option(None, "--model", "-m", help="offline or openai:<model> (default: DMS_MODEL or offline)"),
    k: int = typer.Option(1, "--k", min=1, help="Trials per scenario (pass^k = passing all k)"),
    json_out: Path = typer.Option(None, "--json", help="Write the results as JSON to this file"),
    min_pass: float = typer.Option(
        0.0,
        "--min-pass",
        min=0.0,
        max=100.0,
        help="Exit 1 when the pass rate is below this (0..1, or a percentage above 1)",
    ),
    report_dir: Path = typer.Option(
        None, "--report", help="Write report.json, report.md and report.html into this folder"
    ),
    record: Path = typer.Option(None, "--record", help="Store every model request/response of the run here"),
    replay: Path = typer.Option(
        None, "--replay", help="Answer from a recording made with --record (no network, no key)"
    ),
    price_in: float = typer.Option(None, "--price-in", min=0.0, help="USD per 1,000 input tokens"),
    price_out: float = typer.Option(None, "--price-out", min=0.0, help="USD per 1,000 output tokens"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines"),
) -> None:
    """Run scenarios, each on a fresh copy of its world; exit 2 on bad scenario files."""
    from core.settings import get_settings
    from evals.cost import prices_for
    from evals.report import build_report, print_summary, write_json, write_report
    from evals.scenario import LoadError, load_paths
    from wiring import build_eval_runner

    settings = get_settings()
    try:
        scenarios = load_paths(paths, default_tz=settings.timezone)
    except LoadError as e:
        for line in e.errors:
            typer.echo(line, err=True)
        fail(f"{len(e.errors)} problem(s) in the scenario files; nothing was run", 2)
    threshold = min_pass / 100 if min_pass > 1 else min_pass

    def progress(s, trial) -> None:
        if not quiet:
            mark = "[green]pass[/green]" if trial.passed else "[red]FAIL[/red]"
            extra = "" if trial.passed else f"  {escape(trial.failure or '')}"
            err.print(f"{mark} {escape(s.id)}" + (f" (trial {trial.trial})" if k > 1 else "") + extra, highlight=False)

    if record and replay:
        fail("--record and --replay cannot be used together", 2)
    try:
        runner = build_eval_runner(settings, model=model, record=record, replay=replay)
    except (FileNotFoundError, ValueError) as e:
        fail(str(e), 2)
    runner.prices = prices_for(runner.model, price_in, price_out)
    with runner:
        run = runner.run(scenarios, k=k, progress=progress)
    report = build_report(run)
    print_summary(report, console)
    if json_out:
        write_json(report, json_out)
        console.print(f"results written to {json_out}", highlight=False)
    if report_dir:
        j, md, html = write_report(report, report_dir)
        console.print(f"report written to {html}, {md} and {j}", highlight=False)
    if report["pass_rate"] < threshold:
        err.print(f"[red]pass rate {report['pass_rate']:.1%} is below {threshold:.1%}[/red]")
        raise typer.Exit(1)


@eval_app.command("compare")
def compare_cmd(
    old: Path = typer.Argument(..., help="The earlier run's report.json"),
    new: Path = typer.Argument(..., help="The later run's report.json"),
    json_out: Path = typer.Option(None, "--json", help="Write the comparison as JSON to this file"),
) -> None:
    """Regressions, fixes, new/removed scenarios and metric deltas; exit 1 on any regression."""
    import json

    from evals.compare import compare, load_report, to_text

    try:
        result = compare(load_report(old), load_report(new))
    except ValueError as e:
        fail(str(e), 2)
    console.print(to_text(result), markup=False, highlight=False, end="", soft_wrap=True)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    if result.regressions:
        err.print(f"[red]{len(result.regressions)} regression(s)[/red]")
        raise typer.Exit(1)


@eval_app.command("robustness")
def robustness_cmd(
    paths: list[Path] = typer.Argument(..., help="Scenario files or folders (searched for *.yaml, *.yml)"),
    per_scenario: int = typer.Option(2, "--per-scenario", min=1, help="Variants per passing scenario (one per kind)"),
    seed: int = typer.Option(0, "--seed", help="Seed of the transformations: the same seed, the same variants"),
    kinds: str = typer.Option(
        None,
        "--kinds",
        help="Comma-separated transformation kinds (default all: "
        "typo, number-words, unit-synonyms, hinglish, filler, reorder)",
    ),
    report_dir: Path = typer.Option(
        None,
        "--report",
        help="Write robustness.json and robustness.md, and the full reports of the "
        "originals and the variants (originals/, variants/), into this folder",
    ),
    min_rate: float = typer.Option(
        0.0,
        "--min-rate",
        min=0.0,
        max=100.0,
        help="Exit 1 when the robustness rate is below this (0..1, or a percentage above 1)",
    ),
    model: str = typer.Option(None, "--model", "-m", help="offline or openai:<model> (default: DMS_MODEL or offline)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines"),
) -> None:
    """Variants of the scenarios (typos, number words, trade words, Hinglish, filler, reordering) with the
    same checks; exit 1 below --min-rate or on any wrong change, 2 on bad scenario files."""
    from core.settings import get_settings
    from evals.report import (
        build_report,
        build_robustness_report,
        print_robustness_summary,
        write_report,
        write_robustness_report,
    )
    from evals.robustness import run_robustness
    from evals.scenario import LoadError, load_paths
    from evals.variants import KINDS
    from wiring import build_eval_runner

    settings = get_settings()
    chosen = tuple(k.strip() for k in kinds.split(",") if k.strip()) if kinds else KINDS
    unknown = [k for k in chosen if k not in KINDS]
    if unknown or not chosen:
        fail(f"--kinds: unknown kind(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(KINDS)}", 2)
    try:
        scenarios = load_paths(paths, default_tz=settings.timezone)
    except LoadError as e:
        for line in e.errors:
            typer.echo(line, err=True)
        fail(f"{len(e.errors)} problem(s) in the scenario files; nothing was run", 2)
    threshold = min_rate / 100 if min_rate > 1 else min_rate

    def progress(what, s, trial) -> None:
        if not quiet:
            mark = "[green]pass[/green]" if trial.passed else "[red]FAIL[/red]"
            extra = "" if trial.passed else f"  {escape(trial.failure or '')}"
            err.print(f"{mark} {what} {escape(s.id)}{extra}", highlight=False)

    try:
        runner = build_eval_runner(settings, model=model)
    except (FileNotFoundError, ValueError) as e:
        fail(str(e), 2)
    with runner:
        rr = run_robustness(scenarios, runner, per_scenario=per_scenario, seed=seed, kinds=chosen, progress=progress)
    report = build_robustness_report(rr)
    print_robustness_summary(report, console)
    if report_dir:
        j, md = write_robustness_report(report, report_dir)
        write_report(build_report(rr.originals), report_dir / "originals")
        if rr.variants is not None:
            write_report(build_report(rr.variants), report_dir / "variants")
        console.print(f"report written to {md} and {j}", highlight=False)
    failed = False
    if report["wrong_change_count"]:
        err.print(f"[red]{report['wrong_change_count']} wrong change(s)[/red]")
        failed = True
    if threshold > 0 and (report["rate"] is None or report["rate"] < threshold):
        shown = "n/a (no variants)" if report["rate"] is None else f"{report['rate']:.1%}"
        err.print(f"[red]robustness rate {shown} is below {threshold:.1%}[/red]")
        failed = True
    if failed:
        raise typer.Exit(1)
