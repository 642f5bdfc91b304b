"""The offline planner: a LangChain chat model that turns a message and the conversation
into the tool calls an LLM would emit, with no network and no weights, and composes the
final answer from the tools' own text (their figures, unchanged)."""

from __future__ import annotations

import time
import uuid
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from .context import read_context
from .intents import Plan, Planner, not_understood

__all__ = ["OfflinePlanner", "Plan"]


def _tool_name(tool: Any) -> str | None:
    if isinstance(tool, dict):
        return tool.get("name") or (tool.get("function") or {}).get("name")
    return getattr(tool, "name", None)


class OfflinePlanner(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    world: Any = None  # agent.world.WorldView
    clock: Any = None  # core.clock.Clock
    tool_names: tuple[str, ...] = ()
    actor: Any = None  # core.access.Actor: whose scope the names come from (None = all)
    last_latency_ms: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "dms-offline-planner"

    def bind_tools(self, tools, **kwargs):
        """The tools the user's role may use: a request needing another one is refused."""
        return self.model_copy(update={"tool_names": tuple(n for n in map(_tool_name, tools) if n)})

    def for_actor(self, actor):
        """The planner of one user: it knows only the customers and warehouses in their scope, so
        a name outside it reads like any unknown word (and is never offered as a choice)."""
        return self.model_copy(update={"actor": actor})

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        t0 = time.perf_counter()
        msg = self.respond(messages)
        self.last_latency_ms = (time.perf_counter() - t0) * 1000
        return ChatResult(generations=[ChatGeneration(message=msg)])

    # -- the two steps of a turn ---------------------------------------------------------
    def respond(self, messages: list[BaseMessage]) -> AIMessage:
        ctx, text, after = read_context(messages)
        if any(isinstance(m, ToolMessage) for m in after):
            return compose(after)
        today = (
            self.clock.today()
            if self.clock is not None
            else (date.fromisoformat(ctx.today) if ctx.today else date.today())
        )
        if self.world is None:
            plan = not_understood(set(self.tool_names))
        else:
            if not hasattr(self.world, "get"):
                world = self.world
            else:
                world = self.world.get(self.actor) if self.actor is not None else self.world.get()
            plan = Planner(self.world, world, ctx, set(self.tool_names), today, actor=self.actor).plan(text)
        if plan.calls:
            calls = [
                {"name": n, "args": a, "id": "call_" + uuid.uuid4().hex[:12], "type": "tool_call"}
                for n, a in plan.calls
            ]
            return AIMessage(content=plan.note, tool_calls=calls)
        meta = {"outcome": plan.outcome} if plan.outcome else {}
        # an open question is kept as data beside its words, so the next message can fill it
        extra = {"frame": plan.frame} if plan.frame else {}
        return AIMessage(content=plan.text, response_metadata=meta, additional_kwargs=extra)


def compose(after: list[BaseMessage]) -> AIMessage:
    """The reply after the tools ran: the planner's note, then each tool's own text."""
    note = ""
    parts: list[str] = []
    frame = None
    for m in after:
        if isinstance(m, AIMessage) and m.tool_calls and m.content:
            note = str(m.content)
        if isinstance(m, ToolMessage):
            frame = (m.artifact or {}).get("frame") if isinstance(m.artifact, dict) else None
            text = str(m.content)
            if text.startswith("(same call"):
                continue
            if text.startswith("Error: "):
                text = text[len("Error: ") :]
            parts.append(text.strip())
    body = "\n\n".join(p for p in parts if p)
    return AIMessage(
        content=(note + "\n\n" + body).strip() if note else (body or "Done."),
        additional_kwargs={"frame": frame} if frame else {},
    )
