"""Stock as people see it: levels and low stock within the actor's scope, and the stock
changes a warehouse person or manager makes (adjustment, damage, receipt), audited."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_scope, visible_warehouse_codes
from .clock import Clock
from .errors import InvalidInput, NotAllowed, NotFound
from .inventory import Who, adjust, get_batch, mark_damaged, receive
from .tables.catalogue import Product, Sku
from .tables.inventory import StockBalance
from .tables.parties import Customer, Warehouse
from .types import must_exist


@dataclass(frozen=True)
class BatchLevel:
    batch: str
    expiry_date: date | None
    received_on: date | None
    available: int
    reserved: int
    damaged: int
    expired: bool


@dataclass
class StockLevel:
    """One SKU in one warehouse. Quantities are None for someone who may only know
    whether it is in stock (a retailer)."""

    warehouse: str
    sku: str
    sku_name: str
    product_name: str
    in_stock: bool
    available: int | None = None  # available to orders: unexpired batches
    expired: int | None = None  # still in `available` of expired batches; no order can take it
    reserved: int | None = None
    damaged: int | None = None
    batches: list[BatchLevel] | None = field(default=None)


@dataclass(frozen=True)
class LowStockRow:
    warehouse: str
    sku: str
    sku_name: str
    product_name: str
    available: int
    reorder_level: int


# --- scope -------------------------------------------------------------------------------


def stock_warehouse_codes(session: Session, actor: Actor) -> set[str] | None:
    """Warehouses whose stock the actor may see (None = all): those of `visible_warehouse_codes`
    plus, for managers and sales reps, the warehouses their customers' orders ship from
    (a rep of an area sees the stock of the city warehouse serving it)."""
    codes = visible_warehouse_codes(session, actor)
    if codes is None:
        return None
    if actor.role in ("manager", "sales_rep") and (mine := customer_scope(session, actor)) is not None:
        codes |= set(session.exec(select(Customer.warehouse).where(mine).distinct()).all()) - {None}
    return codes


def _changeable(session: Session, actor: Actor, warehouse: str) -> None:
    """Stock changes: admin anywhere; managers and warehouse staff in warehouses of their
    regions; nobody else. The refusal is the same whether or not the warehouse exists."""
    actor.require("stock.adjust", "change stock")
    wh = session.get(Warehouse, warehouse)
    if actor.is_admin:
        if wh is None:
            raise NotFound(f"No warehouse {warehouse!r}.")
        return
    if wh is None or wh.region not in actor.regions:
        raise NotAllowed(f"You may not change stock in warehouse {warehouse!r}.")


def _names(session: Session, skus: set[str]) -> dict[str, tuple[str, str, int]]:
    """sku -> (sku name, product name, reorder level)."""
    if not skus:
        return {}
    stmt = select(Sku.code, Sku.name, Product.name, Sku.reorder_level).join(
        Product, col(Product.code) == Sku.product, isouter=True
    )
    if len(skus) <= 1000:
        stmt = stmt.where(col(Sku.code).in_(skus))  # else every SKU, read once, is cheaper than a huge IN list
    rows = session.exec(stmt).all()
    return {code: (name, pname or "", level) for code, name, pname, level in rows if code in skus}


def _balances(session: Session, warehouses: set[str] | None, sku: str | None) -> list[StockBalance]:
    stmt = select(StockBalance).execution_options(populate_existing=True)
    if warehouses is not None:
        stmt = stmt.where(col(StockBalance.warehouse).in_(warehouses))
    if sku is not None:
        stmt = stmt.where(StockBalance.sku == sku)
    return list(session.exec(stmt))


def _expired(row: StockBalance, today: date) -> bool:
    return row.expiry_date is not None and row.expiry_date < today


# --- queries -----------------------------------------------------------------------------


def stock_levels(
    session: Session,
    actor: Actor,
    today: date,
    sku: str | None = None,
    warehouse: str | None = None,
    *,
    by_batch: bool = False,
) -> list[StockLevel]:
    """Stock per warehouse and SKU in the actor's scope, sorted by warehouse then SKU.

    With `sku`, every warehouse in scope gets a row (zero where it holds none). A retailer
    (no `stock.quantities`) gets in stock / not in stock only, for every SKU when none is named.
    """
    actor.require("stock.view", "see stock")
    quantities = actor.can("stock.quantities")
    scope = stock_warehouse_codes(session, actor)
    if warehouse is not None:
        warehouse = warehouse.strip().upper()
        if (scope is not None and warehouse not in scope) or session.get(Warehouse, warehouse) is None:
            raise NotFound(f"No warehouse {warehouse!r} that you can see.")
        scope = {warehouse}
    if sku is not None:
        sku = sku.strip().upper()
        if session.get(Sku, sku) is None:
            raise NotFound(f"No SKU {sku!r}.")
    rows = _balances(session, scope, sku)
    groups: dict[tuple[str, str], list[StockBalance]] = {}
    for r in rows:
        groups.setdefault((r.warehouse, r.sku), []).append(r)
    # Which (warehouse, sku) pairs to show besides those holding rows.
    every_wh = scope if scope is not None else set(session.exec(select(Warehouse.code)).all())
    if sku is not None:
        for wh in every_wh:
            groups.setdefault((wh, sku), [])
    elif not quantities:
        for wh in every_wh:
            for code in session.exec(select(Sku.code)).all():
                groups.setdefault((wh, code), [])
    names = _names(session, {s for _, s in groups})
    out: list[StockLevel] = []
    for (wh, code), batch_rows in sorted(groups.items()):
        sku_name, product_name, _ = names.get(code, (code, "", 0))
        fresh = sum(r.available for r in batch_rows if not _expired(r, today))
        level = StockLevel(warehouse=wh, sku=code, sku_name=sku_name, product_name=product_name, in_stock=fresh > 0)
        if quantities:
            level.available = fresh
            level.expired = sum(r.available for r in batch_rows if _expired(r, today))
            level.reserved = sum(r.reserved for r in batch_rows)
            level.damaged = sum(r.damaged for r in batch_rows)
            if by_batch:
                level.batches = [
                    BatchLevel(
                        r.batch, r.expiry_date, r.received_on, r.available, r.reserved, r.damaged, _expired(r, today)
                    )
                    for r in sorted(batch_rows, key=lambda r: r.batch)
                ]
        out.append(level)
    return out


def unexpired(today: date) -> ColumnElement[bool]:
    """A batch whose stock orders may still take: no expiry date, or not yet past it."""
    return or_(col(StockBalance.expiry_date).is_(None), col(StockBalance.expiry_date) >= today)


def low_stock_statement(today: date) -> Select[str, str, int, int]:
    """rules.md's low stock as one grouped query: for each warehouse and each SKU it holds or has
    held (a balance row), the quantity available to orders (unexpired batches) and the SKU's
    reorder level (0 for a SKU no longer in the catalogue), kept where the first is at or below
    the second. ORM columns: the session flushes pending changes first."""
    fresh = func.sum(case((unexpired(today), col(StockBalance.available)), else_=0))
    level = func.coalesce(col(Sku.reorder_level), 0)
    return (
        sa_select(col(StockBalance.warehouse), col(StockBalance.sku), fresh.label("available"), level.label("level"))
        .select_from(StockBalance)
        .outerjoin(Sku, col(Sku.code) == col(StockBalance.sku))
        .group_by(col(StockBalance.warehouse), col(StockBalance.sku), col(Sku.reorder_level))
        .having(fresh <= level)
    )


def _in(scope: set[str] | None, within: set[str] | None) -> set[str] | None:
    """Warehouses in both the actor's scope and a filter (None: no limit from that side)."""
    return within if scope is None else scope if within is None else scope & within


