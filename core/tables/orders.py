"""Order tables: header, lines and the schemes applied to each order."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

from ..types import Money, timestamp


def _money(**kw: Any) -> Any:  # `Any`, like sqlmodel's `Field`
    return Field(default=Decimal("0"), sa_column=Column(Money, nullable=False), **kw)


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    # covering on PostgreSQL (migration 0011): a period's and a customer's sums read the index alone
    __table_args__ = (
        Index(
            "ix_orders_created_at", "created_at", postgresql_include=["status", "order_no", "customer", "total", "tax"]
        ),
        Index("ix_orders_customer", "customer", postgresql_include=["status", "total"]),
    )
    order_no: str = Field(primary_key=True)
    customer: str
    warehouse: str = Field(index=True)
    status: str = Field(index=True)
    created_at: datetime = timestamp()
    created_by: str | None = None
    channel: str | None = None
    gross: Decimal = _money()
    discount: Decimal = _money()
    tax: Decimal = _money()
    total: Decimal = _money()
    updated_at: datetime | None = timestamp(nullable=True)
    payment: str = Field(default="credit", sa_column_kwargs={"server_default": "credit"})  # rules.md's terms


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    __table_args__ = (
        Index("ix_order_line_order_no", "order_no", postgresql_include=["sku", "qty", "line_total", "tax"]),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_no: str
    line_no: int
    sku: str = Field(index=True)
    qty: int
    free_qty: int = 0
    unit_price: Decimal = _money()
    gross: Decimal = _money()
    discount: Decimal = _money()
    tax: Decimal = _money()
    line_total: Decimal = _money()


class OrderScheme(SQLModel, table=True):
    __tablename__ = "order_scheme"
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(index=True)
    scheme: str
    benefit: Decimal = _money()  # money off; free goods are valued at 0 here and described
    free_sku: str | None = None
    free_qty: int = 0
    description: str = ""
