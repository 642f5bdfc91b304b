"""Goods receipts as warehouse staff say them: "received 20 boxes of Crunchy Cream 100g, batch
CC-2611, expiry 2027-05-31". The quantity may be in any unit of the SKU; the warehouse may be
left out when the actor can receive into only one. The receipt itself is core.stock's
`receive_stock` (role and warehouse checks, ledger movement `receipt`, audit).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from .access import Actor
from .catalogue import sku_meta
from .clock import Clock
from .errors import Ambiguous, DomainError, InvalidInput, NotFound
from .inventory import BatchStock, batches_for, get_batch, usable
from .orders import Item, to_base
from .stock import _changeable, receive_stock
from .tables.inventory import StockBalance
from .tables.parties import Warehouse


def receiving_warehouses(session: Session, actor: Actor) -> list[Warehouse]:
    """The warehouses the actor may receive stock into (core.stock's rule for stock changes)."""
    actor.require("stock.adjust", "receive stock")
    out = []
    for wh in session.exec(select(Warehouse).order_by(Warehouse.code)):
        try:
            _changeable(session, actor, wh.code)
        except DomainError:
            continue
        out.append(wh)
    return out


@dataclass
class GoodsReceipt:
    warehouse: str
    sku: str
    sku_name: str
    batch: str
    qty: int  # base units
    base_unit: str
    new_batch: bool
    mfg_date: date | None
    expiry_date: date | None
    batch_before: int  # the batch's available before
    batch_after: int
    usable_before: int  # the SKU's stock in the warehouse that orders can take
    usable_after: int
    expired: bool  # the batch is past its expiry date: no order can take it


def _usable(session: Session, warehouse: str, sku: str, today: date) -> int:
    rows = batches_for(session, warehouse, sku)
    return sum(
        b.available
        for b in usable([BatchStock(r.batch, r.available, r.expiry_date, r.received_on) for r in rows], today)
    )


def receive_goods(
    session: Session,
    actor: Actor,
    clock: Clock,
    sku: str,
    qty: int,
    unit: str | None,
    batch: str,
    warehouse: str | None = None,
    mfg_date: date | None = None,
    expiry_date: date | None = None,
    note: str | None = None,
) -> GoodsReceipt:
    """Receive `qty` `unit`s (base unit when None) of a SKU into a batch (new or existing)."""
    if warehouse is None:
        mine = receiving_warehouses(session, actor)
        if not mine:
            raise InvalidInput("Into which warehouse?")
        if len(mine) > 1:
            raise Ambiguous(
                "Into which warehouse? It could be " + ", ".join(f"{w.name} ({w.code})" for w in mine) + ".",
                [(w.code, w.name) for w in mine],
                field="warehouse",
            )
        warehouse = mine[0].code
    sku = sku.strip().upper()
    meta = sku_meta(session, [sku]).get(sku)
    if meta is None:
        raise NotFound(f"No SKU {sku!r}.")
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise InvalidInput(f"The quantity received must be a positive whole number, not {qty!r}.")
    units = list(meta.units) or [("PCS", 1)]
    base = to_base(Item(sku, qty, unit), units)
    batch = (batch or "").strip()
    if not batch:
        raise InvalidInput(f"Which batch code is the {meta.name} received under?")
    wh = warehouse.strip().upper()
    # an existing batch named in another case is that batch, not a new one
    existing = [
        r
        for r in session.exec(select(StockBalance).where(StockBalance.warehouse == wh, StockBalance.sku == sku))
        if r.batch.casefold() == batch.casefold()
    ]
    if existing:
        batch = existing[0].batch
    today = clock.today()
    before = get_batch(session, wh, sku, batch)
    batch_before = before.available if before else 0
    usable_before = _usable(session, wh, sku, today)
    row = receive_stock(
        session,
        actor,
        clock,
        wh,
        sku,
        batch,
        base,
        mfg_date=mfg_date,
        expiry_date=expiry_date,
        reason=(note or "goods receipt").strip() or "goods receipt",
    )
    return GoodsReceipt(
        wh,
        sku,
        meta.name,
        batch,
        base,
        units[0][0],
        before is None,
        row.mfg_date,
        row.expiry_date,
        batch_before,
        row.available,
        usable_before,
        _usable(session, wh, sku, today),
        row.expiry_date is not None and row.expiry_date < today,
    )
