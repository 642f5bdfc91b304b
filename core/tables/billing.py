"""Billing tables: delivery notes, invoices and payments."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

from ..types import Money, timestamp


class DeliveryNote(SQLModel, table=True):
    __tablename__ = "delivery_note"
    note_no: str = Field(primary_key=True)
    order_no: str = Field(index=True, unique=True)  # one per order, whoever dispatches at the same time
    dispatched_at: datetime = timestamp()
    dispatched_by: str | None = None


class Invoice(SQLModel, table=True):
    # covering on PostgreSQL (migration 0011): what each customer owes reads the index alone
    __table_args__ = (Index("ix_invoice_customer", "customer", postgresql_include=["amount", "paid", "due_date"]),)
    invoice_no: str = Field(primary_key=True)
    order_no: str = Field(index=True, unique=True)  # one per order
    customer: str
    amount: Decimal = Field(sa_column=Column(Money, nullable=False))
    issued_on: date
    due_date: date
    paid: Decimal = Field(default=Decimal("0"), sa_column=Column(Money, nullable=False))


class Payment(SQLModel, table=True):
    __table_args__ = (Index("ix_payment_customer", "customer", postgresql_include=["amount"]),)
    id: int | None = Field(default=None, primary_key=True)
    customer: str
    amount: Decimal = Field(sa_column=Column(Money, nullable=False))
    paid_on: date
    method: str | None = None
    reference: str | None = None
    recorded_by: str | None = None
    channel: str | None = None
    recorded_at: datetime | None = timestamp(nullable=True)
    order_no: str | None = Field(default=None, index=True)  # an advance paid with this order
