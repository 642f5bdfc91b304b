"""Runs scenarios through the real assistant, each on a fresh copy of its world.

Each distinct (world, now) is imported once into a template SQLite file; every scenario
trial gets a byte copy of it, so the runner costs little beyond the assistant itself.

The model is built per trial (the offline planner reads the trial's world) and wrapped to
count tokens, to record every request (`record=DIR`) or to answer from a recording
(`replay=DIR`, no network). `model` is a spec (`offline`, `openai:<model>`) or a factory
`(engine, clock) -> BaseChatModel` (a test's deliberately broken planner, say).
"""

import logging
import shutil
import sqlite3
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import Clock
from core.db import engine_for, make_engine
from core.state import snapshot
from migrations import upgrade

from .checks import Check, Confirmation, check_final, check_turn, describe_diff, first_failure, invariants, state_diff
from .cost import Prices
from .scenario import Scenario
from .scope import ScopeGuard, build_guard

log = logging.getLogger("dms.evals")


@dataclass
class TurnRecord:
    user: str
    assistant: str
    outcome: str
    tool_calls: list[dict]
    latency_ms: float
    tokens: int
    awaiting_confirmation: bool
    checks: list[Check] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # warnings and errors the product logged in this turn
    input_tokens: int = 0  # as the backend reported them (0 when it does not)
    output_tokens: int = 0
    model_calls: int = 0
    changed: str = ""  # what the turn changed in the state, in short


@dataclass
class TrialResult:
    trial: int
    turns: list[TurnRecord] = field(default_factory=list)
    final_checks: list[Check] = field(default_factory=list)
    error: str | None = None  # the crash, if the scenario crashed
    error_trace: str | None = None
    duration_ms: float = 0.0
    state_diff: dict = field(default_factory=dict)  # first snapshot -> last (checks.state_diff)

    def first_failing(self) -> tuple[str, Check] | None:
        """(where, check) of the first failing check: "turn N" or "final" or "run"."""
        if self.error:
            return "run", Check("crash", False, self.error)
        for n, t in enumerate(self.turns, 1):
            c = first_failure(t.checks)
            if c:
                return f"turn {n}", c
        c = first_failure(self.final_checks)
        return ("final", c) if c else None

    @property
    def passed(self) -> bool:
        return self.first_failing() is None

    @property
    def failure(self) -> str | None:
        f = self.first_failing()
        return None if f is None else f"{f[0]}: {f[1]}"


@dataclass
class ScenarioResult:
    scenario: Scenario
    trials: list[TrialResult]

    @property
    def passed(self) -> bool:
        """Passed in every trial (pass^k)."""
        return all(t.passed for t in self.trials)

    @property
    def failure(self) -> str | None:
        for t in self.trials:
            if not t.passed:
                return (f"trial {t.trial}: " if len(self.trials) > 1 else "") + (t.failure or "")
        return None


@dataclass
class RunResult:
    results: list[ScenarioResult]
    k: int
    model: str
    started_at: datetime
    duration_s: float
    prices: Prices | None = None
    recorded_to: str | None = None
    replayed_from: str | None = None


