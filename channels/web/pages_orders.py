"""The new-order page: a form (the customer among those the core lets the user order for, the
warehouse, product lines, payment details), then the preview exactly as `core.orders` computes
it, then "Place the order", which creates through `create_order` bound to that preview's
fingerprint and to a one-time key kept in the REST API's Idempotency-Key store, so a double click
or a second tab with the same preview places one order."""

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from core.access import PERMISSIONS, Actor, customer_scope, get_customer, load_actor, visible_warehouse_codes
from core.approvals import reason_texts
from core.billing import PAYMENT_METHODS, outstanding
from core.catalogue import sku_meta
from core.clock import Clock
from core.db import transaction
from core.errors import CustomerBlocked, DomainError, InsufficientStock, InvalidInput, NoPrice
from core.orders import (
    PAYMENT_TERMS,
    Item,
    OrderPreview,
    PaymentDetails,
    PreviewChanged,
    create_order,
    preview_order,
    read_item,
)
from core.tables.catalogue import Sku, SkuUnit
from core.tables.parties import Customer, Warehouse
from core.units import AmbiguousUnit, UnknownUnit
from tools.format import base_unit, in_units, rs

from .api import idempotency
from .pages import (
    CHANNEL,
    WebUser,
    as_actor,
    checked,
    env,
    error_page,
    forbidden_csrf,
    form_of,
    render,
    signed_in_or_redirect,
)

router = APIRouter(include_in_schema=False)
ROWS = 5  # blank product rows without JavaScript; "Add a row" adds one more
MAX_LINES = 50
MAX_LIST = 500  # customers offered in a select; past that, a code field with suggestions
KEY_PREFIX = "web:order:"  # the web form's keys never meet an API client's keys of the same user
TERMS_WORDS = {"credit": "On credit", "cash_on_delivery": "Cash on delivery", "advance": "Advance paid now"}
ORDER_TERMS = {"credit": "On credit (due by the customer's terms)", "cash_on_delivery": "Cash on delivery"}
METHOD_WORDS = {"cash": "Cash", "upi": "UPI", "bank_transfer": "Bank transfer", "cheque": "Cheque"}
_LINE_KEY = re.compile(r"^(sku|qty|unit)-(\d{1,3})$")


def payment_words(paid: PaymentDetails) -> str:
    """An order's payment details as the order page says them."""
    if paid.terms != "advance":
        return ORDER_TERMS.get(paid.terms, paid.terms)
    ref = f", reference {paid.reference}" if paid.reference else ""
    how = METHOD_WORDS.get(paid.method or "", paid.method or "")
    return f"Advance of {rs(paid.advance)} by {how}{ref}; the rest on the customer's terms"


# The orders page links here only for a role the core lets place orders; the order page says
# how the order is paid.
env.globals["may_order"] = lambda role: "orders.create" in PERMISSIONS.get(role, set())
env.globals["payment_words"] = payment_words


@dataclass
class OrderForm:
    """The form as typed: kept as text so a refused form comes back exactly as it was sent."""

    customer: str = ""
    warehouse: str = ""
    lines: list[list[str]] = field(default_factory=list)  # [sku, qty, unit] per row
    terms: str = "credit"
    advance: str = ""
    method: str = ""
    reference: str = ""

    @classmethod
    def of(cls, form: dict[str, str]) -> "OrderForm":
        rows: dict[int, list[str]] = {}
        for k, v in form.items():
            m = _LINE_KEY.match(k)
            if m and int(m.group(2)) < MAX_LINES:
                rows.setdefault(int(m.group(2)), ["", "", ""])[("sku", "qty", "unit").index(m.group(1))] = v.strip()
        return cls(
            customer=form.get("customer", "").strip().upper(),
            warehouse=form.get("warehouse", "").strip().upper(),
            lines=[rows.get(i, ["", "", ""]) for i in range(max(rows, default=-1) + 1)],
            terms=form.get("terms", "credit").strip() or "credit",
            advance=form.get("advance", "").strip(),
            method=form.get("method", "").strip(),
            reference=form.get("reference", "").strip(),
        )

    def filled(self) -> list[tuple[int, list[str]]]:
        return [(i, ln) for i, ln in enumerate(self.lines) if any(ln)]

    def fields(self) -> list[tuple[str, str]]:
        """What the preview carries to "Place the order" and "Change": the filled rows, renumbered."""
        out = [("customer", self.customer), ("warehouse", self.warehouse), ("terms", self.terms)]
        for n, (_, (sku, qty, unit)) in enumerate(self.filled()):
            out += [(f"sku-{n}", sku), (f"qty-{n}", qty), (f"unit-{n}", unit)]
        if self.terms == "advance":
            out += [("advance", self.advance), ("method", self.method), ("reference", self.reference)]
        return out

    def shown_rows(self, extra: int = 0) -> list[list[str]]:
        rows = [ln for _, ln in self.filled()]
        return rows + [["", "", ""]] * max(ROWS - len(rows), 1 if rows else 0, extra)


