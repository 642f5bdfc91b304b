"""Orders: previewing and creating them, reading them, and every change of an order's status
(cancel, dispatch, deliver, and the approval decision's effect on the order)."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, insert, or_
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_in_scope, customer_scope, get_customer, visible_warehouse_codes
from .approvals import close_pending_approval, evaluate_rules, record_decision, request_approval
from .billing import outstanding, resettle
from .catalogue import sku_meta
from .clock import Clock
from .counters import next_number
from .errors import (
    CustomerBlocked,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NoPrice,
    NotAllowed,
    NotFound,
    OutOfScope,
)
from .inventory import BatchStock, Who, dispatch_out, record_reservation, release, reserve_stock, stock_of, usable
from .locks import lock_customer, lock_order, transition_row
from .parties import reference
from .payments import checked_amount, record_advance
from .pricing import price_context, prices_for
from .quantities import LineReading, read_line
from .quote import AppliedScheme, QuotedLine, QuoteLine, covers, quote
from .schemes import schemes_for
from .settings import business_tz
from .tables.approvals import Approval
from .tables.audit import AuditEntry
from .tables.billing import DeliveryNote, Invoice, Payment
from .tables.orders import Order, OrderLine, OrderScheme
from .tables.parties import Customer, User
from .types import must_exist, table_of
from .visits import link_order, visiting

ORDER_STATUSES = ("pending_approval", "confirmed", "rejected", "cancelled", "dispatched", "delivered")
OPEN_STATUSES = ("pending_approval", "confirmed", "dispatched")
SALES_STATUSES = ("confirmed", "dispatched", "delivered")
# Status words people use that mean several statuses (rules.md: pending/open = not yet
# delivered, cancelled or rejected); "all" means any status.
STATUS_WORDS: dict[str, list[str] | None] = {"pending": list(OPEN_STATUSES), "open": list(OPEN_STATUSES), "all": None}


def statuses_meant(word: str | None) -> list[str] | None:
    """The statuses a status word asks for; None = any."""
    if not word:
        return None
    return STATUS_WORDS.get(word, [word])


@dataclass(frozen=True)
class Item:
    """One thing asked for: a SKU and a quantity in one of its units (base unit when None).

    `qty` may be a whole number, a Decimal or text as people say it ("1.5", "dedh", "two dozen",
    "2 cartons"); `unit` any word for one of the SKU's units ("cartons", "peti", "Bags"), read
    through core.units. The quantity must come to a whole number of base units."""

    sku: str
    qty: int | Decimal | str
    unit: str | None = None


PAYMENT_TERMS = ("credit", "cash_on_delivery", "advance")


@dataclass(frozen=True)
class PaymentDetails:
    """How an order is paid (rules.md, "Orders"): on `credit` (due by the customer's terms), cash
    on delivery (due on the invoice date), or with an `advance` of an amount, method and
    reference recorded with the order."""

    terms: str = "credit"
    advance: Decimal | None = None
    method: str | None = None
    reference: str | None = None

    def checked(self, total: Decimal) -> "PaymentDetails":
        if self.terms not in PAYMENT_TERMS:
            raise InvalidInput(f"Unknown payment terms {self.terms!r}; use one of: {', '.join(PAYMENT_TERMS)}.")
        if self.terms != "advance":
            if self.advance is not None:
                raise InvalidInput("An advance amount goes with payment terms 'advance'.")
            return self
        if self.advance is None or self.method is None:
            raise InvalidInput("An advance needs its amount and method (cash, upi, bank_transfer or cheque).")
        value = checked_amount(self.advance, self.method)
        if value > total:
            raise InvalidInput(f"The advance {value} is more than the order's total {total}.")
        return PaymentDetails("advance", value, self.method, (self.reference or "").strip() or None)


CREDIT = PaymentDetails()


@dataclass
class OrderPreview:
    """Exactly what creating the order would do; the order is the same computation."""

    customer: str
    customer_name: str
    warehouse: str
    status: str  # confirmed | pending_approval
    lines: list[QuotedLine]
    applied: list[AppliedScheme]
    notes: list[str]
    gross: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    approval_reasons: list[str] = field(default_factory=list)
    approval_rules: list[str] = field(default_factory=list)
    approver_role: str | None = None
    price_reasons: dict[str, str] = field(default_factory=dict)
    sku_names: dict[str, str] = field(default_factory=dict)
    units: dict[str, Sequence[tuple[str, int]]] = field(default_factory=dict)
    readings: list[LineReading] = field(default_factory=list)  # one per item asked
    payment: PaymentDetails = CREDIT

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_reasons)

    def fingerprint(self) -> str:
        """Identifies what the customer would get; a confirmation runs only the same order."""
        data = [
            self.customer,
            self.warehouse,
            self.status,
            str(self.total),
            [(ln.sku, ln.qty, ln.free_qty, str(ln.unit_price), str(ln.discount), str(ln.tax)) for ln in self.lines],
            sorted(a.code for a in self.applied),
            sorted(self.approval_reasons),
            [self.payment.terms, str(self.payment.advance), self.payment.method, self.payment.reference],
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


class PreviewChanged(InvalidInput):
    """Prices, schemes, stock or credit changed since the preview: show the new one instead."""

    code = "preview_changed"

    def __init__(self, preview: OrderPreview):
        super().__init__("Prices, stock or credit changed since the preview; please check the new preview.")
        self.preview = preview


def read_item(item: Item, units: list[tuple[str, int]], what: str | None = None) -> LineReading:
    """How an item reads in the SKU's units (core.quantities.LineReading): the unit word through
    the one vocabulary of core.units, the quantity into whole base units. Raises InvalidInput
    (UnknownUnit, AmbiguousUnit) saying what to change; an unknown unit word is never the base unit."""
    return read_line(item.sku, item.qty, item.unit, units, what or item.sku)


def to_base(item: Item, units: list[tuple[str, int]], what: str | None = None) -> int:
    """The item's quantity in base units."""
    return read_item(item, units, what).base_qty


def _resolve_customer(session: Session, actor: Actor, customer: str | None) -> Customer:
    actor.require("orders.create", "place orders")
    code = customer or actor.customer or visiting(session, actor)
    if code is None:
        raise InvalidInput("Which customer is this order for?")
    if actor.role in ("retailer",) and code != actor.customer:
        raise NotAllowed("You can only place orders for your own shop.")
    return get_customer(session, actor, code)


def preview_order(
    session: Session,
    actor: Actor,
    clock: Clock,
    items: list[Item],
    customer: str | None = None,
    warehouse: str | None = None,
    payment: PaymentDetails = CREDIT,
) -> OrderPreview:
    """Validate and price an order without writing anything (rules.md, "Orders")."""
    return _compute(session, actor, clock, items, customer, warehouse, payment=payment)[0]


def _compute(
    session: Session,
    actor: Actor,
    clock: Clock,
    items: list[Item],
    customer: str | None,
    warehouse: str | None,
    lock: bool = False,
    payment: PaymentDetails = CREDIT,
) -> tuple[OrderPreview, dict[str, list[BatchStock]], dict[str, str]]:
    """The preview, the stock it was computed from ({sku: [BatchStock]}) and each SKU's
    allocation method; `lock` locks those stock rows (create_order reserves from them)."""
    cust = _resolve_customer(session, actor, customer)
    if lock:  # the credit check below must see every order and payment before this one commits
        cust = must_exist(lock_customer(session, cust.code), f"customer {cust.code}")
    if cust.status == "blocked":
        raise CustomerBlocked(
            f"{cust.name} is blocked and cannot place orders"
            + ("." if actor.role == "admin" else "; please contact your manager.")
        )
    wh_code = warehouse or cust.warehouse
    ref = reference(session)
    if wh_code not in ref.warehouses:
        raise NotFound(f"No warehouse {wh_code!r}.")
    if not items:
        raise InvalidInput("The order has no items.")
    today = clock.today()
    codes = list(dict.fromkeys(i.sku for i in items))
    skus = sku_meta(session, codes)
    units = {c: m.units for c, m in skus.items() if m.units}
    unknown = [c for c in codes if c not in skus]
    if unknown:
        raise NotFound("Unknown product code(s): " + ", ".join(unknown) + ".")
    ctx = price_context(session, cust)
    prices = prices_for(session, codes, ctx, today)
    unpriced = [c for c in codes if c not in prices]
    if unpriced:
        raise NoPrice(
            "No price for "
            + ", ".join(f"{skus[c].name} ({c})" for c in unpriced)
            + f" for {cust.name}, so it cannot be ordered."
        )
    wanted: dict[str, int] = {}
    readings = []
    for item in items:
        reading = read_item(item, list(units.get(item.sku, ())), skus[item.sku].name)
        readings.append(reading)
        wanted[item.sku] = wanted.get(item.sku, 0) + reading.base_qty

    lines = [
        QuoteLine(
            sku=c,
            qty=wanted[c],
            unit_price=prices[c].price,
            tax_rate=skus[c].tax_rate,
            product=skus[c].product,
            brands=skus[c].brands,
            categories=skus[c].categories,
        )
        for c in codes
    ]
    # The rules are known before the stock, so the stock of the ordered SKUs and of the free
    # goods they may earn is read (and locked) in one query; a bad scheme is reported where it
    # was before, after the stock check.
    try:
        rules, rules_error = schemes_for(session, ctx, today), None
    except InvalidInput as e:
        rules, rules_error = [], e
    free_skus = {r.free_sku for r in rules if r.free_sku and any(covers(r, ln) for ln in lines)} - set(codes)
    stock = stock_of(session, wh_code, set(codes) | free_skus, lock=lock)
    have = {c: sum(b.available for b in usable(stock.get(c, []), today)) for c in set(codes) | free_skus}
    short = [c for c in codes if have[c] < wanted[c]]
    if short:
        raise InsufficientStock(
            "Not enough stock in "
            + wh_code
            + ": "
            + "; ".join(
                f"{skus[c].name} ({c}) has {have[c]} {units[c][0][0] if units.get(c) else ''} available, "
                f"{wanted[c]} asked".replace("  ", " ")
                for c in short
            )
            + ". Nothing was ordered.",
            [{"sku": c, "available": have[c], "asked": wanted[c], "warehouse": wh_code} for c in short],
        )
    if rules_error is not None:
        raise rules_error

    free_cap = {c: have[c] - wanted[c] for c in codes}
    free_cap.update({c: have[c] for c in free_skus})
    q = quote(lines, rules, free_cap=free_cap)
    names = {c: skus[c].name for c in codes}
    methods = {c: skus[c].allocation for c in codes}
    if free_skus:
        for code, meta in sku_meta(session, free_skus).items():
            names[code], methods[code] = meta.name, meta.allocation
            if meta.units:
                units[code] = meta.units  # a free SKU's base unit is named in the preview
    payment = payment.checked(q.total)
    # rules.md: for the credit limit an order's total counts less any advance paid with it
    reasons, rule_codes, approver = evaluate_rules(
        session, cust, q.total, q.discount, q.gross, outstanding(session, cust) - (payment.advance or 0)
    )
    preview = OrderPreview(
        customer=cust.code,
        customer_name=cust.name,
        warehouse=wh_code,
        status="pending_approval" if reasons else "confirmed",
        lines=q.lines,
        applied=q.applied,
        notes=q.notes,
        gross=q.gross,
        discount=q.discount,
        tax=q.tax,
        total=q.total,
        approval_reasons=reasons,
        approval_rules=rule_codes,
        approver_role=approver,
        price_reasons={c: prices[c].reason for c in codes},
        sku_names=names,
        units={c: units.get(c, []) for c in set(codes) | free_skus},
        readings=readings,
        payment=payment,
    )
    return preview, stock, methods


def create_order(
    session: Session,
    actor: Actor,
    clock: Clock,
    items: list[Item],
    customer: str | None = None,
    warehouse: str | None = None,
    expected: str | None = None,
    payment: PaymentDetails = CREDIT,
) -> tuple[Order, OrderPreview]:
    """Create the order in the caller's transaction: the preview computation, then reservations,
    approval request, audit and notifications. `expected` is the fingerprint the user confirmed."""
    # The stock rows the preview reads are locked here, so the reservation plans from them.
    preview, stock, methods = _compute(session, actor, clock, items, customer, warehouse, lock=True, payment=payment)
    if expected is not None and preview.fingerprint() != expected:
        raise PreviewChanged(preview)
    now = clock.now()
    who = Who(actor.user_id, now, actor.channel)
    wants = {ln.sku: ln.qty + ln.free_qty for ln in preview.lines if ln.qty + ln.free_qty > 0}
    plans = reserve_stock(session, who, None, preview.warehouse, wants, methods, clock.today(), locked=stock)
    # The number is taken last: its counter row is locked until commit, so it is held briefly.
    order_no = next_number(session, "order", "SO-")
    order = Order(
        order_no=order_no,
        customer=preview.customer,
        warehouse=preview.warehouse,
        status=preview.status,
        created_at=now,
        created_by=actor.user_id,
        channel=actor.channel,
        gross=preview.gross,
        discount=preview.discount,
        tax=preview.tax,
        total=preview.total,
        updated_at=now,
        payment=preview.payment.terms,
    )
    session.add(order)
    session.flush()
    session.execute(
        insert(table_of(OrderLine)),
        [
            dict(
                order_no=order_no,
                line_no=n,
                sku=ln.sku,
                qty=ln.qty,
                free_qty=ln.free_qty,
                unit_price=ln.unit_price,
                gross=ln.gross,
                discount=ln.discount,
                tax=ln.tax,
                line_total=ln.line_total,
            )
            for n, ln in enumerate(preview.lines, 1)
        ],
    )
    if preview.applied:
        session.execute(
            insert(table_of(OrderScheme)),
            [
                dict(
                    order_no=order_no,
                    scheme=a.code,
                    benefit=a.benefit,
                    free_sku=a.free_sku,
                    free_qty=a.free_qty or 0,
                    description=a.description,
                )
                for a in preview.applied
            ],
        )
    record_reservation(session, who, order_no, preview.warehouse, plans)
    paid = preview.payment
    if paid.advance is not None and paid.method is not None:  # the customer row is locked (_compute)
        record_advance(session, actor, clock, preview.customer, order_no, paid.advance, paid.method, paid.reference)
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="order.create",
        entity="order",
        entity_id=order_no,
        status=order.status,
        total=str(order.total),
        payment=order.payment,
    )
    if preview.needs_approval:
        role = cast(str, preview.approver_role)  # the rules that ask for an approval name the role
        request_approval(session, clock, order, preview.approval_reasons, preview.approval_rules, role)
    link_order(session, actor, clock, order_no, preview.customer)  # to the rep's visit there, if one is open
    return order, preview


