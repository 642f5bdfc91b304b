"""Order tracking: where an order is, from the audit trail and its documents."""

from datetime import datetime

from core.tracking import track_order

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult
from .format import day, rs, words


def _at(value: datetime | None, tz) -> str:
    if value is None:
        return "date not recorded"
    local = value.astimezone(tz)
    return f"{local.day} {local:%b %Y} at {local:%H:%M}"


class TrackOrder(Tool):
    name = "track_order"
    args_model = schemas.TrackOrder
    permission = "orders.view"
    description = (
        "Where an order is: its status and when it was placed, approved, dispatched (delivery note, "
        "invoice) and delivered, and by whom."
    )

    def _run(self, ctx: ToolContext, args: schemas.TrackOrder) -> ToolResult:
        t = track_order(ctx.session, ctx.actor, args.order_no)
        tz = ctx.clock.tz
        lines = [
            f"Order {t.order_no} for {t.customer_name} ({rs(t.total)}) is {words(t.status)}"
            + (f": {t.next_step}." if t.next_step else ".")
        ]
        for s in t.steps:
            lines.append(
                f"- {s.what.capitalize()}: {_at(s.at, tz)}"
                + (f" by {s.by}" if s.by else "")
                + (f" ({s.detail})" if s.detail else "")
            )
        if t.invoice_no:
            lines.append(
                f"Invoice {t.invoice_no}: {rs(t.invoice_amount)}, due {day(t.invoice_due)}, "
                f"balance {rs(t.invoice_balance)}."
            )
        rows = [[s.what, _at(s.at, tz), s.by or "-", s.channel or "-", s.detail or "-"] for s in t.steps]
        return ToolResult(
            "\n".join(lines),
            Table(["Step", "When", "By", "Channel", "Detail"], rows, f"Order {t.order_no}"),
            {
                "order_no": t.order_no,
                "status": t.status,
                "next_step": t.next_step,
                "delivery_note": t.delivery_note,
                "invoice_no": t.invoice_no,
                "invoice_due": t.invoice_due.isoformat() if t.invoice_due else None,
                "steps": [
                    {"what": s.what, "at": s.at.isoformat() if s.at else None, "by": s.by, "detail": s.detail}
                    for s in t.steps
                ],
            },
        )
