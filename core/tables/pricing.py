"""The price table: rows at default, customer type, region and customer scope."""

from datetime import date
from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from ..types import Money


class Price(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True)
    price: Decimal = Field(sa_column=Column(Money, nullable=False))
    customer_type: str | None = None
    region: str | None = None
    customer: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
