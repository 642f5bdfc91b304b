"""The stock reports of the catalogue, computed in the database over the warehouses whose stock the
actor may see (`core.stock.stock_warehouse_codes`), by core/stock.py's rules: the stock summary
(warehouse × SKU × batch with expiry, available, reserved, damaged and value at the list price),
low stock and batches expiring within N days."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from .access import Actor
from .errors import InvalidInput
from .lookup import resolve_warehouse
from .pricing import list_prices
from .report_sql import among, sorted_rows, title
from .sales_filters import build_filter
from .stock import expiring_conditions, low_stock_statement, stock_warehouse_codes, unexpired
from .tables.catalogue import Sku
from .tables.inventory import StockBalance
from .tabular import Column, Table
from .types import money

EXPIRING_DAYS = 30  # the expiring-stock tool's default window
ZERO = Decimal("0")


@dataclass(frozen=True)
class StockFilters:
    """What narrows the stock, as given (codes or names; None = not given)."""

    warehouse: str | None = None
    sku: str | None = None  # a SKU, or a product (all its SKUs)
    brand: str | None = None  # with the brands under it
    category: str | None = None  # with the categories under it


def stock_scope(
    session: Session, actor: Actor, f: StockFilters, warehouse: Any, sku: Any
) -> tuple[list[sa.ColumnElement[bool]], list[str]]:
    """Conditions on a table's `warehouse` and `sku` columns for the actor's warehouses and the
    filters, and the filters in words. A warehouse out of scope is refused like an unknown one."""
    actor.require("stock.quantities", "see stock quantities")
    conds: list[sa.ColumnElement[bool]] = []
    words: list[str] = []
    if f.warehouse:
        wh = resolve_warehouse(session, actor, f.warehouse)
        conds.append(warehouse == wh.code)
        words.append(wh.name)
    else:
        scope = stock_warehouse_codes(session, actor)
        if scope is not None:
            conds.append(among(warehouse, scope, "stock_warehouses"))
    where = build_filter(session, actor, brand=f.brand, category=f.category, product=f.sku)
    conds += where.skus_of(sku)
    return conds, [*words, *where.words]


def _scope(session: Session, actor: Actor, f: StockFilters) -> tuple[list[sa.ColumnElement[bool]], list[str]]:
    return stock_scope(session, actor, f, col(StockBalance.warehouse), col(StockBalance.sku))


# --- the stock summary -------------------------------------------------------------------------


def stock_summary(
    session: Session, actor: Actor, today: date, f: StockFilters, sort: str | None = None, limit: int | None = None
) -> Table:
    """Every batch row holding stock (available, reserved or damaged) in scope, with its value:
    (available + reserved) × the SKU's list price today, for batches not past their expiry date;
    damaged and expired stock is worth nothing, a SKU without a list price has no value."""
    conds, words = _scope(session, actor, f)
    b = StockBalance
    held = sa.or_(col(b.available) != 0, col(b.reserved) != 0, col(b.damaged) != 0)
    price = list_prices(today)
    name = sa.func.coalesce(col(Sku.name), col(b.sku))
    sellable = sa.case((unexpired(today), col(b.available) + col(b.reserved)), else_=0)  # what is valued
    stmt = (
        sa.select(
            col(b.warehouse),
            col(b.sku),
            name,
            col(b.batch),
            col(b.expiry_date),
            col(b.available),
            col(b.reserved),
            col(b.damaged),
            price.c.price,
            sellable,
        )
        .select_from(StockBalance)
        .outerjoin(Sku, col(Sku.code) == col(b.sku))
        .outerjoin(price, price.c.sku == col(b.sku))
        .where(held, *conds)
    )
    sortable = {
        "warehouse": col(b.warehouse),
        "sku": col(b.sku),
        "name": name,
        "batch": col(b.batch),
        "expiry_date": col(b.expiry_date),
        "available": col(b.available),
        "reserved": col(b.reserved),
        "damaged": col(b.damaged),
    }
    natural = [col(b.warehouse), col(b.sku), col(b.batch)]
    rows = []
    for wh, sku, nm, batch, expiry, avail, res, dmg, p, qty in sorted_rows(
        session, stmt, sort, limit, sortable, natural
    ):
        value = None if p is None else money(p * int(qty))  # exact: SQLite would multiply money text as a float
        rows.append((wh, sku, nm, batch, expiry, avail, res, dmg, p, value))
    columns = (
        Column("warehouse", "Warehouse"),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("batch", "Batch"),
        Column("expiry_date", "Expiry", "date"),
        Column("available", "Available", "quantity"),
        Column("reserved", "Reserved", "quantity"),
        Column("damaged", "Damaged", "quantity"),
        Column("price", "List price", "money"),
        Column("value", "Value", "money"),
    )
    totals = (None, None, "Total", None, None, None, None, None, None, _total_value(session, today, conds))
    return Table("stock", title("Stock by batch", today, today, words), columns, rows, totals, None, today)


def _total_value(session: Session, today: date, conds: list[sa.ColumnElement[bool]]) -> Decimal:
    """The summary's value over every row (whatever the limit): the unexpired quantity summed per
    SKU in the database, times its list price. Money is multiplied here, exactly: SQLite holds
    money as text and would multiply it as a float."""
    b = StockBalance
    price = list_prices(today)
    fresh = sa.func.sum(sa.case((unexpired(today), col(b.available) + col(b.reserved)), else_=0))
    stmt = (
        sa.select(price.c.price, fresh)
        .select_from(StockBalance)
        .join(price, price.c.sku == col(b.sku))
        .where(*conds)
        .group_by(col(b.sku), price.c.price)
    )
    return money(sum((p * int(q) for p, q in session.execute(stmt) if q), ZERO))


# --- low stock ---------------------------------------------------------------------------------


def low_stock_report(
    session: Session, actor: Actor, today: date, f: StockFilters, sort: str | None = None, limit: int | None = None
) -> Table:
    """Warehouse × SKU whose stock available to orders (unexpired batches) is at or below the SKU's
    reorder level (`core.stock.low_stock_statement`, rules.md), with the shortfall."""
    conds, words = _scope(session, actor, f)
    low = low_stock_statement(today).where(*conds).subquery("low")
    name = sa.func.coalesce(col(Sku.name), low.c.sku)
    short = (low.c.level - low.c.available).label("short")
    stmt = (
        sa.select(low.c.warehouse, low.c.sku, name, low.c.available, low.c.level, short)
        .select_from(low)
        .outerjoin(Sku, col(Sku.code) == low.c.sku)
    )
    sortable = {
        "warehouse": low.c.warehouse,
        "sku": low.c.sku,
        "name": name,
        "available": low.c.available,
        "reorder_level": low.c.level,
        "short": short,
    }
    rows = [
        (wh, sku, nm, int(avail), int(level), int(s))
        for wh, sku, nm, avail, level, s in sorted_rows(
            session, stmt, sort, limit, sortable, [low.c.warehouse, low.c.sku]
        )
    ]
    columns = (
        Column("warehouse", "Warehouse"),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("available", "Available (unexpired)", "quantity"),
        Column("reorder_level", "Reorder level", "quantity"),
        Column("short", "Short by", "quantity"),
    )
    return Table(
        "low-stock",
        title("Low stock (at or below the reorder level)", today, today, words),
        columns,
        rows,
        None,
        None,
        today,
    )


# --- expiring stock ------------------------------------------------------------------------------


def expiring_report(
    session: Session,
    actor: Actor,
    today: date,
    f: StockFilters,
    days: int | None = None,
    sort: str | None = None,
    limit: int | None = None,
) -> Table:
    """Batches holding stock that have expired or expire within `days` (default 30) of today
    (`core.stock.expiring_conditions`), soonest first, with the days left (negative: expired)."""
    days = EXPIRING_DAYS if days is None else days
    if days < 0:
        raise InvalidInput("The number of days must be zero or more.")
    conds, words = _scope(session, actor, f)
    b = StockBalance
    name = sa.func.coalesce(col(Sku.name), col(b.sku))
    stmt = (
        sa.select(
            col(b.warehouse), col(b.sku), name, col(b.batch), col(b.expiry_date), col(b.available), col(b.reserved)
        )
        .select_from(StockBalance)
        .outerjoin(Sku, col(Sku.code) == col(b.sku))
        .where(*expiring_conditions(today, days), *conds)
    )
    sortable = {
        "warehouse": col(b.warehouse),
        "sku": col(b.sku),
        "name": name,
        "batch": col(b.batch),
        "expiry_date": col(b.expiry_date),
        "days_left": col(b.expiry_date),
        "available": col(b.available),
        "reserved": col(b.reserved),
    }
    natural = [col(b.expiry_date), col(b.warehouse), col(b.sku), col(b.batch)]
    rows = [
        (wh, sku, nm, batch, expiry, (expiry - today).days, avail, res)
        for wh, sku, nm, batch, expiry, avail, res in sorted_rows(session, stmt, sort, limit, sortable, natural)
    ]
    columns = (
        Column("warehouse", "Warehouse"),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("batch", "Batch"),
        Column("expiry_date", "Expiry", "date"),
        Column("days_left", "Days left", "int"),
        Column("available", "Available", "quantity"),
        Column("reserved", "Reserved", "quantity"),
    )
    what = f"Stock expired or expiring within {days} days" if days else "Stock expired or expiring today"
    return Table("expiring", title(what, today, today, words), columns, rows, None, None, today)
