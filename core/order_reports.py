"""The order summary of the report catalogue: orders in the actor's scope (any status unless one
is asked) counted and valued (total with tax) by status or by day in the business's time zone,
summed in the database, with the catalogue's filters."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .access import Actor
from .errors import InvalidInput
from .lookup import resolve_region, resolve_warehouse
from .orders import order_scope
from .parties import region_children, subtree
from .report_filters import customer_type as read_type
from .report_filters import statuses as read_statuses
from .report_sql import local_date, local_day, title
from .sales_filters import build_filter
from .tables.orders import Order
from .tables.parties import Customer
from .tabular import Column, Table
from .types import money, money_sum

ORDER_GROUPS = ("status", "day")
ZERO = Decimal("0")


@dataclass(frozen=True)
class OrderFilters:
    """What narrows the orders, as given (codes or names; None = not given)."""

    start: date | None = None
    end: date | None = None
    region: str | None = None
    customer: str | None = None
    customer_type: str | None = None
    distributor: str | None = None
    sales_rep: str | None = None
    warehouse: str | None = None
    status: str | None = None


def order_report(session: Session, actor: Actor, f: OrderFilters, by: str | None = None) -> Table:
    """Orders and their value per status (default) or per day. Scope and the period are
    `core.orders.order_scope`'s (what `list_orders` shows); the other filters narrow within it,
    each resolved in the actor's scope (one out of scope reads like one that does not exist)."""
    by = (by or "status").strip().casefold()
    if by not in ORDER_GROUPS:
        raise InvalidInput(f"Orders can be grouped by {' or '.join(ORDER_GROUPS)}, not {by!r}.")
    conds, words = _conditions(session, actor, f)
    key: Any = col(Order.status) if by == "status" else local_day(session, col(Order.created_at))
    stmt = sa.select(key, sa.func.count(), money_sum(col(Order.total))).where(*conds).group_by(key)
    groups: dict[Any, tuple[int, Decimal]] = {}
    for k, n, value in session.execute(stmt):
        k = k if by == "status" else local_date(k)  # SQLite's quarter hours fold into local days
        count, total = groups.get(k, (0, ZERO))
        groups[k] = (count + int(n), total + (value or ZERO))
    count = sum(n for n, _ in groups.values())
    total = sum((v for _, v in groups.values()), ZERO)
    columns = (
        Column("status", "Status") if by == "status" else Column("day", "Day", "date"),
        Column("orders", "Orders", "int"),
        Column("total", "Total (with tax)", "money"),  # "total" as in sales: top N sorts by it
    )
    rows = [(k, n, money(v)) for k, (n, v) in sorted(groups.items())]
    return Table(
        "orders",
        title(f"Orders by {by}", f.start, f.end, words),
        columns,
        rows,
        (None, count, money(total)),
        f.start,
        f.end,
    )


def _conditions(session: Session, actor: Actor, f: OrderFilters) -> tuple[list[sa.ColumnElement[bool]], list[str]]:
    words: list[str] = []
    regions = None
    if f.region:
        r = resolve_region(session, f.region)
        regions = subtree(region_children(session), [r.code])
        words.append(f"customers in {r.name}")
    sts = read_statuses(f.status) if f.status else None
    conds = order_scope(session, actor, statuses=sts, customer=f.customer, regions=regions, start=f.start, end=f.end)
    if f.customer:  # order_scope has checked it is in scope
        c = session.get(Customer, f.customer)
        words.append(c.name if c is not None else f.customer)
    where = build_filter(session, actor, distributor=f.distributor, sales_rep=f.sales_rep)
    conds += where.customers_of(col(Order.customer))
    words += where.words
    if f.customer_type:
        t = read_type(session, f.customer_type)
        conds.append(col(Order.customer).in_(select(Customer.code).where(col(Customer.type) == t)))
        words.append(f"customer type {t}")
    if f.warehouse:
        wh = resolve_warehouse(session, actor, f.warehouse)
        conds.append(col(Order.warehouse) == wh.code)
        words.append(f"warehouse {wh.name}")
    if sts is not None:
        words.append("status " + " or ".join(sts))
    return conds, words
