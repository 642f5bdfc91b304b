"""What the conversation so far lends to a new message: the last tool calls and their
arguments (for "and this month?", "make it 2 cartons") and the last order number seen
(for "approve it"). Read from the history messages, exactly as an LLM would see them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from tools.registry import TOOL_SPECS

MUTATING = {name for name, (_, changes, _, _) in TOOL_SPECS.items() if changes}  # the tools that change data


@dataclass
class Context:
    role: str = "user"  # "sales rep", "retailer"...
    today: str | None = None  # YYYY-MM-DD from the system message
    calls: list[dict] = field(default_factory=list)  # earlier tool calls, oldest first
    order_texts: list[str] = field(default_factory=list)  # texts that may name orders, oldest first
    last_user: str = ""  # the user's previous message
    last_reply: str = ""  # the assistant's last words to the user
    frame: dict | None = None  # the question the assistant just asked, if unanswered
    visiting: str | None = None  # the outlet a sales rep is visiting now (from the system message)
    day_open: bool | None = None  # whether a sales rep's working day is started (from the system message)
    waiting: str | None = None  # the tool whose preview waits for the user's yes (from the system message)

    def last_arg(self, key: str) -> str | None:
        """The newest value an earlier call gave `key` ("customer", "product")."""
        for c in reversed(self.calls):
            value = c["args"].get(key)
            if value:
                return str(value)
            if key == "product" and c["name"] == "create_order" and len(c["args"].get("items") or []) == 1:
                return str(c["args"]["items"][0].get("product") or "") or None
        return None

    def last_call(self, names=None, *, reads_only: bool = False) -> dict | None:
        for c in reversed(self.calls):
            if names and c["name"] not in names:
                continue
            if reads_only and c["name"] in MUTATING:
                continue
            return c
        return None


def read_context(messages: list[BaseMessage]) -> tuple[Context, str, list[BaseMessage]]:
    """(context from the history, the newest user text, messages after it)."""
    ctx = Context()
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    for m in messages[: max(last_human, 0)]:
        if isinstance(m, SystemMessage):
            text = str(m.content)
            if r := re.search(r"\(([a-z _]+)\)\.\s*Today is (\d{4}-\d{2}-\d{2})", text):
                ctx.role, ctx.today = r[1].replace("_", " "), r[2]
            continue
        if isinstance(m, AIMessage):
            for c in m.tool_calls or []:
                ctx.calls.append({"name": c["name"], "args": dict(c.get("args") or {})})
                if (c.get("args") or {}).get("order_no"):
                    ctx.order_texts.append(str(c["args"]["order_no"]))
        if isinstance(m, (AIMessage, ToolMessage, HumanMessage)) and m.content:
            ctx.order_texts.append(str(m.content))
        if isinstance(m, HumanMessage):
            ctx.last_user, ctx.last_reply, ctx.frame = str(m.content), "", None
        elif isinstance(m, AIMessage) and not m.tool_calls and m.content:
            ctx.last_reply = str(m.content)
            ctx.frame = (m.additional_kwargs or {}).get("frame")
    for m in messages:
        if isinstance(m, SystemMessage) and (
            r := re.search(r"\(([a-z _]+)\)\.\s*Today is (\d{4}-\d{2}-\d{2})", str(m.content))
        ):
            ctx.role, ctx.today = r[1].replace("_", " "), r[2]
        if isinstance(m, SystemMessage) and (v := re.search(r"They are visiting (.+?) now\.", str(m.content))):
            ctx.visiting = v[1]
        if isinstance(m, SystemMessage) and (
            d := re.search(r"Their working day is (started|not started)\.", str(m.content))
        ):
            ctx.day_open = d[1] == "started"
        if isinstance(m, SystemMessage) and (
            w := re.search(r"A preview of (\w+) is waiting for their yes", str(m.content))
        ):
            ctx.waiting = w[1]
    text = str(messages[last_human].content) if last_human >= 0 else ""
    return ctx, text, messages[last_human + 1 :] if last_human >= 0 else []


def last_order_numbers(ctx: Context, find) -> list[str]:
    """Order numbers of the most recent history text that names any (`find` = lexicon's)."""
    for text in reversed(ctx.order_texts):
        found = find(text)
        if found:
            return found
    return []
