"""What notifications say: the words of every outbox event (`core.audit.notify`), for each channel.

The words live here and nowhere else; a channel only renders them. It passes a `Markup` (how
it escapes a value and shows one in bold) and gets text it can send as is: Telegram sends the
HTML, Slack escapes the text into its blocks and adds the decision buttons.

Slack and Telegram word approvals and order updates differently (they did so before the words
had one owner, and their tests pin both); `plain` is the words without any markup. Making
them one wording is a change to the tables below, in this file only.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from core.tables.audit import OutboxMessage
from tools.format import rs

OTHER = "*"  # an event without words of its own: its name and its payload's values

WORDS: dict[str, dict[str, str]] = {
    "plain": {
        "approval_requested": "Order {order} for {customer}{comma_total} needs your approval{colon_reasons}.",
        "approval_escalated": (
            "Order {order} for {customer}{comma_total} has waited {hours} h for approval and is escalated to you."
        ),
        "order_status": "Your order {order} is now {status}{comma_total}.",
        "outlet_request": "Outlet request {request} ({kind} of {customer}) needs your approval{colon_changes}.",
        "outlet_request_decided": "Your {kind} of {customer} ({request}) was {status} by {by}{reason_note}.",
        OTHER: "{event}: {details}",
    },
    "slack": {
        "approval_requested": "Approval needed: order {order} of {customer}, {total}.{why_line}",
        "approval_escalated": (
            "Escalated to you (waiting over {hours} h): order {order} of {customer}, {total}.{why_line}"
        ),
        "order_status": "Order {order} is now {status}.",
        "outlet_request": "Approval needed: {kind} of {customer} ({request}){colon_changes}.",
        "outlet_request_decided": "Your {kind} of {customer} ({request}) was {status} by {by}{reason_note}.",
        OTHER: "{event}: {details}",
    },
    "telegram": {
        "approval_requested": "Order {order} for {customer} ({total}) waits for your approval.{reasons_line}",
        "approval_escalated": "Order {order} for {customer} ({total}) was escalated to you.{reasons_line}",
        "order_status": "Order {order} is now {status}{total_note}.",
        "telegram_linked": "This Telegram account is now linked to {name}. /help shows what you can ask.",
        "outlet_request": "The {kind} of {customer} ({request}) waits for your approval{colon_changes}.",
        "outlet_request_decided": "Your {kind} of {customer} ({request}) was {status} by {by}{reason_note}.",
        OTHER: "{event}: {colon_details}",
    },
}

# Words that are there only when their value is (a total, reasons, why an order waits).
WHEN_GIVEN = {
    "comma_total": ", {total}",
    "total_note": " (total {total})",
    "colon_reasons": ": {reasons}",
    "reasons_line": "\n{reasons}",
    "why_line": "\nWhy: {why}.",
    "colon_changes": ": {changes}",
    "reason_note": ' ("{reason}")',
}


@dataclass(frozen=True)
class Markup:
    """How a channel shows a value of the payload: escaped, and in bold (order numbers, statuses)."""

    esc: Callable[[str], str] = str
    bold: Callable[[str], str] = str


PLAIN = Markup()


def notice_text(message: OutboxMessage, style: str = "plain", markup: Markup = PLAIN, why: str = "") -> str:
    """The notification in `style`'s words (plain, slack, telegram), its values shown by `markup`.
    `why` is what the channel found out about why an order waits for approval (Slack asks)."""
    p = json.loads(message.payload or "{}")
    esc = markup.esc
    total = p.get("total")
    values = {
        "order": markup.bold(esc(str(p.get("order_no", "?")))),
        "customer": esc(str(p.get("customer", ""))),
        "status": markup.bold(esc(str(p.get("status", "?")).replace("_", " "))),
        "total": _money(total, esc),
        "hours": esc(str(p.get("waiting_hours", "?"))),
        "name": esc(str(p.get("name", "your account"))),
        "reasons": esc("; ".join(str(r) for r in p.get("reasons") or [])),
        "why": esc(why),
        "event": esc(message.event.replace("_", " ")),
        "details": esc(", ".join(f"{k} {v}" for k, v in sorted(p.items()))),
        "colon_details": esc(", ".join(f"{k}: {v}" for k, v in sorted(p.items()))),
        "request": markup.bold(esc(str(p.get("request", "?")))),
        "kind": "new outlet" if p.get("kind") == "new" else "outlet update",
        "changes": esc(", ".join(f"{str(k).replace('_', ' ')} {v}" for k, v in (p.get("changes") or {}).items())),
        "by": esc(str(p.get("by", ""))),
        "reason": esc(str(p.get("reason") or "")),
    }
    given = {
        "total": bool(total),
        "reasons": bool(values["reasons"]),
        "why": bool(why),
        "changes": bool(values["changes"]),
        "reason": bool(values["reason"]),
    }
    for name, template in WHEN_GIVEN.items():
        needs = next(k for k in given if "{" + k + "}" in template)
        values[name] = template.format(**values) if given[needs] else ""
    styled = WORDS[style]
    return styled.get(message.event, styled[OTHER]).format(**values)


def _money(value, esc: Callable[[str], str]) -> str:
    try:
        return rs(value)
    except (ArithmeticError, TypeError, ValueError):  # not a number: shown as it came
        return esc(str(value if value is not None else ""))