# --- reading orders ----------------------------------------------------------------------


def get_order(session: Session, actor: Actor, order_no: str) -> Order:
    """The order if the actor may see it; the same NotFound otherwise (no leak)."""
    actor.require("orders.view", "see orders")
    order = session.get(Order, order_no.strip().upper())
    if order is None:
        raise NotFound(f"No order {order_no} that you can see.")
    cust = session.get(Customer, order.customer)
    if cust is None or not _order_visible(session, actor, order, cust):
        raise OutOfScope(f"No order {order_no} that you can see.")
    return order


def _order_visible(session: Session, actor: Actor, order: Order, cust: Customer) -> bool:
    if actor.role == "warehouse":
        whs = visible_warehouse_codes(session, actor)
        return whs is None or order.warehouse in whs
    return customer_in_scope(session, actor, cust)


def order_payment(session: Session, actor: Actor, order_no: str) -> PaymentDetails:
    """How an order is paid: its terms and, for an advance, the payment recorded with it (the
    same refusal as `get_order` for an order the actor may not see)."""
    order = get_order(session, actor, order_no)
    if order.payment != "advance":
        return PaymentDetails(order.payment)
    paid = session.exec(select(Payment).where(Payment.order_no == order.order_no)).first()
    if paid is None:  # not expected: create_order records the advance with the order
        return PaymentDetails("advance")
    return PaymentDetails("advance", paid.amount, paid.method, paid.reference)


