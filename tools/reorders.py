"""Reorder: "same as last time", "reorder SO-0905" — a new order previewed like any other, with
what changed since the order it repeats."""

from core.approvals import reason_texts
from core.lookup import resolve_customer, resolve_warehouse
from core.reorders import Reorder as ReorderPlan
from core.reorders import ReorderChanged, place_reorder, plan_reorder, problem_words

from . import schemas
from .base import Preview, StalePreview, Tool, ToolContext, ToolResult
from .format import day, rs, words
from .orders import CreateOrder, approver_words

_ORDER_TOOL = CreateOrder()  # renders the new order exactly as an order preview


class Reorder(Tool):
    name = "reorder"
    args_model = schemas.Reorder
    mutating = True
    permission = "orders.create"
    description = (
        "Repeat a past order ('same as last time', 'reorder SO-0905'): a new order with the same products "
        "and quantities at today's prices, schemes and stock, saying which lines changed price or cannot be "
        "had. Shows a preview and waits for confirmation."
    )

    def _request(self, ctx: ToolContext, args: schemas.Reorder) -> tuple[str | None, str | None, str | None]:
        customer = resolve_customer(ctx.session, ctx.actor, args.customer).code if args.customer else None
        warehouse = resolve_warehouse(ctx.session, ctx.actor, args.warehouse).code if args.warehouse else None
        return (args.order_no or "").strip() or None, customer, warehouse

    def _preview(self, ctx: ToolContext, args: schemas.Reorder) -> Preview:
        return self.render(ctx, plan_reorder(ctx.session, ctx.actor, ctx.clock, *self._request(ctx, args)))

    def execute(self, ctx, args, fingerprint):
        """The core re-plans, compares with the confirmed fingerprint and creates the order in one go."""
        self._gate(ctx)
        args = self.parse(args)
        try:
            order, plan = place_reorder(
                ctx.session, ctx.actor, ctx.clock, *self._request(ctx, args), expected=fingerprint
            )
        except ReorderChanged as e:
            raise StalePreview(self.render(ctx, e.reorder), e.message) from None
        p = plan.preview
        if order.status == "pending_approval":
            why = "; ".join(reason_texts(ctx.session, p.approval_reasons, p.approval_rules))
            state = f"waiting for approval by {approver_words(p.approver_role)} ({why})"
        else:
            state = f"status {words(order.status)}"
        text = (
            f"Order {order.order_no} placed for {p.customer_name} (repeating {plan.source.order_no}): "
            f"{rs(order.total)}, {state}."
        )
        if plan.left_out:
            text += "\nLeft out: " + "; ".join(f"{ln.name} ({problem_words(ln)})" for ln in plan.left_out) + "."
        return ToolResult(
            text,
            data={
                "order_no": order.order_no,
                "status": order.status,
                "total": str(order.total),
                "customer": order.customer,
                "source": plan.source.order_no,
            },
            outcome="done",
        )

    def render(self, ctx, plan: ReorderPlan) -> Preview:
        order = _ORDER_TOOL.render(ctx, plan.preview, {})
        src = plan.source
        head = (
            f"Repeating order {src.order_no} of {day(src.created_at, ctx.clock.tz)} "
            f"({rs(src.total)} then), at today's prices, schemes and stock."
        )
        notes = []
        if plan.repriced:
            notes.append(
                "Price changed: "
                + "; ".join(
                    f"{ln.name} ({ln.sku}) now {rs(ln.price)}, was {rs(ln.last_price)} per unit" for ln in plan.repriced
                )
                + "."
            )
        if plan.left_out:
            notes.append(
                "Cannot be had, left out: "
                + "; ".join(f"{ln.name} ({ln.sku}): {problem_words(ln)}" for ln in plan.left_out)
                + "."
            )
        if not notes:
            notes.append("Same products and quantities as last time; no price has changed.")
        text = "\n".join([head, order.text, *notes])
        data = {
            **order.data,
            "source": src.order_no,
            "repriced": [{"sku": ln.sku, "was": str(ln.last_price), "now": str(ln.price)} for ln in plan.repriced],
            "left_out": [
                {"sku": ln.sku, "qty": ln.qty, "problem": ln.problem, "available": ln.available} for ln in plan.left_out
            ],
        }
        return Preview(text, order.table, plan.fingerprint(), f"Repeat {src.order_no}: " + order.summary, data)
