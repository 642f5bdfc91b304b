"""Inventory movement: the stock ledger (`core.inventory`'s movements) over a period per warehouse
and SKU, by kind, with the opening and closing stock, summed in the database.

The quantity is the good stock a warehouse holds: available + reserved (damaged stock is kept
apart). So a receipt, a dispatch, an adjustment, a damage report (good stock becoming damaged)
and a transfer in or out change it, and a reservation or a release (stock moving between
available and reserved) does not. opening = every movement before the period's first day;
closing = opening + the movements in the period, which is the balance rows' available + reserved
when the period runs to today."""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from .access import Actor
from .errors import InvalidInput
from .report_sql import day_start, month_to_date, sorted_rows, title
from .stock_reports import StockFilters, stock_scope
from .tables.catalogue import Sku
from .tables.inventory import StockMovement
from .tabular import Column, Table

# The ledger's kinds as they change good stock (a transfer is split in and out); reservation and
# release move stock between available and reserved and change none of it.
COLUMNS = (
    ("received", "Received", "receipt"),
    ("dispatched", "Dispatched", "dispatch"),
    ("adjusted", "Adjusted", "adjustment"),
    ("damaged", "Damaged", "damage"),
    ("transferred_in", "Transferred in", "transfer"),
    ("transferred_out", "Transferred out", "transfer"),
)
NEUTRAL_KINDS = ("reservation", "release")


def inventory_movement(
    session: Session,
    actor: Actor,
    today: date,
    f: StockFilters,
    start: date | None = None,
    end: date | None = None,
    sort: str | None = None,
    limit: int | None = None,
) -> Table:
    """Per warehouse and SKU in scope (with stock before the period or a movement in it): the
    opening stock, each kind's movements in the period and the closing stock. The period is whole
    days in the business's time zone, by default the month to today."""
    start, end = month_to_date(today, start, end)
    if start > end:
        raise InvalidInput(f"The period starts ({start}) after it ends ({end}).")
    m = StockMovement
    conds, words = stock_scope(session, actor, f, col(m.warehouse), col(m.sku))
    first, after = day_start(start), day_start(end + timedelta(days=1))
    qty = col(m.d_available) + col(m.d_reserved)
    during = col(m.at) >= first
    counted = sa.and_(during, col(m.kind).in_([kind for _, _, kind in COLUMNS]))

    def total(cond: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, qty), else_=0)), 0)

    opening = total(col(m.at) < first)
    measures = [opening.label("opening")]
    for key, _, kind in COLUMNS:
        cond = sa.and_(during, col(m.kind) == kind)
        if key == "transferred_in":
            cond = sa.and_(cond, qty > 0)
        elif key == "transferred_out":
            cond = sa.and_(cond, qty < 0)
        measures.append(total(cond).label(key))
    measures.append(sa.func.coalesce(sa.func.sum(qty), 0).label("closing"))
    where = [col(m.at) < after, *conds]
    grouped = (
        sa.select(col(m.warehouse).label("warehouse"), col(m.sku).label("sku"), *measures)
        .where(*where)
        .group_by(col(m.warehouse), col(m.sku))
        .having(sa.or_(opening != 0, sa.func.sum(sa.case((counted, 1), else_=0)) > 0))
        .subquery("movement")
    )
    name = sa.func.coalesce(col(Sku.name), grouped.c.sku)
    keys = ["opening", *(key for key, _, _ in COLUMNS), "closing"]
    stmt = (
        sa.select(grouped.c.warehouse, grouped.c.sku, name, *(grouped.c[k] for k in keys))
        .select_from(grouped)
        .outerjoin(Sku, col(Sku.code) == grouped.c.sku)
    )
    sortable = {"warehouse": grouped.c.warehouse, "sku": grouped.c.sku, "name": name} | {k: grouped.c[k] for k in keys}
    natural = [grouped.c.warehouse, grouped.c.sku]
    rows = [
        (wh, sku, nm, *(int(x) for x in figures))
        for wh, sku, nm, *figures in sorted_rows(session, stmt, sort, limit, sortable, natural)
    ]
    sums = session.execute(sa.select(*measures).where(*where)).one()
    columns = (
        Column("warehouse", "Warehouse"),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("opening", "Opening", "quantity"),
        *(Column(key, heading, "quantity") for key, heading, _ in COLUMNS),
        Column("closing", "Closing", "quantity"),
    )
    return Table(
        "inventory-movement",
        title("Inventory movement (available + reserved)", start, end, words),
        columns,
        rows,
        (None, None, "Total", *(int(x) for x in sums)),
        start,
        end,
    )
