"""Catalogue tables: brand and category trees, products, SKUs and their units."""

from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from ..types import DecimalText, Money


class Brand(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    parent: str | None = None


class Category(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    parent: str | None = None


class Product(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    brand: str = Field(index=True)
    category: str = Field(index=True)


class Sku(SQLModel, table=True):
    code: str = Field(primary_key=True)
    product: str = Field(index=True)
    name: str
    tax_rate: Decimal = Field(default=Decimal("0"), sa_column=Column(DecimalText, nullable=False))
    mrp: Decimal | None = Field(default=None, sa_column=Column(Money))
    allocation: str = "FEFO"  # FEFO | FIFO
    reorder_level: int = 0
    aliases: str = ""  # '|'-separated
    barcode: str | None = Field(default=None, index=True)


class SkuUnit(SQLModel, table=True):
    """A unit of a SKU: `factor` base units per unit; position 0 is the base unit."""

    sku: str = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    factor: int
    position: int
