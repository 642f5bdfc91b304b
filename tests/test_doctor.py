"""`dms doctor` finds each kind of inconsistency that a race would leave, and nothing on a
healthy world."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, select
from typer.testing import CliRunner

from core.access import load_actor
from core.db import transaction
from core.doctor import check
from core.orders import Item, create_order
from core.tables.approvals import Approval
from core.tables.audit import AuditEntry
from core.tables.billing import Invoice, Payment
from core.tables.inventory import OrderAllocation, StockBalance, StockMovement
from tests.conftest import NOW


def _pending(engine, clock) -> str:
    with transaction(engine) as s:
        order, _ = create_order(s, load_actor(s, "U-REP-1"), clock, [Item("CC-100", 10, "CASE")], customer="R-101")
    assert order.status == "pending_approval"
    return order.order_no


def test_a_healthy_world_has_no_problems(sample, clock):
    _pending(sample, clock)
    with Session(sample) as s:
        assert check(s) == []


CORRUPTIONS = {
    "reserved stock without an order": (
        lambda s: s.execute(
            update(StockBalance)
            .where(StockBalance.sku == "NS-100")
            .values(reserved=StockBalance.reserved + 5, available=StockBalance.available - 5)
        ),
        ["NS-100/NS-2609: 5 reserved but live orders hold 0"],
    ),
    "an order's allocation lost": (
        lambda s: s.execute(text("DELETE FROM order_allocation WHERE order_no = 'SO-0905'")),
        ["reserved but live orders hold", "order SO-0905 (confirmed): ledger says"],
    ),
    "stock dispatched for a confirmed order": (
        lambda s: s.add(
            StockMovement(
                at=NOW, warehouse="WH-BLR", sku="NS-100", batch="NS-2609", kind="dispatch", order_no="SO-0905"
            )
        ),
        ["order SO-0905 (confirmed): stock was dispatched for it"],
    ),
    "an invoice for an order not shipped": (
        lambda s: s.add(
            Invoice(
                invoice_no="INV-9999",
                order_no="SO-0905",
                customer="R-101",
                amount=Decimal("1.00"),
                issued_on=date(2026, 11, 20),
                due_date=date(2026, 12, 5),
            )
        ),
        ["order SO-0905 (confirmed): 1 invoices, expected 0", "invoice INV-9999: bills R-101 1.00"],
    ),
    "a settlement from a stale read": (
        lambda s: s.execute(update(Invoice).where(Invoice.invoice_no == "INV-0001").values(paid=Decimal("0.01"))),
        ["invoice INV-0001 (R-101): paid 0.01, payments say"],
    ),
    "a payment nobody settled": (
        lambda s: s.add(Payment(customer="R-102", amount=Decimal("10.00"), paid_on=date(2026, 11, 20))),
        ["invoice INV-0002 (R-102): paid 5000.00, payments say 5010.00"],
    ),
    "an order status reached twice": (
        lambda s: [
            s.add(AuditEntry(at=NOW, action="order.cancelled", entity="order", entity_id="SO-0907")) for _ in range(2)
        ],
        ["order SO-0907: order.cancelled recorded 2 times"],
    ),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_each_inconsistency_is_reported(sample, name):
    corrupt, expected = CORRUPTIONS[name]
    with transaction(sample) as s:
        corrupt(s)
    with Session(sample) as s:
        problems = check(s)
    for part in expected:
        assert any(part in p for p in problems), (part, problems)


def test_an_approval_decided_both_ways_is_reported(sample, clock):
    order_no = _pending(sample, clock)
    with transaction(sample) as s:
        s.execute(update(Approval).where(Approval.order_no == order_no).values(status="approved"))
    with Session(sample) as s:
        problems = check(s)
    assert f"approval of {order_no}: approved, but the order is pending_approval" in problems
    assert f"order {order_no}: waiting for approval without a pending request" in problems


@pytest.fixture
def settings_for(monkeypatch):
    """The CLI's settings read from this test's environment (they are cached per process)."""
    from core.settings import get_settings

    def use(engine):
        monkeypatch.setenv("DMS_DATABASE_URL", engine.url_string)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_dms_doctor_exits_non_zero_on_problems(sample, settings_for):
    from channels.cli import app

    settings_for(sample)
    runner = CliRunner()
    ok = runner.invoke(app, ["doctor"])
    assert ok.exit_code == 0 and "no problems found" in ok.output
    with transaction(sample) as s:
        s.execute(text("DELETE FROM order_allocation WHERE order_no = 'SO-0905'"))
        assert s.exec(select(OrderAllocation).where(OrderAllocation.order_no == "SO-0905")).all() == []
    bad = runner.invoke(app, ["doctor"])
    assert bad.exit_code == 1 and "SO-0905" in bad.output and "problem(s) found" in bad.output


def test_evaluations_check_the_state_after_a_conversation_that_changed_it(sample):
    from evals.runner import _consistent

    assert _consistent(sample, {"orders": []}, {"orders": []}) == []  # nothing changed: not run
    (ok,) = _consistent(sample, {"orders": []}, {"orders": [1]})
    assert ok.passed
    with transaction(sample) as s:
        s.execute(text("DELETE FROM order_allocation WHERE order_no = 'SO-0905'"))
    (bad,) = _consistent(sample, {"orders": []}, {"orders": [1]})
    assert not bad.passed and "SO-0905" in bad.detail
