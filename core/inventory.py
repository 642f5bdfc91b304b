"""Inventory: batch balances per warehouse/SKU/batch and the append-only stock ledger."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from .types import timestamp
from sqlmodel import Field, Session, SQLModel, select

from .errors import InsufficientStock, InvalidInput

MOVEMENT_KINDS = ("receipt", "reservation", "release", "dispatch", "adjustment", "damage", "transfer")


class StockBalance(SQLModel, table=True):
    """One batch of one SKU in one warehouse; the balances equal the ledger's sums."""

    __tablename__ = "stock_balance"
    warehouse: str = Field(primary_key=True)
    sku: str = Field(primary_key=True)
    batch: str = Field(primary_key=True)
    mfg_date: date | None = None
    expiry_date: date | None = None
    received_on: date | None = None
    available: int = 0
    reserved: int = 0
    damaged: int = 0


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movement"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp()
    warehouse: str = Field(index=True)
    sku: str = Field(index=True)
    batch: str
    kind: str
    d_available: int = 0
    d_reserved: int = 0
    d_damaged: int = 0
    order_no: str | None = Field(default=None, index=True)
    user_id: str | None = None
    channel: str | None = None
    reason: str | None = None


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
        if take > 0:
            plan.append((b.batch, take))
            left -= take
    if left:
        raise ValueError(f"short by {left}")
    return plan


def usable(batches: list[BatchStock], today: date) -> list[BatchStock]:
    """Batches an order may take from: not expired (an expiry date before today)."""
    return [b for b in batches if b.available > 0 and (b.expiry_date is None or b.expiry_date >= today)]


# --- ledger ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Who:
    """Who changes stock, when and through which channel (for the ledger and the audit)."""

    user_id: str | None
    at: datetime
    channel: str | None = None


def batches_for(session: Session, warehouse: str, sku: str) -> list[StockBalance]:
    return list(session.exec(select(StockBalance).where(StockBalance.warehouse == warehouse,
                                                        StockBalance.sku == sku)))


def move(session: Session, who: Who, kind: str, warehouse: str, sku: str, batch: str, *,
         d_available: int = 0, d_reserved: int = 0, d_damaged: int = 0,
         order_no: str | None = None, reason: str | None = None) -> None:
    """Apply one movement with a single conditional update, so no balance goes negative
    whatever runs at the same time; then append it to the ledger."""
    if kind not in MOVEMENT_KINDS:
        raise ValueError(f"unknown movement kind {kind!r}")
    t = StockBalance.__table__
    cond = [t.c.warehouse == warehouse, t.c.sku == sku, t.c.batch == batch]
    for col, d in ((t.c.available, d_available), (t.c.reserved, d_reserved), (t.c.damaged, d_damaged)):
        if d < 0:
            cond.append(col >= -d)
    result = session.execute(update(t).where(*cond).values(
        available=t.c.available + d_available, reserved=t.c.reserved + d_reserved,
        damaged=t.c.damaged + d_damaged))
    if result.rowcount != 1:
        raise InsufficientStock(f"Batch {batch} of {sku} in {warehouse} does not hold enough stock for this {kind}.")
    session.add(StockMovement(at=who.at, warehouse=warehouse, sku=sku, batch=batch, kind=kind,
                              d_available=d_available, d_reserved=d_reserved, d_damaged=d_damaged,
                              order_no=order_no, user_id=who.user_id, channel=who.channel, reason=reason))


def reserve(session: Session, who: Who, warehouse: str, sku: str, qty: int, method: str, today: date,
            order_no: str | None = None) -> list[tuple[str, int]]:
    """Reserve `qty` of `sku` in `warehouse` by FEFO/FIFO; all or nothing (raises InsufficientStock)."""
    if qty == 0:
        return []
    rows = batches_for(session, warehouse, sku)
    try:
        plan = plan_allocation([BatchStock(r.batch, r.available, r.expiry_date, r.received_on) for r in rows],
                               qty, method, today)
    except ValueError:
        have = sum(b.available for b in usable(
            [BatchStock(r.batch, r.available, r.expiry_date, r.received_on) for r in rows], today))
        raise InsufficientStock(f"Only {have} of {sku} available in {warehouse}; {qty} asked.",
                                [{"sku": sku, "warehouse": warehouse, "available": have, "asked": qty}]) from None
    # Lock order is fixed (sorted batch codes) so concurrent reservations cannot deadlock.
    for batch, n in sorted(plan):
        move(session, who, "reservation", warehouse, sku, batch, d_available=-n, d_reserved=n,
             order_no=order_no)
    return plan


def receive(session: Session, who: Who, warehouse: str, sku: str, batch: str, qty: int, *,
            mfg_date: date | None = None, expiry_date: date | None = None, received_on: date | None = None,
            damaged: bool = False, reason: str | None = None) -> None:
    """Stock arrives (import or goods receipt): creates the batch row if new."""
    if qty <= 0:
        raise InvalidInput("A receipt must be a positive quantity.")
    row = session.get(StockBalance, (warehouse, sku, batch))
    if row is None:
        session.add(StockBalance(warehouse=warehouse, sku=sku, batch=batch, mfg_date=mfg_date,
                                 expiry_date=expiry_date, received_on=received_on or who.at.date()))
        session.flush()
    if damaged:
        move(session, who, "receipt", warehouse, sku, batch, d_damaged=qty, reason=reason)
    else:
        move(session, who, "receipt", warehouse, sku, batch, d_available=qty, reason=reason)
