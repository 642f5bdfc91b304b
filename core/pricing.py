"""Pricing: price rows at default, customer type, region and customer scope, and how the
price of a SKU for a customer on a date is chosen (rules.md "Price of a SKU")."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import Session, col, or_

from .errors import NoPrice
from .parties import reference
from .tables.catalogue import Sku
from .tables.parties import Customer
from .tables.pricing import Price
from .types import table_of

# How a customer type reads in a sentence ("price for distributors").
_TYPE_PLURAL = {"modern_trade": "modern trade customers"}
# Lower rank = more specific (customer > region > customer type > default).
_SCOPE_RANK = {"customer": 0, "region": 1, "customer_type": 2, "default": 3}


@dataclass(frozen=True)
class PriceContext:
    """Who is buying: enough to pick a price and to decide which schemes apply."""

    customer: str
    customer_type: str
    regions: tuple[str, ...]  # the customer's region, then each ancestor, nearest first
    region_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


class PriceRow(Protocol):
    """A Price, or a result row of its columns."""

    @property
    def sku(self) -> str: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def valid_from(self) -> date | None: ...
    @property
    def valid_to(self) -> date | None: ...
    @property
    def customer(self) -> str | None: ...
    @property
    def customer_type(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...


@dataclass(frozen=True)
class PriceChoice:
    sku: str
    price: Decimal
    scope: str  # customer | region | customer_type | default
    reason: str  # why this price, in words a person understands


def type_plural(customer_type: str) -> str:
    return _TYPE_PLURAL.get(customer_type, customer_type.replace("_", " ") + "s")


def valid_on(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    """Inclusive validity; an empty bound is open."""
    return (valid_from is None or valid_from <= on) and (valid_to is None or on <= valid_to)


def _match(row: PriceRow, ctx: PriceContext) -> tuple[str, int] | None:
    """(scope, nearness) when the row is for this customer, else None.

    A row naming several scopes must match all of them and counts as its most specific one.
    """
    if row.customer is not None and row.customer != ctx.customer:
        return None
    if row.region is not None and row.region not in ctx.regions:
        return None
    if row.customer_type is not None and row.customer_type != ctx.customer_type:
        return None
    if row.customer is not None:
        return "customer", 0
    if row.region is not None:
        return "region", ctx.regions.index(row.region)
    if row.customer_type is not None:
        return "customer_type", 0
    return "default", 0


def _reason(scope: str, row: PriceRow, ctx: PriceContext) -> str:
    # a scope other than "default" comes from `_match`: the row names it
    if scope == "customer":
        return "your customer price"
    if scope == "region" and row.region is not None:
        return f"price for {ctx.region_names.get(row.region, row.region)}"
    if scope == "customer_type" and row.customer_type is not None:
        return f"price for {type_plural(row.customer_type)}"
    return "list price"


def resolve_price(rows: Iterable[PriceRow], ctx: PriceContext, on: date) -> PriceChoice | None:
    """The price that applies among `rows` (Price-like, one SKU) on `on`, or None."""
    best: tuple[PriceRow, str] | None = None
    best_key: tuple[int, int, int] | None = None
    for row in rows:
        if not valid_on(row.valid_from, row.valid_to, on):
            continue
        m = _match(row, ctx)
        if m is None:
            continue
        scope, near = m
        # Most specific first, then nearest region, then the later valid_from (empty = earliest).
        key = (_SCOPE_RANK[scope], near, -(row.valid_from or date.min).toordinal())
        if best_key is None or key < best_key:
            best, best_key = (row, scope), key
    if best is None:
        return None
    row, scope = best
    return PriceChoice(sku=row.sku, price=Decimal(row.price), scope=scope, reason=_reason(scope, row, ctx))


def price_context(session: Session, customer: Customer) -> PriceContext:
    """The pricing context of a Customer row: its type and region chain."""
    ref = reference(session)
    chain = ref.ancestors(customer.region)
    names = {c: ref.region_names[c] for c in chain if c in ref.region_names}
    return PriceContext(customer=customer.code, customer_type=customer.type, regions=chain, region_names=names)


# Built once: building a statement per call costs more than running it (hot path of every order).
_PRICES = sa.select(*table_of(Price).c).where(
    col(Price.sku).in_(bindparam("skus", expanding=True)),
    or_(col(Price.valid_from).is_(None), col(Price.valid_from) <= bindparam("on")),
    or_(col(Price.valid_to).is_(None), col(Price.valid_to) >= bindparam("on")),
    or_(col(Price.customer).is_(None), Price.customer == bindparam("customer")),
    or_(col(Price.customer_type).is_(None), Price.customer_type == bindparam("customer_type")),
    or_(col(Price.region).is_(None), col(Price.region).in_(bindparam("regions", expanding=True))),
)


def prices_for(session: Session, skus: list[str], ctx: PriceContext, on: date) -> dict[str, PriceChoice]:
    """Prices of many SKUs in one query; SKUs without a price are absent."""
    if not skus:
        return {}
    rows = session.execute(
        _PRICES,
        {
            "skus": sorted(set(skus)),
            "on": on,
            "customer": ctx.customer,
            "customer_type": ctx.customer_type,
            "regions": list(ctx.regions or ("",)),
        },
    )
    by_sku: dict[str, list[PriceRow]] = {}
    for row in rows:  # plain rows: no ORM objects to build
        by_sku.setdefault(row.sku, []).append(row)
    out: dict[str, PriceChoice] = {}
    for sku, sku_rows in by_sku.items():
        choice = resolve_price(sku_rows, ctx, on)
        if choice is not None:
            out[sku] = choice
    return out


def price_for(session: Session, sku: str, ctx: PriceContext, on: date) -> PriceChoice:
    """The price of one SKU, or NoPrice saying the customer cannot order it."""
    choice = prices_for(session, [sku], ctx, on).get(sku)
    if choice is None:
        row = session.get(Sku, sku)
        what = f"{row.name} ({sku})" if row is not None else sku
        raise NoPrice(f"There is no price for {what} for this customer, so it cannot be ordered.")
    return choice


def list_prices(on: date) -> sa.Subquery:
    """The default (list) price of every SKU that has one on `on`, as SQL (columns `sku`, `price`):
    the rows naming no customer, region or customer type, valid that day, the latest `valid_from`
    first (an empty one is the earliest) and then the first row, as `resolve_price` picks among them."""
    rank = sa.func.row_number().over(
        partition_by=col(Price.sku), order_by=(col(Price.valid_from).desc().nulls_last(), col(Price.id))
    )
    ranked = (
        sa.select(col(Price.sku).label("sku"), col(Price.price).label("price"), rank.label("rank"))
        .where(
            col(Price.customer).is_(None),
            col(Price.region).is_(None),
            col(Price.customer_type).is_(None),
            or_(col(Price.valid_from).is_(None), col(Price.valid_from) <= on),
            or_(col(Price.valid_to).is_(None), col(Price.valid_to) >= on),
        )
        .subquery("ranked_price")
    )
    return sa.select(ranked.c.sku, ranked.c.price).where(ranked.c.rank == 1).subquery("list_price")
