"""The web app's working pages: orders (list and detail), approvals (approve or reject with a
reason, previewed first and confirmed, as in chat), stock, customers (outstanding and ageing) and
reports (any report of the catalogue with its filters, its table, CSV and XLSX links). Every read
and every change goes through the core's services as the signed-in user; every POST carries the
session's CSRF token."""

from datetime import date
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from core.access import load_actor
from core.approvals import waiting_orders
from core.dashboard import order_view
from core.db import transaction
from core.errors import DomainError, InvalidInput
from core.lookup import region_and_below
from core.orders import decide, list_orders, order_payment, statuses_meant
from core.payments import outstanding_report
from core.report_catalog import REPORTS, ReportQuery, run_report
from core.stock import stock_levels

from .pages import (
    CHANNEL,
    WebUser,
    as_actor,
    checked,
    error_page,
    forbidden_csrf,
    form_of,
    render,
    signed_in_or_redirect,
)

router = APIRouter(include_in_schema=False)
MAX_ROWS = 500  # a report page shows at most this many rows; the exports carry them all


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"A date as YYYY-MM-DD, not {text!r}.") from None


# --- orders ---------------------------------------------------------------------------------------


@router.get("/orders")
def orders_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    q = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    try:

        def read(s, actor, clock):
            regions = region_and_below(s, q.get("region")) if q.get("region") else None
            statuses = statuses_meant(q["status"]) if q.get("status") else None
            return list_orders(
                s,
                actor,
                statuses=statuses,
                customer=q.get("customer"),
                regions=regions,
                start=_day(q.get("start")),
                end=_day(q.get("end")),
                limit=100,
            )

        rows = as_actor(request, user, read)
    except DomainError as e:
        return render("orders.html", request, 400, rows=[], q=q, error=e.message)
    return render("orders.html", request, rows=rows, q=q, error="")


@router.get("/orders/{order_no}")
def order_page(request: Request, order_no: str) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    try:
        o, paid = as_actor(request, user, lambda s, a, c: (order_view(s, a, order_no), order_payment(s, a, order_no)))
    except DomainError as e:
        return error_page(request, e, 404)
    return render("order.html", request, o=o, paid=paid, done=request.query_params.get("done", ""))


# --- approvals: preview, then confirm ---------------------------------------------------------------


@router.get("/approvals")
def approvals_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    try:
        rows = as_actor(request, user, lambda s, a, c: waiting_orders(s, a))
    except DomainError as e:
        return error_page(request, e, 403)
    return render("approvals.html", request, rows=rows, now=request.app.state.clock.now())


@router.post("/approvals/{order_no}")
async def approval_decision(request: Request, order_no: str) -> Response:
    """First POST: the preview of the decision (what will happen, as the assistant shows it);
    the second, with `confirm=yes`, decides through `core.orders.decide` in one transaction."""
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    form = await form_of(request)
    if not checked(request, user, form):
        return forbidden_csrf(request)
    decision = form.get("decision")
    reason = (form.get("reason") or "").strip() or None
    if decision not in ("approve", "reject"):
        return error_page(request, InvalidInput("Approve or reject?"))
    if decision == "reject" and not reason:
        return error_page(request, InvalidInput("Say why the order is rejected (the reason goes to the customer)."))
    if form.get("confirm") != "yes":
        try:
            o = as_actor(request, user, lambda s, a, c: order_view(s, a, order_no))
        except DomainError as e:
            return error_page(request, e, 404)
        if not o.may_decide:
            return error_page(request, InvalidInput(f"{o.order_no} is not waiting for your decision."), 409)
        return render("decide.html", request, o=o, decision=decision, reason=reason or "")
    engine, clock = request.app.state.engine, request.app.state.clock
    try:
        with transaction(engine) as s:
            actor = load_actor(s, user.user_id, CHANNEL)
            decide(s, actor, clock, order_no, decision == "approve", reason)
    except DomainError as e:
        return error_page(request, e, 409)
    done = "approved" if decision == "approve" else "rejected"
    return RedirectResponse(f"/orders/{order_no.strip().upper()}?done={done}", status_code=303)


# --- stock and customers ------------------------------------------------------------------------------


@router.get("/stock")
def stock_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    q = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    try:
        rows = as_actor(
            request, user, lambda s, a, c: stock_levels(s, a, c.today(), sku=q.get("sku"), warehouse=q.get("warehouse"))
        )
    except DomainError as e:
        return render("stock.html", request, 400, rows=[], q=q, error=e.message)
    return render("stock.html", request, rows=rows, q=q, error="")


@router.get("/customers")
def customers_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    try:
        rows = as_actor(request, user, lambda s, a, c: outstanding_report(s, a, c))
    except DomainError as e:
        return error_page(request, e, 403)
    return render("customers.html", request, rows=rows)


# --- reports ----------------------------------------------------------------------------------------

FILTER_LABELS = {
    "start": "From (YYYY-MM-DD)",
    "end": "To (YYYY-MM-DD)",
    "by": "Group by",
    "region": "Region",
    "customer": "Customer",
    "customer_type": "Customer type",
    "distributor": "Distributor",
    "brand": "Brand",
    "category": "Category",
    "sku": "SKU",
    "warehouse": "Warehouse",
    "sales_rep": "Sales rep",
    "status": "Status",
    "days": "Days",
    "method": "Method",
}


def _query(params: dict[str, str]) -> ReportQuery:
    fields = set(ReportQuery.__dataclass_fields__)
    kw: dict[str, Any] = {}
    for k, v in params.items():
        if k not in fields or not v:
            continue
        if k in ("start", "end"):
            kw[k] = _day(v)
        elif k in ("limit", "days"):
            if not v.isdigit():
                raise InvalidInput(f"{k}: a whole number, not {v!r}.")
            kw[k] = int(v)
        else:
            kw[k] = v
    return ReportQuery(**kw)


@router.get("/reports")
def reports_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    return render("reports.html", request, reports=sorted(REPORTS.values(), key=lambda r: r.name))


@router.get("/reports/{name}")
def report_page(request: Request, name: str) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    spec = REPORTS.get(name)
    if spec is None:
        return error_page(request, InvalidInput(f"No report named '{name}'."), 404)
    params = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    shown = [f for f in FILTER_LABELS if f in spec.filters]
    qs = urlencode(params)
    exports = {
        "csv": f"/api/v1/reports/{name}?format=csv" + (f"&{qs}" if qs else ""),
        "xlsx": f"/api/v1/reports/{name}?format=xlsx" + (f"&{qs}" if qs else ""),
    }
    try:

        def read(s, actor, clock):
            t = run_report(s, actor, clock, name, _query(params))
            rows = list(islice(iter(t.rows), MAX_ROWS + 1))
            return t, rows

        table, rows = as_actor(request, user, read)
    except DomainError as e:
        return render(
            "report.html",
            request,
            400,
            spec=spec,
            shown=shown,
            params=params,
            table=None,
            rows=[],
            error=e.message,
            exports=exports,
            labels=FILTER_LABELS,
        )
    return render(
        "report.html",
        request,
        spec=spec,
        shown=shown,
        params=params,
        table=table,
        rows=rows[:MAX_ROWS],
        more=len(rows) > MAX_ROWS,
        error="",
        exports=exports,
        labels=FILTER_LABELS,
    )
