"""Robustness: the scenarios' variants (evals.variants) through the normal runner.

First the originals run; only those that pass get variants (a variant of a failing
scenario measures nothing about the wording). Each variant runs on a fresh copy of its
world with the original's checks. Reported (evals.report.build_robustness_report):

- the robustness rate: variants passing ÷ variants run (all of passing originals), overall,
  per capability tag, per role and per transformation kind;
- wrong changes: a variant turn that changed the state when the variant's end state fails
  the scenario's `final` checks, and whose change is not the change the original made at
  that turn (compared by the runner's account of the change). A variant whose changes are
  all the original's but that missed a later one (say "haan" not taken as the approval) is
  counted as incomplete, not as a wrong change: nothing wrong was done, something was not.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .runner import Runner, RunResult, ScenarioResult, TrialResult
from .scenario import Scenario
from .variants import KINDS, Variant, generate


@dataclass
class WrongChange:
    variant: str
    original: str
    kind: str
    turn: int  # 1-based
    text: str  # what the variant's user said at that turn
    original_text: str
    outcome: str  # the assistant's outcome of the turn (done for a confirmed action)
    changed: str  # what the turn changed (the runner's short account)
    original_changed: str  # what the original's same turn changed ("" = nothing)
    failure: str  # the first failing final check of the variant
    said: list[dict] = field(default_factory=list)  # the variant's changed turns: {turn, original, text}


@dataclass
class VariantRun:
    variant: Variant
    result: ScenarioResult
    wrong_changes: list[WrongChange] = field(default_factory=list)
    missed_changes: list[int] = field(default_factory=list)  # turns where the original changed the state, this did not

    @property
    def passed(self) -> bool:
        return self.result.passed

    @property
    def end_state_failed(self) -> bool:
        t = self.result.trials[0]
        return t.error is not None or any(not c.passed for c in t.final_checks)

    @property
    def changed_state(self) -> bool:
        return any(x.changed for x in self.result.trials[0].turns)

    @property
    def incomplete(self) -> bool:
        """The end state failed, nothing wrong was changed, but a change the original made was not."""
        return self.end_state_failed and not self.wrong_changes and bool(self.missed_changes)


@dataclass
class RobustnessRun:
    originals: RunResult
    variants: RunResult | None
    runs: list[VariantRun]
    seed: int | str
    per_scenario: int
    kinds: tuple[str, ...]
    started_at: datetime
    duration_s: float

    @property
    def failing_originals(self) -> list[ScenarioResult]:
        return [r for r in self.originals.results if not r.passed]

    @property
    def without_variants(self) -> list[str]:
        """Passing originals that no transformation fits."""
        varied = {r.variant.original.id for r in self.runs}
        return [r.scenario.id for r in self.originals.results if r.passed and r.scenario.id not in varied]


def _failure(t: TrialResult) -> str:
    if t.error:
        return f"run: {t.error}"
    c = next((c for c in t.final_checks if not c.passed), None)
    return f"final: {c}" if c else (t.failure or "")


def classify(variant: Variant, result: ScenarioResult, original: ScenarioResult) -> VariantRun:
    """Wrong changes and missed changes of a variant's (first) trial against the original's passing one."""
    run = VariantRun(variant, result)
    t, o = result.trials[0], original.trials[0]
    if not run.end_state_failed:
        return run
    mine, theirs = t.turns, o.turns
    run.missed_changes = [
        n for n, rec in enumerate(theirs, 1) if rec.changed and (n > len(mine) or not mine[n - 1].changed)
    ]
    changing = [n for n, rec in enumerate(mine, 1) if rec.changed]
    wrong = [n for n in changing if n > len(theirs) or mine[n - 1].changed != theirs[n - 1].changed]
    if changing and not wrong and not run.missed_changes:
        # every change reads like the original's, yet the end state fails: the short accounts hide the difference
        wrong = changing
    failure = _failure(t)
    said = [
        {"turn": n, "original": c.original, "text": c.text}
        for n, c in enumerate(variant.turns, 1)
        if c.text != c.original
    ]
    for n in wrong:
        rec = mine[n - 1]
        run.wrong_changes.append(
            WrongChange(
                variant=variant.id,
                original=variant.original.id,
                kind=variant.kind,
                turn=n,
                text=rec.user,
                original_text=variant.turns[n - 1].original,
                outcome=rec.outcome,
                changed=rec.changed,
                original_changed=theirs[n - 1].changed if n <= len(theirs) else "",
                failure=failure,
                said=said,
            )
        )
    return run


def run_robustness(
    scenarios: list[Scenario],
    runner: Runner,
    per_scenario: int = 2,
    seed: int | str = 0,
    kinds: tuple[str, ...] | list[str] = KINDS,
    transforms: dict | None = None,
    progress: Callable[[str, Scenario, TrialResult], None] | None = None,
    variants: list[Variant] | None = None,
) -> RobustnessRun:
    """Run the originals, then `per_scenario` variants of each passing one (or the `variants` given)."""
    started, t0 = datetime.now().astimezone(), time.perf_counter()
    originals = runner.run(scenarios, progress=(lambda s, t: progress("original", s, t)) if progress else None)
    passing = {r.scenario.id: r for r in originals.results if r.passed}
    if variants is None:
        variants = generate([r.scenario for r in originals.results if r.passed], per_scenario, seed, kinds, transforms)
    else:
        variants = [v for v in variants if v.original.id in passing]
    by_id = {v.id: v for v in variants}
    varied = (
        runner.run(
            [v.scenario for v in variants], progress=(lambda s, t: progress("variant", s, t)) if progress else None
        )
        if variants
        else None
    )
    runs = [
        classify(by_id[r.scenario.id], r, passing[by_id[r.scenario.id].original.id])
        for r in (varied.results if varied else [])
    ]
    return RobustnessRun(originals, varied, runs, seed, per_scenario, tuple(kinds), started, time.perf_counter() - t0)


__all__ = ["WrongChange", "VariantRun", "RobustnessRun", "classify", "run_robustness"]
