"""Order tools: listing and reading orders, placing one (preview, then exactly that order),
cancelling, dispatching and delivering."""

from core.approvals import reason_texts
from core.catalogue import sku_names, sku_units
from core.lookup import region_and_below, resolve_customer, resolve_sku, resolve_warehouse
from core.orders import (
    Item,
    OrderPreview,
    PaymentDetails,
    PreviewChanged,
    cancel_order,
    create_order,
    deliver_order,
    dispatch_order,
    get_order,
    list_orders,
    order_lines,
    order_schemes,
    preview_order,
    statuses_meant,
)
from core.parties import customer_names
from core.quantities import parse_amount

from . import schemas
from .base import (
    Preview,
    StalePreview,
    Table,
    Tool,
    ToolContext,
    ToolResult,
    dry_run,
    fingerprint,
    parse_period,
    period_words,
)
from .format import amount, base_unit, day, in_units, method_words, plural, rs, words


def approver_words(role: str | None) -> str:
    return f"an {role}" if role and role[0] in "aeiou" else f"a {role or 'manager'}"


# --- reading -----------------------------------------------------------------------------


class ListOrders(Tool):
    name = "list_orders"
    args_model = schemas.ListOrders
    permission = "orders.view"
    description = "Orders with filters: status, customer, region, period."

    def _run(self, ctx: ToolContext, args: schemas.ListOrders) -> ToolResult:
        s = ctx.session
        cust = resolve_customer(s, ctx.actor, args.customer) if args.customer else None
        regions = region_and_below(s, args.region)
        start, end = parse_period(args.period)
        statuses = statuses_meant(args.status)
        orders = list_orders(
            s, ctx.actor, statuses=statuses, customer=cust.code if cust else None, regions=regions, start=start, end=end
        )
        what = f"{args.status.replace('_', ' ')} orders" if args.status and args.status != "all" else "orders"
        scope = (f" of {cust.name}" if cust else "") + (f" in {args.region}" if args.region else "")
        if start or end:
            scope += " for " + period_words(start, end, args.period.label if args.period else None)
        if not orders:
            return ToolResult(f"No {what}{scope}.", data={"orders": []})
        names = customer_names(s, {o.customer for o in orders})
        rows = [
            [
                o.order_no,
                day(o.created_at, ctx.clock.tz),
                names.get(o.customer, o.customer),
                words(o.status),
                amount(o.total),
            ]
            for o in orders
        ]
        text = f"{plural(len(orders), what[:-1], what).capitalize()}{scope}:\n" + "\n".join(
            f"- {r[0]} {r[1]} {r[2]}: {r[3]}, ₹{r[4]}" for r in rows[:20]
        )
        if len(rows) > 20:
            text += f"\n… and {len(rows) - 20} more in the table."
        return ToolResult(
            text,
            Table(["Order", "Date", "Customer", "Status", "Total"], rows, what.capitalize()),
            {"orders": [o.order_no for o in orders]},
        )


class GetOrder(Tool):
    name = "get_order"
    args_model = schemas.GetOrder
    permission = "orders.view"
    description = "One order with its lines, schemes and status."

    def _run(self, ctx: ToolContext, args: schemas.GetOrder) -> ToolResult:
        s = ctx.session
        order = get_order(s, ctx.actor, args.order_no)
        customer_name = customer_names(s, [order.customer]).get(order.customer, order.customer)
        lines = order_lines(s, order.order_no)
        units = sku_units(s, [ln.sku for ln in lines])
        names = sku_names(s, [ln.sku for ln in lines])
        rows = []
        for ln in lines:
            u = units.get(ln.sku, [])
            rows.append(
                [
                    ln.sku,
                    names.get(ln.sku, ln.sku),
                    in_units(ln.qty, u) if ln.qty else "-",
                    str(ln.free_qty) if ln.free_qty else "-",
                    amount(ln.unit_price),
                    amount(ln.discount),
                    amount(ln.tax),
                    amount(ln.line_total),
                ]
            )
        schemes = order_schemes(s, order.order_no)
        text = (
            f"Order {order.order_no} for {customer_name}, {day(order.created_at, ctx.clock.tz)}, "
            f"from {order.warehouse}: {words(order.status)}.\n"
            + "\n".join(
                f"- {r[1]} ({r[0]}): {r[2]}" + (f" + {r[3]} free" if r[3] != "-" else "") + f", ₹{r[7]}" for r in rows
            )
            + (("\nSchemes: " + "; ".join(sc.description or sc.scheme for sc in schemes)) if schemes else "")
            + f"\nTotal {rs(order.total)} (net {rs(order.total - order.tax)}, tax {rs(order.tax)})."
        )
        return ToolResult(
            text,
            Table(
                ["Code", "Product", "Qty", "Free", "Price", "Discount", "Tax", "Line total"],
                rows,
                f"Order {order.order_no}",
            ),
            {"order_no": order.order_no, "status": order.status, "total": str(order.total)},
        )


