"""`dms doctor`: does the stored state hold together? Each check reads aggregates in SQL and
returns one line per violation ("where: what"); an empty list means consistent.

These are the invariants that concurrent commands would break first if a path stopped
serialising (core/locks.py): stock reserved for orders that no longer hold it, two invoices
for one order, a settlement computed from a stale read, an approval decided both ways.
"""

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from .billing import invoice_order_key, settle
from .inventory import ledger_consistent
from .tables.approvals import Approval
from .tables.audit import AuditEntry
from .tables.billing import DeliveryNote, Invoice, Payment
from .tables.inventory import OrderAllocation, StockBalance, StockMovement
from .tables.orders import Order
from .tables.parties import Customer
from .types import table_of

LIVE = ("pending_approval", "confirmed")  # orders that hold reserved stock
SHIPPED = ("dispatched", "delivered")
# what an approval's status says its order's status must be
APPROVAL_ORDER = {
    "pending": ("pending_approval",),
    "approved": ("confirmed", *SHIPPED, "cancelled"),
    "rejected": ("rejected",),
    "cancelled": ("cancelled",),
}
ONCE = ("order.confirmed", "order.rejected", "order.cancelled", "order.dispatched", "order.delivered")


def check(session: Session) -> list[str]:
    """Every violation, in a stable order."""
    statuses = dict(session.execute(select(Order.order_no, Order.status)).all())
    return [
        *ledger_consistent(session),
        *_reserved(session, statuses),
        *_order_movements(session, statuses),
        *_documents(session, statuses),
        *_settlement(session),
        *_approvals(session, statuses),
        *_audit(session),
    ]


def _reserved(session: Session, statuses: dict[str, str]) -> list[str]:
    """Each batch's reserved stock equals the allocations of the orders that still hold it."""
    orders, allocations = table_of(Order), table_of(OrderAllocation)
    o, a = orders.c, allocations.c
    live = defaultdict(int)
    for wh, sku, batch, qty in session.execute(
        select(o.warehouse, a.sku, a.batch, func.sum(a.qty))
        .select_from(allocations.join(orders, o.order_no == a.order_no))
        .where(o.status.in_(LIVE))
        .group_by(o.warehouse, a.sku, a.batch)
    ):
        live[(wh, sku, batch)] = int(qty)
    b = table_of(StockBalance).c
    held = {
        (wh, sku, batch): r for wh, sku, batch, r in session.execute(select(b.warehouse, b.sku, b.batch, b.reserved))
    }
    problems = []
    for key in sorted(set(live) | {k for k, r in held.items() if r}):
        if held.get(key, 0) != live.get(key, 0):
            problems.append(f"{'/'.join(key)}: {held.get(key, 0)} reserved but live orders hold {live.get(key, 0)}")
    return problems


def _order_movements(session: Session, statuses: dict[str, str]) -> list[str]:
    """An order's ledger agrees with its status: what it reserved and did not release or ship
    is what it still holds; only shipped orders shipped stock; shipped orders released none."""
    m = table_of(StockMovement).c
    net: defaultdict[str, int] = defaultdict(int)
    kinds = defaultdict(set)
    shipped_qty, reserved_qty = defaultdict(int), defaultdict(int)
    for order_no, kind, d_reserved in session.execute(
        select(m.order_no, m.kind, func.sum(m.d_reserved)).where(m.order_no.is_not(None)).group_by(m.order_no, m.kind)
    ):
        net[order_no] += int(d_reserved)
        kinds[order_no].add(kind)
        if kind == "dispatch":
            shipped_qty[order_no] = -int(d_reserved)
        if kind == "reservation":
            reserved_qty[order_no] = int(d_reserved)
    holds = dict(
        session.execute(
            select(OrderAllocation.order_no, func.sum(OrderAllocation.qty)).group_by(OrderAllocation.order_no)
        ).all()
    )
    problems = []
    for order_no in sorted(set(net) | set(holds)):
        status = statuses.get(order_no)
        if status is None:
            problems.append(f"order {order_no}: stock movements or allocations but no order")
            continue
        expected = int(holds.get(order_no, 0)) if status in LIVE else 0
        if net[order_no] != expected:
            problems.append(
                f"order {order_no} ({status}): ledger says {net[order_no]} still reserved, expected {expected}"
            )
        if "dispatch" in kinds[order_no] and status not in SHIPPED:
            problems.append(f"order {order_no} ({status}): stock was dispatched for it")
        if status in SHIPPED and "release" in kinds[order_no]:
            problems.append(f"order {order_no} ({status}): its reserved stock was released, not shipped")
        if status in SHIPPED and shipped_qty[order_no] != reserved_qty[order_no]:
            problems.append(
                f"order {order_no} ({status}): {reserved_qty[order_no]} reserved but {shipped_qty[order_no]} dispatched"
            )
    return problems