class _Collect(logging.Handler):
    """Keeps the product's warnings of one turn for the transcript."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(
            f"{record.levelname} {record.name}: {record.getMessage()}"
            + (f" ({record.exc_info[0].__name__}: {record.exc_info[1]})" if record.exc_info else "")
        )


ModelSource = str | Callable  # a spec, or (engine, clock) -> BaseChatModel


class Runner:
    """Runs scenarios with one model backend; call close() (or use `with`) to drop the temp files."""

    def __init__(
        self,
        model: ModelSource = "offline",
        timezone: str = "Asia/Kolkata",
        workdir: Path | None = None,
        knowledge: bool = True,
        record: Path | None = None,
        replay: Path | None = None,
        prices: Prices | None = None,
        label: str | None = None,
        backend=None,
    ):
        if record and replay:
            raise ValueError("record or replay, not both")
        self.model_source = model
        self.backend = backend  # an OpenAI-compatible backend's settings (core.settings.OpenAISettings)
        name: str = model if isinstance(model, str) else getattr(model, "__name__", "custom")
        self.model = label or name
        self.tz = ZoneInfo(timezone)
        self.record = Path(record) if record else None
        self.replay = None
        if replay:
            from agent.recording import ReplayModel

            self.replay = ReplayModel(replay)  # one for the run: its cursors follow the recorded order
            self.model = label or self.replay.recorded_model or self.model
        if self.record:
            from agent.recording import write_manifest

            write_manifest(self.record, self.model)
        self.prices = prices
        self._tmp = tempfile.TemporaryDirectory(prefix="dms-eval-", dir=workdir)
        self.dir = Path(self._tmp.name)
        self.use_knowledge = knowledge
        self._templates: dict[tuple[Path, datetime], Path | Exception] = {}
        self._knowledge: dict[Path, object] = {}
        self._guards: dict[tuple[Path, datetime, str], ScopeGuard] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._tmp.cleanup()

    # --- worlds --------------------------------------------------------------------------
    def template(self, world: Path, now: datetime) -> Path:
        """The world imported (at `now`) into a SQLite file, once; raises what the import raised."""
        key = (world, now)
        if key not in self._templates:
            path = self.dir / f"world-{len(self._templates)}.db"
            try:
                self._templates[key] = self._import(world, now, path)
            except Exception as e:  # noqa: BLE001 - a broken world fails its scenarios, with the reason
                self._templates[key] = e
        found = self._templates[key]
        if isinstance(found, Exception):
            raise found
        return found

    def _import(self, world: Path, now: datetime, path: Path) -> Path:
        from core.world import import_world

        url = f"sqlite:///{path}"
        upgrade(url)
        engine = make_engine(url)
        try:
            import_world(engine, world, clock=self.clock(now))
        finally:
            engine.dispose()
            engine_for(url).dispose()
        with closing(sqlite3.connect(path)) as conn:  # fold the WAL into the file: a plain copy holds everything
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path

    def knowledge_for(self, world: Path):
        """The world's knowledge base, built once; None without a knowledge folder or its modules."""
        if not self.use_knowledge or not (world / "knowledge").is_dir():
            return None
        if world not in self._knowledge:
            try:
                from agent.knowledge import KnowledgeBase
                from agent.semantic import SemanticIndex

                kb = KnowledgeBase(SemanticIndex(None))
                kb.load(world / "knowledge")
                self._knowledge[world] = kb
            except Exception as e:  # noqa: BLE001 - the assistant still runs, only without documents
                log.warning("knowledge of %s not available: %s", world, e)
                self._knowledge[world] = None
        return self._knowledge[world]

    def clock(self, now: datetime) -> Clock:
        return Clock(tz=self.tz, fixed=now)

    def guard(self, scenario: Scenario, engine, user: str | None = None) -> ScopeGuard:
        """What a user of the scenario (its own by default) may not see in its world, worked out
        once from a fresh copy."""
        user = user or scenario.user
        key = (scenario.world, scenario.now, user)
        if key not in self._guards:
            self._guards[key] = build_guard(engine, user, self.clock(scenario.now))
        return self._guards[key]

    def build_model(self, engine, clock, knowledge=None):
        """The trial's chat model, wrapped: replayed, recorded or metered."""
        if self.replay is not None:
            return self.replay
        from agent.recording import MeteredModel, RecordingModel

        if isinstance(self.model_source, str):
            from agent.models import make_model
            from agent.world import WorldView

            inner = make_model(
                self.model_source, world=WorldView(engine, knowledge=knowledge), clock=clock, backend=self.backend
            )
        else:
            inner = self.model_source(engine, clock)
        return RecordingModel(inner, self.record) if self.record else MeteredModel(inner=inner)

    # --- running -------------------------------------------------------------------------
    def run(
        self, scenarios: list[Scenario], k: int = 1, progress: Callable[[Scenario, TrialResult], None] | None = None
    ) -> RunResult:
        started, t0 = datetime.now().astimezone(), time.perf_counter()
        results = []
        for s in scenarios:
            trials = []
            for trial in range(1, k + 1):
                r = self.run_trial(s, trial)
                trials.append(r)
                if progress:
                    progress(s, r)
            results.append(ScenarioResult(s, trials))
        return RunResult(
            results,
            k,
            self.model,
            started,
            time.perf_counter() - t0,
            prices=self.prices,
            recorded_to=str(self.record) if self.record else None,
            replayed_from=str(self.replay.directory) if self.replay is not None else None,
        )

    def run_trial(self, scenario: Scenario, trial: int = 1) -> TrialResult:
        """One conversation on a fresh copy of the world; a crash is a failure, never an exception."""
        result = TrialResult(trial)
        t0 = time.perf_counter()
        db = self.dir / f"run-{uuid.uuid4().hex[:12]}.db"
        engine = None
        try:
            shutil.copyfile(self.template(scenario.world, scenario.now), db)
            engine = make_engine(f"sqlite:///{db}")
            self._converse(scenario, engine, trial, result)
        except Exception as e:  # noqa: BLE001 - a crash fails this trial with its trace, and the run goes on
            message = (str(e).strip().splitlines() or [""])[0][:500]
            result.error = f"{type(e).__name__}: {message}"
            result.error_trace = traceback.format_exc()
        finally:
            if engine is not None:
                engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            result.duration_ms = (time.perf_counter() - t0) * 1000
        return result

    def _converse(self, scenario: Scenario, engine, trial: int, result: TrialResult) -> None:
        from agent.runtime import Assistant, Turn

        clock = self.clock(scenario.now)
        model = self.build_model(engine, clock, self.knowledge_for(scenario.world))
        misses = len(self.replay.misses) if self.replay is not None else 0
        assistant = Assistant(engine, clock, model=model, knowledge=self.knowledge_for(scenario.world))
        run = f"eval-{scenario.id}-{trial}-{uuid.uuid4().hex[:8]}"
        guards = {
            u: self.guard(scenario, engine, u) for u in {scenario.user, *(t.as_user for t in scenario.turns)} if u
        }  # worked out before anything changes
        first = before = snapshot(engine)
        product_log = logging.getLogger("dms")
        said: list[str] = []
        for spec in scenario.turns:
            user = spec.as_user or scenario.user  # each user keeps their own conversation
            turn = Turn(user_id=user, channel=spec.channel or scenario.channel, conversation=f"{run}-{user}")
            guard = guards[user]
            said.append(spec.user)
            pending, audit_mark = assistant.pending_action(turn), _last_audit_id(engine)
            used = model.usage.snapshot()
            collect = _Collect()
            product_log.addHandler(collect)
            try:
                t0 = time.perf_counter()
                reply = assistant.handle(turn, spec.user)
                latency = (time.perf_counter() - t0) * 1000
            finally:
                product_log.removeHandler(collect)
            after = snapshot(engine)
            awaiting = assistant.awaiting_confirmation(turn)
            text = reply.full_text()
            calls, tin, tout, _ = (now - was for now, was in zip(model.usage.snapshot(), used))
            record = TurnRecord(
                user=spec.user,
                assistant=text,
                outcome=reply.outcome,
                tool_calls=[{"name": c.name, "args": c.args, "ok": c.ok, "error": c.error} for c in reply.tool_calls],
                latency_ms=round(latency, 2),
                tokens=int(reply.tokens or 0),
                awaiting_confirmation=awaiting,
                log=collect.lines,
                input_tokens=tin,
                output_tokens=tout,
                model_calls=calls,
                changed=describe_diff(before, after) if before != after else "",
            )
            confirmation = _confirmation(engine, user, pending, audit_mark) if before != after else None
            record.checks = invariants(
                text, reply.outcome, before, after, confirmation=confirmation, guard=guard, said=said
            ) + check_turn(spec.expect, text, reply.outcome, awaiting, before, after)
            result.turns.append(record)
            before = after
        result.final_checks = check_final(scenario.final, first, before) + _consistent(engine, first, before)
        result.state_diff = state_diff(first, before)
        if self.replay is not None and len(self.replay.misses) > misses:
            result.error = "NotRecorded: " + self.replay.misses[misses]


def _consistent(engine, first: dict, last: dict) -> list[Check]:
    """After a conversation that changed anything, the state holds together (`dms doctor`)."""
    if first == last:
        return []
    from core.doctor import check

    with Session(engine) as s:
        problems = check(s)
    return [Check("invariant: state consistent (dms doctor)", not problems, "; ".join(problems[:5]))]


def _last_audit_id(engine) -> int:
    from core.tables.audit import AuditEntry

    with Session(engine) as s:
        return s.exec(select(func.max(AuditEntry.id))).one() or 0


def _confirmation(engine, user: str, pending, audit_mark: int) -> Confirmation:
    """Whether the preview waiting before a turn was run by it, and who the turn's audit entries name."""
    from agent.store import PendingAction
    from core.tables.audit import AuditEntry

    with Session(engine) as s:
        status = (
            s.exec(select(PendingAction.status).where(PendingAction.id == pending.id)).first()
            if pending is not None
            else None
        )
        actors = frozenset(u for u in s.exec(select(AuditEntry.user_id).where(col(AuditEntry.id) > audit_mark)) if u)
    return Confirmation(
        user=user, previewed=pending is not None and pending.user_id == user, executed=status == "done", actors=actors
    )
