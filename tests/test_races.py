"""Every state change is serialised: N processes released together try the same change, exactly
one wins (or all win, where all may), the others get a clear refusal, and `dms doctor` finds
nothing wrong afterwards. Runs on SQLite and PostgreSQL (DMS_TEST_DB); DMS_RACE_TRIALS sets
the trials per race (default 2) and DMS_RACE_LOG appends each trial's outcome as JSON."""

import json
import os
from decimal import Decimal

import pytest
from sqlmodel import Session, func, select

from core.access import load_actor
from core.billing import outstanding
from core.db import transaction
from core.doctor import check
from core.orders import Item, create_order, preview_order
from core.tables.approvals import Approval
from core.tables.audit import AuditEntry
from core.tables.billing import DeliveryNote, Invoice, Payment
from core.tables.orders import Order
from core.tables.parties import Customer, User
from tests.conftest import NOW
from tests.racing import race

TRIALS = int(os.environ.get("DMS_RACE_TRIALS", "2"))
N = 8


@pytest.fixture(params=range(TRIALS), ids=lambda t: f"trial{t}")
def world(request, databases, sample_template):
    engine = databases.clone(sample_template)
    yield engine
    databases.release(engine)


def _log(name: str, results, violations: list[str]) -> None:
    if os.environ.get("DMS_RACE_LOG"):
        with open(os.environ["DMS_RACE_LOG"], "a") as f:
            f.write(
                json.dumps(
                    {
                        "race": name,
                        "db": os.environ.get("DMS_TEST_DB", "sqlite"),
                        "attempts": len(results),
                        "won": sum(r.kind == "won" for r in results),
                        "errors": sum(r.kind == "error" for r in results),
                        "violations": len(violations),
                    }
                )
                + "\n"
            )


def _settle(engine, name: str, results, winners: int | None = 1) -> list:
    """No attempt crashed, the expected number won, every loser was told why, and the state
    holds together."""
    with Session(engine) as s:
        violations = check(s)
    _log(name, results, violations)
    assert [r.detail for r in results if r.kind == "error"] == []
    if winners is not None:
        assert sum(r.kind == "won" for r in results) == winners, results
    assert violations == []
    return [r for r in results if r.kind == "won"]