def _low_statement(session: Session, actor: Actor, today: date, within: set[str] | None) -> Select[str, str, int, int]:
    actor.require("stock.quantities", "see stock quantities")
    stmt = low_stock_statement(today)
    warehouses = _in(stock_warehouse_codes(session, actor), within)
    if warehouses is not None:
        stmt = stmt.where(col(StockBalance.warehouse).in_(warehouses))
    return stmt.order_by(col(StockBalance.warehouse), col(StockBalance.sku))


def _low_rows(session: Session, stmt: Select[str, str, int, int]) -> list[LowStockRow]:
    low = sorted((wh, code, int(qty), int(level)) for wh, code, qty, level in session.execute(stmt))
    names = _names(session, {code for _, code, _, _ in low})
    out = []
    for wh, code, qty, level in low:
        sku_name, product_name, _ = names.get(code, (code, "", 0))
        out.append(LowStockRow(wh, code, sku_name, product_name, qty, level))
    return out


def low_stock(session: Session, actor: Actor, today: date) -> list[LowStockRow]:
    """rules.md: for each warehouse and each SKU it holds or has held (a balance row), the
    quantity available to orders (unexpired batches) ≤ the SKU's reorder level."""
    return _low_rows(session, _low_statement(session, actor, today, None))


@dataclass(frozen=True)
class ExpiringBatch:
    warehouse: str
    sku: str
    sku_name: str
    batch: str
    expiry_date: date
    available: int
    reserved: int
    days_left: int  # negative: expired that many days ago


