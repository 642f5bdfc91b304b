"""What the planner decides for a message: tool calls, or words of its own (a question, a refusal)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Plan:
    calls: list[tuple[str, dict]] = field(default_factory=list)
    text: str = ""
    outcome: str | None = None  # refused | clarify | not_understood (None = let tools decide)
    note: str = ""  # said before the tools' answer
    guess: bool = False  # a guess from one word ("dispatch", "my order"): a policy question may win
    frame: dict | None = None  # the slot a question waits for (agent/planner/frames.py)
