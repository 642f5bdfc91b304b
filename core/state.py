"""The state snapshot (scenarios.md): what evaluations compare before and after a conversation."""

import json
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from .catalogue import split_list
from .tables.approvals import Approval
from .tables.billing import Invoice, Payment
from .tables.field import Attendance, OutletRequest, Visit
from .tables.inventory import StockBalance
from .tables.orders import Order, OrderLine, OrderScheme
from .tables.parties import Customer
from .types import money


def _m(value: Decimal | None) -> str | None:
    return None if value is None else f"{money(value):.2f}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Orders, stock, approvals, payments, invoices and customers as plain, sorted data."""
    with Session(engine) as s:
        lines: dict[str, list[OrderLine]] = {}
        for ln in s.exec(select(OrderLine)):
            lines.setdefault(ln.order_no, []).append(ln)
        schemes: dict[str, set[str]] = {}
        for order_no, code in s.exec(select(OrderScheme.order_no, OrderScheme.scheme)):
            schemes.setdefault(order_no, set()).add(code)
        orders = [
            {
                "order_no": o.order_no,
                "customer": o.customer,
                "warehouse": o.warehouse,
                "status": o.status,
                "total": _m(o.total),
                "lines": [
                    {
                        "sku": ln.sku,
                        "qty": ln.qty,
                        "free_qty": ln.free_qty,
                        "unit_price": _m(ln.unit_price),
                        "discount": _m(ln.discount),
                        "tax": _m(ln.tax),
                        "line_total": _m(ln.line_total),
                    }
                    for ln in sorted(lines.get(o.order_no, []), key=lambda x: x.line_no)
                ],
                "schemes": sorted(schemes.get(o.order_no, ())),
            }
            for o in s.exec(select(Order))
        ]
        stock = [
            {
                "warehouse": b.warehouse,
                "sku": b.sku,
                "batch": b.batch,
                "available": b.available,
                "reserved": b.reserved,
                "damaged": b.damaged,
            }
            for b in s.exec(select(StockBalance))
        ]
        approvals = [
            {
                "order_no": a.order_no,
                "reasons": sorted(split_list(a.reasons)),
                "rules": sorted(split_list(a.rules)),
                "approver_role": a.approver_role,
                "status": a.status,
            }
            for a in s.exec(select(Approval))
        ]
        payments = [
            {
                "customer": p.customer,
                "amount": _m(p.amount),
                "method": p.method,
                "paid_on": p.paid_on.isoformat(),
                "reference": p.reference,
            }
            for p in s.exec(select(Payment))
        ]
        invoices = [
            {
                "invoice_no": i.invoice_no,
                "order_no": i.order_no,
                "amount": _m(i.amount),
                "due_date": i.due_date.isoformat(),
                "paid": _m(i.paid),
            }
            for i in s.exec(select(Invoice))
        ]
        customers = [
            {
                "code": c.code,
                "name": c.name,
                "type": c.type,
                "region": c.region,
                "status": c.status,
                "credit_limit": _m(c.credit_limit),
                "phone": c.phone,
                "contact_person": c.contact_person,
                "class": c.outlet_class,
                "latitude": _text(c.latitude),
                "longitude": _text(c.longitude),
            }
            for c in s.exec(select(Customer))
        ]
        # pending outlet updates and new-outlet requests sit under approvals, with their kind
        approvals += [
            {
                "request": r.id,
                "kind": f"outlet_{r.kind}",
                "customer": r.customer,
                "changes": json.loads(r.changes),
                "approver_role": "manager",
                "status": r.status,
            }
            for r in s.exec(select(OutletRequest))
        ]
        visits = [
            {
                "id": v.id,
                "user": v.user_id,
                "customer": v.customer,
                "outcome": v.outcome,
                "reason": v.reason,
                "order_no": v.order_no,
                "off_site": v.off_site,
                "open": v.ended_at is None,
            }
            for v in s.exec(select(Visit))
        ]
        attendance = [
            {
                "user": a.user_id,
                "date": a.day.isoformat(),
                "check_in": a.check_in.isoformat(),
                "open": a.check_out is None,
            }
            for a in s.exec(select(Attendance))
        ]
    return {
        "orders": sorted(orders, key=lambda o: o["order_no"]),
        "stock": sorted(stock, key=lambda b: (b["warehouse"], b["sku"], b["batch"])),
        "approvals": sorted(approvals, key=lambda a: (a.get("order_no") or "", a.get("request") or "")),
        # payments have no natural key: sort by every field so equal states compare equal
        "payments": sorted(
            payments, key=lambda p: (p["customer"], p["paid_on"], p["amount"], p["method"] or "", p["reference"] or "")
        ),
        "invoices": sorted(invoices, key=lambda i: i["invoice_no"]),
        "customers": sorted(customers, key=lambda c: c["code"]),
        "visits": sorted(visits, key=lambda v: v["id"]),
        "attendance": sorted(attendance, key=lambda a: (a["user"], a["check_in"])),
    }


def to_json(snap: dict[str, list[dict[str, Any]]]) -> str:
    """Canonical text: equal states give equal strings."""
    return json.dumps(snap, sort_keys=True, indent=2)
