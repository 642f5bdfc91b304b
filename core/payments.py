"""Recording payments and reading what customers owe (outstanding and ageing)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_scope, get_customer
from .billing import OUTSTANDING_STATUSES, PAYMENT_METHODS, outstanding, resettle
from .clock import Clock
from .db import read_rows
from .errors import InvalidInput
from .locks import lock_customer
from .settings import business_tz
from .tables.audit import AuditEntry
from .tables.billing import Invoice, Payment
from .tables.orders import Order
from .tables.parties import Customer
from .types import money, money_owed, money_sum, must_exist
from .visits import link_payment, visiting

AGE_BUCKETS = ("not_due", "1-30", "31-60", "61-90", "90+")
ZERO = Decimal("0.00")


def record_payment(
    session: Session,
    actor: Actor,
    clock: Clock,
    customer: str | None,
    amount: object,
    method: str,
    reference: str | None = None,
    paid_on: date | None = None,
) -> Payment:
    """A payment settles the customer's opening balance, then the oldest unpaid invoices. No
    customer given: a rep's collection at the outlet of their open visit."""
    actor.require("payments.record", "record payments")
    customer = customer or visiting(session, actor)
    if customer is None:
        raise InvalidInput("Which customer is this payment from?")
    cust = get_customer(session, actor, customer)
    # settlement and credit checks of this customer wait for us
    cust = must_exist(lock_customer(session, cust.code), f"customer {cust.code}")
    payment = _write(session, actor, clock, cust.code, checked_amount(amount, method), method, reference, paid_on)
    if payment.id is not None:
        link_payment(session, actor, clock, payment.id, cust.code)  # to the rep's visit there, if one is open
    return payment


def checked_amount(amount: object, method: str | None) -> Decimal:
    """A payment's amount as money, and its method one of rules.md's; else a clear error."""
    try:
        value = money(Decimal(str(amount)))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{amount!r} is not an amount of money.") from None
    if value <= 0:
        raise InvalidInput("A payment must be a positive amount.")
    if method not in PAYMENT_METHODS:
        raise InvalidInput(f"Unknown payment method {method!r}; use one of: " + ", ".join(PAYMENT_METHODS) + ".")
    return value


def record_advance(
    session: Session,
    actor: Actor,
    clock: Clock,
    customer: str,
    order_no: str,
    amount: Decimal,
    method: str,
    reference: str | None,
) -> Payment:
    """The advance paid with an order (rules.md, "Orders"), recorded by whoever places the order
    and settling as any payment does. The caller holds the customer's lock (create_order)."""
    return _write(session, actor, clock, customer, amount, method, reference, None, order_no)


def _write(
    session: Session,
    actor: Actor,
    clock: Clock,
    customer: str,
    value: Decimal,
    method: str,
    reference: str | None,
    paid_on: date | None,
    order_no: str | None = None,
) -> Payment:
    now = clock.now()
    payment = Payment(
        customer=customer,
        amount=value,
        paid_on=paid_on or clock.today(),
        method=method,
        reference=reference,
        recorded_by=actor.user_id,
        channel=actor.channel,
        recorded_at=now,
        order_no=order_no,
    )
    session.add(payment)
    session.flush()
    resettle(session, customer)
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="payment.record",
        entity="customer",
        entity_id=customer,
        amount=str(value),
        method=method,
        reference=reference,
        **({"order_no": order_no} if order_no else {}),
    )
    return payment


@dataclass(slots=True)  # tens of thousands per report: no __dict__ each
class Outstanding:
    customer: str
    name: str
    credit_limit: Decimal | None
    outstanding: Decimal  # rules.md: opening + live orders − payments
    invoiced_unpaid: Decimal  # what is billed and not yet paid (opening balance included)
    buckets: dict[str, Decimal] = field(default_factory=dict)  # ageing of unpaid invoice amounts
    overdue: Decimal = Decimal("0.00")


def ageing_bucket(due: date, today: date) -> str:
    days = (today - due).days
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"


def import_day(session: Session) -> date | None:
    at = session.exec(
        select(AuditEntry.at).where(AuditEntry.action == "world.import").order_by(col(AuditEntry.at).desc())
    ).first()
    return at.astimezone(business_tz()).date() if at else None


def customer_outstanding(session: Session, actor: Actor, clock: Clock, customer: str) -> Outstanding:
    actor.require("payments.view", "see balances")
    return _outstanding_of(session, get_customer(session, actor, customer), clock.today())


