"""Inventory: batch balances per warehouse/SKU/batch, the append-only stock ledger and
the services that move stock (reserve, release, dispatch, adjust, damage, transfer).

Services take the caller's session and never commit: the caller owns the transaction.
Every balance change is one conditional UPDATE (`... where available >= n`), so no
balance goes negative whatever runs at the same time, and rows are updated in a fixed
order (warehouse, sku, batch) so concurrent commands cannot deadlock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Insert, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from .errors import InsufficientStock, InvalidInput, NotFound
from .tables.catalogue import Sku
from .tables.inventory import OrderAllocation, StockBalance, StockMovement
from .tables.orders import Order
from .tables.parties import Warehouse
from .types import rowcount, table_of

MOVEMENT_KINDS = ("receipt", "reservation", "release", "dispatch", "adjustment", "damage", "transfer")
RESERVE_TRIES = 3


# --- allocation (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class BatchStock:
    """What allocation needs to know of one batch."""

    batch: str
    available: int
    expiry_date: date | None = None
    received_on: date | None = None


def allocation_order(batches: list[BatchStock], method: str) -> list[BatchStock]:
    """FEFO: earliest expiry (none = last), then earliest receipt, then code. FIFO: receipt, then code."""
    far = date.max
    if method.upper() == "FIFO":
        return sorted(batches, key=lambda b: (b.received_on or far, b.batch))
    return sorted(batches, key=lambda b: (b.expiry_date or far, b.received_on or far, b.batch))


def plan_allocation(batches: list[BatchStock], qty: int, method: str, today: date) -> list[tuple[str, int]]:
    """Take `qty` from unexpired batches in FEFO/FIFO order, splitting across batches.

    Returns [(batch, qty)]; raises ValueError if the usable stock is short (nothing taken).
    """
    if qty < 0:
        raise ValueError("quantity must not be negative")
    plan: list[tuple[str, int]] = []
    left = qty
    for b in allocation_order(usable(batches, today), method):
        if left == 0:
            break
        take = min(left, b.available)
        plan.append((b.batch, take))
        left -= take
    if left:
        raise ValueError(f"short by {left}")
    return plan


def usable(batches: list[BatchStock], today: date) -> list[BatchStock]:
    """Batches an order may take from: some stock and not expired (an expiry date before today)."""
    return [b for b in batches if b.available > 0 and (b.expiry_date is None or b.expiry_date >= today)]


# --- ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """Who changes stock, when and through which channel (for the ledger and the audit)."""

    user_id: str | None
    at: datetime
    channel: str | None = None


def batches_for(session: Session, warehouse: str, sku: str, *, lock: bool = False) -> list[StockBalance]:
    """The batch rows of a SKU in a warehouse, fresh from the database (not the session's
    cached copies, which the core UPDATEs of `move` leave stale); `lock` takes row locks
    in batch order (FOR UPDATE on PostgreSQL; SQLite's write transaction is exclusive)."""
    stmt = (
        select(StockBalance)
        .where(StockBalance.warehouse == warehouse, StockBalance.sku == sku)
        .order_by(StockBalance.batch)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update()
    return list(session.exec(stmt))


def get_batch(session: Session, warehouse: str, sku: str, batch: str) -> StockBalance | None:
    return session.exec(
        select(StockBalance)
        .where(StockBalance.warehouse == warehouse, StockBalance.sku == sku, StockBalance.batch == batch)
        .execution_options(populate_existing=True)
    ).first()


def move(
    session: Session,
    who: Who,
    kind: str,
    warehouse: str,
    sku: str,
    batch: str,
    *,
    d_available: int = 0,
    d_reserved: int = 0,
    d_damaged: int = 0,
    order_no: str | None = None,
    reason: str | None = None,
) -> None:
    """Apply one movement with a single conditional update, so no balance goes negative
    whatever runs at the same time; then append it to the ledger."""
    if kind not in MOVEMENT_KINDS:
        raise ValueError(f"unknown movement kind {kind!r}")
    t = table_of(StockBalance)
    cond = [t.c.warehouse == warehouse, t.c.sku == sku, t.c.batch == batch]
    for column, d in ((t.c.available, d_available), (t.c.reserved, d_reserved), (t.c.damaged, d_damaged)):
        if d < 0:
            cond.append(column >= -d)
    result = session.execute(
        update(t)
        .where(*cond)
        .values(
            available=t.c.available + d_available, reserved=t.c.reserved + d_reserved, damaged=t.c.damaged + d_damaged
        )
    )
    if rowcount(result) != 1:
        raise InsufficientStock(
            f"Batch {batch} of {sku} in {warehouse} does not hold enough stock for this {kind}.",
            [{"sku": sku, "warehouse": warehouse, "batch": batch}],
        )
    session.add(
        StockMovement(
            at=who.at,
            warehouse=warehouse,
            sku=sku,
            batch=batch,
            kind=kind,
            d_available=d_available,
            d_reserved=d_reserved,
            d_damaged=d_damaged,
            order_no=order_no,
            user_id=who.user_id,
            channel=who.channel,
            reason=reason,
        )
    )


def _ensure_batch(
    session: Session,
    warehouse: str,
    sku: str,
    batch: str,
    mfg_date: date | None,
    expiry_date: date | None,
    received_on: date | None,
) -> None:
    """Create the batch row if it is missing; a concurrent creator is not an error."""
    values = dict(
        warehouse=warehouse,
        sku=sku,
        batch=batch,
        mfg_date=mfg_date,
        expiry_date=expiry_date,
        received_on=received_on,
        available=0,
        reserved=0,
        damaged=0,
    )
    dialect = session.get_bind().dialect.name
    table = table_of(StockBalance)
    stmt: Insert
    if dialect == "postgresql":
        stmt = pg_insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - other databases: plain insert when missing
        if get_batch(session, warehouse, sku, batch) is not None:
            return
        stmt = table.insert().values(**values)
    session.execute(stmt)


def _usable_total(rows: list[StockBalance], today: date) -> int:
    return sum(b.available for b in usable(_stock(rows), today))


def _stock(rows: list[StockBalance]) -> list[BatchStock]:
    return [BatchStock(r.batch, r.available, r.expiry_date, r.received_on) for r in rows]


def _short(sku: str, warehouse: str, have: int, qty: int) -> InsufficientStock:
    return InsufficientStock(
        f"Only {have} of {sku} available in {warehouse}; {qty} asked.",
        [{"sku": sku, "warehouse": warehouse, "available": have, "asked": qty}],
    )


def _require_reason(reason: str | None, what: str) -> str:
    if reason is None or not reason.strip():
        raise InvalidInput(f"A {what} needs a reason.")
    return reason.strip()


def _require_positive(qty: int, what: str) -> None:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise InvalidInput(f"The quantity of a {what} must be a positive whole number of base units, not {qty!r}.")


def _existing_batch(session: Session, warehouse: str, sku: str, batch: str) -> StockBalance:
    row = get_batch(session, warehouse, sku, batch)
    if row is None:
        raise NotFound(f"No batch {batch} of {sku} in {warehouse}.")
    return row


# --- services ----------------------------------------------------------------------------


def reserve(
    session: Session,
    who: Who,
    warehouse: str,
    sku: str,
    qty: int,
    method: str,
    today: date,
    order_no: str | None = None,
) -> list[tuple[str, int]]:
    """Reserve `qty` of `sku` in `warehouse` by FEFO/FIFO; all or nothing (raises InsufficientStock).

    The plan is made from a plain read; if another transaction takes the stock before our
    conditional updates land, the SAVEPOINT is rolled back and the plan made again, this
    time from rows locked in batch order, so the retry cannot lose the race again.
    """
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
        raise InvalidInput(f"The quantity to reserve of {sku} must be a whole number ≥ 0, not {qty!r}.")
    if qty == 0:
        return []
    for attempt in range(RESERVE_TRIES):
        rows = batches_for(session, warehouse, sku, lock=attempt > 0)
        try:
            plan = plan_allocation(_stock(rows), qty, method, today)
        except ValueError:
            raise _short(sku, warehouse, _usable_total(rows, today), qty) from None
        try:
            with session.begin_nested():
                for batch, n in sorted(plan):
                    move(
                        session,
                        who,
                        "reservation",
                        warehouse,
                        sku,
                        batch,
                        d_available=-n,
                        d_reserved=n,
                        order_no=order_no,
                    )
            return plan
        except InsufficientStock:
            continue  # someone took stock since the read: read again and re-plan
    rows = batches_for(session, warehouse, sku)
    raise _short(sku, warehouse, _usable_total(rows, today), qty)


def _stock_statement() -> sa.Select[str, str, int, date | None, date | None]:
    t = table_of(StockBalance)
    return (
        sa.select(t.c.sku, t.c.batch, t.c.available, t.c.expiry_date, t.c.received_on)
        .where(t.c.warehouse == bindparam("w"), t.c.sku.in_(bindparam("skus", expanding=True)))
        .order_by(t.c.sku, t.c.batch)
    )


_STOCK = _stock_statement()
_STOCK_LOCKED = _STOCK.with_for_update()


def stock_of(
    session: Session, warehouse: str, skus: Iterable[str], *, lock: bool = False
) -> dict[str, list[BatchStock]]:
    """The batches of many SKUs in a warehouse in one query, fresh from the database; `lock`
    takes their row locks in (sku, batch) order (FOR UPDATE on PostgreSQL; SQLite's write
    transaction is already exclusive), the same order every command locks in."""
    stmt = _STOCK_LOCKED if lock else _STOCK
    out: dict[str, list[BatchStock]] = {}
    for sku, batch, available, expiry, received in session.execute(stmt, {"w": warehouse, "skus": sorted(set(skus))}):
        out.setdefault(sku, []).append(BatchStock(batch, available, expiry, received))
    return out


def reserve_for_order(
    session: Session,
    who: Who,
    order_no: str,
    warehouse: str,
    wants: dict[str, int],
    methods: dict[str, str],
    today: date,
) -> dict[str, list[tuple[str, int]]]:
    """Reserve every SKU of an order, all or nothing, and record the batches on the order.

    Raises InsufficientStock listing every short SKU with what is available; then nothing
    is reserved. The SKUs' rows are locked in one query in (sku, batch) order, so concurrent
    orders cannot deadlock.
    """
    plans = reserve_stock(session, who, order_no, warehouse, wants, methods, today)
    record_reservation(session, who, order_no, warehouse, plans)
    return plans


def reserve_stock(
    session: Session,
    who: Who,
    order_no: str | None,
    warehouse: str,
    wants: dict[str, int],
    methods: dict[str, str],
    today: date,
    locked: dict[str, list[BatchStock]] | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """The balance half of `reserve_for_order`: plan and apply the reservations, all or nothing;
    `record_reservation` then writes their ledger and allocation rows. `locked` is the SKUs'
    batches if the caller already read them with `stock_of(..., lock=True)` in this transaction.
    Returns {sku: [(batch, qty)]} in allocation order. `order_no` only names the order in errors."""
    for sku, qty in wants.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise InvalidInput(f"The quantity of {sku} must be a whole number ≥ 0, not {qty!r}.")
    wanted = {sku: qty for sku, qty in sorted(wants.items()) if qty > 0}
    if not wanted:
        return {}

    def refuse(short: list[dict[str, Any]]) -> InsufficientStock:
        text = "; ".join(f"{s['sku']}: {s['available']} available, {s['asked']} asked" for s in short)
        whose = f"order {order_no}" if order_no else "this order"
        return InsufficientStock(f"Not enough stock in {warehouse} for {whose}: {text}.", short)

    missing = [sku for sku in wanted if sku not in methods]
    if missing:
        methods = {
            **methods,
            **dict(session.execute(select(Sku.code, Sku.allocation).where(col(Sku.code).in_(missing))).all()),
        }
    t = table_of(StockBalance)
    stmt = (
        update(t)
        .where(
            t.c.warehouse == warehouse,
            t.c.sku == bindparam("k_sku"),
            t.c.batch == bindparam("k_batch"),
            t.c.available >= bindparam("n"),
        )
        .values(available=t.c.available - bindparam("n"), reserved=t.c.reserved + bindparam("n"))
    )
    for attempt in range(RESERVE_TRIES):
        stock = locked if locked is not None and attempt == 0 else stock_of(session, warehouse, wanted, lock=True)
        plans: dict[str, list[tuple[str, int]]] = {}
        short: list[dict[str, Any]] = []
        for sku, qty in wanted.items():
            rows = stock.get(sku, [])
            try:
                plans[sku] = plan_allocation(rows, qty, methods.get(sku, "FEFO"), today)
            except ValueError:
                short.append(
                    {
                        "sku": sku,
                        "warehouse": warehouse,
                        "available": sum(b.available for b in usable(rows, today)),
                        "asked": qty,
                    }
                )
        if short:
            raise refuse(short)
        params = [{"k_sku": sku, "k_batch": batch, "n": n} for sku, plan in plans.items() for batch, n in sorted(plan)]
        # One conditional update per balance row, sent together. Rows the caller locked cannot
        # change under us, so no savepoint is needed (a failure rolls the caller's transaction
        # back); rows read here may have, so a short update is rolled back and re-planned.
        if locked is not None and attempt == 0:
            if rowcount(session.execute(stmt, params)) == len(params):
                return plans
            break
        with session.begin_nested() as sp:
            if rowcount(session.execute(stmt, params)) == len(params):
                return plans
            sp.rollback()
    raise refuse([{"sku": s, "warehouse": warehouse, "asked": q} for s, q in wanted.items()])


def record_reservation(
    session: Session, who: Who, order_no: str, warehouse: str, plans: dict[str, list[tuple[str, int]]]
) -> None:
    """The ledger rows and the order's allocation rows of reservations `reserve_stock` made."""
    taken = [(sku, batch, n) for sku, plan in plans.items() for batch, n in plan]
    if not taken:
        return
    session.execute(
        insert(table_of(StockMovement)),
        [
            dict(
                at=who.at,
                warehouse=warehouse,
                sku=sku,
                batch=batch,
                kind="reservation",
                d_available=-n,
                d_reserved=n,
                d_damaged=0,
                order_no=order_no,
                user_id=who.user_id,
                channel=who.channel,
                reason=None,
            )
            for sku, plan in plans.items()
            for batch, n in sorted(plan)
        ],
    )
    session.execute(
        insert(table_of(OrderAllocation)),
        [dict(order_no=order_no, sku=sku, batch=batch, qty=n) for sku, batch, n in taken],
    )


def _order_allocations(session: Session, order_no: str) -> tuple[str, list[tuple[str, str, int]]]:
    """The order's warehouse and its reserved (sku, batch, qty), merged and in lock order."""
    order = session.get(Order, order_no)
    if order is None:
        raise NotFound(f"No order {order_no}.")
    merged: dict[tuple[str, str], int] = {}
    for a in session.exec(select(OrderAllocation).where(OrderAllocation.order_no == order_no)):
        merged[(a.sku, a.batch)] = merged.get((a.sku, a.batch), 0) + a.qty
    return order.warehouse, [(sku, batch, n) for (sku, batch), n in sorted(merged.items()) if n > 0]


def release(session: Session, who: Who, order_no: str, reason: str | None = None) -> list[tuple[str, str, int]]:
    """Give an order's reserved stock back to available (rejection, cancellation).

    The allocation rows are removed, so releasing twice gives nothing back twice.
    Returns [(sku, batch, qty)] released.
    """
    warehouse, allocs = _order_allocations(session, order_no)
    for sku, batch, n in allocs:
        move(
            session,
            who,
            "release",
            warehouse,
            sku,
            batch,
            d_available=n,
            d_reserved=-n,
            order_no=order_no,
            reason=reason,
        )
    for a in session.exec(select(OrderAllocation).where(OrderAllocation.order_no == order_no)):
        session.delete(a)
    session.flush()
    return allocs


def dispatch_out(session: Session, who: Who, order_no: str) -> list[tuple[str, str, int]]:
    """Take an order's reserved stock out of the warehouse; the allocation rows stay as the
    record of which batches shipped. Returns [(sku, batch, qty)]."""
    warehouse, allocs = _order_allocations(session, order_no)
    for sku, batch, n in allocs:
        move(session, who, "dispatch", warehouse, sku, batch, d_reserved=-n, order_no=order_no)
    return allocs


def adjust(session: Session, who: Who, warehouse: str, sku: str, batch: str, delta: int, reason: str) -> StockBalance:
    """Correct a batch's available quantity by `delta` (a count, a found or lost unit)."""
    reason = _require_reason(reason, "stock adjustment")
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidInput(f"An adjustment must change the quantity by a non-zero whole number, not {delta!r}.")
    row = _existing_batch(session, warehouse, sku, batch)
    try:
        move(session, who, "adjustment", warehouse, sku, batch, d_available=delta, reason=reason)
    except InsufficientStock:
        raise InsufficientStock(
            f"Batch {batch} of {sku} in {warehouse} has only {row.available} available; cannot take away {-delta}.",
            [{"sku": sku, "warehouse": warehouse, "batch": batch, "available": row.available, "asked": -delta}],
        ) from None
    return _existing_batch(session, warehouse, sku, batch)


def mark_damaged(
    session: Session, who: Who, warehouse: str, sku: str, batch: str, qty: int, reason: str
) -> StockBalance:
    """Move `qty` of a batch from available to damaged."""
    reason = _require_reason(reason, "damage report")
    _require_positive(qty, "damage report")
    row = _existing_batch(session, warehouse, sku, batch)
    try:
        move(session, who, "damage", warehouse, sku, batch, d_available=-qty, d_damaged=qty, reason=reason)
    except InsufficientStock:
        raise InsufficientStock(
            f"Batch {batch} of {sku} in {warehouse} has only {row.available} available; cannot mark {qty} damaged.",
            [{"sku": sku, "warehouse": warehouse, "batch": batch, "available": row.available, "asked": qty}],
        ) from None
    return _existing_batch(session, warehouse, sku, batch)


def transfer(session: Session, who: Who, from_wh: str, to_wh: str, sku: str, batch: str, qty: int, reason: str) -> None:
    """Move available stock of one batch to another warehouse, keeping the batch's dates."""
    reason = _require_reason(reason, "transfer")
    _require_positive(qty, "transfer")
    if from_wh == to_wh:
        raise InvalidInput(f"A transfer needs two different warehouses; both are {from_wh}.")
    if session.get(Warehouse, to_wh) is None:
        raise NotFound(f"No warehouse {to_wh}.")
    src = _existing_batch(session, from_wh, sku, batch)
    if src.available < qty:
        raise InsufficientStock(
            f"Batch {batch} of {sku} in {from_wh} has only {src.available} available; cannot transfer {qty}.",
            [{"sku": sku, "warehouse": from_wh, "batch": batch, "available": src.available, "asked": qty}],
        )
    with session.begin_nested():
        _ensure_batch(session, to_wh, sku, batch, src.mfg_date, src.expiry_date, src.received_on)
        legs = sorted([(from_wh, -qty), (to_wh, qty)])  # lock order: warehouse code
        for wh, d in legs:
            move(session, who, "transfer", wh, sku, batch, d_available=d, reason=reason)


def receive(
    session: Session,
    who: Who,
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
) -> None:
    """Stock arrives (import or goods receipt): creates the batch row if new."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise InvalidInput("A receipt must be a positive quantity.")
    _ensure_batch(session, warehouse, sku, batch, mfg_date, expiry_date, received_on or who.at.date())
    if damaged:
        move(session, who, "receipt", warehouse, sku, batch, d_damaged=qty, reason=reason)
    else:
        move(session, who, "receipt", warehouse, sku, batch, d_available=qty, reason=reason)


def ledger_consistent(session: Session) -> list[str]:
    """Differences between the balances and the ledger's sums, and any negative balance
    (empty = consistent)."""
    m = StockMovement
    sums = {
        (w, s, b): (a or 0, r or 0, d or 0)
        for w, s, b, a, r, d in session.execute(
            sa.select(
                col(m.warehouse),
                col(m.sku),
                col(m.batch),
                func.sum(m.d_available),
                func.sum(m.d_reserved),
                func.sum(m.d_damaged),
            ).group_by(m.warehouse, m.sku, m.batch)
        )
    }
    problems: list[str] = []
    seen = set()
    rows = session.exec(select(StockBalance).execution_options(populate_existing=True)).all()
    for row in sorted(rows, key=lambda r: (r.warehouse, r.sku, r.batch)):
        key = (row.warehouse, row.sku, row.batch)
        seen.add(key)
        have = (row.available, row.reserved, row.damaged)
        ledger = tuple(int(x) for x in sums.get(key, (0, 0, 0)))
        where = "/".join(key)
        if have != ledger:
            problems.append(f"{where}: balance (available, reserved, damaged) {have} but ledger sums {ledger}")
        if min(have) < 0:
            problems.append(f"{where}: negative balance {have}")
    for key in sorted(set(sums) - seen):
        problems.append(f"{'/'.join(key)}: ledger has movements but there is no balance row")
    return problems