def _count(engine, model, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _status(engine, order_no: str) -> str:
    with Session(engine) as s:
        return s.get(Order, order_no).status


def _pending_order(engine, clock) -> str:
    """An order of R-101 over its credit limit: it waits for a manager's approval."""
    with transaction(engine) as s:
        order, preview = create_order(
            s, load_actor(s, "U-REP-1"), clock, [Item("CC-100", 10, "CASE")], customer="R-101"
        )
    assert order.status == "pending_approval" and preview.approval_reasons == ["credit_limit_exceeded"]
    return order.order_no


def _crowd(engine, clock) -> None:
    """Other orders hold stock of the same batches as SO-0905, eight times over, so a second
    dispatch of SO-0905 would find reserved stock to take (theirs)."""
    from core.orders import order_lines

    with transaction(engine) as s:
        items = [Item(ln.sku, ln.qty * N) for ln in order_lines(s, "SO-0905")]
        create_order(s, load_actor(s, "U-MGR-KA"), clock, items, customer="D-BLR")


def url(engine) -> str:
    return engine.url_string


def test_one_of_eight_dispatches_of_an_order_wins(world, clock):
    _crowd(world, clock)
    results = race(url(world), NOW, [("dispatch", ("U-WH-1", "SO-0905"))] * N)
    _settle(world, "dispatch x8", results)
    assert all("already dispatched by Suresh Gowda" in r.detail for r in results if r.kind == "refused")
    assert _count(world, Invoice, Invoice.order_no == "SO-0905") == 1
    assert _count(world, DeliveryNote, DeliveryNote.order_no == "SO-0905") == 1


def test_approve_and_reject_of_one_request_decide_it_once(world, clock):
    order_no = _pending_order(world, clock)
    results = race(
        url(world), NOW, [("decide", ("U-MGR-KA", order_no, True)), ("decide", ("U-ADM", order_no, False))] * (N // 2)
    )
    (won,) = _settle(world, "approve vs reject", results)
    approved = won.detail == "approved"
    assert _status(world, order_no) == ("confirmed" if approved else "rejected")
    assert all("already " + won.detail in r.detail for r in results if r.kind == "refused")
    with Session(world) as s:
        assert s.exec(select(Approval.status).where(Approval.order_no == order_no)).one() == won.detail


def test_approve_and_cancel_of_one_request(world, clock):
    order_no = _pending_order(world, clock)
    results = race(
        url(world), NOW, [("decide", ("U-MGR-KA", order_no, True)), ("cancel", ("U-RET-101", order_no))] * (N // 2)
    )
    won = {r.detail for r in _settle(world, "approve vs cancel", results, winners=None)}
    status = _status(world, order_no)
    with Session(world) as s:
        approval = s.exec(select(Approval.status).where(Approval.order_no == order_no)).one()
    # as if one after the other: cancelled while waiting, or approved (and then maybe cancelled
    # by one of the retailer's attempts), each at most once
    assert sum(r.kind == "won" for r in results) == len(won) and won
    assert (status, approval) == {
        frozenset({"cancelled"}): ("cancelled", "cancelled"),
        frozenset({"approved"}): ("confirmed", "approved"),
        frozenset({"approved", "cancelled"}): ("cancelled", "approved"),
    }[frozenset(won)]


def test_cancel_and_dispatch_of_one_order(world, clock):
    _crowd(world, clock)
    results = race(
        url(world), NOW, [("cancel", ("U-MGR-KA", "SO-0905")), ("dispatch", ("U-WH-1", "SO-0905"))] * (N // 2)
    )
    (won,) = _settle(world, "cancel vs dispatch", results)
    status = _status(world, "SO-0905")
    assert status == ("cancelled" if won.detail == "cancelled" else "dispatched")
    assert _count(world, Invoice, Invoice.order_no == "SO-0905") == (status == "dispatched")


def test_one_of_eight_cancels_wins_and_is_audited_once(world):
    results = race(url(world), NOW, [("cancel", ("U-RET-101", "SO-0905"))] * N)
    _settle(world, "cancel x8", results)
    assert all("already cancelled by Anand" in r.detail for r in results if r.kind == "refused")
    assert _count(world, AuditEntry, AuditEntry.entity_id == "SO-0905", AuditEntry.action == "order.cancelled") == 1


def test_dispatch_and_deliver_race_keeps_the_order(world, clock):
    _crowd(world, clock)
    results = race(
        url(world), NOW, [("dispatch", ("U-WH-1", "SO-0905")), ("deliver", ("U-WH-1", "SO-0905"))] * (N // 2)
    )
    won = _settle(world, "dispatch vs deliver", results, winners=None)
    # deliver can only follow a dispatch: one dispatch wins, and at most one deliver after it
    assert sorted(r.detail for r in won)[0].startswith("INV-") and len(won) in (1, 2)
    assert _count(world, Invoice, Invoice.order_no == "SO-0905") == 1


def test_sixteen_payments_of_one_customer_all_settle(world):
    with Session(world) as s:
        before = outstanding(s, s.get(Customer, "R-101"))
    amounts = [f"{100 + 37 * i}.{i:02d}" for i in range(16)]
    results = race(url(world), NOW, [("pay", ("U-MGR-KA", "R-101", a)) for a in amounts])
    _settle(world, "payments x16", results, winners=16)
    with Session(world) as s:
        paid = sum(Decimal(a) for a in amounts)
        assert outstanding(s, s.get(Customer, "R-101")) == before - paid
        assert s.exec(select(func.count()).select_from(Payment).where(Payment.customer == "R-101")).one() >= 16


def test_orders_of_one_customer_on_different_skus_respect_the_credit_limit(world, clock):
    """Each order alone fits the credit headroom; together they do not. Serialised, each is
    checked against all that came before it, exactly as if they had come one by one."""
    with Session(world) as s:
        actor = load_actor(s, "U-RET-101")
        cust = s.get(Customer, "R-101")
        base, limit = outstanding(s, cust), cust.credit_limit
        orders = []
        for sku in ("CC-100", "CC-200", "MG-75", "ST-250", "GD-1L", "BR-500", "BR-BAR", "ST-1K"):
            unit = preview_order(s, actor, clock, [Item(sku, 1)]).total
            qty = int((limit - base) * Decimal("0.4") / unit)
            preview = preview_order(s, actor, clock, [Item(sku, qty)])
            if preview.status == "confirmed" and qty > 0:
                orders.append((sku, qty))
    orders = orders[:6]
    assert len(orders) == 6
    results = race(url(world), NOW, [("order", ("U-RET-101", "R-101", [item])) for item in orders])
    won = _settle(world, "credit x6", results, winners=6)
    running = base
    with Session(world) as s:
        for order_no in sorted(r.detail for r in won):  # numbers are taken in commit order
            order = s.get(Order, order_no)
            assert order.status == ("pending_approval" if running + order.total > limit else "confirmed"), order_no
            running += order.total
        confirmed = [o for o in s.exec(select(Order).where(Order.customer == "R-101", Order.status == "confirmed"))]
        assert base + sum(o.total for o in confirmed if o.order_no in {r.detail for r in won}) <= limit


def test_two_warehouse_users_confirm_a_dispatch_preview_once(world, clock):
    from agent.runtime import Assistant, Turn

    with transaction(world) as s:
        s.add(User(id="U-WH-2", name="Imran Khan", role="warehouse", regions="BLR"))
    _crowd(world, clock)
    assistant = Assistant(world, clock)
    for user in ("U-WH-1", "U-WH-2"):
        assert assistant.handle(Turn(user, "web", f"c-{user}"), "dispatch SO-0905").awaiting_confirmation
    results = race(url(world), NOW, [("say", ("U-WH-1", "c-U-WH-1", "yes")), ("say", ("U-WH-2", "c-U-WH-2", "yes"))])
    _settle(world, "chat dispatch confirm x2", results)
    assert _count(world, Invoice, Invoice.order_no == "SO-0905") == 1
    (lost,) = [r for r in results if r.kind == "refused"]
    assert "already dispatched" in lost.detail


def test_eight_yes_to_one_preview_place_one_order(world, clock):
    from agent.runtime import Assistant, Turn

    assistant = Assistant(world, clock)
    assert assistant.handle(Turn("U-RET-101", "web", "c1"), "order 2 boxes of Crunchy Cream 100g").awaiting_confirmation
    before = _count(world, Order)
    results = race(url(world), NOW, [("say", ("U-RET-101", "c1", "yes"))] * N)
    _settle(world, "chat confirm x8", results)
    assert _count(world, Order) == before + 1


def test_approve_and_reject_of_one_telegram_link_request_decide_it_once(world, clock):
    from core.linking import request_link
    from core.tables.parties import LinkRequest

    with transaction(world) as s:
        s.add(User(id="U-RET-101B", name="Anand's son", role="retailer", customer="R-101"))
    with transaction(world) as s:
        request_id = request_link(s, 777003, "+91 98450 10101", clock.now()).id
    results = race(
        url(world), NOW, [("link", ("U-MGR-KA", request_id, True)), ("link", ("U-ADM", request_id, False))] * (N // 2)
    )
    (won,) = _settle(world, "telegram link approve vs reject", results)
    with Session(world) as s:
        status = s.get(LinkRequest, request_id).status
        linked = s.get(User, "U-RET-101B").telegram_id
    assert (status, linked) == (("approved", "777003") if won.detail == "True" else ("rejected", None))
