"""Where an order is: status, who placed, approved, dispatched and delivered it and when, with its
delivery note and invoice, read from the audit trail and the documents (sample world)."""

from datetime import timedelta

import pytest

from core.clock import Clock
from core.errors import NotFound
from core.orders import Item, cancel_order, create_order, decide, deliver_order, dispatch_order
from core.tracking import track_order
from tool_helpers import act, read, run


def later(clock: Clock, hours: float) -> Clock:
    return Clock(clock.tz, clock.now() + timedelta(hours=hours))


def test_an_order_from_placing_to_delivery(sample, clock):
    order, _ = act(
        sample,
        clock,
        "U-REP-1",
        lambda s, a, c: create_order(s, a, c, [Item("ST-250", 2, "CASE")], "R-103"),
        channel="slack",
    )
    no = order.order_no
    t = read(sample, clock, "U-RET-103", lambda s, a, c: track_order(s, a, no))
    assert (t.status, t.next_step, t.approval_role) == (
        "pending_approval",
        "waiting for approval by a manager",
        "manager",
    )
    assert [(x.what, x.by, x.channel) for x in t.steps] == [("placed, waiting for approval", "Ravi Kumar", "slack")]

    act(sample, later(clock, 1), "U-MGR-KA", lambda s, a, c: decide(s, a, c, no, True), channel="telegram")
    act(sample, later(clock, 2), "U-WH-1", lambda s, a, c: dispatch_order(s, a, c, no))
    act(sample, later(clock, 26), "U-WH-1", lambda s, a, c: deliver_order(s, a, c, no), channel="slack")
    t = read(sample, clock, "U-RET-103", lambda s, a, c: track_order(s, a, no))
    assert [(x.what, x.by, x.channel, x.at) for x in t.steps] == [
        ("placed, waiting for approval", "Ravi Kumar", "slack", clock.now()),
        ("approved and confirmed", "Kiran Shetty", "telegram", later(clock, 1).now()),
        ("dispatched", "Suresh Gowda", "cli", later(clock, 2).now()),
        ("delivered", "Suresh Gowda", "slack", later(clock, 26).now()),
    ]
    assert t.steps[2].detail == "delivery note DN-0006, invoice INV-0006"
    assert (t.status, t.delivery_note, t.invoice_no, str(t.invoice_due)) == (
        "delivered",
        "DN-0006",
        "INV-0006",
        "2026-11-27",
    )

    r = run(sample, clock, "U-RET-103", "track_order", order_no=no.lower())
    assert r.text.startswith(f"Order {no} for Ganesh Provisions (₹9,576.00) is delivered.")
    assert "- Approved and confirmed: 20 Nov 2026 at 11:30 by Kiran Shetty" in r.text
    assert "Invoice INV-0006: ₹9,576.00, due 2026-11-27" in r.text
    assert r.table.columns == ["Step", "When", "By", "Channel", "Detail"] and len(r.table.rows) == 4


def test_history_orders_and_a_cancellation_with_its_reason(sample, clock):
    r = run(sample, clock, "U-RET-101", "track_order", order_no="SO-0901")
    assert "is delivered." in r.text and "Dispatched: 5 Oct 2026 at 11:00" in r.text
    assert "delivery note DN-0001, invoice INV-0001" in r.text and "Delivered: date not recorded" in r.text
    confirmed = run(sample, clock, "U-WH-1", "track_order", order_no="SO-0905")
    assert "waiting to be dispatched from WH-BLR" in confirmed.text
    act(sample, clock, "U-RET-101", lambda s, a, c: cancel_order(s, a, c, "SO-0905", "ordered twice"))
    t = read(sample, clock, "U-RET-101", lambda s, a, c: track_order(s, a, "SO-0905"))
    assert [(x.what, x.detail) for x in t.steps] == [("placed", None), ("cancelled", "ordered twice")]


def test_an_order_out_of_scope_reads_like_a_missing_one(sample, clock):
    for user, hidden in (
        ("U-RET-101", "SO-0902"),
        ("U-MGR-TN", "SO-0905"),
        ("U-REP-1", "SO-0908"),
        ("U-DIST-BLR", "SO-0906"),
    ):
        texts = []
        for no in (hidden, "SO-0999"):
            with pytest.raises(NotFound) as e:
                run(sample, clock, user, "track_order", order_no=no)
            texts.append(str(e.value).replace(no, "#"))
        assert texts[0] == texts[1]
