"""Results of a run as JSON (machine), Markdown and self-contained HTML (people), with the
metrics of spec/scenarios.md."""

import json
import math
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .checks import Check
from .runner import RunResult, ScenarioResult, TrialResult, TurnRecord


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 2)


def _check(c: Check) -> dict:
    return {"check": c.name, "passed": c.passed, "detail": c.detail}


def _turn(t: TurnRecord) -> dict:
    return {
        "user": t.user,
        "assistant": t.assistant,
        "outcome": t.outcome,
        "tool_calls": t.tool_calls,
        "latency_ms": t.latency_ms,
        "tokens": t.tokens,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "model_calls": t.model_calls,
        "awaiting_confirmation": t.awaiting_confirmation,
        "changed": t.changed,
        "failed_checks": [_check(c) for c in t.checks if not c.passed],
        "log": t.log,
    }


def _first(t: TrialResult) -> dict | None:
    f = t.first_failing()
    return None if f is None else {"where": f[0], **_check(f[1])}


def _trial(t: TrialResult) -> dict:
    return {
        "trial": t.trial,
        "passed": t.passed,
        "failure": t.failure,
        "first_failing_check": _first(t),
        "error": t.error,
        "error_trace": t.error_trace,
        "duration_ms": round(t.duration_ms, 2),
        "transcript": [_turn(x) for x in t.turns],
        "state_diff": t.state_diff,
        "final_checks": [_check(c) for c in t.final_checks],
    }


def _scenario(r: ScenarioResult) -> dict:
    s = r.scenario
    shown = next((t for t in r.trials if not t.passed), r.trials[0] if r.trials else None)
    return {
        "id": s.id,
        "passed": r.passed,
        "failure": r.failure,
        "first_failing_check": _first(shown) if shown else None,
        "tags": s.tags,
        "user": s.user,
        "role": s.role,
        "channel": s.channel,
        "source": str(s.source) if s.source else None,
        "passes": sum(t.passed for t in r.trials),
        "trial_count": len(r.trials),
        "transcript": [_turn(x) for x in shown.turns] if shown else [],
        "state_diff": shown.state_diff if shown else {},
        "trials": [_trial(t) for t in r.trials],
    }


def _group(results: list[ScenarioResult]) -> dict:
    trials = [t for r in results for t in r.trials]
    passed = sum(t.passed for t in trials)
    return {
        "scenarios": len(results),
        "trials": len(trials),
        "passed": passed,
        "pass_rate": round(passed / len(trials), 4) if trials else 0.0,
        "pass_k": round(sum(r.passed for r in results) / len(results), 4) if results else 0.0,
    }


def metrics(run: RunResult) -> dict:
    results = run.results
    trials = [t for r in results for t in r.trials]
    turns = [x for t in trials for x in t.turns]
    tags = sorted({tag for r in results for tag in r.scenario.tags})
    roles = sorted({r.scenario.role or "unknown" for r in results})
    calls = sum(len(x.tool_calls) for x in turns)
    tokens = sum(x.tokens for x in turns)
    tin, tout = sum(x.input_tokens for x in turns), sum(x.output_tokens for x in turns)
    latencies = [x.latency_ms for x in turns]
    cost = None
    if run.prices is not None:
        total = run.prices.cost(tin, tout)
        cost = {
            "currency": "USD",
            "total": str(total),
            "per_scenario": str((total / len(trials)).quantize(total)) if trials else "0",
            "input_per_1k": str(run.prices.input_per_1k),
            "output_per_1k": str(run.prices.output_per_1k),
            "prices_from": run.prices.source,
        }
    return {
        "by_tag": {tag: _group([r for r in results if tag in r.scenario.tags]) for tag in tags},
        "by_role": {role: _group([r for r in results if (r.scenario.role or "unknown") == role]) for role in roles},
        "pass_k": _group(results)["pass_k"],
        "tool_calls": {
            "total": calls,
            "per_scenario": round(calls / len(trials), 2) if trials else 0.0,
            "failed": sum(not c.get("ok", True) for x in turns for c in x.tool_calls),
            "by_tool": dict(Counter(c["name"] for x in turns for c in x.tool_calls).most_common()),
        },
        # a turn that leaves an action waiting for the user's yes asked for a confirmation
        "confirmations_asked": sum(x.awaiting_confirmation or x.outcome == "preview" for x in turns),
        "refusals": sum(x.outcome == "refused" for x in turns),
        "outcomes": dict(Counter(x.outcome for x in turns).most_common()),
        "turns": len(turns),
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": max(latencies) if latencies else None,
        },
        "tokens": {
            "total": tokens,
            "input": tin,
            "output": tout,
            "per_scenario": round(tokens / len(trials), 2) if trials else 0.0,
        },
        "cost": cost,  # None: no price known for this model (give --price-in/--price-out)
        "model_calls": sum(x.model_calls for x in turns),
        "invariant_failures": dict(
            Counter(
                c.name for x in turns for c in x.checks if not c.passed and c.name.startswith("invariant:")
            ).most_common()
        ),
        "crashes": sum(t.error is not None for t in trials),
    }


