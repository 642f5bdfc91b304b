"""Invoices in scope (list, show, send through the outbox), when payments fall due with the credit
left, and outstanding filtered by days overdue, on the sample world (today 2026-11-20).

The sample's invoices: INV-0001 SO-0901 Anand (R-101) 5227.20 due 10-20; INV-0002 SO-0902 Fresh Mart
(R-102) 9005.76, 5000 paid, due 10-27; INV-0003 SO-0903 New Star (R-104) 50418.72, 20000 paid, due
11-19; INV-0004 SO-0904 Ganesh (R-103) 4788.00 due 11-09; INV-0005 SO-0906 Murugan (R-105, Chennai)
10584.00 due 11-27."""

import json
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from core.errors import InvalidInput, NotAllowed, NotFound
from core.invoices import credit_position, list_invoices, overdue_by
from core.payments import record_payment
from core.sales_filters import build_filter
from core.tables.audit import AuditEntry, OutboxMessage
from tool_helpers import act, execute, preview, read, rows, run
from tools.base import StalePreview


def numbers(engine, clock, user, **kw):
    return [
        v.invoice_no
        for v in read(
            engine,
            clock,
            user,
            lambda s, a, c: list_invoices(s, a, c.today(), where=build_filter(s, a, **kw.pop("filters", {})), **kw),
        )
    ]


def test_each_role_lists_the_invoices_in_its_scope(sample, clock):
    assert numbers(sample, clock, "U-ADM") == ["INV-0001", "INV-0002", "INV-0003", "INV-0004", "INV-0005"]
    assert numbers(sample, clock, "U-RET-101") == ["INV-0001"]  # a retailer: its own only
    assert numbers(sample, clock, "U-DIST-BLR") == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    assert numbers(sample, clock, "U-MGR-TN") == ["INV-0005"]
    assert numbers(sample, clock, "U-REP-1") == ["INV-0001", "INV-0004"]  # Anand, Ganesh
    with pytest.raises(NotAllowed):  # warehouse staff do not see balances
        numbers(sample, clock, "U-WH-1")


def test_status_days_overdue_period_and_customer_filters(sample, clock):
    assert numbers(sample, clock, "U-ADM", status="overdue") == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    assert numbers(sample, clock, "U-ADM", status="unpaid") == [
        "INV-0001",
        "INV-0002",
        "INV-0003",
        "INV-0004",
        "INV-0005",
    ]
    assert numbers(sample, clock, "U-ADM", status="paid") == []
    assert numbers(sample, clock, "U-ADM", min_days_overdue=20) == ["INV-0001", "INV-0002"]
    assert numbers(sample, clock, "U-ADM", min_days_overdue=11) == ["INV-0001", "INV-0002", "INV-0004"]
    from datetime import date

    assert numbers(sample, clock, "U-ADM", start=date(2026, 11, 1), end=date(2026, 11, 30)) == ["INV-0004", "INV-0005"]
    assert numbers(sample, clock, "U-ADM", filters={"region": "Bengaluru South"}) == ["INV-0002", "INV-0003"]
    assert numbers(sample, clock, "U-ADM", filters={"beat": "Mysuru Thursday"}) == ["INV-0004"]
    assert numbers(sample, clock, "U-MGR-KA", filters={"sales_rep": "Priya Nair"}) == ["INV-0002", "INV-0003"]
    assert numbers(sample, clock, "U-ADM", filters={"distributor": "Chennai Traders"}) == ["INV-0005"]
    # paying Ganesh's opening balance and its invoice makes INV-0004 paid
    act(sample, clock, "U-MGR-KA", lambda s, a, c: record_payment(s, a, c, "R-103", Decimal("13988.00"), "upi"))
    assert numbers(sample, clock, "U-ADM", status="paid") == ["INV-0004"]
    assert "INV-0004" not in numbers(sample, clock, "U-ADM", status="unpaid")


