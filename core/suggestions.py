"""Suggested order for an outlet on a date (rules.md, "Field work"): the SKUs it ordered in at
least two of its orders of the last 90 days and in none of the last 14 days, each at the median
quantity of those orders, as an order preview at that date's prices, schemes and stock.

Readings (docs/decisions.md, "Field work"): "the last N days" of date D are the order dates
D−N+1 … D (so D itself is one of the 14); an order counts unless cancelled or rejected; a SKU's
quantity in an order is its ordered (not free) quantity in base units; the median of an even
count is the mean of the middle two, rounded half-up to a whole base unit.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, select

from .access import Actor, get_customer
from .clock import Clock
from .errors import InsufficientStock, NoPrice
from .orders import Item, OrderPreview, preview_order
from .tables.orders import Order, OrderLine

HISTORY_DAYS = 90
QUIET_DAYS = 14
NOT_ORDERED = ("cancelled", "rejected")


def median_qty(quantities: list[int]) -> int:
    """The median; of an even count the mean of the middle two, rounded half-up."""
    q = sorted(quantities)
    n = len(q)
    if n == 0:
        raise ValueError("no quantities")
    if n % 2:
        return q[n // 2]
    return int((Decimal(q[n // 2 - 1] + q[n // 2]) / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def suggest_quantities(history: list[tuple[date, str, int]], on: date) -> dict[str, int]:
    """Pure rule: `history` is (order date, sku, qty of that SKU in that order), one per order and SKU."""
    recent_from = on - timedelta(days=QUIET_DAYS - 1)
    window_from = on - timedelta(days=HISTORY_DAYS - 1)
    per_sku: dict[str, list[int]] = {}
    quiet: set[str] = set()
    for day, sku, qty in history:
        if not window_from <= day <= on:
            continue
        if day >= recent_from:
            quiet.add(sku)
        per_sku.setdefault(sku, []).append(qty)
    return {sku: median_qty(qs) for sku, qs in sorted(per_sku.items()) if len(qs) >= 2 and sku not in quiet}


@dataclass
class SuggestedOrder:
    customer: str
    on: date
    quantities: dict[str, int]  # the rule's quantities, base units
    preview: OrderPreview | None  # None when nothing is suggested (or nothing can be supplied)
    notes: list[str] = field(default_factory=list)


def order_history(session: Session, customer: str, on: date, tz: tzinfo) -> list[tuple[date, str, int]]:
    start = datetime.combine(on - timedelta(days=HISTORY_DAYS - 1), time.min, tz)
    end = datetime.combine(on + timedelta(days=1), time.min, tz)
    rows = session.exec(
        select(Order.order_no, Order.created_at, OrderLine.sku, OrderLine.qty)
        .join(OrderLine, col(OrderLine.order_no) == col(Order.order_no))
        .where(
            Order.customer == customer,
            col(Order.status).not_in(NOT_ORDERED),
            col(Order.created_at) >= start,
            col(Order.created_at) < end,
            col(OrderLine.qty) > 0,
        )
    ).all()
    per_order: dict[tuple[str, str], tuple[date, int]] = {}
    for order_no, created_at, sku, qty in rows:
        day = created_at.astimezone(tz).date()
        prev = per_order.get((order_no, sku))
        per_order[(order_no, sku)] = (day, qty + (prev[1] if prev else 0))
    return [(day, sku, qty) for (_, sku), (day, qty) in per_order.items()]


def suggest_order(
    session: Session, actor: Actor, clock: Clock, customer: str, on: date | None = None
) -> SuggestedOrder:
    """The suggested order for an outlet the actor may order for, previewed at `on` (default today).
    A SKU without a price that day is left out; one short of stock is cut to what is available."""
    actor.require("orders.create", "place orders")  # a suggestion is an order preview
    cust = get_customer(session, actor, customer)
    on = on or clock.today()
    quantities = suggest_quantities(order_history(session, cust.code, on, clock.tz), on)
    at = clock if on == clock.today() else clock.at(datetime.combine(on, clock.now().timetz()).replace(tzinfo=clock.tz))
    notes: list[str] = []
    wanted = dict(quantities)
    for _ in range(len(wanted) + 1):
        if not wanted:
            return SuggestedOrder(cust.code, on, quantities, None, notes)
        try:
            preview = preview_order(session, actor, at, [Item(sku, qty) for sku, qty in wanted.items()], cust.code)
            return SuggestedOrder(cust.code, on, quantities, preview, notes)
        except NoPrice as e:
            unpriced = [s for s in wanted if f"({s})" in e.message]
            notes.append(e.message)
            for s in unpriced or list(wanted)[:1]:
                wanted.pop(s)
        except InsufficientStock as e:
            for short in e.shortages:
                sku, have = str(short["sku"]), int(short["available"])
                notes.append(f"{sku}: {wanted[sku]} suggested, {have} available")
                if have > 0:
                    wanted[sku] = have
                else:
                    wanted.pop(sku)
    return SuggestedOrder(cust.code, on, quantities, None, notes)