def order_lines(session: Session, order_no: str) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_no == order_no).order_by(col(OrderLine.line_no))))


def order_schemes(session: Session, order_no: str) -> list[OrderScheme]:
    """The schemes applied to an order, as booked."""
    return list(session.exec(select(OrderScheme).where(OrderScheme.order_no == order_no)))


def list_orders(
    session: Session,
    actor: Actor,
    *,
    statuses: list[str] | None = None,
    customer: str | None = None,
    regions: set[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 200,
    before: tuple[datetime, str] | None = None,
) -> list[Order]:
    """Orders in the actor's scope, newest first. `start`/`end` are dates (inclusive) in the
    business's time zone; `regions` a set of region codes (already expanded to their subtrees);
    `before` (created_at, order_no) of the last order of a previous page (keyset paging)."""
    where = order_scope(session, actor, statuses=statuses, customer=customer, regions=regions, start=start, end=end)
    if before is not None:  # the same order as the sort below, so pages neither skip nor repeat
        at, no = before
        where.append(or_(col(Order.created_at) < at, and_(col(Order.created_at) == at, col(Order.order_no) < no)))
    q = select(Order).where(*where)
    return list(session.exec(q.order_by(col(Order.created_at).desc(), col(Order.order_no).desc()).limit(limit)))


def order_scope(
    session: Session,
    actor: Actor,
    *,
    statuses: list[str] | None = None,
    customer: str | None = None,
    regions: set[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    customer_where: Sequence[ColumnElement[bool]] = (),
) -> list[ColumnElement[bool]]:
    """The conditions on `Order` that `list_orders` applies (the actor's scope and the filters),
    for queries that sum orders in SQL rather than list them. `customer_where`: more conditions
    on the order's `Customer` (a report's filters)."""
    actor.require("orders.view", "see orders")
    where: list[ColumnElement[bool]] = []
    # the customers as one subquery, never a list of codes: a manager's regions may hold tens of
    # thousands of customers
    of_customer = list(customer_where)
    if actor.role == "warehouse":
        whs = visible_warehouse_codes(session, actor)
        if whs is not None:
            where.append(col(Order.warehouse).in_(whs))
    elif (scope := customer_scope(session, actor)) is not None:
        of_customer.append(scope)
    if customer:
        get_customer(session, actor, customer)  # refuses out of scope without leaking
        where.append(col(Order.customer) == customer)
    if statuses:
        where.append(col(Order.status).in_(statuses))
    if regions is not None:
        of_customer.append(col(Customer.region).in_(regions))
    if of_customer:
        where.append(col(Order.customer).in_(select(Customer.code).where(*of_customer)))
    # the period is whole days in the business's time zone, filtered in SQL on the UTC column
    tz = business_tz()
    if start:
        where.append(col(Order.created_at) >= datetime.combine(start, time.min, tz))
    if end:
        where.append(col(Order.created_at) < datetime.combine(end + timedelta(days=1), time.min, tz))
    return where


# --- changing status ---------------------------------------------------------------------


def _locked_order(session: Session, actor: Actor, order_no: str) -> Order:
    """The order, if the actor may see it, with its customer's row and its own locked in the
    order core/locks.py fixes, and its status as committed by whoever changed it last."""
    order = get_order(session, actor, order_no)
    lock_customer(session, order.customer)
    return must_exist(lock_order(session, order.order_no), f"order {order.order_no}")


def refused_transition(session: Session, order_no: str, status: str, to: str) -> InvalidTransition:
    """Why an order cannot move to `to`, naming who put it where it is and when, if known
    ("SO-0917 was already dispatched by Ravi at 10:42")."""
    entry = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "order", AuditEntry.entity_id == order_no, AuditEntry.action == f"order.{status}")
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    ).first()
    word, wanted = status.replace("_", " "), to.replace("_", " ")
    if status == "pending_approval":
        word = "waiting for approval"
    if entry is None:
        return InvalidTransition(f"Order {order_no} is {word}; it cannot be {wanted}.")
    user = session.get(User, entry.user_id) if entry.user_id else None
    by = f" by {user.name}" if user else ""
    already = "already " if status == to else ""
    tail = "." if status == to else f"; it cannot be {wanted} now."
    return InvalidTransition(f"{order_no} was {already}{word}{by} {_when(entry.at)}{tail}")