def _outstanding_of(session: Session, cust: Customer, today: date) -> Outstanding:
    buckets = {b: Decimal("0.00") for b in AGE_BUCKETS}
    opening_left = money(cust.opening_balance - cust.opening_paid)
    if opening_left > 0:
        # world.md: the opening balance is due on the day of import
        buckets[ageing_bucket(import_day(session) or today, today)] += opening_left
    unpaid = opening_left
    for inv in session.exec(select(Invoice).where(Invoice.customer == cust.code).order_by(col(Invoice.issued_on))):
        left = money(inv.amount - inv.paid)
        if left > 0:
            buckets[ageing_bucket(inv.due_date, today)] += left
            unpaid += left
    overdue = sum((v for k, v in buckets.items() if k != "not_due"), Decimal("0.00"))
    return Outstanding(
        customer=cust.code,
        name=cust.name,
        credit_limit=cust.credit_limit,
        outstanding=outstanding(session, cust),
        invoiced_unpaid=money(unpaid),
        buckets=buckets,
        overdue=money(overdue),
    )


def outstanding_report(
    session: Session,
    actor: Actor,
    clock: Clock,
    customer: str | None = None,
    *,
    customer_where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[Outstanding]:
    """Outstanding and ageing for every customer in scope that owes something (or the one asked),
    by customer code; `customer_where`: more conditions on `Customer` (a report's filters).
    Summed in the database per customer (live orders, payments, and what is left of each invoice
    in its ageing bucket), so tens of thousands of customers cost one query, not their rows."""
    actor.require("payments.view", "see balances")
    if customer and not customer_where:
        return [customer_outstanding(session, actor, clock, customer)]
    scope = customer_scope(session, actor)
    which = [*customer_where, *([] if scope is None else [scope])]
    if customer:
        which.append(col(Customer.code) == get_customer(session, actor, customer).code)
    today = clock.today()
    live = _per_customer(
        col(Order.customer), which, money_sum(col(Order.total)), where=col(Order.status).in_(OUTSTANDING_STATUSES)
    )
    paid = _per_customer(col(Payment.customer), which, money_sum(col(Payment.amount)))
    # ageing_bucket's buckets as ranges of due dates, each summing what is left of its invoices
    due, left = col(Invoice.due_date), money_owed(col(Invoice.amount), col(Invoice.paid))
    edges = [today - timedelta(days=d) for d in (0, 30, 60, 90)]
    ranges = [due >= edges[0], *(sa.and_(due < edges[i], due >= edges[i + 1]) for i in range(3)), due < edges[3]]
    aged = _per_customer(col(Invoice.customer), which, *(money_sum(sa.case((r, left))) for r in ranges))
    q = (
        sa.select(
            col(Customer.code),
            col(Customer.name),
            col(Customer.credit_limit),
            col(Customer.opening_balance),
            col(Customer.opening_paid),
            live.c.s0,
            paid.c.s0,
            *(aged.c[f"s{i}"] for i in range(len(AGE_BUCKETS))),
        )
        .outerjoin(live, live.c.customer == col(Customer.code))
        .outerjoin(paid, paid.c.customer == col(Customer.code))
        .outerjoin(aged, aged.c.customer == col(Customer.code))
        .where(*which)
        .order_by(col(Customer.code))
    )
    # world.md: the opening balance is due on the day of import
    opened = AGE_BUCKETS.index(ageing_bucket(import_day(session) or today, today))
    rows = []
    for code, name, limit, opening, opening_paid, orders_total, payments_total, *lefts in read_rows(session, q):
        by_age = [ZERO if v is None else v for v in lefts]  # in AGE_BUCKETS' order, not yet due first
        opening_left = money(opening - opening_paid)
        unpaid = money(sum(by_age, opening_left))
        if opening_left > 0:
            by_age[opened] += opening_left
        owed = money(opening + (orders_total or ZERO) - (payments_total or ZERO))
        if owed == 0 and unpaid == 0:
            continue  # owes nothing, and nothing billed is unpaid
        overdue = money(sum(by_age[1:], ZERO))
        rows.append(Outstanding(code, name, limit, owed, unpaid, dict(zip(AGE_BUCKETS, by_age, strict=True)), overdue))
    return rows


def _per_customer(
    customer: Mapped[str], which: list[sa.ColumnElement[bool]], *sums: Any, where: Any = None
) -> sa.Subquery:
    """Sums per customer (`customer`, `s0`, `s1`, …) as a subquery, over the rows of the customers
    `which` selects only (a manager's thousands, not everyone's rows)."""
    q = sa.select(customer.label("customer"), *(x.label(f"s{i}") for i, x in enumerate(sums)))
    if which:
        q = q.where(col(customer).in_(sa.select(col(Customer.code)).where(*which)))
    if where is not None:
        q = q.where(where)
    return q.group_by(customer).subquery()
