"""What the assistant answers: a structure every channel renders in its own way."""
from dataclasses import dataclass, field
from typing import Any

from tools.base import Table  # one table shape from the tools to the channels

# The outcome of a turn, read by the evaluation runner (never parsed from wording).
OUTCOMES = ("answered", "preview", "done", "refused", "not_understood", "clarify", "dropped", "error")


@dataclass
class Action:
    """A button a channel may show, e.g. Confirm / Cancel of a preview."""

    id: str  # "confirm" | "cancel" | "approve" | "reject"
    label: str
    value: str = ""  # what the channel sends back (e.g. the pending action's id)


@dataclass
class ToolCall:
    name: str
    args: dict[str, Any]
    ok: bool = True
    error: str | None = None


@dataclass
class Reply:
    text: str
    outcome: str = "answered"
    table: Table | None = None
    actions: list[Action] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    awaiting_confirmation: bool = False
    tokens: int = 0  # model tokens used in this turn (LLM backends)

    def full_text(self) -> str:
        """Text plus the table as plain lines: what a person reads."""
        parts = [self.text]
        if self.table:
            if self.table.title:
                parts.append(self.table.title)
            parts.append(" | ".join(self.table.columns))
            parts.extend(" | ".join(r) for r in self.table.rows)
        return "\n".join(parts)