def _when(at: datetime) -> str:
    local = (at if at.tzinfo else at.replace(tzinfo=business_tz())).astimezone(business_tz())
    return f"on {local.day} {local:%b} at {local:%H:%M}"


def _transition(
    session: Session, actor: Actor, clock: Clock, order: Order, to: str, allowed_from: tuple[str, ...], **detail: Any
) -> None:
    """Move a locked order to `to`; the update is conditional on the status it was read with."""
    if order.status not in allowed_from:
        raise refused_transition(session, order.order_no, order.status, to)
    now = clock.now()
    if not transition_row(
        session, Order, "order_no", order.order_no, "status", (order.status,), {"status": to, "updated_at": now}
    ):
        raise InvalidTransition(f"Order {order.order_no} was changed by someone else just now; please look again.")
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action=f"order.{to}",
        entity="order",
        entity_id=order.order_no,
        **{"from": order.status},
        **detail,
    )
    set_committed_value(order, "status", to)
    set_committed_value(order, "updated_at", now)
    _notify_customer(session, clock, order)


def _notify_customer(session: Session, clock: Clock, order: Order) -> None:
    for uid in session.exec(select(User.id).where(User.customer == order.customer)).all():
        audit.notify(
            session,
            at=clock.now(),
            event="order_status",
            recipient=uid,
            order_no=order.order_no,
            status=order.status,
            total=str(order.total),
        )


