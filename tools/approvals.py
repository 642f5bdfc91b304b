"""Approval tools: what waits for my decision; approve; reject with a reason."""
from sqlmodel import col, select

from core.approvals import pending_approvals
from core.catalogue import split_list
from core.orders import decide
from core.tables.orders import Order
from core.tables.parties import Customer

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult
from .format import amount, day, rs
from .orders import StatusChange, reason_texts


class PendingApprovals(Tool):
    name = "pending_approvals"

    def _run(self, ctx: ToolContext, args: schemas.NoArgs) -> ToolResult:
        s = ctx.session
        waiting = pending_approvals(s, ctx.actor)
        if not waiting:
            return ToolResult("No orders are waiting for your approval.", data={"orders": []})
        orders = {o.order_no: o for o in s.exec(select(Order).where(col(Order.order_no).in_([a.order_no for a in waiting])))}
        names = dict(s.exec(select(Customer.code, Customer.name).where(
            col(Customer.code).in_({o.customer for o in orders.values()}))).all())
        rows = []
        for a in waiting:
            o = orders[a.order_no]
            why = "; ".join(reason_texts(s, split_list(a.reasons), split_list(a.rules)))
            rows.append([a.order_no, names.get(o.customer, o.customer), amount(o.total), why,
                         day(a.requested_at, ctx.clock.tz)])
        text = "Waiting for your approval:\n" + "\n".join(f"- {r[0]} {r[1]}, Rs {r[2]}: {r[3]}" for r in rows)
        return ToolResult(text, Table(["Order", "Customer", "Total", "Why", "Requested"], rows, "Pending approvals"),
                          {"orders": [a.order_no for a in waiting]})


class _Decision(StatusChange):
    approve = True

    def _apply(self, ctx, args):
        decide(ctx.session, ctx.actor, ctx.clock, args.order_no, self.approve, getattr(args, "reason", None))
        return ctx.session.get(Order, args.order_no.strip().upper())

    def _why(self, ctx, order_no: str) -> str:
        from core.tables.approvals import Approval
        a = ctx.session.exec(select(Approval).where(Approval.order_no == order_no)).first()
        return "; ".join(reason_texts(ctx.session, split_list(a.reasons), split_list(a.rules))) if a else ""

    def _after(self, ctx, order):
        return {"status": order.status, "why": self._why(ctx, order.order_no)}


class ApproveOrder(_Decision):
    name = "approve_order"

    def _describe(self, facts, after, args):
        return (f"Approve order {facts['order_no']} of {facts['customer_name']} ({rs(facts['total'])}), which needed "
                f"approval because {after['why']}. It becomes confirmed.", f"Approve {facts['order_no']}")

    def _done(self, facts, result, args):
        return f"Order {facts['order_no']} approved: it is now confirmed."


class RejectOrder(_Decision):
    name = "reject_order"
    approve = False

    def _describe(self, facts, after, args):
        return (f"Reject order {facts['order_no']} of {facts['customer_name']} ({rs(facts['total'])}) with the reason "
                f"\"{args.reason}\". Its reserved stock is released.", f"Reject {facts['order_no']}")

    def _done(self, facts, result, args):
        return f"Order {facts['order_no']} rejected (\"{args.reason}\"); its stock is released."
