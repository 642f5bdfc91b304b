"""Invoices as people ask about them: listing and reading them in scope, sending one to the
customer's users (a notification through the outbox), what falls due next and how much credit
is left, and what is overdue by at least so many days.

Invoices belong to customers, so whoever may see a customer's balances (`payments.view`) may
see its invoices; anything else reads exactly like an invoice that does not exist.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_in_scope, customer_scope, get_customer
from .billing import invoice_order_key, outstanding
from .clock import Clock
from .errors import InvalidInput, NotFound, OutOfScope
from .locks import lock_customer
from .payments import import_day
from .sales_filters import NO_FILTER, SalesFilter
from .tables.billing import DeliveryNote, Invoice
from .tables.orders import Order
from .tables.parties import Customer, User
from .types import money

INVOICE_STATUSES = ("unpaid", "overdue", "paid", "all")
ZERO = Decimal("0.00")


@dataclass
class InvoiceView:
    invoice_no: str
    order_no: str
    customer: str
    customer_name: str
    amount: Decimal
    paid: Decimal
    balance: Decimal
    issued_on: date
    due_date: date
    status: str  # paid | unpaid (not yet due) | overdue
    days_overdue: int  # 0 unless overdue
    days_past_due: int  # today − due date: negative while it is not yet due


def _view(inv: Invoice, name: str, today: date) -> InvoiceView:
    balance = money(inv.amount - inv.paid)
    late = (today - inv.due_date).days if balance > 0 else 0
    status = "paid" if balance <= 0 else ("overdue" if late > 0 else "unpaid")
    return InvoiceView(
        inv.invoice_no,
        inv.order_no,
        inv.customer,
        name,
        money(inv.amount),
        money(inv.paid),
        max(balance, ZERO),
        inv.issued_on,
        inv.due_date,
        status,
        max(late, 0),
        (today - inv.due_date).days,
    )


def _require(actor: Actor) -> None:
    actor.require("payments.view", "see invoices")


def list_invoices(
    session: Session,
    actor: Actor,
    today: date,
    *,
    status: str | None = None,
    start: date | None = None,
    end: date | None = None,
    min_days_overdue: int | None = None,
    where: SalesFilter | None = None,
) -> list[InvoiceView]:
    """Invoices of the customers in scope (narrowed by `where`), oldest first. `status`: unpaid
    (anything left to pay, overdue included), overdue (past its due date and not fully paid),
    paid, all; the period is of issue dates; `min_days_overdue` keeps invoices at least that many
    days past due."""
    _require(actor)
    where = where or NO_FILTER
    status = status or "all"
    if status not in INVOICE_STATUSES:
        raise InvalidInput(f"Invoice status {status!r}: use one of " + ", ".join(INVOICE_STATUSES) + ".")
    if min_days_overdue is not None and (
        isinstance(min_days_overdue, bool) or not isinstance(min_days_overdue, int) or min_days_overdue < 1
    ):
        raise InvalidInput(f"Days overdue: a whole number of at least 1, not {min_days_overdue!r}.")
    q = select(Invoice, Customer.name).join(Customer, col(Customer.code) == Invoice.customer)
    scope = customer_scope(session, actor)  # on the joined customer: a join, not a list of codes
    q = q.where(*where.customer_where, *([] if scope is None else [scope]))
    if start:
        q = q.where(Invoice.issued_on >= start)
    if end:
        q = q.where(Invoice.issued_on <= end)
    out = []
    for inv, name in session.exec(q):
        v = _view(inv, name, today)
        if (
            status == "unpaid"
            and v.balance <= 0
            or status == "overdue"
            and v.status != "overdue"
            or status == "paid"
            and v.status != "paid"
        ):
            continue
        if min_days_overdue is not None and v.days_overdue < min_days_overdue:
            continue
        out.append(v)
    return sorted(out, key=lambda v: invoice_order_key(v.issued_on, v.invoice_no))


# --- one invoice -----------------------------------------------------------------------------


@dataclass
class InvoiceDetail:
    invoice: InvoiceView
    warehouse: str
    order_status: str
    delivery_note: str | None
    dispatched_at: object | None


_NUMBER = re.compile(r"^\s*(INV|SO)?[\s#:-]*0*(\d+)\s*$", re.I)


def _find(session: Session, ref: str) -> Invoice | None:
    """An invoice by its number ("INV-0003", "inv 3", "3") or by its order's number ("SO-0904")."""
    text = (ref or "").strip()
    if not text:
        return None
    inv = session.get(Invoice, text.upper())
    if inv is not None:
        return inv
    m = _NUMBER.match(text)
    if m is None:
        return None
    prefix, n = (m.group(1) or "INV").upper(), int(m.group(2))
    if prefix == "SO":
        for candidate in (f"SO-{n:04d}", f"SO-{n}"):
            found = session.exec(select(Invoice).where(Invoice.order_no == candidate)).first()
            if found is not None:
                return found
        return None
    for candidate in (f"INV-{n:04d}", f"INV-{n}"):
        found = session.get(Invoice, candidate)
        if found is not None:
            return found
    return None


