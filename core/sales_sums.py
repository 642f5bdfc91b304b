"""Sales summed in the database: the sold orders (or their lines) in the actor's scope, counted
and added up with GROUP BY, by any dimension the reports offer."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from .access import Actor
from .db import read_rows
from .orders import SALES_STATUSES, order_scope
from .sales_filters import SalesFilter
from .settings import business_tz
from .tables.catalogue import Product, Sku
from .tables.orders import Order, OrderLine
from .tables.parties import Customer
from .types import money_sum

LINE_DIMENSIONS = ("sku", "product", "brand", "category")
TIME_DIMENSIONS = ("day", "week", "month")
ZERO = Decimal("0")


@dataclass(slots=True)  # thousands per report: no __dict__ each
class Sums:
    """What a group of sold orders (or lines) adds up to; exact, not yet rounded."""

    key: Any  # the group's raw key: a code, a region, a date (day, week's Monday, month's 1st)
    orders: int
    net: Decimal
    total: Decimal
    qty: int
    label: str | None = None  # a customer's or SKU's name, read in the same query


def sales_sums(
    session: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    where: SalesFilter,
    *,
    by_line: bool,
    group: str | None = None,
    regions: set[str] | None = None,
    customer: str | None = None,
) -> tuple[Sums, list[Sums]]:
    """The sums over everything and per group (`group`: customer, region (also for a level of
    the region tree, which the caller folds), a line dimension or a time grain). Lines are
    summed when asked (`by_line`) or when SKUs are filtered; then `orders` counts the orders
    holding a counted line. Scope and filters are `list_orders`' own (`order_scope`)."""
    of_orders = order_scope(
        session,
        actor,
        statuses=list(SALES_STATUSES),
        customer=customer,
        regions=regions,
        start=start,
        end=end,
        customer_where=where.customer_where,
    )
    lined = by_line or where.filters_skus
    sku_conds = where.skus_of(col(OrderLine.sku))
    if lined:
        measures: list[Any] = [
            sa.func.count(sa.distinct(col(Order.order_no))),
            money_sum(col(OrderLine.line_total)),
            money_sum(col(OrderLine.tax)),
            sa.func.coalesce(sa.func.sum(col(OrderLine.qty)), 0),
        ]
        base = sa.select(*measures).select_from(Order).join(OrderLine, col(OrderLine.order_no) == col(Order.order_no))
    else:
        measures = [sa.func.count(), money_sum(col(Order.total)), money_sum(col(Order.tax)), sa.literal(0)]
        base = sa.select(*measures).select_from(Order)
    conds = of_orders + sku_conds if lined else of_orders
    if group is None:
        return _sums(None, session.execute(base.where(*conds)).one()), []
    key, name, base = _key(session, base, group)
    keys = [key] if name is None else [key, name]
    # An order holding lines of several groups is counted in each, so with lines the overall
    # orders are counted apart: PostgreSQL in the same pass (GROUPING SETS: its row is flagged
    # by grouping()), SQLite, which has none, by a second, cheaper query below.
    both = lined and session.get_bind().dialect.name == "postgresql"
    stmt = base.add_columns(*keys).where(*conds)
    if both:
        stmt = stmt.add_columns(sa.func.grouping(key)).group_by(sa.func.grouping_sets(sa.tuple_(*keys), sa.tuple_()))
    else:
        stmt = stmt.group_by(*keys)
    rows, overall = [], None
    for r in read_rows(session, stmt):
        if both and r[-1]:
            overall = _sums(None, r)
        else:
            rows.append(_sums(r[4], r, r[5] if name is not None else None))
    if overall is None:  # every order (or line) falls in one group: the overall is their sum
        overall = Sums(None, 0, ZERO, ZERO, 0)
        for g in rows:
            overall.orders += g.orders
            overall.net += g.net
            overall.total += g.total
            overall.qty += g.qty
        if lined:
            holding = sa.exists().where(col(OrderLine.order_no) == col(Order.order_no), *sku_conds)
            overall.orders = session.execute(sa.select(sa.func.count()).where(*of_orders, holding)).scalar_one()
    rows = [r for r in rows if r.key is not None or group != "region"]  # orders of no known customer
    return overall, _fold_times(rows, group)


