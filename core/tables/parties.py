"""Party tables: the region tree, warehouses, customers and users, and requests to link a user's Telegram account."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String
from sqlmodel import Column, Field, SQLModel

from ..types import DecimalText, Money, timestamp


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    parent: str | None = Field(default=None, index=True)
    level: str | None = None


class Warehouse(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    region: str = Field(index=True)
    owner: str | None = None  # customer code of the distributor that runs it


class Customer(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    type: str
    region: str = Field(index=True)
    distributor: str | None = Field(default=None, index=True)
    warehouse: str
    credit_limit: Decimal | None = Field(default=None, sa_column=Column(Money))
    payment_terms_days: int = 0
    opening_balance: Decimal = Field(default=Decimal("0"), sa_column=Column(Money, nullable=False))
    opening_paid: Decimal = Field(default=Decimal("0"), sa_column=Column(Money, nullable=False))
    phone: str | None = None
    status: str = "active"
    contact_person: str | None = None
    latitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))  # decimal degrees
    longitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    outlet_class: str | None = Field(default=None, sa_column=Column("class", String(1)))  # A, B or C


class User(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    role: str
    customer: str | None = Field(default=None, index=True)
    regions: str = ""  # '|'-separated region codes, each with its subtree
    reports_to: str | None = None
    slack_id: str | None = Field(default=None, index=True)
    telegram_id: str | None = Field(default=None, index=True)
    email: str | None = None
    token_hash: str | None = Field(default=None, index=True)


class LinkRequest(SQLModel, table=True):
    """A Telegram user who shared a phone number matching a customer, waiting for a manager or admin."""

    __tablename__ = "link_request"
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: str = Field(index=True)
    phone: str
    customer: str = Field(index=True)
    user_id: str | None = None  # the user that will be linked (a retailer/distributor user of that customer)
    status: str = Field(default="pending", index=True)  # pending | approved | rejected
    created_at: datetime = timestamp()
    decided_by: str | None = None
    decided_at: datetime | None = timestamp(nullable=True)