def get_invoice(session: Session, actor: Actor, today: date, ref: str) -> InvoiceDetail:
    """One invoice the actor may see; the same NotFound for one outside the scope."""
    _require(actor)
    if not ref or not ref.strip():
        raise InvalidInput("Which invoice? Give its number (INV-…) or the order's number.")
    inv = _find(session, ref)
    refusal = f"No invoice {ref.strip()} that you can see."
    if inv is None:
        raise NotFound(refusal)
    cust = session.get(Customer, inv.customer)
    if cust is None or not customer_in_scope(session, actor, cust):
        raise OutOfScope(refusal)
    order = session.get(Order, inv.order_no)
    note = session.exec(select(DeliveryNote).where(DeliveryNote.order_no == inv.order_no)).first()
    return InvoiceDetail(
        _view(inv, cust.name, today),
        order.warehouse if order else "",
        order.status if order else "",
        note.note_no if note else None,
        note.dispatched_at if note else None,
    )


# --- sending one -------------------------------------------------------------------------------


@dataclass
class InvoiceSending:
    invoice: InvoiceView
    recipients: list[tuple[str, str]]  # (user id, name)


def invoice_recipients(session: Session, customer: str) -> list[tuple[str, str]]:
    """The customer's own users, who get the invoice."""
    return [(u.id, u.name) for u in session.exec(select(User).where(User.customer == customer).order_by(User.id))]


def send_invoice(session: Session, actor: Actor, clock: Clock, ref: str) -> InvoiceSending:
    """Queue the invoice (number, order, amount, paid, balance, due date) as a notification to each
    of the customer's users through the outbox; audited. The customer's row is locked first
    (core/locks.py), so the amounts sent are those no payment is changing at the same moment."""
    detail = get_invoice(session, actor, clock.today(), ref)
    lock_customer(session, detail.invoice.customer)
    inv = session.exec(
        select(Invoice).where(Invoice.invoice_no == detail.invoice.invoice_no).execution_options(populate_existing=True)
    ).one()
    view = _view(inv, detail.invoice.customer_name, clock.today())
    recipients = invoice_recipients(session, inv.customer)
    if not recipients:
        raise InvalidInput(f"{view.customer_name} has no users to send invoice {view.invoice_no} to.")
    now = clock.now()
    for uid, _ in recipients:
        audit.notify(
            session,
            at=now,
            event="invoice",
            recipient=uid,
            invoice_no=view.invoice_no,
            order_no=view.order_no,
            customer=view.customer_name,
            amount=str(view.amount),
            paid=str(view.paid),
            balance=str(view.balance),
            due_date=view.due_date.isoformat(),
        )
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="invoice.send",
        entity="invoice",
        entity_id=view.invoice_no,
        recipients=[u for u, _ in recipients],
        balance=str(view.balance),
    )
    return InvoiceSending(view, recipients)