def expiring_conditions(today: date, within_days: int) -> list[ColumnElement[bool]]:
    """A batch holding stock (available or reserved) whose expiry date is within `within_days` of
    `today`, expired ones included."""
    return [
        col(StockBalance.expiry_date).is_not(None),
        col(StockBalance.expiry_date) <= date.fromordinal(today.toordinal() + within_days),
        (col(StockBalance.available) + col(StockBalance.reserved)) > 0,
    ]


def _expiring_statement(
    session: Session,
    actor: Actor,
    today: date,
    within_days: int,
    warehouse: str | None = None,
    sku: str | None = None,
    within: set[str] | None = None,
) -> Select[Any]:
    actor.require("stock.quantities", "see stock quantities")
    if within_days < 0:
        raise InvalidInput("The number of days must be zero or more.")
    stmt = (
        sa_select(StockBalance)
        .where(*expiring_conditions(today, within_days))
        .order_by(col(StockBalance.expiry_date), StockBalance.warehouse, StockBalance.sku, StockBalance.batch)
    )
    if warehouse is not None:
        stmt = stmt.where(col(StockBalance.warehouse) == warehouse.strip().upper())
    if sku is not None:
        stmt = stmt.where(col(StockBalance.sku) == sku.strip().upper())
    scope = _in(stock_warehouse_codes(session, actor), within)
    if scope is not None:
        stmt = stmt.where(col(StockBalance.warehouse).in_(scope))
    return stmt


def _expiring_rows(session: Session, stmt: Select[Any], today: date) -> list[ExpiringBatch]:
    rows = list(session.scalars(stmt))
    names = _names(session, {r.sku for r in rows})
    return [
        ExpiringBatch(
            r.warehouse,
            r.sku,
            names.get(r.sku, (r.sku, "", 0))[0],
            r.batch,
            r.expiry_date,
            r.available,
            r.reserved,
            (r.expiry_date - today).days,
        )
        for r in rows
        if r.expiry_date is not None
    ]  # all of them: the query asks for an expiry date


def expiring_stock(
    session: Session, actor: Actor, today: date, within_days: int, warehouse: str | None = None, sku: str | None = None
) -> list[ExpiringBatch]:
    """Batches in the actor's scope holding stock (available or reserved) whose expiry date is
    within `within_days` of `today`, expired ones included, soonest first."""
    return _expiring_rows(session, _expiring_statement(session, actor, today, within_days, warehouse, sku), today)


@dataclass(frozen=True)
class StockAlerts:
    low: list[LowStockRow]  # the first `limit`, in low_stock's order
    low_count: int  # all of them
    expiring: list[ExpiringBatch]  # the first `limit`, in expiring_stock's order
    expiring_count: int


