"""The confirmation guarantees of tests/test_safety.py for the changing tools of issue 11
(reorder, send_invoice, receive_stock, and adjust_stock with a batch code and a signed change).

The same test functions run here with cases of their own. The offline planner does not yet
route these requests to these tools, so a scripted model stands in for it on the requests
below: it emits the tool call an LLM would make and leaves every other message to the planner.
Everything after the model (preview, pending action, confirmation, execution) is the runtime's
own code. The snapshot the checks compare also holds the invoice notifications, so a second
run of send_invoice would be seen."""

import uuid
from collections import Counter

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from sqlmodel import Session, select

import test_safety
from agent.runtime import Assistant
from core.state import snapshot as state_snapshot
from core.tables.audit import OutboxMessage
from test_safety import (  # noqa: F401  (collected here too)
    Case,
    test_a_new_request_replaces_the_pending_one,
    test_a_preview_is_good_until_it_expires,
    test_an_expired_preview_runs_nothing,
    test_no_drops_the_preview,
    test_nobody_else_can_confirm,
    test_preview_writes_nothing_and_yes_runs_exactly_once,
    test_the_button_confirms_the_same_way,
    test_two_confirmations_at_once_run_it_once,
)

SCRIPT = {  # request -> the tool call a model would make
    "same as last time please": ("reorder", {}),
    "send invoice INV-0004 to Ganesh": ("send_invoice", {"invoice": "INV-0004"}),
    "received 2 cases of BR-1K, batch BR1-C": (
        "receive_stock",
        {"product": "BR-1K", "qty": 2, "unit": "CASE", "batch": "BR1-C"},
    ),
    "br1-a +5, found in the recount": (
        "adjust_stock",
        {"product": "BR-1K", "batch": "br1-a", "delta": "+5", "reason": "found in the recount"},
    ),
}


class Scripted:
    """A chat model that answers the scripted requests with their tool call and passes anything
    else to the model it wraps (the offline planner)."""

    def __init__(self, inner):
        self.inner = inner

    def for_actor(self, actor):
        scoped = getattr(self.inner, "for_actor", None)
        return Scripted(scoped(actor) if callable(scoped) else self.inner)

    def bind_tools(self, tools):
        return Scripted(self.inner.bind_tools(tools))

    def invoke(self, messages):
        last = messages[-1]
        if isinstance(last, HumanMessage) and last.content in SCRIPT:
            name, args = SCRIPT[last.content]
            call = {"name": name, "args": args, "id": "call-" + uuid.uuid4().hex[:8]}
            return AIMessage(content="", tool_calls=[call])
        return self.inner.invoke(messages)


def notifications(engine) -> list:
    with Session(engine) as s:
        return sorted(
            (m.event, m.recipient, m.payload)
            for m in s.exec(select(OutboxMessage).where(OutboxMessage.event == "invoice"))
        )


def snapshot(engine) -> dict:
    return {**state_snapshot(engine), "notifications": notifications(engine)}


def changes(before: dict, after: dict) -> dict:
    out = ORIGINAL_CHANGES(before, after)
    sent = Counter(after["notifications"]) - Counter(before["notifications"])
    out["invoices_sent"] = sorted((event, recipient) for (event, recipient, _), n in sent.items() for _ in range(n))
    return out


ORIGINAL_CHANGES = test_safety.changes


def expected(sent=(), **kw) -> dict:
    return {**test_safety.expected(**kw), "invoices_sent": list(sent)}


CASES = [
    Case(
        "reorder",
        "U-RET-101",
        "telegram",
        "same as last time please",
        "order 1 case of Sunleaf tea 250g",
        lambda _: expected(new_orders=[("R-101", "confirmed")]),
    ),
    Case(
        "send_invoice",
        "U-MGR-KA",
        "slack",
        "send invoice INV-0004 to Ganesh",
        "record a payment of 5000 from Ganesh Provisions by UPI",
        lambda _: expected(sent=[("invoice", "U-RET-103")]),
    ),
    Case(
        "receive_stock",
        "U-WH-1",
        "slack",
        "received 2 cases of BR-1K, batch BR1-C",
        "dispatch SO-0905",
        lambda _: expected(stock={("WH-BLR", "BR-1K", "BR1-C"): (40, 0)}),
    ),
    Case(
        "adjust_stock",
        "U-WH-1",
        "slack",
        "br1-a +5, found in the recount",
        "dispatch SO-0905",
        lambda _: expected(stock={("WH-BLR", "BR-1K", "BR1-A"): (5, 0)}),
    ),
]


@pytest.fixture(autouse=True)
def scripted_model(monkeypatch):
    """Every Assistant of these tests uses the scripted model; the checks see notifications too."""
    original = Assistant.model

    def model(self):
        if not isinstance(self._model, Scripted):
            self._model = Scripted(original(self))
        return self._model

    monkeypatch.setattr(Assistant, "model", model)
    monkeypatch.setattr(test_safety, "snapshot", snapshot)
    monkeypatch.setattr(test_safety, "changes", changes)


@pytest.fixture(params=CASES, ids=[c.tool for c in CASES])
def case(request, sample, clock) -> Case:
    return request.param


def test_the_scripted_requests_reach_their_tools(sample, clock):
    """The cases test what they claim: each request previews its own tool, and the alternative
    request (left to the planner) previews another change."""
    from agent.runtime import Turn

    for c in CASES:
        a = Assistant(sample, clock)
        r = a.handle(Turn(c.user, c.channel, "check-" + c.tool), c.request)
        assert r.outcome == "preview" and r.tool_calls[-1].name == c.tool, r.full_text()
        alt = a.handle(Turn(c.user, c.channel, "check-alt-" + c.tool), c.alt)
        assert alt.outcome == "preview" and alt.tool_calls[-1].name != c.tool, alt.full_text()
