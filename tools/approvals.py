"""Approval tools: what waits for my decision; approve; reject with a reason."""

from core.approvals import approval_why, waiting_orders
from core.orders import decide, get_order

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult
from .format import amount, day, rs
from .orders import StatusChange


class PendingApprovals(Tool):
    name = "pending_approvals"
    args_model = schemas.NoArgs
    permission = "orders.approve"
    description = "Orders waiting for my approval."

    def _run(self, ctx: ToolContext, args: schemas.NoArgs) -> ToolResult:
        waiting = waiting_orders(ctx.session, ctx.actor)
        if not waiting:
            return ToolResult("No orders are waiting for your approval.", data={"orders": []})
        rows = [
            [w.order_no, w.customer_name, amount(w.total), w.why, day(w.requested_at, ctx.clock.tz)] for w in waiting
        ]
        text = "Waiting for your approval:\n" + "\n".join(f"- {r[0]} {r[1]}, ₹{r[2]}: {r[3]}" for r in rows)
        return ToolResult(
            text,
            Table(["Order", "Customer", "Total", "Why", "Requested"], rows, "Pending approvals"),
            {"orders": [a.order_no for a in waiting]},
        )


class _Decision(StatusChange):
    approve = True

    def _apply(self, ctx, args):
        approval = decide(ctx.session, ctx.actor, ctx.clock, args.order_no, self.approve, getattr(args, "reason", None))
        return get_order(ctx.session, ctx.actor, approval.order_no)

    def _after(self, ctx, order):
        return {"status": order.status, "why": approval_why(ctx.session, order.order_no)}


class ApproveOrder(_Decision):
    name = "approve_order"
    args_model = schemas.OrderRef
    mutating = True
    permission = "orders.approve"
    description = "Approve an order waiting for approval."

    def _describe(self, facts, after, args):
        return (
            f"Approve order {facts['order_no']} of {facts['customer_name']} ({rs(facts['total'])}), which needed "
            f"approval because {after['why']}. It becomes confirmed.",
            f"Approve {facts['order_no']}",
        )

    def _done(self, facts, result, args):
        return f"Order {facts['order_no']} approved: it is now confirmed."


class RejectOrder(_Decision):
    name = "reject_order"
    args_model = schemas.RejectOrder
    mutating = True
    permission = "orders.approve"
    description = "Reject an order waiting for approval, with a reason."
    approve = False

    def _describe(self, facts, after, args):
        return (
            f"Reject order {facts['order_no']} of {facts['customer_name']} ({rs(facts['total'])}) with the reason "
            f'"{args.reason}". Its reserved stock is released.',
            f"Reject {facts['order_no']}",
        )

    def _done(self, facts, result, args):
        return f'Order {facts["order_no"]} rejected ("{args.reason}"); its stock is released.'