# --- placing an order --------------------------------------------------------------------


def payment_of(args: schemas.CreateOrder) -> PaymentDetails:
    """The payment details said; an advance's amount as people write it ('10k', '1.5 lakh')."""
    if args.payment is None or args.payment == "credit":
        return PaymentDetails()
    amount = parse_amount(args.advance_amount) if args.advance_amount else None
    return PaymentDetails(args.payment, amount, args.advance_method, args.advance_reference)


def payment_words(paid: PaymentDetails, total) -> str:
    if paid.terms == "cash_on_delivery":
        return "Payment: cash on delivery (due when the invoice is made at dispatch)."
    method = method_words(paid.method)
    ref = f", reference {paid.reference}" if paid.reference else ""
    return (
        f"Payment: an advance of {rs(paid.advance)} by {method}{ref}, recorded with the order; "
        f"{rs(total - (paid.advance or 0))} is left to pay by the customer's terms."
    )


class CreateOrder(Tool):
    name = "create_order"
    args_model = schemas.CreateOrder
    mutating = True
    permission = "orders.create"
    description = (
        "Place an order (for me or a customer): products, units and customer as the user said them. Shows a "
        "preview and waits for confirmation."
    )

    def _request(self, ctx, args):
        """Names to codes: the SKUs, customer and warehouse asked for. Quantities and unit words
        stay as given: the core reads them through its one vocabulary (core.units,
        core.quantities) and the preview says how it read each line."""
        s = ctx.session
        items = []
        for it in args.items:
            sku = resolve_sku(s, it.product)
            items.append(Item(sku.code, it.qty, it.unit))
        customer = resolve_customer(s, ctx.actor, args.customer).code if args.customer else None
        warehouse = resolve_warehouse(s, ctx.actor, args.warehouse).code if args.warehouse else None
        return items, None, customer, warehouse

    def _preview(self, ctx: ToolContext, args: schemas.CreateOrder) -> Preview:
        items, _, customer, warehouse = self._request(ctx, args)
        p = preview_order(ctx.session, ctx.actor, ctx.clock, items, customer, warehouse, payment_of(args))
        return self.render(ctx, p)

    def execute(self, ctx, args, fingerprint):
        """The core re-validates against the confirmed fingerprint and books in one go."""
        self._gate(ctx)
        args = self.parse(args)
        items, _, customer, warehouse = self._request(ctx, args)
        try:
            order, p = create_order(
                ctx.session, ctx.actor, ctx.clock, items, customer, warehouse, fingerprint, payment_of(args)
            )
        except PreviewChanged as e:
            raise StalePreview(self.render(ctx, e.preview), e.message) from None
        if order.status == "pending_approval":
            why = "; ".join(reason_texts(ctx.session, p.approval_reasons, p.approval_rules))
            state = f"waiting for approval by {approver_words(p.approver_role)} ({why})"
        else:
            state = f"status {words(order.status)}"
        text = f"Order {order.order_no} placed for {p.customer_name}: {rs(order.total)}, {state}."
        if p.payment.advance is not None:
            text += f" Advance of {rs(p.payment.advance)} recorded."
        if p.notes:
            text += "\n" + "\n".join(p.notes)
        return ToolResult(
            text,
            data={
                "order_no": order.order_no,
                "status": order.status,
                "total": str(order.total),
                "customer": order.customer,
            },
            outcome="done",
        )

    def render(self, ctx, p: OrderPreview, asked: dict[str, str | None] | None = None) -> Preview:
        """The preview in words: every line with how its quantity and unit were read
        ("10 katte → 10 BAG = 500 KG", "12 (no unit) → 12 PCS"), in the world's own unit names."""
        asked = dict(asked or {})
        for r in p.readings:
            asked.setdefault(r.sku, r.match.unit)
        rows, text_lines = [], []
        for n, ln in enumerate(p.lines, 1):
            u = p.units.get(ln.sku, [])
            base = base_unit(u)
            name = p.sku_names.get(ln.sku, ln.sku)
            ordered = in_units(ln.qty, u, asked.get(ln.sku)) if ln.qty else "-"
            free = f"{ln.free_qty} {base} free" if ln.free_qty else ""
            if ln.qty:
                reason = p.price_reasons.get(ln.sku)
                line = (
                    f"{n}. {name} ({ln.sku}): {ordered} at {rs(ln.unit_price)} per {base}"
                    + (f" ({reason})" if reason else "")
                    + (f", discount {rs(ln.discount)}" if ln.discount else "")
                    + (f", + {free}" if free else "")
                    + f", tax {rs(ln.tax)}, line total {rs(ln.line_total)}"
                )
                read = [r.explain() for r in p.readings if r.sku == ln.sku]
                if read:
                    line += "\n   read as: " + "; ".join(read)
            else:
                line = f"{n}. {name} ({ln.sku}): {free}"
            text_lines.append(line)
            rows.append(
                [
                    ln.sku,
                    name,
                    ordered,
                    free or "-",
                    amount(ln.unit_price),
                    amount(ln.discount),
                    amount(ln.tax),
                    amount(ln.line_total),
                ]
            )
        parts = [f"New order for {p.customer_name} ({p.customer}), from {p.warehouse}:", *text_lines]
        if p.applied:
            parts.append("Schemes: " + "; ".join(a.description for a in p.applied) + ".")
        parts += [f"Note: {note}" for note in p.notes]
        parts.append(f"Order total {rs(p.total)} (gross {rs(p.gross)}, discount {rs(p.discount)}, tax {rs(p.tax)}).")
        if p.payment.terms != "credit":
            parts.append(payment_words(p.payment, p.total))
        if p.needs_approval:
            why = "; ".join(reason_texts(ctx.session, p.approval_reasons, p.approval_rules))
            parts.append(f"This order needs approval by {approver_words(p.approver_role)}: {why}.")
        else:
            parts.append("It will be confirmed at once.")
        return Preview(
            text="\n".join(parts),
            table=Table(
                ["Code", "Product", "Qty", "Free", "Price", "Discount", "Tax", "Line total"], rows, "Order preview"
            ),
            fingerprint=p.fingerprint(),
            summary=f"Order for {p.customer_name}: {rs(p.total)}" + (" (needs approval)" if p.needs_approval else ""),
            data={
                "customer": p.customer,
                "warehouse": p.warehouse,
                "status": p.status,
                "total": str(p.total),
                "needs_approval": p.needs_approval,
                "approval_reasons": p.approval_reasons,
                "lines": [
                    {
                        "sku": ln.sku,
                        "qty": ln.qty,
                        "free_qty": ln.free_qty,
                        "unit_price": str(ln.unit_price),
                        "discount": str(ln.discount),
                        "line_total": str(ln.line_total),
                    }
                    for ln in p.lines
                ],
                "schemes": [a.code for a in p.applied],
                "notes": p.notes,
                "readings": [
                    {
                        "sku": r.sku,
                        "said": r.explain(),
                        "qty": r.said_qty,
                        "unit_said": r.match.said,
                        "unit": r.match.unit,
                        "how": r.match.how,
                        "base_qty": r.base_qty,
                        "base_unit": r.match.base,
                    }
                    for r in p.readings
                ],
            },
        )