def _documents(session: Session, statuses: dict[str, str]) -> list[str]:
    """One invoice and one delivery note per shipped order, none for any other; an invoice
    bills the order's customer its total."""
    totals = {
        n: (c, t) for n, c, t in session.execute(select(col(Order.order_no), col(Order.customer), col(Order.total)))
    }
    problems = []
    for model, what in ((Invoice, "invoice"), (DeliveryNote, "delivery note")):
        count = dict(session.execute(select(model.order_no, func.count()).group_by(model.order_no)).all())
        for order_no in sorted(set(count) | {n for n, s in statuses.items() if s in SHIPPED}):
            status, n = statuses.get(order_no), count.get(order_no, 0)
            want = 1 if status in SHIPPED else 0
            if n != want:
                problems.append(f"order {order_no} ({status or 'missing'}): {n} {what}s, expected {want}")
    for inv in session.exec(select(Invoice).order_by(Invoice.invoice_no)):
        if inv.order_no in totals and (inv.customer, Decimal(inv.amount)) != totals[inv.order_no]:
            problems.append(
                f"invoice {inv.invoice_no}: bills {inv.customer} {inv.amount}, but order "
                f"{inv.order_no} is {totals[inv.order_no][0]}'s for {totals[inv.order_no][1]}"
            )
    return problems


def _settlement(session: Session) -> list[str]:
    """What each customer has paid is applied as rules.md says: opening balance, then the
    oldest invoices; the stored figures equal that computation made afresh."""
    paid: dict[str, Decimal] = defaultdict(Decimal)  # summed here: money is exact text, SQL would use floats
    for customer, amount in session.execute(select(col(Payment.customer), col(Payment.amount))):
        paid[customer] += amount
    invoices = defaultdict(list)
    for inv in session.exec(select(Invoice)):
        invoices[inv.customer].append(inv)
    problems = []
    for cust in session.exec(select(Customer).order_by(Customer.code)):
        own = sorted(invoices.get(cust.code, []), key=lambda i: invoice_order_key(i.issued_on, i.invoice_no))
        opening_paid, applied, _ = settle(
            cust.opening_balance, [i.amount for i in own], paid.get(cust.code, Decimal(0))
        )
        if cust.opening_paid != opening_paid:
            problems.append(
                f"customer {cust.code}: opening balance paid {cust.opening_paid}, payments say {opening_paid}"
            )
        for inv, want in zip(own, applied):
            if inv.paid != want:
                problems.append(f"invoice {inv.invoice_no} ({cust.code}): paid {inv.paid}, payments say {want}")
    return problems


def _approvals(session: Session, statuses: dict[str, str]) -> list[str]:
    """An approval's decision and its order's status agree; an order waiting for approval has
    a pending request and a rejected order a rejected one."""
    problems = []
    by_order = {}
    for appr in session.exec(select(Approval).order_by(Approval.order_no)):
        by_order[appr.order_no] = appr.status
        status = statuses.get(appr.order_no)
        if status not in APPROVAL_ORDER.get(appr.status, ()):
            problems.append(f"approval of {appr.order_no}: {appr.status}, but the order is {status or 'missing'}")
    for order_no, status in sorted(statuses.items()):
        if status == "pending_approval" and by_order.get(order_no) != "pending":
            problems.append(f"order {order_no}: waiting for approval without a pending request")
        if status == "rejected" and by_order.get(order_no) != "rejected":
            problems.append(f"order {order_no}: rejected without a rejected request")
    return problems


def _audit(session: Session) -> list[str]:
    """A status an order can reach once was reached once."""
    a = table_of(AuditEntry).c
    return [
        f"order {order_no}: {action} recorded {n} times"
        for order_no, action, n in session.execute(
            select(a.entity_id, a.action, func.count())
            .where(a.entity == "order", a.action.in_(ONCE))
            .group_by(a.entity_id, a.action)
            .having(func.count() > 1)
            .order_by(a.entity_id, a.action)
        )
    ]