def cancel_order(session: Session, actor: Actor, clock: Clock, order_no: str, reason: str | None = None) -> Order:
    """Cancel a pending or confirmed order and release its stock."""
    actor.require("orders.cancel", "cancel orders")
    order = _locked_order(session, actor, order_no)
    _transition(session, actor, clock, order, "cancelled", ("pending_approval", "confirmed"), reason=reason)
    release(session, Who(actor.user_id, clock.now(), actor.channel), order.order_no)
    close_pending_approval(session, order.order_no)
    return order


def dispatch_order(session: Session, actor: Actor, clock: Clock, order_no: str) -> tuple[Order, DeliveryNote, Invoice]:
    """Dispatch a confirmed order: delivery note, invoice (due after the payment terms), stock leaves."""
    actor.require("orders.dispatch", "dispatch orders")
    order = _locked_order(session, actor, order_no)
    _transition(session, actor, clock, order, "dispatched", ("confirmed",))
    now = clock.now()
    dispatch_out(session, Who(actor.user_id, now, actor.channel), order.order_no)
    note = DeliveryNote(
        note_no=next_number(session, "delivery_note", "DN-"),
        order_no=order.order_no,
        dispatched_at=now,
        dispatched_by=actor.user_id,
    )
    cust = must_exist(session.get(Customer, order.customer), f"customer {order.customer}")
    invoice = Invoice(
        invoice_no=next_number(session, "invoice", "INV-"),
        order_no=order.order_no,
        customer=order.customer,
        amount=order.total,
        issued_on=clock.today(),
        # cash on delivery is due when invoiced; credit and the rest of an advance by the terms
        due_date=clock.today() + timedelta(days=0 if order.payment == "cash_on_delivery" else cust.payment_terms_days),
    )
    session.add(note)
    session.add(invoice)
    session.flush()
    resettle(session, order.customer)
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="invoice.create",
        entity="invoice",
        entity_id=invoice.invoice_no,
        order_no=order.order_no,
        amount=str(order.total),
    )
    return order, note, invoice


