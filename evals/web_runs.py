"""Evaluation runs started from the web app: which suites and models a server offers, the
`eval_run` rows (at most one running, whichever process starts it), and the run itself in a
background thread of the server, writing its progress to its row and its report to a folder.

The suites are the configured folders (`Settings.eval_suites`), never a path from a browser.
A running row's `beat_at` is touched every BEAT seconds on the wall clock; a row whose beat is
older than STALE counts as dead (its server stopped) and the next start closes it as an error
(docs/decisions.md).
"""

import json
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.audit import record
from core.clock import Clock
from core.db import transaction
from core.errors import DomainError
from core.settings import Settings
from core.tables.evals import EvalRun

from .report import build_report, write_report
from .runner import Runner, TrialResult
from .scenario import Scenario, scenario_files

log = logging.getLogger("dms.evals.web")
ROOT = Path(__file__).resolve().parents[1]
BEAT = timedelta(seconds=30)
STALE = timedelta(minutes=5)  # ten missed beats: no live server is that late
CHANNEL = "web"


class RunRefused(DomainError):
    """A start that starts nothing, in one line for the admin."""

    code = "run_going"


def wall_now() -> datetime:
    """The heartbeat's clock: real time, so a fixed business clock (DMS_NOW) cannot make a dead run look alive."""
    return datetime.now(UTC)


# --- what a server offers ------------------------------------------------------------------------


def _label(path: Path) -> str:
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        if path.is_relative_to(base):
            return prefix + path.relative_to(base).as_posix()
    return path.as_posix()


def _holds_scenarios(folder: Path, directly: bool) -> bool:
    if directly:
        return any(f.suffix in (".yaml", ".yml") and f.is_file() for f in folder.iterdir())
    return bool(scenario_files([folder]))


def suites(settings: Settings) -> dict[str, Path]:
    """label -> folder: each configured folder that holds scenario files itself, and each folder
    under it that holds some; folders that do not exist are skipped."""
    found: dict[str, Path] = {}
    for configured in settings.eval_suites:
        folder = (configured if configured.is_absolute() else ROOT / configured).resolve()
        if not folder.is_dir():
            continue
        if _holds_scenarios(folder, directly=True):
            found.setdefault(_label(folder), folder)
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            if _holds_scenarios(sub, directly=False):
                found.setdefault(_label(sub), sub)
    return found


def models(settings: Settings) -> list[str]:
    """The offline planner, and the server's own model when it is configured for another."""
    return ["offline"] + ([settings.model] if settings.model != "offline" else [])


def runs_dir(settings: Settings) -> Path:
    """Where the runs' reports are written: under the server's data folder."""
    return settings.data_dir / "eval-runs"


# --- the rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    id: str
    failure: str


def failures(run: EvalRun) -> list[Failure]:
    return [Failure(f["id"], f["failure"]) for f in json.loads(run.failures or "[]")]


def recent(engine: Engine, limit: int = 50) -> list[EvalRun]:
    with Session(engine) as s:
        return list(s.exec(select(EvalRun).order_by(col(EvalRun.id).desc()).limit(limit)))


def get(engine: Engine, run_id: int) -> EvalRun | None:
    with Session(engine) as s:
        return s.get(EvalRun, run_id)


def _close_dead(engine: Engine, clock: Clock, user_id: str, wall: datetime) -> None:
    """A running row without a beat for STALE: its server died; it ends as an error."""
    with transaction(engine) as s:
        dead = s.exec(select(EvalRun).where(EvalRun.status == "running", col(EvalRun.beat_at) < wall - STALE)).all()
        for run in dead:
            s.execute(
                update(EvalRun)
                .where(col(EvalRun.id) == run.id, col(EvalRun.status) == "running")
                .values(status="error", finished_at=clock.now(), error="The server running it stopped.")
            )
            record(
                s,
                at=clock.now(),
                user_id=user_id,
                channel=CHANNEL,
                action="eval_run.abandoned",
                entity="eval_run",
                entity_id=str(run.id),
                last_beat=run.beat_at,
            )