@dataclass
class Checked:
    items: list[Item]
    payment: PaymentDetails
    errors: dict[str, str]


def _check(s: Session, f: OrderForm) -> Checked:
    """Each field read as the core reads it (core.orders.read_item for a line's quantity and
    unit), so an error is said next to its field; what spans fields is the core's to refuse."""
    errors: dict[str, str] = {}
    rows = f.filled()
    if not rows:
        errors["sku-0"] = "Add at least one product and its quantity."
    meta = sku_meta(s, [ln[0].upper() for _, ln in rows if ln[0]])
    items = []
    for n, (_, (sku, qty, unit)) in enumerate(rows):
        code = sku.upper()
        if not code:
            errors[f"sku-{n}"] = "Which product? Give its code."
            continue
        if code not in meta:
            errors[f"sku-{n}"] = f"Unknown product code: {code}."
            continue
        if not qty:
            errors[f"qty-{n}"] = f"How many of {meta[code].name}?"
            continue
        item = Item(code, qty, unit or None)
        try:
            read_item(item, list(meta[code].units), meta[code].name)
        except (UnknownUnit, AmbiguousUnit) as e:
            errors[f"unit-{n}"] = e.message
            continue
        except InvalidInput as e:
            errors[f"qty-{n}"] = e.message
            continue
        items.append(item)
    payment = PaymentDetails()
    if f.terms not in PAYMENT_TERMS:
        errors["terms"] = f"Unknown payment terms {f.terms!r}; choose credit, cash on delivery or advance."
    elif f.terms == "advance":
        amount: Decimal | None = None
        if not f.advance:
            errors["advance"] = "An advance needs its amount."
        else:
            try:
                amount = Decimal(f.advance.replace(",", "").removeprefix("₹").strip())
                if not amount.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors["advance"] = f"{f.advance!r} is not an amount of money."
        if not f.method:
            errors["method"] = "An advance needs its method (" + ", ".join(METHOD_WORDS.values()) + ")."
        payment = PaymentDetails("advance", amount, f.method or None, f.reference or None)
    else:
        payment = PaymentDetails(f.terms)
    return Checked(items, payment, errors)


def _error_field(e: DomainError, f: OrderForm) -> dict[str, str]:
    """Where the core's refusal is shown: next to the line, customer or payment field it names."""
    codes = {ln[0].upper(): n for n, (_, ln) in enumerate(f.filled())}
    if isinstance(e, InsufficientStock) and e.shortages:
        return {
            f"qty-{codes[x['sku']]}": f"Only {x['available']} available in {x['warehouse']}, {x['asked']} asked."
            for x in e.shortages
            if x.get("sku") in codes
        } or {"form": e.message}
    if isinstance(e, NoPrice):
        named = [n for code, n in codes.items() if code in e.message]
        return {f"sku-{n}": e.message for n in named} or {"form": e.message}
    text = e.message.lower()
    if isinstance(e, CustomerBlocked) or text.startswith("no customer") or "which customer" in text:
        return {"customer": e.message}
    if text.startswith("no warehouse"):
        return {"warehouse": e.message}
    if "payment method" in text:
        return {"method": e.message}
    if "advance" in text or "payment" in text:
        return {"advance" if f.terms == "advance" else "terms": e.message}
    return {"form": e.message}


