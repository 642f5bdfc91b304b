"""Price resolution (rules.md "Price of a SKU for a customer on a date").

The pure rule is checked on the sample world's own price rows, the loaders on a database
holding the sample world.
"""

import csv
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, delete

from core.errors import NoPrice
from core.pricing import PriceContext, price_context, price_for, prices_for, resolve_price
from core.tables.parties import Customer
from core.tables.pricing import Price
from tests.conftest import SAMPLE_WORLD

TODAY = date(2026, 11, 20)
NAMES = {
    "IN": "India",
    "KA": "Karnataka",
    "BLR": "Bengaluru",
    "BLR-N": "Bengaluru North",
    "BLR-S": "Bengaluru South",
    "MYS": "Mysuru",
    "TN": "Tamil Nadu",
    "CHN": "Chennai",
}
CHAINS = {
    "BLR-N": ("BLR-N", "BLR", "KA", "IN"),
    "BLR-S": ("BLR-S", "BLR", "KA", "IN"),
    "BLR": ("BLR", "KA", "IN"),
    "MYS": ("MYS", "KA", "IN"),
    "CHN": ("CHN", "TN", "IN"),
}
# (type, region) of the sample customers, as in customers.csv
CUSTOMERS = {
    "R-101": ("retailer", "BLR-N"),
    "R-102": ("retailer", "BLR-S"),
    "R-103": ("retailer", "MYS"),
    "R-104": ("modern_trade", "BLR-S"),
    "R-105": ("retailer", "CHN"),
    "D-BLR": ("distributor", "BLR"),
    "D-CHN": ("distributor", "CHN"),
}


# --- the sample world's CSV rows as table rows -------------------------------------------


def csv_rows(name: str) -> list[dict[str, str]]:
    with open(Path(SAMPLE_WORLD) / f"{name}.csv", newline="") as f:
        return list(csv.DictReader(f))


def _convert(annotation, text: str):
    if text == "":
        return None
    kinds = typing.get_args(annotation) or (annotation,)
    if Decimal in kinds:
        return Decimal(text)
    if date in kinds:
        return date.fromisoformat(text)
    if bool in kinds:
        return text == "true"
    if int in kinds:
        return int(text)
    return text


def model_rows(model, name: str) -> list:
    """Rows of `name`.csv as `model` objects (columns the table lacks are left out)."""
    fields = model.model_fields
    out = []
    for row in csv_rows(name):
        values = {k: _convert(fields[k].annotation, v) for k, v in row.items() if k in fields}
        out.append(model(**{k: v for k, v in values.items() if v is not None}))
    return out


def ctx_of(customer: str) -> PriceContext:
    ctype, region = CUSTOMERS[customer]
    return PriceContext(customer=customer, customer_type=ctype, regions=CHAINS[region], region_names=NAMES)


PRICES = model_rows(Price, "prices")


def price(sku: str, customer: str, on: date = TODAY):
    return resolve_price([p for p in PRICES if p.sku == sku], ctx_of(customer), on)


# --- the pure rule ------------------------------------------------------------------------


def test_nearest_region_wins_over_farther_region_and_default():
    south = price("GD-1L", "R-102")
    assert (south.price, south.scope, south.reason) == (Decimal("138.00"), "region", "price for Bengaluru South")
    north = price("GD-1L", "R-101")
    assert (north.price, north.reason) == (Decimal("140.00"), "price for Karnataka")


def test_default_when_nothing_more_specific():
    chennai = price("GD-1L", "R-105")
    assert (chennai.price, chennai.scope, chennai.reason) == (Decimal("145.00"), "default", "list price")


def test_customer_price_beats_everything():
    choice = price("CC-100", "R-104")
    assert (choice.price, choice.scope, choice.reason) == (Decimal("9.20"), "customer", "your customer price")
    assert price("CC-100", "R-102").price == Decimal("10.00")


def test_distributor_prices():
    choice = price("CC-100", "D-BLR")
    assert (choice.price, choice.scope, choice.reason) == (Decimal("8.50"), "customer_type", "price for distributors")
    assert price("ST-250", "D-CHN").price == Decimal("102.00")
    assert price("GD-1L", "D-CHN").price == Decimal("123.25")
    # A region price is more specific than a customer-type price (rules.md order).
    assert price("GD-1L", "D-BLR").price == Decimal("140.00")