def build_report(run: RunResult) -> dict:
    """The whole run as plain data: what --json and report.json hold."""
    totals = _group(run.results)
    return {
        "pass_rate": totals["pass_rate"],
        "passed": totals["passed"],
        "total": totals["trials"],
        "scenario_count": totals["scenarios"],
        "scenarios_passed": sum(r.passed for r in run.results),
        "pass_k": totals["pass_k"],
        "k": run.k,
        "model": run.model,
        "recorded_to": run.recorded_to,
        "replayed_from": run.replayed_from,
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "duration_s": round(run.duration_s, 2),
        "metrics": metrics(run),
        "scenarios": [_scenario(r) for r in run.results],
    }


def write_json(report: dict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(report: dict) -> str:
    m = report["metrics"]
    out = [
        f"# Evaluation report ({report['model']}, k={report['k']})",
        "",
        f"Started {report['started_at']}, took {report['duration_s']} s.",
        "",
        f"- **Pass rate**: {_pct(report['pass_rate'])} ({report['passed']}/{report['total']} trials)",
        f"- **pass^{report['k']}**: {_pct(report['pass_k'])} "
        f"({report['scenarios_passed']}/{report['scenario_count']} scenarios pass in every trial)",
        f"- Tool calls: {m['tool_calls']['total']} ({m['tool_calls']['per_scenario']} per scenario run); "
        f"confirmations asked: {m['confirmations_asked']}; refusals: {m['refusals']}; crashes: {m['crashes']}",
        f"- Turn latency: p50 {m['latency_ms']['p50']} ms, p95 {m['latency_ms']['p95']} ms; "
        f"tokens: {m['tokens']['total']} (input {m['tokens']['input']}, output {m['tokens']['output']}); "
        f"cost: {cost_text(m)}",
        "- Invariant failures: "
        + (", ".join(f"{k.removeprefix('invariant: ')} {v}" for k, v in m["invariant_failures"].items()) or "none"),
        "",
    ]
    for title, key in (("By tag", "by_tag"), ("By role", "by_role")):
        out += [f"## {title}", "", "| | scenarios | pass rate | pass^k |", "| --- | ---: | ---: | ---: |"]
        out += [
            f"| {_md_cell(name)} | {g['scenarios']} | {_pct(g['pass_rate'])} | {_pct(g['pass_k'])} |"
            for name, g in m[key].items()
        ]
        out.append("")
    out += [
        "## Scenarios",
        "",
        "| scenario | role | tags | result | first failure |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in report["scenarios"]:
        mark = "pass" if s["passed"] else "**FAIL**"
        out.append(
            f"| {_md_cell(s['id'])} | {s['role'] or ''} | {_md_cell(', '.join(s['tags']))} | "
            f"{mark} {s['passes']}/{s['trial_count']} | {_md_cell(s['failure'] or '')} |"
        )
    failed = [s for s in report["scenarios"] if not s["passed"]]
    if failed:
        out += ["", "## Failures"]
    for s in failed:
        out += [
            "",
            f"### {s['id']}",
            "",
            f"{s['source']} — as {s['user']} ({s['role']}) on {s['channel']}",
            "",
            f"**First failing check**: {s['failure']}",
            "",
        ]
        for n, t in enumerate(s["transcript"], 1):
            calls = ", ".join(c["name"] + ("" if c.get("ok", True) else " (failed)") for c in t["tool_calls"])
            out += [
                f"**Turn {n}** — user: {t['user']}",
                "",
                f"*assistant* ({t['outcome']}, {t['latency_ms']} ms{', tools: ' + calls if calls else ''}):",
                "",
                "```",
                t["assistant"],
                "```",
            ]
            out += [f"- state changed: {t['changed']}"] if t.get("changed") else []
            out += [f"- failed: {c['check']}: {c['detail']}" for c in t["failed_checks"]]
            out += [f"- log: {line}" for line in t["log"]]
            out.append("")
        trial = next((t for t in s["trials"] if not t["passed"]), None)
        if trial and trial["error_trace"]:
            out += ["```", trial["error_trace"].rstrip(), "```", ""]
        if trial:
            out += [f"- final: {c['check']}: {c['detail']}" for c in trial["final_checks"] if not c["passed"]]
    return "\n".join(out).rstrip() + "\n"


def cost_text(m: dict) -> str:
    c = m.get("cost")
    if not c:
        return "unknown (no price for this model; give --price-in/--price-out)"
    return f"${c['total']} ({c['prices_from']})"


def write_report(report: dict, directory: Path) -> tuple[Path, Path, Path]:
    """report.json, report.md and report.html (self-contained) in `directory`."""
    from .html import to_html

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    write_json(report, directory / "report.json")
    (directory / "report.md").write_text(to_markdown(report), encoding="utf-8")
    (directory / "report.html").write_text(to_html(report), encoding="utf-8")
    return directory / "report.json", directory / "report.md", directory / "report.html"


def print_summary(report: dict, console: Console) -> None:
    table = Table(title=f"Evaluation ({report['model']}, k={report['k']})", show_lines=False)
    table.add_column("scenario", overflow="fold")
    table.add_column("role")
    table.add_column("result")
    table.add_column("first failure", overflow="fold", max_width=80)
    for s in report["scenarios"]:
        result = ("[green]pass[/green]" if s["passed"] else "[red]FAIL[/red]") + f" {s['passes']}/{s['trial_count']}"
        table.add_row(Text(s["id"]), s["role"] or "", result, Text(s["failure"] or ""))
    console.print(table)
    m = report["metrics"]
    console.print(
        f"pass rate {_pct(report['pass_rate'])} ({report['passed']}/{report['total']} trials), "
        f"pass^{report['k']} {_pct(report['pass_k'])}; tool calls {m['tool_calls']['total']}, "
        f"confirmations {m['confirmations_asked']}, refusals {m['refusals']}, "
        f"latency p50 {m['latency_ms']['p50']} ms p95 {m['latency_ms']['p95']} ms, "
        f"tokens {m['tokens']['total']}, cost {cost_text(m)}",
        highlight=False,
    )


# --- robustness (evals.robustness) --------------------------------------------------------------


def _rate_group(runs) -> dict:
    passed = sum(r.passed for r in runs)
    return {"variants": len(runs), "passed": passed, "rate": round(passed / len(runs), 4) if runs else None}


def build_robustness_report(rr) -> dict:
    """A robustness run (evals.robustness.RobustnessRun) as plain data: what robustness.json holds."""
    runs = rr.runs
    tags = sorted({t for r in runs for t in r.variant.scenario.tags})
    roles = sorted({r.variant.scenario.role or "unknown" for r in runs})
    kinds = [k for k in rr.kinds if any(r.variant.kind == k for r in runs)]
    originals = rr.originals.results
    wrong = [w for r in runs for w in r.wrong_changes]
    total = _rate_group(runs)
    return {
        "kind": "robustness",
        "model": rr.originals.model,
        "seed": rr.seed,
        "per_scenario": rr.per_scenario,
        "kinds": list(rr.kinds),
        "started_at": rr.started_at.isoformat(timespec="seconds"),
        "duration_s": round(rr.duration_s, 2),
        "originals": {
            "scenarios": len(originals),
            "passed": sum(r.passed for r in originals),
            "failed": [r.scenario.id for r in rr.failing_originals],
            "without_variants": rr.without_variants,
        },
        "variants": total["variants"],
        "passed": total["passed"],
        "rate": total["rate"],
        "by_kind": {k: _rate_group([r for r in runs if r.variant.kind == k]) for k in kinds},
        "by_tag": {t: _rate_group([r for r in runs if t in r.variant.scenario.tags]) for t in tags},
        "by_role": {
            role: _rate_group([r for r in runs if (r.variant.scenario.role or "unknown") == role]) for role in roles
        },
        "wrong_change_count": len(wrong),
        "wrong_change_variants": len({w.variant for w in wrong}),
        "wrong_changes": [vars(w) for w in wrong],
        # the end state failed after the variant changed something (wrong changes + incomplete ones)
        "end_state_failed_after_change": sum(r.end_state_failed and r.changed_state for r in runs),
        "incomplete": [
            {
                "variant": r.variant.id,
                "kind": r.variant.kind,
                "missed_turns": r.missed_changes,
                "failure": r.result.failure,
            }
            for r in runs
            if r.incomplete
        ],
        "variant_results": [
            {
                "id": r.variant.id,
                "original": r.variant.original.id,
                "kind": r.variant.kind,
                "tags": r.variant.scenario.tags,
                "role": r.variant.scenario.role,
                "passed": r.passed,
                "failure": r.result.failure,
                "turns": [
                    {"original": t.original, "text": t.text, "edits": [str(e) for e in t.edits]}
                    for t in r.variant.turns
                ],
                "wrong_change_turns": [w.turn for w in r.wrong_changes],
                "missed_change_turns": r.missed_changes,
                "transcript": [
                    {"user": x.user, "assistant": x.assistant, "outcome": x.outcome, "changed": x.changed}
                    for x in r.result.trials[0].turns
                ]
                if not r.passed
                else [],
            }
            for r in runs
        ],
    }


def _rate_text(g: dict) -> str:
    return "n/a" if g["rate"] is None else f"{_pct(g['rate'])} ({g['passed']}/{g['variants']})"


def robustness_markdown(report: dict) -> str:
    o = report["originals"]
    out = [
        f"# Robustness report ({report['model']}, seed {report['seed']}, "
        f"{report['per_scenario']} variant(s) per scenario)",
        "",
        f"Started {report['started_at']}, took {report['duration_s']} s.",
        "",
        f"- **Robustness rate**: {_rate_text(report)} variants of passing originals pass",
        f"- **Wrong changes**: {report['wrong_change_count']} turn(s) in {report['wrong_change_variants']} "
        f"variant(s) (a change the original did not make, and the end state fails)",
        f"- Incomplete: {len(report['incomplete'])} variant(s) made only the original's changes but missed one; "
        f"end state failed after a change: {report['end_state_failed_after_change']}",
        f"- Originals: {o['passed']}/{o['scenarios']} pass; failing originals get no variants"
        + (f" ({', '.join(o['failed'])})" if o["failed"] else "")
        + f"; {len(o['without_variants'])} passing original(s) fit no transformation",
        "",
    ]
    for title, key in (("By transformation kind", "by_kind"), ("By capability tag", "by_tag"), ("By role", "by_role")):
        out += [f"## {title}", "", "| | variants | passed | rate |", "| --- | ---: | ---: | ---: |"]
        out += [
            f"| {_md_cell(name)} | {g['variants']} | {g['passed']} | "
            f"{_pct(g['rate']) if g['rate'] is not None else 'n/a'} |"
            for name, g in report[key].items()
        ]
        out.append("")
    out += ["## Wrong changes", ""]
    if not report["wrong_changes"]:
        out += ["None.", ""]
    for w in report["wrong_changes"]:
        out += [f"### {w['variant']}, turn {w['turn']}", ""]
        out += [
            f"- the variant said at turn {x['turn']}: {x['text']!r} (the original: {x['original']!r})"
            for x in w.get("said", [])
        ]
        out += [
            f"- turn {w['turn']} ({w['text']!r}, the original {w['original_text']!r}) made the change:",
            f"  outcome {w['outcome']}; changed: {w['changed']}",
            f"- the original's turn changed: {w['original_changed'] or 'nothing'}",
            f"- {w['failure']}",
            "",
        ]
    failed = [v for v in report["variant_results"] if not v["passed"]]
    out += ["## Failing variants", ""]
    if not failed:
        out += ["None.", ""]
    else:
        out += ["| variant | kind | changed turns | first failure |", "| --- | --- | --- | --- |"]
        for v in failed:
            said = "<br>".join(f"{t['original']!r} → {t['text']!r}" for t in v["turns"] if t["text"] != t["original"])
            out.append(f"| {_md_cell(v['id'])} | {v['kind']} | {_md_cell(said)} | {_md_cell(v['failure'] or '')} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_robustness_report(report: dict, directory: Path) -> tuple[Path, Path]:
    """robustness.json and robustness.md in `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    write_json(report, directory / "robustness.json")
    (directory / "robustness.md").write_text(robustness_markdown(report), encoding="utf-8")
    return directory / "robustness.json", directory / "robustness.md"


def print_robustness_summary(report: dict, console: Console) -> None:
    table = Table(title=f"Robustness ({report['model']}, seed {report['seed']})")
    table.add_column("kind / tag")
    table.add_column("variants", justify="right")
    table.add_column("rate", justify="right")
    for name, g in report["by_kind"].items():
        table.add_row(Text(name), str(g["variants"]), _rate_text(g))
    table.add_section()
    for name, g in report["by_tag"].items():
        table.add_row(Text(name), str(g["variants"]), _rate_text(g))
    console.print(table)
    o = report["originals"]
    console.print(
        f"robustness rate {_rate_text(report)}; wrong changes {report['wrong_change_count']}; "
        f"incomplete {len(report['incomplete'])}; originals passing {o['passed']}/{o['scenarios']}",
        highlight=False,
    )
    for w in report["wrong_changes"]:
        said = "; ".join(f"{x['text']!r}" for x in w.get("said", []))
        console.print(
            Text(f"WRONG CHANGE {w['variant']} turn {w['turn']} ({w['outcome']}) after {said}: {w['failure']}")
        )