# --- what falls due, and credit left -----------------------------------------------------------


@dataclass
class DueItem:
    ref: str  # an invoice number, or "opening balance"
    order_no: str | None
    due_date: date
    balance: Decimal
    days_past_due: int  # > 0 overdue by that many days; <= 0 due in -days_past_due days


@dataclass
class CreditPosition:
    customer: str
    name: str
    credit_limit: Decimal | None
    outstanding: Decimal  # rules.md: opening balance + live orders − payments
    credit_left: Decimal | None  # credit limit − outstanding (negative: over the limit); None = no limit
    payment_terms_days: int
    due: list[DueItem] = field(default_factory=list)  # unpaid, earliest due first
    overdue: Decimal = ZERO
    not_invoiced: Decimal = ZERO  # orders waiting for approval or dispatch: owed, not yet billed


def _due_items(session: Session, cust: Customer, today: date) -> list[DueItem]:
    items = []
    opening_left = money(cust.opening_balance - cust.opening_paid)
    if opening_left > 0:  # world.md: the opening balance is due on the day of import
        due = import_day(session) or today
        items.append(DueItem("opening balance", None, due, opening_left, (today - due).days))
    for inv in session.exec(select(Invoice).where(Invoice.customer == cust.code)):
        left = money(inv.amount - inv.paid)
        if left > 0:
            items.append(DueItem(inv.invoice_no, inv.order_no, inv.due_date, left, (today - inv.due_date).days))
    return sorted(items, key=lambda d: (d.due_date, d.ref != "opening balance", d.ref))


def credit_position(session: Session, actor: Actor, today: date, customer: str) -> CreditPosition:
    """When the customer's payments fall due (every unpaid invoice and any opening balance left,
    earliest first) and how much credit is left (credit limit − outstanding)."""
    _require(actor)
    cust = get_customer(session, actor, customer)
    owed = outstanding(session, cust)
    items = _due_items(session, cust, today)
    waiting = session.exec(
        select(col(Order.total)).where(
            Order.customer == cust.code, col(Order.status).in_(("pending_approval", "confirmed"))
        )
    ).all()
    return CreditPosition(
        cust.code,
        cust.name,
        cust.credit_limit,
        owed,
        None if cust.credit_limit is None else money(cust.credit_limit - owed),
        cust.payment_terms_days,
        items,
        money(sum((d.balance for d in items if d.days_past_due > 0), ZERO)),
        money(sum(waiting, ZERO)),
    )


@dataclass
class OverdueCustomer:
    customer: str
    name: str
    amount: Decimal  # unpaid and at least `min_days` past due
    items: list[DueItem]
    oldest_days: int


def overdue_by(
    session: Session,
    actor: Actor,
    today: date,
    min_days: int,
    where: SalesFilter | None = None,
    customer: str | None = None,
) -> list[OverdueCustomer]:
    """Customers in scope with unpaid amounts (invoices, opening balance) at least `min_days` days
    past due, largest first."""
    _require(actor)
    where = where or NO_FILTER
    if isinstance(min_days, bool) or not isinstance(min_days, int) or min_days < 1:
        raise InvalidInput(f"Days overdue: a whole number of at least 1, not {min_days!r}.")
    q = select(Customer).where(*where.customer_where).order_by(Customer.code)
    if customer:
        q = q.where(Customer.code == get_customer(session, actor, customer).code)
    elif (scope := customer_scope(session, actor)) is not None:
        q = q.where(scope)
    customers = list(session.exec(q))
    out = []
    for c in customers:
        late = [d for d in _due_items(session, c, today) if d.days_past_due >= min_days]
        if late:
            out.append(
                OverdueCustomer(
                    c.code,
                    c.name,
                    money(sum((d.balance for d in late), ZERO)),
                    late,
                    max(d.days_past_due for d in late),
                )
            )
    return sorted(out, key=lambda o: (-o.amount, o.customer))
