"""Where an order is: its status and the story so far, from the audit trail (who did what,
when, through which channel), the approval request and the documents (delivery note, invoice).

Orders imported as history have no audit entries: they are placed at `created_at`, and those
shipped have documents dated then; when they were delivered is not recorded.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from .access import Actor
from .orders import get_order
from .tables.approvals import Approval
from .tables.audit import AuditEntry
from .tables.billing import DeliveryNote, Invoice
from .tables.parties import Customer, User
from .types import money

STEP_WORDS = {
    "order.create": "placed",
    "order.confirmed": "approved and confirmed",
    "order.rejected": "rejected",
    "order.cancelled": "cancelled",
    "order.dispatched": "dispatched",
    "order.delivered": "delivered",
}
NEXT_STEP = {
    "pending_approval": "waiting for approval",
    "confirmed": "waiting to be dispatched",
    "dispatched": "on its way to the customer",
    "delivered": "",
    "cancelled": "",
    "rejected": "",
}


@dataclass
class TrackStep:
    what: str  # placed, approved and confirmed, dispatched, delivered, cancelled, rejected, …
    at: datetime | None  # None: not recorded (history imported without times)
    by: str | None  # the user's name
    channel: str | None = None
    detail: str | None = None  # a reason, a document number


@dataclass
class OrderTracking:
    order_no: str
    customer: str
    customer_name: str
    warehouse: str
    status: str
    total: str
    placed_at: datetime
    steps: list[TrackStep] = field(default_factory=list)
    next_step: str = ""
    approval_status: str | None = None
    approval_role: str | None = None
    approval_reasons: list[str] = field(default_factory=list)
    delivery_note: str | None = None
    dispatched_at: datetime | None = None
    invoice_no: str | None = None
    invoice_amount: str | None = None
    invoice_due: date | None = None
    invoice_balance: str | None = None


def track_order(session: Session, actor: Actor, order_no: str) -> OrderTracking:
    """The order's status and steps, if the actor may see the order (the same NotFound otherwise)."""
    order = get_order(session, actor, order_no)
    cust = session.get(Customer, order.customer)
    entries = list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "order", AuditEntry.entity_id == order.order_no)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
    )
    names = {
        u.id: u.name
        for u in session.exec(
            select(User).where(
                col(User.id).in_(
                    {e.user_id for e in entries if e.user_id} | ({order.created_by} if order.created_by else set())
                )
            )
        )
    }
    note = session.exec(select(DeliveryNote).where(DeliveryNote.order_no == order.order_no)).first()
    invoice = session.exec(select(Invoice).where(Invoice.order_no == order.order_no)).first()
    approval = session.exec(select(Approval).where(Approval.order_no == order.order_no)).first()

    steps: list[TrackStep] = []
    seen = set()
    source = next((json.loads(e.detail or "{}").get("source") for e in entries if e.action == "order.reorder"), None)
    for e in entries:
        what = STEP_WORDS.get(e.action)
        if what is None:
            continue
        detail = json.loads(e.detail or "{}")
        seen.add(e.action)
        if e.action == "order.create":
            what = (
                "placed, waiting for approval" if detail.get("status") == "pending_approval" else "placed and confirmed"
            )
        extra = detail.get("reason")
        if e.action == "order.create" and source:
            extra = f"repeating {source}"
        if e.action == "order.dispatched" and note:
            extra = f"delivery note {note.note_no}" + (f", invoice {invoice.invoice_no}" if invoice else "")
        steps.append(TrackStep(what, e.at, names.get(e.user_id, e.user_id) if e.user_id else None, e.channel, extra))
    if "order.create" not in seen:  # history: placed at created_at
        steps.insert(
            0,
            TrackStep(
                "placed", order.created_at, names.get(order.created_by, order.created_by) if order.created_by else None
            ),
        )
    if note is not None and "order.dispatched" not in seen:
        steps.append(
            TrackStep(
                "dispatched",
                note.dispatched_at,
                names.get(note.dispatched_by) if note.dispatched_by else None,
                None,
                f"delivery note {note.note_no}" + (f", invoice {invoice.invoice_no}" if invoice else ""),
            )
        )
    for status in ("delivered", "cancelled", "rejected"):  # history: the status without its time
        if order.status == status and f"order.{status}" not in seen:
            steps.append(TrackStep(status, None, None))
    if approval is not None and approval.escalated_at is not None:
        steps.append(
            TrackStep(
                f"escalated to {approval.escalated_to or 'the next approver'}", approval.escalated_at, None, "scheduler"
            )
        )
    steps.sort(key=lambda s: (s.at is None, s.at or order.created_at))

    next_step = NEXT_STEP.get(order.status, order.status.replace("_", " "))
    if order.status == "pending_approval" and approval is not None:
        next_step = (
            f"waiting for approval by {'an' if approval.approver_role[0] in 'aeiou' else 'a'} "
            f"{approval.approver_role.replace('_', ' ')}"
        )
    elif order.status == "confirmed":
        next_step = f"waiting to be dispatched from {order.warehouse}"
    return OrderTracking(
        order.order_no,
        order.customer,
        cust.name if cust else order.customer,
        order.warehouse,
        order.status,
        str(order.total),
        order.created_at,
        steps,
        next_step,
        approval.status if approval else None,
        approval.approver_role if approval else None,
        [r for r in (approval.reasons.split("|") if approval and approval.reasons else [])],
        note.note_no if note else None,
        note.dispatched_at if note else None,
        invoice.invoice_no if invoice else None,
        str(invoice.amount) if invoice else None,
        invoice.due_date if invoice else None,
        str(money(max(invoice.amount - invoice.paid, Decimal(0)))) if invoice else None,
    )
