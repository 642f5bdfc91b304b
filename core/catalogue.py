"""Catalogue: brand and category trees, products, SKUs with units, aliases, barcodes."""
from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from .types import DecimalText


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
    mrp: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
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


def split_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("|") if p.strip()]


def parse_units(text: str) -> list[tuple[str, int]]:
    """`PCS=1|BOX=12` -> [("PCS", 1), ("BOX", 12)]; raises ValueError with the reason."""
    units: list[tuple[str, int]] = []
    for part in split_list(text):
        name, sep, factor = part.partition("=")
        name = name.strip().upper()
        if not sep or not name:
            raise ValueError(f"unit {part!r} is not NAME=FACTOR")
        try:
            f = int(factor.strip())
        except ValueError:
            raise ValueError(f"unit {name} factor {factor.strip()!r} is not a whole number") from None
        if f <= 0:
            raise ValueError(f"unit {name} factor must be positive")
        if any(u == name for u, _ in units):
            raise ValueError(f"unit {name} appears twice")
        units.append((name, f))
    if not units:
        raise ValueError("no units given")
    if units[0][1] != 1:
        raise ValueError(f"the first unit ({units[0][0]}) is the base unit and must have factor 1")
    return units


def format_units(units: list[tuple[str, int]]) -> str:
    return "|".join(f"{u}={f}" for u, f in units)