def test_price_changes_on_its_valid_from():
    assert price("ST-250", "R-103", date(2026, 11, 30)).price == Decimal("120.00")
    assert price("ST-250", "R-103", date(2026, 12, 1)).price == Decimal("125.00")
    assert price("ST-250", "D-BLR", date(2026, 12, 1)).price == Decimal("102.00")


def test_no_row_valid_means_no_price():
    assert price("CC-100", "R-101", date(2025, 12, 31)) is None


def _row(p, **kw):
    return Price(sku="X", price=Decimal(p), **kw)


def test_later_valid_from_wins_at_same_specificity_and_empty_is_earliest():
    ctx = ctx_of("R-101")
    rows = [_row("1.00"), _row("2.00", valid_from=date(2026, 3, 1)), _row("3.00", valid_from=date(2026, 6, 1))]
    assert resolve_price(rows, ctx, date(2026, 7, 1)).price == Decimal("3.00")
    assert resolve_price(rows, ctx, date(2026, 4, 1)).price == Decimal("2.00")
    assert resolve_price(rows, ctx, date(2026, 1, 1)).price == Decimal("1.00")
    # valid_to is inclusive
    rows = [_row("1.00"), _row("5.00", valid_from=date(2026, 3, 1), valid_to=date(2026, 3, 31))]
    assert resolve_price(rows, ctx, date(2026, 3, 31)).price == Decimal("5.00")
    assert resolve_price(rows, ctx, date(2026, 4, 1)).price == Decimal("1.00")


def test_specificity_beats_recency_and_other_customers_rows_are_ignored():
    ctx = ctx_of("R-101")
    rows = [
        _row("1.00", region="IN"),
        _row("2.00", region="KA", valid_from=date(2020, 1, 1)),
        _row("3.00", region="IN", valid_from=date(2026, 1, 1)),
        _row("4.00", customer="R-999"),
        _row("5.00", customer_type="distributor"),
        _row("6.00", region="TN"),
        _row("7.00", customer_type="retailer", valid_from=date(2026, 10, 1)),
    ]
    choice = resolve_price(rows, ctx, TODAY)
    assert (choice.price, choice.scope, choice.reason) == (Decimal("2.00"), "region", "price for Karnataka")
    assert resolve_price([r for r in rows if r.region is None], ctx, TODAY).reason == "price for retailers"


# --- the loaders ----------------------------------------------------------------------------


def test_price_context_from_customer(sample):
    with Session(sample) as s:
        ctx = price_context(s, s.get(Customer, "R-102"))
    assert ctx.customer == "R-102" and ctx.customer_type == "retailer"
    assert ctx.regions == ("BLR-S", "BLR", "KA", "IN")
    assert ctx.region_names["BLR-S"] == "Bengaluru South"


def test_prices_for_many_skus(sample):
    with Session(sample) as s:
        ctx = price_context(s, s.get(Customer, "R-104"))
        got = prices_for(s, ["CC-100", "GD-1L", "ST-250", "NOPE"], ctx, TODAY)
        later = prices_for(s, ["ST-250"], ctx, date(2026, 12, 1))
        dist = prices_for(s, ["CC-100", "MG-75"], price_context(s, s.get(Customer, "D-BLR")), TODAY)
    assert {k: v.price for k, v in got.items()} == {
        "CC-100": Decimal("9.20"),
        "GD-1L": Decimal("138.00"),
        "ST-250": Decimal("120.00"),
    }
    assert got["GD-1L"].reason == "price for Bengaluru South"
    assert later["ST-250"].price == Decimal("125.00")
    assert {k: (v.price, v.reason) for k, v in dist.items()} == {
        "CC-100": (Decimal("8.50"), "price for distributors"),
        "MG-75": (Decimal("4.25"), "price for distributors"),
    }


def test_price_for_one_sku_and_no_price(sample):
    with Session(sample) as s:
        ctx = price_context(s, s.get(Customer, "R-101"))
        assert price_for(s, "GD-1L", ctx, TODAY).price == Decimal("140.00")
        s.exec(delete(Price).where(Price.sku == "CC-100"))
        with pytest.raises(NoPrice) as err:
            price_for(s, "CC-100", ctx, TODAY)
    assert err.value.message == (
        "There is no price for Crunchy Cream 100g (CC-100) for this customer, so it cannot be ordered."
    )