def deliver_order(session: Session, actor: Actor, clock: Clock, order_no: str) -> Order:
    actor.require("orders.dispatch", "mark orders delivered")
    order = _locked_order(session, actor, order_no)
    _transition(session, actor, clock, order, "delivered", ("dispatched",))
    return order


def decide(
    session: Session, actor: Actor, clock: Clock, order_no: str, approve: bool, reason: str | None = None
) -> Approval:
    """Approve (→ confirmed) or reject with a reason (→ rejected, stock released), once: the
    customer and the order are locked first (core/locks.py), then the request is decided
    (core/approvals.record_decision), so of two simultaneous decisions the second sees the
    first and is refused."""
    actor.require("orders.approve", "approve or reject orders")
    order_no = order_no.strip().upper()
    order = session.get(Order, order_no)
    customer = session.get(Customer, order.customer) if order else None
    if order is None or customer is None:
        raise NotFound(f"No approval request for {order_no} that you can see.")
    if not customer_in_scope(session, actor, customer):
        raise OutOfScope(f"No approval request for {order_no} that you can see.")
    lock_customer(session, customer.code)
    order = must_exist(lock_order(session, order_no), f"order {order_no}")
    approval = record_decision(session, actor, clock, order, customer, approve, reason)
    _transition(
        session, actor, clock, order, "confirmed" if approve else "rejected", ("pending_approval",), reason=reason
    )
    if not approve:
        decided_at = cast(datetime, approval.decided_at)  # record_decision has just set it
        release(session, Who(actor.user_id, decided_at, actor.channel), order.order_no)
    return approval