# --- status changes ----------------------------------------------------------------------


def order_facts(ctx, order) -> dict:
    """What a status-change preview shows and binds: the order as it stands."""
    s = ctx.session
    lines = order_lines(s, order.order_no)
    units = sku_units(s, [ln.sku for ln in lines])
    names = sku_names(s, [ln.sku for ln in lines])
    return {
        "order_no": order.order_no,
        "customer": order.customer,
        "customer_name": customer_names(s, [order.customer]).get(order.customer, ""),
        "status": order.status,
        "total": str(order.total),
        "warehouse": order.warehouse,
        "lines": [
            [ln.sku, names.get(ln.sku, ln.sku), in_units(ln.qty + ln.free_qty, units.get(ln.sku, []))] for ln in lines
        ],
    }


def lines_table(facts: dict, title: str) -> Table:
    return Table(["Code", "Product", "Qty"], [list(r) for r in facts["lines"]], title)


class StatusChange(Tool):
    """A change of one order's status, previewed by running the core in a rolled-back savepoint."""

    def _apply(self, ctx, args):
        """Call the core service; return the order it changed."""
        raise NotImplementedError

    def _describe(self, facts: dict, after: dict, args) -> tuple[str, str]:
        """(preview text, summary)"""
        raise NotImplementedError

    def _done(self, facts: dict, result, args) -> str:
        raise NotImplementedError

    def _preview(self, ctx: ToolContext, args: schemas.OrderRef | schemas.RejectOrder) -> Preview:
        before = get_order(ctx.session, ctx.actor, args.order_no)
        facts = order_facts(ctx, before)
        with dry_run(ctx.session):
            after = self._after(ctx, self._apply(ctx, args))
        text, summary = self._describe(facts, after, args)
        return Preview(
            text,
            lines_table(facts, f"Order {facts['order_no']}"),
            fingerprint([self.name, facts, after]),
            summary,
            {**facts, "after": after},
        )

    def _after(self, ctx, result) -> dict:
        order = result[0] if isinstance(result, tuple) else result
        return {"status": order.status}

    def _execute(self, ctx: ToolContext, args: schemas.OrderRef | schemas.RejectOrder) -> ToolResult:
        facts = order_facts(ctx, get_order(ctx.session, ctx.actor, args.order_no))
        result = self._apply(ctx, args)
        after = self._after(ctx, result)
        return ToolResult(self._done(facts, result, args), data={**facts, "after": after}, outcome="done")