def test_list_invoices_tool(sample, clock):
    r = run(sample, clock, "U-MGR-KA", "list_invoices", status="overdue", min_days_overdue=20)
    assert r.data["balance"] == "9232.96" and [i["invoice_no"] for i in r.data["invoices"]] == ["INV-0001", "INV-0002"]
    assert "Overdue invoices, at least 20 days overdue: 2" in r.text and "overdue by 31 days" in r.text
    assert r.table.columns[:3] == ["Invoice", "Order", "Customer"] and len(r.table.rows) == 2
    murugan = run(sample, clock, "U-MGR-TN", "list_invoices", customer="Murugan Stores")
    assert "due in 7 days" in murugan.text and murugan.data["invoices"][0]["status"] == "unpaid"
    assert run(sample, clock, "U-RET-101", "list_invoices", status="paid").text == "No paid invoices."


def test_one_invoice_by_its_number_or_its_order(sample, clock):
    for ref in ("INV-0004", "inv 4", "INV-4", "so-0904", "0004"):
        r = run(sample, clock, "U-MGR-KA", "get_invoice", invoice=ref)
        assert r.data["invoice_no"] == "INV-0004", ref
    assert r.data["balance"] == "4788.00" and r.data["delivery_note"] == "DN-0004"
    assert "overdue by 11 days" in r.text and "Delivery note DN-0004" in r.text


def test_an_invoice_out_of_scope_reads_like_a_missing_one(sample, clock):
    def refusal(user, ref):
        with pytest.raises(NotFound) as e:
            run(sample, clock, user, "get_invoice", invoice=ref)
        return str(e.value)

    for user, hidden in (
        ("U-RET-101", "INV-0002"),
        ("U-MGR-TN", "INV-0004"),
        ("U-REP-1", "INV-0003"),
        ("U-DIST-BLR", "INV-0005"),
    ):
        assert refusal(user, hidden).replace(hidden, "#") == refusal(user, "INV-0099").replace("INV-0099", "#")
        with pytest.raises(NotFound):
            preview(sample, clock, user, "send_invoice", invoice=hidden)


def outbox(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.event == "invoice").order_by(OutboxMessage.id)))


def test_send_an_invoice_previews_then_queues_it_to_the_customers_users(sample, clock):
    before = rows(sample)
    p = preview(sample, clock, "U-MGR-KA", "send_invoice", channel="slack", invoice="INV-0004")
    assert rows(sample) == before  # nothing queued by a preview
    assert p.data["recipients"] == ["U-RET-103"] and "Ganesh" in p.text and "overdue by 11 days" in p.text
    done = execute(sample, clock, "U-MGR-KA", "send_invoice", p.fingerprint, channel="slack", invoice="INV-0004")
    assert done.outcome == "done" and "INV-0004 sent to Ganesh Provisions" in done.text
    [m] = outbox(sample)
    assert m.recipient == "U-RET-103" and m.status == "pending"
    payload = json.loads(m.payload)
    assert payload == {
        "invoice_no": "INV-0004",
        "order_no": "SO-0904",
        "customer": "Ganesh Provisions",
        "amount": "4788.00",
        "paid": "0.00",
        "balance": "4788.00",
        "due_date": "2026-11-09",
    }
    with Session(sample) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "invoice.send")).one()
    assert (entry.user_id, entry.channel, entry.entity_id) == ("U-MGR-KA", "slack", "INV-0004")
    assert entry.at == clock.now()


def test_a_retailer_may_send_its_own_invoice_to_itself(sample, clock):
    p = preview(sample, clock, "U-RET-101", "send_invoice", invoice="INV-0001")
    execute(sample, clock, "U-RET-101", "send_invoice", p.fingerprint, invoice="INV-0001")
    assert [m.recipient for m in outbox(sample)] == ["U-RET-101"]