def _sums(key: Any, row: Sequence[Any], label: str | None = None) -> Sums:
    total, tax = row[1] or ZERO, row[2] or ZERO
    return Sums(key, int(row[0]), total - tax, total, int(row[3]), label)


def _key(session: Session, base: sa.Select[Any], group: str) -> tuple[Any, Any, sa.Select[Any]]:
    """The grouping expression for a dimension, the name to read with it (customers and SKUs, so
    thousands of keys need no second query), and the query with what they need joined."""
    if group == "customer":
        return (
            col(Order.customer),
            col(Customer.name),
            base.outerjoin(Customer, col(Customer.code) == col(Order.customer)),
        )
    if group == "region":
        # an outer join, so the groups add up to the overall; the caller never sees a None region
        return col(Customer.region), None, base.outerjoin(Customer, col(Customer.code) == col(Order.customer))
    if group == "sku":
        return col(OrderLine.sku), col(Sku.name), base.outerjoin(Sku, col(Sku.code) == col(OrderLine.sku))
    if group in LINE_DIMENSIONS:
        # as the Python grouping read it: an unknown SKU stands for itself; no value reads "-"
        attr = col(Sku.product) if group == "product" else getattr(Product, group)
        key = sa.case(
            (col(Sku.code).is_(None), col(OrderLine.sku)), else_=sa.func.coalesce(sa.func.nullif(attr, ""), "-")
        )
        joined = base.outerjoin(Sku, col(Sku.code) == col(OrderLine.sku))
        if group != "product":
            joined = joined.outerjoin(Product, col(Product.code) == col(Sku.product))
        return key, None, joined
    if group in TIME_DIMENSIONS:
        return _local_period(session, group), None, base
    raise ValueError(f"no SQL grouping for {group!r}")


def _local_period(session: Session, grain: str) -> sa.ColumnElement[Any]:
    """The order's period in the business's time zone. PostgreSQL converts the UTC column itself;
    SQLite knows no time zones, so it groups by UTC quarter hour (every zone's offset and change
    falls on one) and `_fold_times` puts each quarter in its local period."""
    created = col(Order.created_at)
    if session.get_bind().dialect.name == "postgresql":
        local = sa.func.timezone(str(business_tz()), sa.func.timezone("UTC", created))
        if grain == "day":
            return sa.cast(local, sa.Date)
        return sa.cast(sa.func.date_trunc(grain, local), sa.Date)  # PostgreSQL's weeks start on Monday
    minute = sa.cast(sa.func.strftime("%M", created), sa.Integer)
    return sa.func.strftime("%Y-%m-%d %H:", created) + sa.cast(minute - minute % 15, sa.String)


def _fold_times(rows: list[Sums], group: str) -> list[Sums]:
    """SQLite's quarter hours into local days, weeks or months (each order lies in one quarter,
    so counts add up); other groups as they are."""
    if group not in TIME_DIMENSIONS or not rows or not isinstance(rows[0].key, str):
        return [_as_date(r) for r in rows] if group in TIME_DIMENSIONS else rows
    tz = business_tz()
    out: dict[date, Sums] = {}
    for r in rows:
        d = _period_start(datetime.strptime(r.key, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).astimezone(tz).date(), group)
        s = out.setdefault(d, Sums(d, 0, ZERO, ZERO, 0))
        s.orders += r.orders
        s.net += r.net
        s.total += r.total
        s.qty += r.qty
    return list(out.values())


def _as_date(r: Sums) -> Sums:
    if isinstance(r.key, datetime):
        r.key = r.key.date()
    return r


def _period_start(d: date, grain: str) -> date:
    if grain == "week":
        return date.fromordinal(d.toordinal() - d.weekday())
    if grain == "month":
        return d.replace(day=1)
    return d