def start(engine: Engine, clock: Clock, *, user_id: str, suite: str, model: str, total: int) -> EvalRun:
    """The new running row, audited; RunRefused while another run is going (any process's)."""
    wall = wall_now()
    _close_dead(engine, clock, user_id, wall)
    try:
        with transaction(engine) as s:
            run = EvalRun(
                suite=suite,
                model=model,
                started_by=user_id,
                started_at=clock.now(),
                beat_at=wall,
                total=total,
                report_dir=f"run-{secrets.token_hex(6)}",
            )
            s.add(run)
            s.flush()  # the partial unique index refuses a second running row here (or at commit)
            record(
                s,
                at=clock.now(),
                user_id=user_id,
                channel=CHANNEL,
                action="eval_run.started",
                entity="eval_run",
                entity_id=str(run.id),
                suite=suite,
                model=model,
                scenarios=total,
            )
    except IntegrityError:
        with Session(engine) as s:
            going = s.exec(select(EvalRun).where(EvalRun.status == "running")).first()
        who = f" (run {going.id}, {going.suite}, started by {going.started_by})" if going else ""
        raise RunRefused(f"An evaluation run is already going{who}; wait for it to finish.") from None
    return run


def _progressed(engine: Engine, run_id: int, scenario: Scenario, trial: TrialResult) -> None:
    with transaction(engine) as s:
        run = s.get(EvalRun, run_id)
        if run is None or run.status != "running":
            return
        run.done += 1
        run.passed += trial.passed
        if not trial.passed:
            run.failures = json.dumps([*json.loads(run.failures), {"id": scenario.id, "failure": trial.failure or ""}])
        run.beat_at = wall_now()


def _beat(engine: Engine, run_id: int) -> None:
    with transaction(engine) as s:
        s.execute(
            update(EvalRun)
            .where(col(EvalRun.id) == run_id, col(EvalRun.status) == "running")
            .values(beat_at=wall_now())
        )


def _finish(engine: Engine, clock: Clock, run_id: int, status: str, error: str | None = None, **counts: int) -> None:
    with transaction(engine) as s:
        run = s.get(EvalRun, run_id)
        if run is None or run.status != "running":  # closed as dead meanwhile: its end stays as it was
            return
        run.status, run.error, run.finished_at = status, error, clock.now()
        for name, value in counts.items():
            setattr(run, name, value)
        record(
            s,
            at=clock.now(),
            user_id=run.started_by,
            channel=CHANNEL,
            action="eval_run.finished",
            entity="eval_run",
            entity_id=str(run_id),
            status=status,
            passed=run.passed,
            total=run.total,
        )


def execute(
    engine: Engine, clock: Clock, run: EvalRun, scenarios: list[Scenario], runner: Runner, folder: Path
) -> None:
    """The run, to its end: progress per scenario, the report in `folder`, the row closed.
    Whatever goes wrong ends the row as an error (the trace goes to the server's log)."""
    assert run.id is not None
    run_id = run.id
    stop = threading.Event()

    def beats() -> None:
        while not stop.wait(BEAT.total_seconds()):
            try:
                _beat(engine, run_id)
            except Exception:  # a missed beat is retried at the next
                log.warning("evaluation run %s: heartbeat failed", run_id, exc_info=True)

    threading.Thread(target=beats, name=f"eval-beat-{run_id}", daemon=True).start()
    try:
        with runner:
            result = runner.run(scenarios, progress=lambda s, t: _progressed(engine, run_id, s, t))
        report = build_report(result)
        write_report(report, folder)
        status = "passed" if report["passed"] == report["total"] else "failed"
        _finish(engine, clock, run_id, status, passed=report["passed"], total=report["total"], done=report["total"])
    except Exception as e:  # the admin sees one line; the server's log keeps the trace
        log.exception("evaluation run %s failed", run_id)
        _finish(engine, clock, run_id, "error", f"The run stopped: {type(e).__name__}.")
    finally:
        stop.set()


def launch(
    engine: Engine, clock: Clock, run: EvalRun, scenarios: list[Scenario], runner: Runner, folder: Path
) -> threading.Thread:
    """`execute` in a background thread of this process (the runner builds its own worlds; it
    never touches this database except the run's row)."""
    thread = threading.Thread(
        target=execute, args=(engine, clock, run, scenarios, runner, folder), name=f"eval-run-{run.id}", daemon=True
    )
    thread.start()
    return thread
