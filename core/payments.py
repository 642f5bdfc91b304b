"""Recording payments and reading what customers owe (outstanding and ageing)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVarTuple

import sqlalchemy as sa
from sqlalchemy import Row
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from . import audit
from .access import Actor, get_customer, visible_customer_codes
from .billing import OUTSTANDING_STATUSES, PAYMENT_METHODS, outstanding, resettle
from .clock import Clock
from .errors import InvalidInput
from .locks import lock_customer
from .settings import business_tz
from .tables.audit import AuditEntry
from .tables.billing import Invoice, Payment
from .tables.orders import Order
from .tables.parties import Customer
from .types import money, must_exist
from .visits import link_payment, visiting

Ts = TypeVarTuple("Ts")
AGE_BUCKETS = ("not_due", "1-30", "31-60", "61-90", "90+")


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


@dataclass
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


def outstanding_report(session: Session, actor: Actor, clock: Clock, customer: str | None = None) -> list[Outstanding]:
    """Outstanding and ageing for every customer in scope that owes something (or the one asked)."""
    actor.require("payments.view", "see balances")
    if customer:
        return [customer_outstanding(session, actor, clock, customer)]
    codes = visible_customer_codes(session, actor)
    # ORM columns, not the tables': the session flushes what this transaction changed first
    q = sa.select(
        col(Customer.code),
        col(Customer.name),
        col(Customer.credit_limit),
        col(Customer.opening_balance),
        col(Customer.opening_paid),
    ).order_by(col(Customer.code))
    if codes is not None:
        q = q.where(col(Customer.code).in_(codes))
    customers = session.execute(q).all()
    # what _outstanding_of reads per customer, read for all of them at once
    wanted = None if codes is None else {r.code for r in customers}
    invoices: defaultdict[str, list[tuple[Decimal, Decimal, date]]] = defaultdict(list)
    totals: defaultdict[str, list[Decimal]] = defaultdict(list)
    payments: defaultdict[str, list[Decimal]] = defaultdict(list)
    for code, amount, paid, due in _rows_of(
        session,
        sa.select(col(Invoice.customer), col(Invoice.amount), col(Invoice.paid), col(Invoice.due_date)),
        col(Invoice.customer),
        wanted,
    ):
        invoices[code].append((amount, paid, due))
    for code, total in _rows_of(
        session,
        sa.select(col(Order.customer), col(Order.total)).where(col(Order.status).in_(OUTSTANDING_STATUSES)),
        col(Order.customer),
        wanted,
    ):
        totals[code].append(total)
    for code, amount in _rows_of(
        session, sa.select(col(Payment.customer), col(Payment.amount)), col(Payment.customer), wanted
    ):
        payments[code].append(amount)
    today = clock.today()
    opened = import_day(session) or today
    rows = []
    for cust in customers:
        if (
            not cust.opening_balance
            and not cust.opening_paid
            and cust.code not in invoices
            and cust.code not in totals
            and cust.code not in payments
        ):
            continue  # owes nothing and was billed nothing: left out below anyway
        opening_left = money(cust.opening_balance - cust.opening_paid)
        buckets = {b: Decimal("0.00") for b in AGE_BUCKETS}
        if opening_left > 0:
            buckets[ageing_bucket(opened, today)] += opening_left
        unpaid = opening_left
        for amount, paid, due in invoices.get(cust.code, ()):
            left = money(amount - paid)
            if left > 0:
                buckets[ageing_bucket(due, today)] += left
                unpaid += left
        overdue = sum((v for k, v in buckets.items() if k != "not_due"), Decimal("0.00"))
        owed = money(
            cust.opening_balance
            + sum(totals.get(cust.code, ()), Decimal(0))
            - sum(payments.get(cust.code, ()), Decimal(0))
        )
        rows.append(
            Outstanding(
                customer=cust.code,
                name=cust.name,
                credit_limit=cust.credit_limit,
                outstanding=owed,
                invoiced_unpaid=money(unpaid),
                buckets=buckets,
                overdue=money(overdue),
            )
        )
    return [r for r in rows if r.outstanding != 0 or r.invoiced_unpaid != 0]


def _rows_of(
    session: Session, stmt: sa.Select[*Ts], customer_col: Mapped[str], wanted: set[str] | None
) -> list[Row[*Ts]]:
    """The statement's rows of the `wanted` customers (None = all): few customers by an IN list
    (bounded), many by reading every row once."""
    if wanted is None or len(wanted) > 1000:
        rows = list(session.execute(stmt).all())
        return rows if wanted is None else [r for r in rows if r[0] in wanted]
    out: list[Row[*Ts]] = []
    codes = sorted(wanted)
    for k in range(0, len(codes), 1000):
        out += session.execute(stmt.where(customer_col.in_(codes[k : k + 1000]))).all()
    return out
