"""Order tables: header, lines and the schemes applied to each order."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Column, Field, SQLModel

from ..types import Money, timestamp


def _money(**kw: Any) -> Any:  # `Any`, like sqlmodel's `Field`
    return Field(default=Decimal("0"), sa_column=Column(Money, nullable=False), **kw)


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    order_no: str = Field(primary_key=True)
    customer: str = Field(index=True)
    warehouse: str = Field(index=True)
    status: str = Field(index=True)
    created_at: datetime = timestamp(index=True)
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
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(index=True)
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
