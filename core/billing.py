"""Billing: delivery notes, invoices and payments."""
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from .types import DecimalText, timestamp

PAYMENT_METHODS = ("cash", "upi", "bank_transfer", "cheque")


class DeliveryNote(SQLModel, table=True):
    __tablename__ = "delivery_note"
    note_no: str = Field(primary_key=True)
    order_no: str = Field(index=True, unique=True)  # one per order, whoever dispatches at the same time
    dispatched_at: datetime = timestamp()
    dispatched_by: str | None = None


class Invoice(SQLModel, table=True):
    invoice_no: str = Field(primary_key=True)
    order_no: str = Field(index=True, unique=True)  # one per order
    customer: str = Field(index=True)
    amount: Decimal = Field(sa_column=Column(DecimalText, nullable=False))
    issued_on: date
    due_date: date
    paid: Decimal = Field(default=Decimal("0"), sa_column=Column(DecimalText, nullable=False))


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer: str = Field(index=True)
    amount: Decimal = Field(sa_column=Column(DecimalText, nullable=False))
    paid_on: date
    method: str | None = None
    reference: str | None = None
    recorded_by: str | None = None
    channel: str | None = None
    recorded_at: datetime | None = timestamp(nullable=True)


# --- settlement --------------------------------------------------------------------------

def invoice_order_key(issued_on: date, invoice_no: str) -> tuple:
    """Oldest first: issue date, then invoice number compared numerically (INV-9 < INV-10)."""
    import re

    parts = re.split(r"(\d+)", invoice_no)
    return issued_on, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


def settle(opening_balance: Decimal, invoice_amounts: list[Decimal], payments_total: Decimal
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


def resettle(session, customer_code: str) -> Decimal:
    """Recompute `Customer.opening_paid` and every `Invoice.paid` of one customer from
    scratch (deterministic whatever happened before). Returns the unapplied credit. The
    caller holds the customer's lock (core/locks.py), so no payment or invoice lands between
    the reads and the writes."""
    from sqlmodel import select

    from .parties import Customer

    customer = session.get(Customer, customer_code)
    if customer is None:
        raise ValueError(f"unknown customer {customer_code!r}")
    total = sum((p for p in session.exec(select(Payment.amount).where(Payment.customer == customer_code))),
                Decimal("0"))
    invoices = sorted(session.exec(select(Invoice).where(Invoice.customer == customer_code)),
                      key=lambda i: invoice_order_key(i.issued_on, i.invoice_no))
    opening_paid, paid, credit = settle(customer.opening_balance, [i.amount for i in invoices], total)
    customer.opening_paid = opening_paid
    session.add(customer)
    for inv, p in zip(invoices, paid):
        inv.paid = p
        session.add(inv)
    session.flush()
    return credit
