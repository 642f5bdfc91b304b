"""The scheme table: volume, value and free-goods promotions as configured."""

from datetime import date
from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from ..types import DecimalText, Money


class Scheme(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    kind: str
    sku: str | None = None
    product: str | None = None
    brand: str | None = None
    category: str | None = None
    customer_type: str | None = None
    region: str | None = None
    min_qty: int | None = None
    unit: str | None = None
    min_value: Decimal | None = Field(default=None, sa_column=Column(Money))
    discount_pct: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    discount_flat: Decimal | None = Field(default=None, sa_column=Column(Money))
    free_sku: str | None = None
    free_qty: int | None = None
    free_unit: str | None = None
    recursive: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    priority: int = 0
    stackable: bool = False