class CancelOrder(StatusChange):
    name = "cancel_order"
    args_model = schemas.OrderRef
    mutating = True
    permission = "orders.cancel"
    description = "Cancel a pending or confirmed order (stock is released)."

    def _apply(self, ctx, args):
        return cancel_order(ctx.session, ctx.actor, ctx.clock, args.order_no)

    def _describe(self, facts, after, args):
        stock = ", ".join(f"{r[2]} {r[0]}" for r in facts["lines"])
        return (
            f"Cancel order {facts['order_no']} of {facts['customer_name']} ({words(facts['status'])}, "
            f"{rs(facts['total'])}). Its reserved stock goes back: {stock}.",
            f"Cancel {facts['order_no']}",
        )

    def _done(self, facts, result, args):
        return f"Order {facts['order_no']} cancelled; its stock is released."


class DispatchOrder(StatusChange):
    name = "dispatch_order"
    args_model = schemas.OrderRef
    mutating = True
    permission = "orders.dispatch"
    description = "Dispatch a confirmed order: delivery note and invoice."

    def _apply(self, ctx, args):
        return dispatch_order(ctx.session, ctx.actor, ctx.clock, args.order_no)

    def _after(self, ctx, result):
        order, _, invoice = result
        return {"status": order.status, "invoice_amount": str(invoice.amount), "due": invoice.due_date.isoformat()}

    def _describe(self, facts, after, args):
        return (
            f"Dispatch order {facts['order_no']} to {facts['customer_name']} from {facts['warehouse']}: "
            + ", ".join(f"{r[2]} {r[1]}" for r in facts["lines"])
            + f". An invoice of {rs(after['invoice_amount'])} will be due on {after['due']}.",
            f"Dispatch {facts['order_no']}",
        )

    def _done(self, facts, result, args):
        order, note, invoice = result
        return (
            f"Order {order.order_no} dispatched: delivery note {note.note_no}, invoice {invoice.invoice_no} "
            f"for {rs(invoice.amount)} due {invoice.due_date.isoformat()}."
        )


class DeliverOrder(StatusChange):
    name = "deliver_order"
    args_model = schemas.OrderRef
    mutating = True
    permission = "orders.dispatch"
    description = "Mark a dispatched order delivered."

    def _apply(self, ctx, args):
        return deliver_order(ctx.session, ctx.actor, ctx.clock, args.order_no)

    def _describe(self, facts, after, args):
        return (
            f"Mark order {facts['order_no']} of {facts['customer_name']} ({rs(facts['total'])}) delivered.",
            f"Deliver {facts['order_no']}",
        )

    def _done(self, facts, result, args):
        return f"Order {facts['order_no']} marked delivered."
