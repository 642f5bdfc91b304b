"""Reorders: "same as last time", "reorder SO-0905". A new order with the SKUs and quantities
of a past order (the customer's latest one when none is named), at today's prices, schemes and
stock: it is a new order, so it is previewed and created by core.orders exactly like any other
(credit, approvals, reservations), and says which lines changed price or cannot be had.

Free goods are not copied: today's schemes give whatever they give today. A line whose SKU no
longer exists, has no price for the customer today, or has not enough stock is left out of the
new order and named, with what is available; if nothing is left, nothing can be ordered.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from . import audit
from .access import Actor
from .billing import OUTSTANDING_STATUSES
from .catalogue import sku_meta
from .clock import Clock
from .errors import InsufficientStock, InvalidInput, NoPrice, NotFound
from .inventory import stock_of, usable
from .orders import Item, OrderPreview, PreviewChanged, create_order, get_order, list_orders, order_lines, preview_order
from .pricing import price_context, prices_for
from .tables.orders import Order
from .tables.parties import Customer
from .types import must_exist

MAX_ROUNDS = 5  # stock that moves while we plan: re-plan at most this often


@dataclass
class ReorderLine:
    sku: str
    name: str
    qty: int  # base units, as last time
    last_price: Decimal
    price: Decimal | None = None  # today's, for this customer
    available: int | None = None  # in the warehouse today, for lines left out for stock
    problem: str | None = None  # unknown | no_price | short

    @property
    def price_changed(self) -> bool:
        return self.price is not None and self.price != self.last_price


@dataclass
class Reorder:
    source: Order
    warehouse: str
    lines: list[ReorderLine]  # every line of the source, in its order
    preview: OrderPreview  # the new order, of the lines that can be had
    notes: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [Item(ln.sku, ln.qty) for ln in self.lines if ln.problem is None]

    @property
    def left_out(self) -> list[ReorderLine]:
        return [ln for ln in self.lines if ln.problem is not None]

    @property
    def repriced(self) -> list[ReorderLine]:
        return [ln for ln in self.lines if ln.problem is None and ln.price_changed]

    def fingerprint(self) -> str:
        """What the person confirms: the source, the new order, and what was left out and why."""
        data = [
            self.source.order_no,
            self.preview.fingerprint(),
            [(ln.sku, ln.problem, ln.available) for ln in self.left_out],
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


class ReorderChanged(InvalidInput):
    """Prices, stock or credit changed since the preview: show `reorder` instead."""

    code = "preview_changed"

    def __init__(self, reorder: Reorder):
        super().__init__("Prices, stock or credit changed since the preview; please check the new preview.")
        self.reorder = reorder


def source_order(session: Session, actor: Actor, order_no: str | None = None, customer: str | None = None) -> Order:
    """The order to repeat: the one named, or the latest order of the customer (the actor's own
    account when none is named) that was not cancelled or rejected."""
    actor.require("orders.create", "place orders")
    if order_no and order_no.strip():
        return get_order(session, actor, order_no)
    code = customer or actor.customer
    if not code:
        raise InvalidInput("Whose last order should I repeat? Name the customer or the order number.")
    latest = list_orders(session, actor, statuses=list(OUTSTANDING_STATUSES), customer=code, limit=1)
    if not latest:
        cust = session.get(Customer, code)
        raise NotFound(f"{cust.name if cust else code} has no earlier order to repeat.")
    return latest[0]


def _repeated(
    session: Session, actor: Actor, order_no: str | None, customer: str | None
) -> tuple[Order, dict[str, ReorderLine]]:
    source = source_order(session, actor, order_no, customer)
    if customer and order_no and customer != source.customer:
        raise InvalidInput(f"Order {source.order_no} is not an order of that customer.")
    wanted: dict[str, ReorderLine] = {}
    for ln in order_lines(session, source.order_no):
        if ln.qty <= 0:  # a line of free goods only: today's schemes decide those
            continue
        if ln.sku in wanted:
            wanted[ln.sku].qty += ln.qty
        else:
            wanted[ln.sku] = ReorderLine(ln.sku, ln.sku, ln.qty, ln.unit_price)
    if not wanted:
        raise InvalidInput(f"Order {source.order_no} has no lines to repeat.")
    return source, wanted


def repeat_items(
    session: Session, actor: Actor, order_no: str | None = None, customer: str | None = None
) -> tuple[Order, list[Item]]:
    """What a reorder would repeat, before today's prices and stock: the source order and its
    SKUs with their quantities in base units (for "same as last time but 5 tins of primer")."""
    source, wanted = _repeated(session, actor, order_no, customer)
    return source, [Item(ln.sku, ln.qty) for ln in wanted.values()]


def plan_reorder(
    session: Session,
    actor: Actor,
    clock: Clock,
    order_no: str | None = None,
    customer: str | None = None,
    warehouse: str | None = None,
) -> Reorder:
    """The reorder as it would be placed now (nothing is written)."""
    source, wanted = _repeated(session, actor, order_no, customer)
    cust = must_exist(session.get(Customer, source.customer), f"customer {source.customer}")
    wh = warehouse or cust.warehouse
    meta = sku_meta(session, list(wanted))
    prices = prices_for(session, [c for c in wanted if c in meta], price_context(session, cust), clock.today())
    stock = stock_of(session, wh, [c for c in wanted if c in meta])
    for code, line in wanted.items():
        if code not in meta:
            line.problem = "unknown"
            continue
        line.name = meta[code].name
        if code not in prices:
            line.problem = "no_price"
            continue
        line.price = prices[code].price
        have = sum(b.available for b in usable(stock.get(code, []), clock.today()))
        if have < line.qty:
            line.problem, line.available = "short", have
    lines = list(wanted.values())
    for _ in range(MAX_ROUNDS):
        items = [Item(ln.sku, ln.qty) for ln in lines if ln.problem is None]
        if not items:
            raise _nothing_left(source, lines)
        try:
            preview = preview_order(session, actor, clock, items, source.customer, warehouse)
        except InsufficientStock as e:  # stock moved since we read it: leave those out too
            short = {s["sku"]: s.get("available", 0) for s in e.shortages}
            if not short:
                raise
            for ln in lines:
                if ln.sku in short and ln.problem is None:
                    ln.problem, ln.available = "short", short[ln.sku]
            continue
        return Reorder(source, preview.warehouse, lines, preview)
    raise InsufficientStock("Stock is changing too fast to plan this reorder; please try again.")


def _nothing_left(source: Order, lines: list[ReorderLine]) -> Exception:
    why = "; ".join(f"{ln.name} ({ln.sku}): {problem_words(ln)}" for ln in lines)
    message = f"Nothing of order {source.order_no} can be ordered today: {why}."
    if all(ln.problem == "short" for ln in lines):
        return InsufficientStock(message, [{"sku": ln.sku, "available": ln.available, "asked": ln.qty} for ln in lines])
    if all(ln.problem == "no_price" for ln in lines):
        return NoPrice(message)
    return InvalidInput(message)


def problem_words(line: ReorderLine) -> str:
    if line.problem == "unknown":
        return "no longer in the catalogue"
    if line.problem == "no_price":
        return "no price for this customer today, so it cannot be ordered"
    if line.problem == "short":
        return f"only {line.available} available, {line.qty} last time"
    return "can be had"


def place_reorder(
    session: Session,
    actor: Actor,
    clock: Clock,
    order_no: str | None = None,
    customer: str | None = None,
    warehouse: str | None = None,
    expected: str | None = None,
) -> tuple[Order, Reorder]:
    """Create the reorder in the caller's transaction, exactly as confirmed: `expected` is the
    reorder's fingerprint from the preview; the order itself is created by core.orders, which
    locks the customer and the stock rows and checks the order's own fingerprint again."""
    plan = plan_reorder(session, actor, clock, order_no, customer, warehouse)
    if expected is not None and plan.fingerprint() != expected:
        raise ReorderChanged(plan)
    try:
        order, preview = create_order(
            session, actor, clock, plan.items, plan.source.customer, warehouse, expected=plan.preview.fingerprint()
        )
    except PreviewChanged as e:  # what changed under the locks: the new preview of the same lines
        plan.preview = e.preview
        raise ReorderChanged(plan) from None
    plan.preview = preview
    audit.record(
        session,
        at=clock.now(),
        user_id=actor.user_id,
        channel=actor.channel,
        action="order.reorder",
        entity="order",
        entity_id=order.order_no,
        source=plan.source.order_no,
        left_out={ln.sku: ln.problem for ln in plan.left_out},
        repriced={ln.sku: [str(ln.last_price), str(ln.price)] for ln in plan.repriced},
    )
    return order, plan
