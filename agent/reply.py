"""What the assistant answers: a structure every channel renders in its own way."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tools.base import Attachment, Table  # one table and one file shape from the tools to the channels

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
    attachments: list[Attachment] = field(default_factory=list)  # files the tools made (a report as a spreadsheet)

    def full_text(self) -> str:
        """Text plus the table as plain lines: what a person reads."""
        parts = [self.text]
        if self.table:
            if self.table.title:
                parts.append(self.table.title)
            parts.append(" | ".join(self.table.columns))
            parts.extend(" | ".join(r) for r in self.table.rows)
        return "\n".join(parts)


# --- grounding: what a model may state as fact ---------------------------------------------------
# A model's words are shown only where their facts are the records': an order, invoice or delivery
# note number and a money amount must occur in a tool result (or a runtime message) of this turn or
# of the conversation, and no sentence may say that a change was made (in a model's turn nothing
# is changed: changes run only when the user confirms, and the runtime reports them itself).

_DOC = re.compile(r"\b(SO|INV|DN|PO|ORD|ORDER|INVOICE)[-/# ]?(\d{1,9})\b", re.I)
_DOC_PREFIX = {"ORDER": "SO", "ORD": "SO", "INVOICE": "INV"}
_MONEY = re.compile(
    r"(?:\b(?:rs|inr)\.?|₹)\s*(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:rupees|/-)"
    r"|\b(\d{1,3}(?:,\d{2,3})+(?:\.\d{1,2})?|\d+\.\d{2})\b",
    re.I,
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_VERBS = (
    r"placed|created|cancell?ed|approved|rejected|dispatched|delivered|recorded|adjusted|updated|changed|"
    r"confirmed|booked|submitted|processed|sent|raised|increased|decreased|reduced|added|removed|received|"
    r"paid|settled|marked|modified|set up|logged|saved|executed|completed|issued"
)
_CLAIM_FIRST_PERSON = re.compile(
    rf"\b(?:i|we)(?:'ve|'d| have| had)?\s+(?:now\s+|just\s+|already\s+|successfully\s+|also\s+)*(?:{_VERBS})\b", re.I
)
_CLAIM_DONE = re.compile(
    r"^\W*(?:done|all done|all set|success|completed)\b|\bsuccessfully\b|"
    r"\b(?:has|have) been (?:successfully )?(?:placed|created|booked|submitted|recorded|"
    r"processed|executed|completed)\b|\border(?: has been| was| is)? (?:placed|created|booked|"
    r"submitted)\b",
    re.I,
)
_BOUNDARY = re.compile(r"(?<=[.!?])\s+")
_ABBREV = re.compile(r"(?:\b(?:rs|no|nos|e\.g|i\.e|approx|qty|incl|excl|vs|mr|mrs|dr|st)\.|^\s*\d{1,2}\.)$", re.I)


def doc_numbers(text: str) -> set[tuple[str, int]]:
    """Order, invoice and delivery note numbers, normalised: "SO-0905", "so 905" -> ("SO", 905)."""
    return {(_DOC_PREFIX.get(p.upper(), p.upper()), int(n)) for p, n in _DOC.findall(text or "")}


def _decimal(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", "").rstrip("."))
    except InvalidOperation:
        return None


def money_amounts(text: str) -> set[Decimal]:
    """Amounts stated as money: Rs / ₹ / INR / rupees / "/-", or written like money (12,400 or 9576.00)."""
    out = set()
    for m in _MONEY.finditer(text or ""):
        d = _decimal(next(g for g in m.groups() if g))
        if d is not None:
            out.add(d)
    return out


def numbers(text: str) -> set[Decimal]:
    return {d for d in map(_decimal, _NUMBER.findall(text or "")) if d is not None}


def split_sentences(line: str) -> list[str]:
    """A line's sentences; "Rs. 500" and "No. 5" do not end one."""
    out: list[str] = []
    for piece in _BOUNDARY.split(line):
        if out and _ABBREV.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [p for p in out if p.strip()]


@dataclass
class Evidence:
    """What the records said in this conversation: tool results and the runtime's own messages."""

    text: str = ""
    docs: set = field(default_factory=set)
    amounts: set = field(default_factory=set)
    asked: str = ""  # the user's own words: a question may echo them, a statement may not

    @classmethod
    def of(cls, texts: list[str], asked: Sequence[str] = ()) -> "Evidence":
        joined = "\n".join(t for t in texts if t)
        return cls(joined, doc_numbers(joined), numbers(joined), "\n".join(a for a in asked if a))

    def unsupported(self, sentence: str) -> str | None:
        """Why `sentence` may not be shown as a fact, or None when it may."""
        s = sentence.strip()
        if not s or " ".join(s.split()) in " ".join(self.text.split()):
            return None  # quoted from the records
        question = s.endswith("?")
        docs = doc_numbers(s) - self.docs
        if question:
            docs -= doc_numbers(self.asked)
        if docs:
            return "number " + ", ".join(f"{p}-{n:04d}" for p, n in sorted(docs))
        amounts = money_amounts(s) - self.amounts
        if question:
            amounts -= numbers(self.asked)
        if amounts:
            return "amount " + ", ".join(str(a) for a in sorted(amounts))
        if not question and (_CLAIM_FIRST_PERSON.search(s) or (_CLAIM_DONE.search(s) and not doc_numbers(s))):
            return "a claim that something was done"
        return None


@dataclass
class Grounded:
    text: str
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why)


def ground(text: str, evidence: Evidence) -> Grounded:
    """`text` without the sentences whose facts the records do not hold."""
    kept_lines, dropped = [], []
    for line in (text or "").splitlines():
        kept = []
        for sentence in split_sentences(line):
            why = evidence.unsupported(sentence)
            if why:
                dropped.append((sentence.strip(), why))
            else:
                kept.append(sentence)
        joined = " ".join(kept).rstrip()
        if joined.strip(" -*•#:") or not line.strip():
            kept_lines.append(joined)
    out = "\n".join(kept_lines).strip()
    out = re.sub(r"\n{3,}", "\n\n", out)
    if not re.search(r"[A-Za-z0-9]", out):
        out = ""
    return Grounded(out, dropped)
