"""Orders (list, detail, preview, create, cancel, dispatch, deliver), approvals, payments and
outstanding, each through the core's services as the caller."""

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Query
from sqlmodel import Session

from core.access import Actor
from core.approvals import waiting_orders
from core.catalogue import sku_names
from core.clock import Clock
from core.errors import InvalidInput
from core.orders import (
    Item,
    OrderPreview,
    PaymentDetails,
    cancel_order,
    create_order,
    decide,
    deliver_order,
    dispatch_order,
    get_order,
    list_orders,
    order_lines,
    order_schemes,
    preview_order,
)
from core.payments import outstanding_report, record_payment
from core.tables.orders import Order

from . import models as m
from .base import Caller, CallerDep, change, read
from .idempotency import KeyHeader
from .paging import CursorQuery, LimitQuery, decode, encode, in_range, page

router = APIRouter(tags=["orders"])
Status = Literal["pending_approval", "confirmed", "rejected", "cancelled", "dispatched", "delivered"]


def _items(body: m.OrderIn) -> list[Item]:
    return [Item(i.sku.strip().upper(), i.qty, i.unit) for i in body.items]


def _payment(body: m.OrderIn) -> PaymentDetails:
    p = body.payment
    if p is None:
        return PaymentDetails()
    a = p.advance
    return PaymentDetails(p.terms, a.amount if a else None, a.method if a else None, a.reference if a else None)


def _preview_out(p: OrderPreview) -> m.PreviewOut:
    return m.PreviewOut(
        customer=p.customer,
        customer_name=p.customer_name,
        warehouse=p.warehouse,
        status=p.status,
        lines=[
            m.LineOut(
                sku=ln.sku,
                sku_name=p.sku_names.get(ln.sku, ln.sku),
                qty=ln.qty,
                free_qty=ln.free_qty,
                unit_price=str(ln.unit_price),
                gross=str(ln.gross),
                discount=str(ln.discount),
                tax=str(ln.tax),
                line_total=str(ln.line_total),
            )
            for ln in p.lines
        ],
        schemes=[m.SchemeApplied(code=a.code, benefit=str(a.benefit), description=a.description) for a in p.applied],
        notes=p.notes,
        approval_reasons=p.approval_reasons,
        payment=p.payment.terms,
        advance=None if p.payment.advance is None else str(p.payment.advance),
        gross=str(p.gross),
        discount=str(p.discount),
        tax=str(p.tax),
        total=str(p.total),
    )


def _summary(o: Order) -> m.OrderSummary:
    return m.OrderSummary(
        order_no=o.order_no,
        customer=o.customer,
        warehouse=o.warehouse,
        status=o.status,
        created_at=o.created_at,
        total=str(o.total),
        payment=o.payment,
    )


def _order_out(s: Session, o: Order) -> m.OrderOut:
    lines = order_lines(s, o.order_no)
    names = sku_names(s, [ln.sku for ln in lines])
    return m.OrderOut(
        **_summary(o).model_dump(),
        gross=str(o.gross),
        discount=str(o.discount),
        tax=str(o.tax),
        lines=[
            m.LineOut(
                sku=ln.sku,
                sku_name=names.get(ln.sku, ln.sku),
                qty=ln.qty,
                free_qty=ln.free_qty,
                unit_price=str(ln.unit_price),
                gross=str(ln.gross),
                discount=str(ln.discount),
                tax=str(ln.tax),
                line_total=str(ln.line_total),
            )
            for ln in lines
        ],
        schemes=[
            m.SchemeApplied(code=x.scheme, benefit=str(x.benefit), description=x.description or "")
            for x in order_schemes(s, o.order_no)
        ],
    )