def test_sending_refusals(sample, clock):
    with pytest.raises(InvalidInput, match="New Star Supermarket has no users"):
        preview(sample, clock, "U-MGR-KA", "send_invoice", invoice="INV-0003")
    with pytest.raises(NotAllowed):
        preview(sample, clock, "U-WH-1", "send_invoice", invoice="INV-0004")
    # a payment between preview and confirmation changes what would be sent: a new preview instead
    p = preview(sample, clock, "U-MGR-KA", "send_invoice", invoice="INV-0004")
    act(sample, clock, "U-MGR-KA", lambda s, a, c: record_payment(s, a, c, "R-103", Decimal("10000.00"), "cash"))
    with pytest.raises(StalePreview) as e:
        execute(sample, clock, "U-MGR-KA", "send_invoice", p.fingerprint, invoice="INV-0004")
    assert e.value.preview.data["balance"] == "3988.00"
    assert outbox(sample) == []


def test_when_payments_fall_due_and_the_credit_left(sample, clock):
    p = read(sample, clock, "U-RET-101", lambda s, a, c: credit_position(s, a, c.today(), "R-101"))
    # outstanding = 4500 opening + 5227.20 (SO-0901) + 3463.20 (SO-0905) - 3000 paid
    assert (p.outstanding, p.credit_limit, p.credit_left) == (
        Decimal("10190.40"),
        Decimal("20000.00"),
        Decimal("9809.60"),
    )
    assert [(d.ref, str(d.due_date), d.balance, d.days_past_due) for d in p.due] == [
        ("INV-0001", "2026-10-20", Decimal("5227.20"), 31),
        ("opening balance", "2026-11-20", Decimal("1500.00"), 0),
    ]
    assert (p.overdue, p.not_invoiced) == (Decimal("5227.20"), Decimal("3463.20"))

    r = run(sample, clock, "U-RET-101", "payment_due")
    assert "₹9,809.60 of credit left" in r.text and "Overdue now: ₹5,227.20" in r.text
    assert "Next due: ₹1,500.00 on 2026-11-20" in r.text and r.data["credit_left"] == "9809.60"
    over = run(sample, clock, "U-REP-1", "payment_due", customer="Ganesh Provisions")
    assert over.data["credit_left"] == "-3988.00" and "over the ₹10,000.00 credit limit by ₹3,988.00" in over.text
    murugan = run(sample, clock, "U-MGR-TN", "payment_due", customer="R-105")
    assert "Next due: ₹10,584.00 on 2026-11-27 (INV-0005, order SO-0906, due in 7 days)" in murugan.text
    with pytest.raises(NotAllowed):  # another customer's account reads like no account at all
        run(sample, clock, "U-RET-101", "payment_due", customer="Fresh Mart")
    with pytest.raises(InvalidInput, match="Whose payments"):
        run(sample, clock, "U-MGR-KA", "payment_due")


def test_outstanding_by_days_overdue(sample, clock):
    got = read(sample, clock, "U-MGR-KA", lambda s, a, c: overdue_by(s, a, c.today(), 10))
    assert [(o.customer, o.amount, o.oldest_days) for o in got] == [
        ("R-101", Decimal("5227.20"), 31),
        ("R-103", Decimal("4788.00"), 11),
        ("R-102", Decimal("4005.76"), 24),
    ]
    r = run(sample, clock, "U-MGR-KA", "outstanding", min_days_overdue=20)
    assert [c["customer"] for c in r.data["customers"]] == ["R-101", "R-102"] and r.data["total"] == "9232.96"
    assert "at least 20 days overdue" in r.text and r.table.rows[0][2] == "INV-0001"
    assert (
        run(sample, clock, "U-RET-101", "outstanding", min_days_overdue=40).text
        == "Nothing is at least 40 days overdue."
    )
    plain = run(sample, clock, "U-RET-101", "outstanding")  # without the filter: as before
    assert "owes" in plain.text and "min_days_overdue" not in plain.data
