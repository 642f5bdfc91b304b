"""Orders, approvals, dispatch, invoices and payments at the core level (rules.md), on the sample world."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from core.access import load_actor
from core.approvals import escalate_due, pending_approvals
from core.db import transaction
from core.errors import CustomerBlocked, InsufficientStock, InvalidTransition, NotAllowed, NotFound
from core.inventory import ledger_consistent
from core.orders import (
    Item,
    PreviewChanged,
    cancel_order,
    create_order,
    decide,
    deliver_order,
    dispatch_order,
    get_order,
    list_orders,
    preview_order,
)
from core.payments import customer_outstanding, record_payment
from core.reports import sales
from core.state import snapshot
from core.tables.approvals import Approval
from core.tables.audit import AuditEntry, OutboxMessage
from core.tables.billing import Invoice
from core.tables.inventory import StockBalance
from core.tables.orders import Order, OrderLine


def act(engine, user, fn, clock):
    with transaction(engine) as s:
        return fn(s, load_actor(s, user), clock)


def test_retailer_order_with_free_goods_reserves_fefo(sample, clock):
    order, preview = act(sample, "U-RET-101", lambda s, a, c: create_order(s, a, c, [Item("CC-100", 20, "BOX")]), clock)
    assert (order.status, order.total, order.warehouse) == ("confirmed", Decimal("2832.00"), "WH-BLR")
    with Session(sample) as s:
        line = s.exec(select(OrderLine).where(OrderLine.order_no == order.order_no)).one()
        assert (line.qty, line.free_qty, line.unit_price) == (240, 24, Decimal("10.00"))
        b1 = s.get(StockBalance, ("WH-BLR", "CC-100", "CC-2609"))
        b2 = s.get(StockBalance, ("WH-BLR", "CC-100", "CC-2610"))
        assert (b1.available, b1.reserved, b2.available, b2.reserved) == (736, 264, 2000, 0)
        assert s.exec(select(AuditEntry).where(AuditEntry.entity_id == order.order_no)).first().user_id == "U-RET-101"
        assert ledger_consistent(s) == []


def test_order_numbers_continue_after_history(sample, clock):
    o1, _ = act(sample, "U-RET-101", lambda s, a, c: create_order(s, a, c, [Item("CC-100", 1, "BOX")]), clock)
    o2, _ = act(sample, "U-RET-101", lambda s, a, c: create_order(s, a, c, [Item("CC-100", 1, "BOX")]), clock)
    assert (o1.order_no, o2.order_no) == ("SO-0909", "SO-0910")


def test_credit_limit_sends_order_for_approval_then_manager_approves(sample, clock):
    order, p = act(
        sample, "U-MGR-KA", lambda s, a, c: create_order(s, a, c, [Item("ST-250", 2, "CASE")], "R-103"), clock
    )
    assert (order.status, order.total, p.approval_reasons, p.approver_role) == (
        "pending_approval",
        Decimal("9576.00"),
        ["credit_limit_exceeded"],
        "manager",
    )
    with Session(sample) as s:
        notes = s.exec(select(OutboxMessage).where(OutboxMessage.event == "approval_requested")).all()
        assert {n.recipient for n in notes} == {"U-MGR-KA"}  # the Karnataka manager, not Tamil Nadu's
    # a sales rep cannot approve; the Tamil Nadu manager cannot see it
    with pytest.raises(NotAllowed):
        act(sample, "U-REP-1", lambda s, a, c: decide(s, a, c, order.order_no, True), clock)
    with pytest.raises(NotFound):
        act(sample, "U-MGR-TN", lambda s, a, c: decide(s, a, c, order.order_no, True), clock)
    assert [x.order_no for x in act(sample, "U-MGR-KA", lambda s, a, c: pending_approvals(s, a), clock)] == [
        order.order_no
    ]
    act(sample, "U-MGR-KA", lambda s, a, c: decide(s, a, c, order.order_no, True), clock)
    with Session(sample) as s:
        assert s.get(Order, order.order_no).status == "confirmed"
        assert s.exec(select(Approval)).one().status == "approved"
    with pytest.raises(InvalidTransition):
        act(sample, "U-MGR-KA", lambda s, a, c: decide(s, a, c, order.order_no, True), clock)


def test_rejection_needs_reason_and_releases_stock(sample, clock):
    order, _ = act(sample, "U-RET-103", lambda s, a, c: create_order(s, a, c, [Item("ST-250", 1, "CASE")]), clock)
    with pytest.raises(Exception, match="reason"):
        act(sample, "U-MGR-KA", lambda s, a, c: decide(s, a, c, order.order_no, False), clock)
    act(sample, "U-MGR-KA", lambda s, a, c: decide(s, a, c, order.order_no, False, "overdue invoices"), clock)
    with Session(sample) as s:
        assert s.get(Order, order.order_no).status == "rejected"
        assert s.get(StockBalance, ("WH-BLR", "ST-250", "ST-2607")).available == 160
        assert ledger_consistent(s) == []


def test_pending_and_blocked_customers(sample, clock):
    _, p = act(sample, "U-RET-106", lambda s, a, c: create_order(s, a, c, [Item("CC-100", 1, "BOX")]), clock)
    assert "customer_pending" in p.approval_reasons and p.approver_role == "admin"
    before = snapshot(sample)
    with pytest.raises(CustomerBlocked, match="blocked"):
        act(sample, "U-RET-107", lambda s, a, c: create_order(s, a, c, [Item("BR-1K", 1, "CASE")]), clock)
    assert snapshot(sample) == before


def test_insufficient_stock_says_what_is_available_and_writes_nothing(sample, clock):
    before = snapshot(sample)
    with pytest.raises(InsufficientStock, match="36") as e:
        act(sample, "U-RET-102", lambda s, a, c: create_order(s, a, c, [Item("NS-100", 100), Item("CC-100", 1)]), clock)
    assert e.value.shortages[0]["available"] == 36
    assert snapshot(sample) == before


def test_expired_batch_is_skipped(sample, clock):
    act(sample, "U-MGR-KA", lambda s, a, c: create_order(s, a, c, [Item("MG-75", 300)], "R-102"), clock)
    with Session(sample) as s:
        got = {
            b.batch: (b.available, b.reserved) for b in s.exec(select(StockBalance).where(StockBalance.sku == "MG-75"))
        }
    assert got == {"MG-2605": (100, 0), "MG-2606": (0, 240), "MG-2608": (2340, 60)}


def test_scope_refusals_leak_nothing(sample, clock):
    with pytest.raises(NotAllowed):
        act(sample, "U-RET-101", lambda s, a, c: create_order(s, a, c, [Item("CC-100", 1)], "R-102"), clock)
    for no in ("SO-0902", "SO-9999"):  # existing and not: the same answer
        with pytest.raises(NotFound, match="that you can see"):
            act(sample, "U-RET-101", lambda s, a, c, no=no: get_order(s, a, no), clock)
    mine = act(sample, "U-RET-101", lambda s, a, c: list_orders(s, a), clock)
    assert {o.customer for o in mine} == {"R-101"}


def test_dispatch_invoices_and_payments_settle_oldest_first(sample, clock):
    with pytest.raises(NotAllowed):
        act(sample, "U-RET-101", lambda s, a, c: dispatch_order(s, a, c, "SO-0905"), clock)
    order, note, inv = act(sample, "U-WH-1", lambda s, a, c: dispatch_order(s, a, c, "SO-0905"), clock)
    assert inv.amount == Decimal("3463.20") and inv.due_date == clock.today() + timedelta(days=15)
    with Session(sample) as s:
        assert s.get(StockBalance, ("WH-BLR", "CC-200", "CC2-2610")).reserved == 0
        assert ledger_consistent(s) == []
    act(sample, "U-WH-1", lambda s, a, c: deliver_order(s, a, c, "SO-0905"), clock)
    owed = act(sample, "U-RET-101", lambda s, a, c: customer_outstanding(s, a, c, "R-101"), clock)
    assert owed.outstanding == Decimal("10190.40")
    act(sample, "U-MGR-KA", lambda s, a, c: record_payment(s, a, c, "R-101", "4000", "upi", "UPI-1"), clock)
    with Session(sample) as s:
        invoices = {i.order_no: i.paid for i in s.exec(select(Invoice).where(Invoice.customer == "R-101"))}
    # 3000 + 4000 paid: the opening 4500 first, then 2500 of the oldest invoice (SO-0901)
    assert invoices == {"SO-0901": Decimal("2500.00"), "SO-0905": Decimal("0.00")}
    with pytest.raises(NotAllowed):
        act(sample, "U-RET-101", lambda s, a, c: record_payment(s, a, c, "R-101", "10", "cash"), clock)


def test_cancel_releases_and_cannot_cancel_twice(sample, clock):
    act(sample, "U-RET-101", lambda s, a, c: cancel_order(s, a, c, "SO-0905"), clock)
    with Session(sample) as s:
        assert s.get(StockBalance, ("WH-BLR", "CC-200", "CC2-2610")).reserved == 0
    with pytest.raises(InvalidTransition):
        act(sample, "U-RET-101", lambda s, a, c: cancel_order(s, a, c, "SO-0905"), clock)


def test_preview_changed_is_not_executed(sample, clock):
    p = act(sample, "U-RET-101", lambda s, a, c: preview_order(s, a, c, [Item("CC-100", 20, "BOX")]), clock)
    act(sample, "U-MGR-KA", lambda s, a, c: create_order(s, a, c, [Item("CC-100", 2900)], "R-102"), clock)
    with pytest.raises((PreviewChanged, InsufficientStock)):
        act(
            sample,
            "U-RET-101",
            lambda s, a, c: create_order(s, a, c, [Item("CC-100", 20, "BOX")], expected=p.fingerprint()),
            clock,
        )


def test_escalation_after_hours(sample, clock):
    order, _ = act(sample, "U-RET-103", lambda s, a, c: create_order(s, a, c, [Item("ST-250", 1, "CASE")]), clock)
    with transaction(sample) as s:
        assert escalate_due(s, clock.at(clock.now() + timedelta(hours=23))) == []
    with transaction(sample) as s:
        done = escalate_due(s, clock.at(clock.now() + timedelta(hours=25)))
        assert [a.escalated_to for a in done] == ["admin"]
    with Session(sample) as s:
        assert {
            m.recipient for m in s.exec(select(OutboxMessage).where(OutboxMessage.event == "approval_escalated"))
        } == {"U-ADM"}


def test_sales_last_month(sample, clock):
    from datetime import date

    r = act(sample, "U-MGR-KA", lambda s, a, c: sales(s, a, date(2026, 10, 1), date(2026, 10, 31), "brand"), clock)
    assert (r.orders, r.net, r.total) == (3, Decimal("58464.00"), Decimal("64651.68"))
    assert sum(row.total for row in r.rows) == r.total


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["create", "cancel", "reject", "dispatch"]),
            st.sampled_from(["CC-100", "MG-75", "ST-250", "BR-1K"]),
            st.integers(1, 400),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_stock_and_ledger_stay_consistent(sample_template, databases, clock, ops):
    engine = databases.clone(sample_template)
    created: list[str] = []
    for op, sku, qty in ops:
        try:
            if op == "create":
                item = Item(sku, qty)
                p = act(engine, "U-MGR-KA", lambda s, a, c, i=item: preview_order(s, a, c, [i], "R-103"), clock)
                o, p2 = act(engine, "U-MGR-KA", lambda s, a, c, i=item: create_order(s, a, c, [i], "R-103"), clock)
                assert p.fingerprint() == p2.fingerprint()  # a preview equals the order it becomes
                assert o.total == sum(ln.line_total for ln in p2.lines)
                created.append(o.order_no)
            elif created and op == "cancel":
                act(engine, "U-MGR-KA", lambda s, a, c: cancel_order(s, a, c, created[-1]), clock)
            elif created and op == "reject":
                act(engine, "U-MGR-KA", lambda s, a, c: decide(s, a, c, created[-1], False, "no"), clock)
            elif created and op == "dispatch":
                act(engine, "U-WH-1", lambda s, a, c: dispatch_order(s, a, c, created[-1]), clock)
        except (InsufficientStock, InvalidTransition, NotFound):
            pass
        with Session(engine) as s:
            assert ledger_consistent(s) == []
            assert all(b.available >= 0 and b.reserved >= 0 for b in s.exec(select(StockBalance)))
    engine.dispose()


def test_reference_data_is_never_stale(sample, clock):
    """Schemes, approval rules and regions are cached per content: a change is seen at once."""
    from sqlalchemy import text

    first = act(sample, "U-RET-101", lambda s, a, c: preview_order(s, a, c, [Item("CC-100", 20, "BOX")]), clock)
    assert first.lines[0].free_qty == 24
    with transaction(sample) as s:  # a direct write, outside every service
        s.execute(text("UPDATE scheme SET free_qty = 2 WHERE code = 'SCH-CC-FREE'"))
        s.execute(text("UPDATE approval_rule SET threshold = '100.00' WHERE code = 'AR-BIG'"))
    again = act(sample, "U-RET-101", lambda s, a, c: preview_order(s, a, c, [Item("CC-100", 20, "BOX")]), clock)
    assert again.lines[0].free_qty == 48 and "order_total_over" in again.approval_reasons


def test_reimport_with_replace_is_seen(sample, clock):
    from pathlib import Path

    from core.world import import_world
    from tests.conftest import SAMPLE_WORLD

    act(sample, "U-RET-101", lambda s, a, c: preview_order(s, a, c, [Item("CC-100", 1)]), clock)
    import_world(sample, Path(__file__).resolve().parents[1] / "worlds" / "pharma", clock=clock, replace=True)
    with pytest.raises(NotFound, match="CC-100"):  # the admin of the new world: the old catalogue is gone
        act(sample, "U-ADM", lambda s, a, c: preview_order(s, a, c, [Item("CC-100", 1)], "R-201"), clock)
    assert act(sample, "U-ADM", lambda s, a, c: preview_order(s, a, c, [Item("PM-500", 1)], "R-201"), clock).total > 0
    import_world(sample, SAMPLE_WORLD, clock=clock, replace=True)
    p = act(sample, "U-RET-101", lambda s, a, c: preview_order(s, a, c, [Item("CC-100", 20, "BOX")]), clock)
    assert p.total == Decimal("2832.00")