# --- what the form offers, as the core scopes it -------------------------------------------------


def _options(s: Session, actor: Actor) -> dict[str, Any]:
    """The customers the user may order for (none for a retailer: only its own shop), the
    warehouses it sees, the catalogue's codes and unit names for suggestions."""
    actor.require("orders.create", "place orders")  # the core's refusal, before any form is shown
    own = None
    customers: list[tuple[str, str]] | None = None
    if actor.role == "retailer":
        cust = get_customer(s, actor, actor.customer or "")
        own = (cust.code, cust.name)
    else:
        q = sa.select(col(Customer.code), col(Customer.name)).where(col(Customer.status) != "blocked")
        if (scope := customer_scope(s, actor)) is not None:
            q = q.where(scope)
        customers = [(r[0], r[1]) for r in s.execute(q.order_by(col(Customer.name)).limit(MAX_LIST + 1))]
    whs = visible_warehouse_codes(s, actor)
    wq = select(Warehouse).order_by(col(Warehouse.code))
    if whs is not None:
        wq = wq.where(col(Warehouse.code).in_(sorted(whs)))
    return {
        "own": own,
        "customers": customers,
        "many_customers": customers is not None and len(customers) > MAX_LIST,
        "warehouses": [(w.code, w.name) for w in s.exec(wq)],
        "skus": [(k.code, k.name) for k in s.exec(select(Sku).order_by(col(Sku.code)).limit(2000))],
        "units": sorted(set(s.exec(select(SkuUnit.unit).distinct()).all())),
    }


def _form(request: Request, user: WebUser, f: OrderForm, errors=None, status: int = 200, extra: int = 0) -> Response:
    try:
        opts = as_actor(request, user, lambda s, a, c: _options(s, a))
    except DomainError as e:
        return error_page(request, e, 403)
    return render(
        "order_form.html",
        request,
        status,
        f=f,
        rows=f.shown_rows(extra),
        errors=errors or {},
        terms=[(t, TERMS_WORDS.get(t, t)) for t in PAYMENT_TERMS],
        methods=[(m, METHOD_WORDS.get(m, m)) for m in PAYMENT_METHODS],
        **opts,
    )


# --- the preview ----------------------------------------------------------------------------------


def _preview_context(s: Session, actor: Actor, p: OrderPreview) -> dict[str, Any]:
    """The preview's figures for the page: the core's lines, and the credit check as the core
    made it (outstanding before the order, the order less its advance, the limit)."""
    cust = get_customer(s, actor, p.customer)
    before = outstanding(s, cust)
    asked = {r.sku: r.match.unit for r in p.readings}
    return {
        "p": p,
        "rows": [
            {
                "ln": ln,
                "name": p.sku_names.get(ln.sku, ln.sku),
                "qty": in_units(ln.qty, p.units.get(ln.sku, []), asked.get(ln.sku)) if ln.qty else "–",
                "free": f"{ln.free_qty} {base_unit(p.units.get(ln.sku, []))}" if ln.free_qty else "–",
                "per": base_unit(p.units.get(ln.sku, [])),
                "read": "; ".join(r.explain() for r in p.readings if r.sku == ln.sku),
            }
            for ln in p.lines
        ],
        "why": reason_texts(s, p.approval_reasons, p.approval_rules),
        "credit_limit": cust.credit_limit,
        "outstanding": before,
        "counts": p.total - (p.payment.advance or 0),
        "over_limit": "credit_limit_exceeded" in p.approval_reasons,
        "terms_days": cust.payment_terms_days,
        "method_words": METHOD_WORDS,
    }