@router.get("/orders", response_model=m.OrderPage, summary="Orders in your scope, newest first")
def orders_list(
    who: Caller = CallerDep,
    status: Status | None = None,
    customer: str | None = Query(None, max_length=100, description="A customer code in your scope."),
    start: date | None = Query(None, description="First day (business time zone), inclusive."),
    end: date | None = Query(None, description="Last day, inclusive."),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.OrderPage:
        after = decode(cursor)
        before = None
        if after is not None:
            try:
                before = (datetime.fromisoformat(after[0]), str(after[1]))
                if before[0].tzinfo is None:
                    raise ValueError(after[0])
            except (IndexError, TypeError, ValueError):
                raise InvalidInput("cursor: not a cursor of this list; use the `next` of its previous page.") from None
        rows = list_orders(
            s,
            actor,
            statuses=[status] if status else None,
            customer=customer.strip().upper() if customer else None,
            start=in_range("start", start),
            end=in_range("end", end),
            limit=limit + 1,
            before=before,
        )
        nxt = encode([rows[limit - 1].created_at.isoformat(), rows[limit - 1].order_no]) if len(rows) > limit else None
        return m.OrderPage(items=[_summary(o) for o in rows[:limit]], next=nxt)

    return read(who, go)


@router.get("/orders/{order_no}", response_model=m.OrderOut, summary="One order with its lines and schemes")
def order_detail(order_no: str, who: Caller = CallerDep):
    return read(who, lambda s, actor, clock: _order_out(s, get_order(s, actor, order_no)))


@router.post("/orders/preview", response_model=m.PreviewOut, summary="What an order would be; changes nothing")
def order_preview(body: m.OrderIn, who: Caller = CallerDep):
    return read(
        who,
        lambda s, a, c: _preview_out(
            preview_order(s, a, c, _items(body), body.customer, body.warehouse, _payment(body))
        ),
    )


@router.post("/orders", response_model=m.OrderOut, status_code=201, summary="Create an order")
def order_create(body: m.OrderIn, who: Caller = CallerDep, key: str | None = KeyHeader):
    def go(s: Session, actor: Actor, clock: Clock) -> m.OrderOut:
        order, _ = create_order(s, actor, clock, _items(body), body.customer, body.warehouse, payment=_payment(body))
        return _order_out(s, order)

    return change(who, key, "POST /orders", body, go, status=201)


@router.post("/orders/{order_no}/cancel", response_model=m.StatusOut, summary="Cancel an order")
def order_cancel(order_no: str, who: Caller = CallerDep, key: str | None = KeyHeader, body: m.CancelIn | None = None):
    def go(s: Session, actor: Actor, clock: Clock) -> m.StatusOut:
        o = cancel_order(s, actor, clock, order_no, body.reason if body else None)
        return m.StatusOut(order_no=o.order_no, status=o.status)

    return change(who, key, f"POST /orders/{order_no}/cancel", body, go)


@router.post("/orders/{order_no}/dispatch", response_model=m.StatusOut, summary="Dispatch an order (invoice made)")
def order_dispatch(order_no: str, who: Caller = CallerDep, key: str | None = KeyHeader):
    def go(s: Session, actor: Actor, clock: Clock) -> m.StatusOut:
        o, _, invoice = dispatch_order(s, actor, clock, order_no)
        return m.StatusOut(order_no=o.order_no, status=o.status, invoice_no=invoice.invoice_no)

    return change(who, key, f"POST /orders/{order_no}/dispatch", None, go)


@router.post("/orders/{order_no}/deliver", response_model=m.StatusOut, summary="Mark an order delivered")
def order_deliver(order_no: str, who: Caller = CallerDep, key: str | None = KeyHeader):
    def go(s: Session, actor: Actor, clock: Clock) -> m.StatusOut:
        o = deliver_order(s, actor, clock, order_no)
        return m.StatusOut(order_no=o.order_no, status=o.status)

    return change(who, key, f"POST /orders/{order_no}/deliver", None, go)


@router.get("/approvals", response_model=m.ApprovalPage, tags=["approvals"], summary="Orders waiting for your decision")
def approvals_list(who: Caller = CallerDep, limit: int = LimitQuery, cursor: str | None = CursorQuery):
    def go(s: Session, actor: Actor, clock: Clock) -> m.ApprovalPage:
        rows, nxt = page(
            sorted(waiting_orders(s, actor), key=lambda w: w.order_no), lambda w: [w.order_no], cursor, limit
        )
        return m.ApprovalPage(
            items=[
                m.ApprovalOut(
                    order_no=w.order_no,
                    customer=w.customer,
                    customer_name=w.customer_name,
                    total=str(w.total),
                    why=w.why,
                    requested_at=w.requested_at,
                )
                for w in rows
            ],
            next=nxt,
        )

    return read(who, go)


def _decide(who: Caller, key: str | None, order_no: str, approve: bool, body: m.RejectIn | None):
    def go(s: Session, actor: Actor, clock: Clock) -> m.StatusOut:
        decide(s, actor, clock, order_no, approve, body.reason if body else None)
        return m.StatusOut(order_no=order_no.strip().upper(), status="confirmed" if approve else "rejected")

    return change(who, key, f"POST /approvals/{order_no}/{'approve' if approve else 'reject'}", body, go)


@router.post("/approvals/{order_no}/approve", response_model=m.StatusOut, tags=["approvals"], summary="Approve")
def approval_approve(order_no: str, who: Caller = CallerDep, key: str | None = KeyHeader):
    return _decide(who, key, order_no, True, None)


@router.post("/approvals/{order_no}/reject", response_model=m.StatusOut, tags=["approvals"], summary="Reject")
def approval_reject(order_no: str, body: m.RejectIn, who: Caller = CallerDep, key: str | None = KeyHeader):
    return _decide(who, key, order_no, False, body)


@router.post("/payments", response_model=m.PaymentOut, status_code=201, tags=["payments"], summary="Record a payment")
def payment_record(body: m.PaymentIn, who: Caller = CallerDep, key: str | None = KeyHeader):
    def go(s: Session, actor: Actor, clock: Clock) -> m.PaymentOut:
        customer = body.customer.strip().upper() if body.customer else None
        p = record_payment(s, actor, clock, customer, body.amount, body.method, body.reference)
        assert p.id is not None  # flushed by the core
        return m.PaymentOut(
            id=p.id,
            customer=p.customer,
            amount=str(p.amount),
            method=p.method,
            reference=p.reference,
            paid_on=p.paid_on,
        )

    return change(who, key, "POST /payments", body, go, status=201)


@router.get("/outstanding", response_model=m.OutstandingPage, tags=["payments"], summary="Balances and ageing")
def outstanding_list(
    who: Caller = CallerDep,
    customer: str | None = Query(None, max_length=100, description="A customer code in your scope."),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.OutstandingPage:
        report = outstanding_report(s, actor, clock, customer.strip().upper() if customer else None)
        rows, nxt = page(sorted(report, key=lambda r: r.customer), lambda r: [r.customer], cursor, limit)
        return m.OutstandingPage(
            items=[
                m.OutstandingOut(
                    customer=r.customer,
                    name=r.name,
                    credit_limit=m.money(r.credit_limit),
                    outstanding=str(r.outstanding),
                    invoiced_unpaid=str(r.invoiced_unpaid),
                    overdue=str(r.overdue),
                    buckets={k: str(v) for k, v in r.buckets.items()},
                )
                for r in rows
            ],
            next=nxt,
        )

    return read(who, go)
