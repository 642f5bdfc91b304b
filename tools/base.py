"""What every tool is: a typed argument model, a permission, and either `run` (reads) or
`preview` + `execute` (changes). Tools parse arguments, call the core with the caller's
identity and shape the result; the core decides what is true and what is allowed."""

import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from core.access import Actor
from core.clock import Clock
from core.errors import InvalidInput

# How a refused permission reads ("A retailer may not see stock quantities.").
PERMISSION_WORDS = {
    "catalogue": "see the catalogue",
    "prices": "see prices",
    "stock.view": "see stock",
    "stock.quantities": "see stock quantities",
    "stock.adjust": "change stock",
    "orders.view": "see orders",
    "orders.create": "place orders",
    "orders.cancel": "cancel orders",
    "orders.approve": "approve or reject orders",
    "orders.dispatch": "dispatch or deliver orders",
    "payments.view": "see balances",
    "payments.record": "record payments",
    "reports": "see reports",
    "field": "record field work",
    "field.view": "see field work",
    "targets.view": "see targets",
    "outlets.approve": "approve outlet changes",
}


@dataclass
class ToolContext:
    """The caller's session (one transaction), identity and clock; the knowledge search is
    injected because its index lives in the agent layer."""

    session: Session
    actor: Actor
    clock: Clock
    knowledge: Callable[[str], str | None] | None = None


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    title: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file a tool hands over (a report as a spreadsheet): each channel delivers it its own way."""

    filename: str
    media_type: str
    content: bytes = field(repr=False)


@dataclass
class ToolResult:
    text: str
    table: Table | None = None
    data: dict = field(default_factory=dict)
    outcome: str = "answered"  # answered | done | refused | not_understood
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Preview:
    """Exactly what a change would do, computed by the core; `fingerprint` binds the confirmation."""

    text: str
    table: Table | None
    fingerprint: str
    summary: str
    data: dict = field(default_factory=dict)


class StalePreview(InvalidInput):
    """What would happen now differs from what was confirmed: show `preview` instead."""

    code = "preview_changed"

    def __init__(self, preview: Preview, message: str | None = None):
        super().__init__(
            message
            or "Something changed since the preview (prices, stock, credit or status); please check the new preview."
        )
        self.preview = preview


def fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@contextmanager
def dry_run(session: Session):
    """Run core services inside a savepoint that is always rolled back: the preview is the
    core's own computation, and nothing it wrote survives."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


class Tool:
    """One capability. A subclass that sets `name` is a tool: beside the name it gives its
    argument model, permission, description for the model and whether it changes data, and
    implements `_run` (reads) or `_preview`/`_execute` (changes). Defining it registers it."""

    name: str = ""
    args_model: type[BaseModel]
    permission: str
    description: str
    mutating: bool = False  # changes data: previewed, then executed on confirmation

    registered: dict[str, type["Tool"]] = {}  # name -> class, in definition order

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:  # a shared base (StatusChange), not a tool
            return
        missing = [a for a in ("args_model", "permission", "description") if not hasattr(cls, a)]
        if missing or cls.name in Tool.registered:
            raise TypeError(f"tool {cls.name!r}: " + (f"missing {', '.join(missing)}" if missing else "defined twice"))
        Tool.registered[cls.name] = cls

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"

    # --- the gate and argument parsing ------------------------------------------------------
    def parse(self, args: BaseModel | dict | None) -> BaseModel:
        if isinstance(args, self.args_model):
            return args
        try:
            return self.args_model.model_validate(args or {})
        except ValidationError as e:
            raise InvalidInput(
                f"{self.name}: "
                + "; ".join(f"{'.'.join(map(str, x['loc'])) or 'arguments'}: {x['msg']}" for x in e.errors())
            ) from None

    def _gate(self, ctx: ToolContext) -> None:
        """Checked on every call, whatever the model was shown."""
        ctx.actor.require(self.permission, PERMISSION_WORDS.get(self.permission, f"use {self.name}"))

    # --- public entry points --------------------------------------------------------------
    def run(self, ctx: ToolContext, args: BaseModel | dict | None = None) -> ToolResult:
        if self.mutating:
            raise TypeError(f"{self.name} changes data: call preview() and execute().")
        self._gate(ctx)
        return self._run(ctx, self.parse(args))

    def preview(self, ctx: ToolContext, args: BaseModel | dict | None = None) -> Preview:
        if not self.mutating:
            raise TypeError(f"{self.name} only reads: call run().")
        self._gate(ctx)
        return self._preview(ctx, self.parse(args))

    def execute(self, ctx: ToolContext, args: BaseModel | dict | None, fingerprint: str) -> ToolResult:
        """Run the change only if it is still exactly what was previewed."""
        if not self.mutating:
            raise TypeError(f"{self.name} only reads: call run().")
        self._gate(ctx)
        args = self.parse(args)
        fresh = self._preview(ctx, args)
        if fresh.fingerprint != fingerprint:
            raise StalePreview(fresh)
        return self._execute(ctx, args)

    # --- to implement -----------------------------------------------------------------------
    def _run(self, ctx: ToolContext, args: Any) -> ToolResult:
        raise NotImplementedError

    def _preview(self, ctx: ToolContext, args: Any) -> Preview:
        raise NotImplementedError

    def _execute(self, ctx: ToolContext, args: Any) -> ToolResult:
        raise NotImplementedError


def parse_period(period: Any) -> tuple[date | None, date | None]:
    """(start, end) dates of a schemas.Period; bad dates are named with their field."""
    if period is None:
        return None, None
    out: list[date | None] = []
    for name in ("start", "end"):
        value = getattr(period, name)
        if value in (None, ""):
            out.append(None)
            continue
        try:
            out.append(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise InvalidInput(f"period.{name}: {value!r} is not a date (YYYY-MM-DD).") from None
    if out[0] and out[1] and out[0] > out[1]:
        raise InvalidInput(f"period: the start {out[0]} is after the end {out[1]}.")
    return out[0], out[1]


def period_words(start, end, label: str | None = None) -> str:
    span = "all time" if not start and not end else f"{start or '…'} to {end or '…'}"
    return f"{label} ({span})" if label and (start or end) else span