def _preview_page(
    request: Request, user: WebUser, f: OrderForm, ctx: dict[str, Any], changed: str = "", status: int = 200
) -> Response:
    # a fresh one-time key per preview shown: "Place the order" may run once with it
    return render(
        "order_preview.html",
        request,
        status,
        f=f,
        fields=f.fields(),
        key=secrets.token_urlsafe(18),
        changed=changed,
        **ctx,
    )


def _request_fingerprint(f: OrderForm, expected: str) -> str:
    return hashlib.sha256(json.dumps(["POST /orders/new", f.fields(), expected]).encode()).hexdigest()


# --- the routes -------------------------------------------------------------------------------------


@router.get("/orders/new")
def new_order_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    return _form(request, user, OrderForm())


@router.post("/orders/new")
async def new_order_preview(request: Request) -> Response:
    """The form's buttons: Preview (the default), Add a row (the form again with one more row)
    or Change (the form again from a preview's values)."""
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    form = await form_of(request)
    if not checked(request, user, form):
        return forbidden_csrf(request)
    f = OrderForm.of(form)
    action = form.get("action", "preview")
    if action in ("add_row", "change"):
        return _form(request, user, f, extra=len(f.filled()) + 1 if action == "add_row" else 0)

    def preview(s: Session, actor: Actor, clock: Clock) -> tuple[dict[str, str], dict[str, Any] | None]:
        actor.require("orders.create", "place orders")  # a role that may not order: the refusal page
        c = _check(s, f)
        if c.errors:
            return c.errors, None
        try:
            p = preview_order(s, actor, clock, c.items, f.customer or None, f.warehouse or None, c.payment)
        except DomainError as e:
            return _error_field(e, f), None
        return {}, _preview_context(s, actor, p)

    try:
        errors, ctx = as_actor(request, user, preview)
    except DomainError as e:
        return error_page(request, e, 403)
    if ctx is None:
        return _form(request, user, f, errors, 400)
    return _preview_page(request, user, f, ctx)


@router.post("/orders/new/confirm")
async def new_order_confirm(request: Request) -> Response:
    """Create the previewed order once: the key is claimed in the order's own transaction, so of
    two submissions of one preview (a double click, two tabs, at the same moment or later) the
    first places the order and the others land on it."""
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    form = await form_of(request)
    if not checked(request, user, form):
        return forbidden_csrf(request)
    f = OrderForm.of(form)
    key, expected = form.get("key", "").strip(), form.get("fingerprint", "").strip()
    if not key or not expected or len(key) > 100:
        return error_page(request, InvalidInput("This confirmation is incomplete; preview the order again."))
    engine, clock = request.app.state.engine, request.app.state.clock
    try:
        with transaction(engine) as s:
            stored = idempotency.claim(
                s, user.user_id, KEY_PREFIX + key, _request_fingerprint(f, expected), clock.now()
            )
            if stored is not None:
                order_no = json.loads(stored[1])["order_no"]
            else:
                actor = load_actor(s, user.user_id, CHANNEL)
                c = _check(s, f)
                if c.errors:
                    raise _FieldErrors(c.errors)
                order, _ = create_order(
                    s, actor, clock, c.items, f.customer or None, f.warehouse or None, expected, c.payment
                )
                order_no = order.order_no
                idempotency.store(s, user.user_id, KEY_PREFIX + key, 303, json.dumps({"order_no": order_no}))
    except PreviewChanged as e:  # rolled back, key and all: nothing placed; show the new preview
        fresh = e.preview
        ctx = as_actor(request, user, lambda s, a, c: _preview_context(s, a, fresh))
        return _preview_page(request, user, f, ctx, changed=e.message, status=409)
    except idempotency.KeyReused:
        return error_page(request, InvalidInput("This confirmation was used for another order; preview again."), 409)
    except _FieldErrors as e:
        return _form(request, user, f, e.errors, 400)
    except DomainError as e:  # stock taken, credit changed to a refusal, customer blocked meanwhile
        return _form(request, user, f, _error_field(e, f), 409)
    return RedirectResponse(f"/orders/{order_no}?done=placed", status_code=303)


class _FieldErrors(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("field errors")
        self.errors = errors
