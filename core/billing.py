"""Billing: what a customer owes (the balance), and how payments settle it."""

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import CompoundSelect, bindparam, literal, union_all
from sqlmodel import Session, col, select

from .tables.billing import Invoice, Payment
from .tables.orders import Order
from .tables.parties import Customer
from .types import money, table_of

PAYMENT_METHODS = ("cash", "upi", "bank_transfer", "cheque")
# The orders a customer owes for (rules.md): all but the rejected and cancelled.
OUTSTANDING_STATUSES = ("pending_approval", "confirmed", "dispatched", "delivered")


# --- settlement --------------------------------------------------------------------------


def invoice_order_key(issued_on: date, invoice_no: str) -> tuple[date, list[tuple[int, int, str]]]:
    """Oldest first: issue date, then invoice number compared numerically (INV-9 < INV-10)."""
    parts = re.split(r"(\d+)", invoice_no)
    return issued_on, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


def settle(
    opening_balance: Decimal, invoice_amounts: list[Decimal], payments_total: Decimal
) -> tuple[Decimal, list[Decimal], Decimal]:
    """Apply a customer's payments: the opening balance (its oldest debt) first, then the
    invoices in the order given (oldest first). Returns (opening paid, paid per invoice,
    unapplied credit). Pure, so the import can settle many customers without queries."""
    left = payments_total
    opening_paid = max(Decimal("0"), min(opening_balance, left))
    left -= opening_paid
    paid: list[Decimal] = []
    for amount in invoice_amounts:
        p = max(Decimal("0"), min(amount, left))
        paid.append(p)
        left -= p
    return opening_paid, paid, left


def resettle(session: Session, customer_code: str) -> Decimal:
    """Recompute `Customer.opening_paid` and every `Invoice.paid` of one customer from
    scratch (deterministic whatever happened before). Returns the unapplied credit. The
    caller holds the customer's lock (core/locks.py), so no payment or invoice lands between
    the reads and the writes."""
    customer = session.get(Customer, customer_code)
    if customer is None:
        raise ValueError(f"unknown customer {customer_code!r}")
    total = sum(
        (p for p in session.exec(select(col(Payment.amount)).where(Payment.customer == customer_code))), Decimal("0")
    )
    invoices = sorted(
        session.exec(select(Invoice).where(Invoice.customer == customer_code)),
        key=lambda i: invoice_order_key(i.issued_on, i.invoice_no),
    )
    opening_paid, paid, credit = settle(customer.opening_balance, [i.amount for i in invoices], total)
    customer.opening_paid = opening_paid
    session.add(customer)
    for inv, p in zip(invoices, paid):
        inv.paid = p
        session.add(inv)
    session.flush()
    return credit


# --- the balance -------------------------------------------------------------------------


def _outstanding_statement() -> CompoundSelect[int, Decimal]:
    o, p = table_of(Order).c, table_of(Payment).c
    return union_all(
        select(literal(1), o.total).where(o.customer == bindparam("c"), o.status.in_(OUTSTANDING_STATUSES)),
        select(literal(-1), p.amount).where(p.customer == bindparam("c")),
    )


_OUTSTANDING = _outstanding_statement()  # built once: the hot path of every order


def outstanding(session: Session, customer: Customer) -> Decimal:
    """Opening balance + totals of live orders − payments (rules.md), read in one query."""
    rows = session.execute(_OUTSTANDING, {"c": customer.code}).all()
    totals = sum((amount for sign, amount in rows if sign == 1), Decimal(0))
    paid = sum((amount for sign, amount in rows if sign == -1), Decimal(0))
    return money(customer.opening_balance + totals - paid)


def settled_items(session: Session, customer: str) -> dict[str, tuple[Decimal, Decimal]]:
    """How far each thing the customer owes is paid, in settlement order's terms:
    "the opening balance" (when there is one) and each invoice number -> (paid, amount)."""
    cust = session.get(Customer, customer)
    out = {"the opening balance": (cust.opening_paid, cust.opening_balance)} if cust and cust.opening_balance else {}
    for inv in session.exec(select(Invoice).where(Invoice.customer == customer).order_by(Invoice.invoice_no)):
        out[inv.invoice_no] = (inv.paid, inv.amount)
    return out