def stock_alerts(
    session: Session, actor: Actor, today: date, within_days: int, within: set[str] | None, limit: int
) -> StockAlerts:
    """The head of low_stock and of expiring_stock, within the warehouses `within` (None: all the
    actor may see), and how many rows each has: counted in SQL, so a tile does not read every
    low or expiring row of a large catalogue."""
    low = _low_statement(session, actor, today, within)
    exp = _expiring_statement(session, actor, today, within_days, within=within)

    def count(stmt: Any) -> int:  # a Select of any columns
        return int(session.execute(sa_select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one())

    return StockAlerts(
        _low_rows(session, low.limit(limit)),
        count(low),
        _expiring_rows(session, exp.limit(limit), today),
        count(exp),
    )


# --- changes -----------------------------------------------------------------------------


def batches_held(session: Session, actor: Actor, sku: str | None = None) -> list[tuple[str, str]]:
    """(warehouse, batch) of every stock row in the warehouses the actor may see, of one SKU when given."""
    scope = stock_warehouse_codes(session, actor)
    stmt = select(StockBalance.warehouse, StockBalance.batch).distinct()
    if sku:
        stmt = stmt.where(StockBalance.sku == sku)
    return [(w, b) for w, b in session.exec(stmt).all() if scope is None or w in scope]


def warehouse_batches(session: Session, warehouse: str) -> list[StockBalance]:
    """Every batch row of one warehouse (the caller has resolved it in the actor's scope), by SKU and batch."""
    return list(
        session.exec(
            select(StockBalance)
            .where(StockBalance.warehouse == warehouse)
            .order_by(StockBalance.sku, StockBalance.batch)
        )
    )


def _who(actor: Actor, clock: Clock) -> Who:
    return Who(actor.user_id, clock.now(), actor.channel)


def _key(warehouse: str, sku: str, batch: str) -> tuple[str, str, str]:
    return warehouse.strip().upper(), sku.strip().upper(), batch.strip()


def adjust_stock(
    session: Session, actor: Actor, clock: Clock, warehouse: str, sku: str, batch: str, delta: int, reason: str
) -> StockBalance:
    """Correct a batch's available quantity by `delta` (±), with a reason; audited."""
    warehouse, sku, batch = _key(warehouse, sku, batch)
    _changeable(session, actor, warehouse)
    found = get_batch(session, warehouse, sku, batch)
    before = found.available if found else None  # a number: the row object is refreshed in place
    row = adjust(session, _who(actor, clock), warehouse, sku, batch, delta, reason)
    audit.record(
        session,
        at=clock.now(),
        user_id=actor.user_id,
        channel=actor.channel,
        action="stock.adjust",
        entity="stock",
        entity_id=f"{warehouse}/{sku}/{batch}",
        delta=delta,
        reason=reason.strip(),
        available_before=before,
        available_after=row.available,
    )
    return row


def record_damage(
    session: Session, actor: Actor, clock: Clock, warehouse: str, sku: str, batch: str, qty: int, reason: str
) -> StockBalance:
    """Move `qty` of a batch from available to damaged, with a reason; audited."""
    warehouse, sku, batch = _key(warehouse, sku, batch)
    _changeable(session, actor, warehouse)
    row = mark_damaged(session, _who(actor, clock), warehouse, sku, batch, qty, reason)
    audit.record(
        session,
        at=clock.now(),
        user_id=actor.user_id,
        channel=actor.channel,
        action="stock.damage",
        entity="stock",
        entity_id=f"{warehouse}/{sku}/{batch}",
        qty=qty,
        reason=reason.strip(),
        available_after=row.available,
        damaged_after=row.damaged,
    )
    return row


def receive_stock(
    session: Session,
    actor: Actor,
    clock: Clock,
    warehouse: str,
    sku: str,
    batch: str,
    qty: int,
    *,
    mfg_date: date | None = None,
    expiry_date: date | None = None,
    received_on: date | None = None,
    damaged: bool = False,
    reason: str | None = None,
) -> StockBalance:
    """Goods receipt into a batch (new or existing); audited."""
    warehouse, sku, batch = _key(warehouse, sku, batch)
    _changeable(session, actor, warehouse)
    if session.get(Sku, sku) is None:
        raise NotFound(f"No SKU {sku!r}.")
    if not batch:
        raise InvalidInput("A receipt needs a batch code.")
    if mfg_date and expiry_date and expiry_date < mfg_date:
        raise InvalidInput(f"Batch {batch}: expiry date {expiry_date} is before its manufacturing date {mfg_date}.")
    existing = get_batch(session, warehouse, sku, batch)
    if existing is not None:
        for what, given, have in (
            ("manufacturing date", mfg_date, existing.mfg_date),
            ("expiry date", expiry_date, existing.expiry_date),
        ):
            if given is not None and given != have:
                raise InvalidInput(f"Batch {batch} of {sku} in {warehouse} already has {what} {have}, not {given}.")
    receive(
        session,
        _who(actor, clock),
        warehouse,
        sku,
        batch,
        qty,
        mfg_date=mfg_date,
        expiry_date=expiry_date,
        received_on=received_on or clock.today(),
        damaged=damaged,
        reason=reason,
    )
    row = must_exist(get_batch(session, warehouse, sku, batch), f"batch {batch} of {sku} in {warehouse}")
    audit.record(
        session,
        at=clock.now(),
        user_id=actor.user_id,
        channel=actor.channel,
        action="stock.receive",
        entity="stock",
        entity_id=f"{warehouse}/{sku}/{batch}",
        qty=qty,
        damaged=damaged,
        reason=reason,
        available_after=row.available,
        damaged_after=row.damaged,
    )
    return row
