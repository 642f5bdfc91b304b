"""Invoice tools: listing and reading invoices, sending one to the customer (previewed, then
queued as a notification), and when payments fall due with the credit left."""

from decimal import Decimal
from typing import Any

from core.errors import InvalidInput
from core.invoices import credit_position, get_invoice, list_invoices, send_invoice
from core.lookup import resolve_customer
from core.sales_filters import build_filter
from core.types import money

from . import schemas
from .base import Preview, Table, Tool, ToolContext, ToolResult, dry_run, fingerprint, parse_period, period_words
from .format import amount, day, plural, rs

STATUS_HEAD = {
    "unpaid": "Unpaid invoices",
    "overdue": "Overdue invoices",
    "paid": "Paid invoices",
    "all": "Invoices",
    None: "Invoices",
}


def _due_words(days_past_due: int) -> str:
    if days_past_due > 0:
        return f"overdue by {plural(days_past_due, 'day')}"
    return "due today" if days_past_due == 0 else f"due in {plural(-days_past_due, 'day')}"


class ListInvoices(Tool):
    name = "list_invoices"
    args_model = schemas.ListInvoices
    permission = "payments.view"
    description = (
        "Invoices in my scope with filters: unpaid or overdue, days overdue, customer, region, beat, sales "
        "rep, distributor, period."
    )

    def _run(self, ctx: ToolContext, args: schemas.ListInvoices) -> ToolResult:
        where = build_filter(
            ctx.session,
            ctx.actor,
            customer=args.customer,
            region=args.region,
            beat=args.beat,
            sales_rep=args.sales_rep,
            distributor=args.distributor,
        )
        start, end = parse_period(args.period)
        today = ctx.clock.today()
        found = list_invoices(
            ctx.session,
            ctx.actor,
            today,
            status=args.status,
            start=start,
            end=end,
            min_days_overdue=args.min_days_overdue,
            where=where,
        )
        head = STATUS_HEAD[args.status] + where.about
        if args.min_days_overdue:
            head += f", at least {plural(args.min_days_overdue, 'day')} overdue"
        if start or end:
            head += ", issued " + period_words(start, end, args.period.label if args.period else None)
        data: dict[str, Any] = {
            "invoices": [
                {
                    "invoice_no": v.invoice_no,
                    "order_no": v.order_no,
                    "customer": v.customer,
                    "amount": str(v.amount),
                    "paid": str(v.paid),
                    "balance": str(v.balance),
                    "due_date": v.due_date.isoformat(),
                    "status": v.status,
                    "days_overdue": v.days_overdue,
                }
                for v in found
            ]
        }
        if not found:
            return ToolResult(f"No {head[0].lower() + head[1:]}.", data=data)
        balance = money(sum((v.balance for v in found), Decimal(0)))
        text = f"{head}: {len(found)}, {rs(balance)} left to pay.\n" + "\n".join(
            f"- {v.invoice_no} ({v.order_no}) {v.customer_name}: {rs(v.amount)}, "
            + (f"balance {rs(v.balance)}, " if v.balance and v.paid else "")
            + f"due {day(v.due_date)}, {_due_words(v.days_past_due) if v.status != 'paid' else 'paid'}"
            for v in found[:20]
        )
        if len(found) > 20:
            text += f"\n… and {len(found) - 20} more in the table."
        data["balance"] = str(balance)
        rows = [
            [
                v.invoice_no,
                v.order_no,
                v.customer_name,
                day(v.issued_on),
                day(v.due_date),
                amount(v.amount),
                amount(v.paid),
                amount(v.balance),
                v.status + (f" ({v.days_overdue} d)" if v.days_overdue else ""),
            ]
            for v in found
        ]
        return ToolResult(
            text,
            Table(["Invoice", "Order", "Customer", "Issued", "Due", "Amount", "Paid", "Balance", "Status"], rows, head),
            data,
        )


class GetInvoice(Tool):
    name = "get_invoice"
    args_model = schemas.InvoiceRef
    permission = "payments.view"
    description = "One invoice: amount, paid, balance, due date, its order and delivery note."

    def _run(self, ctx: ToolContext, args: schemas.InvoiceRef) -> ToolResult:
        d = get_invoice(ctx.session, ctx.actor, ctx.clock.today(), args.invoice)
        v = d.invoice
        state = "paid in full" if v.status == "paid" else f"balance {rs(v.balance)}, {_due_words(v.days_past_due)}"
        text = (
            f"Invoice {v.invoice_no} to {v.customer_name} ({v.customer}) for order {v.order_no}, issued "
            f"{day(v.issued_on)}: {rs(v.amount)}, paid {rs(v.paid)}, due {day(v.due_date)}; {state}."
            + (f" Delivery note {d.delivery_note}." if d.delivery_note else "")
        )
        rows = [
            ["Invoice", v.invoice_no],
            ["Order", v.order_no],
            ["Customer", f"{v.customer_name} ({v.customer})"],
            ["Issued", day(v.issued_on)],
            ["Due", day(v.due_date)],
            ["Amount", amount(v.amount)],
            ["Paid", amount(v.paid)],
            ["Balance", amount(v.balance)],
            ["Status", v.status],
            ["Delivery note", d.delivery_note or "-"],
        ]
        return ToolResult(
            text,
            Table(["Field", "Value"], rows, f"Invoice {v.invoice_no}"),
            {
                "invoice_no": v.invoice_no,
                "order_no": v.order_no,
                "customer": v.customer,
                "amount": str(v.amount),
                "paid": str(v.paid),
                "balance": str(v.balance),
                "due_date": v.due_date.isoformat(),
                "status": v.status,
                "delivery_note": d.delivery_note,
            },
        )


class SendInvoice(Tool):
    name = "send_invoice"
    args_model = schemas.InvoiceRef
    mutating = True
    permission = "payments.view"
    description = (
        "Send an invoice to the customer's users as a notification (Telegram or Slack). Shows a preview and "
        "waits for confirmation."
    )

    def _preview(self, ctx: ToolContext, args: schemas.InvoiceRef) -> Preview:
        with dry_run(ctx.session):
            sent = send_invoice(ctx.session, ctx.actor, ctx.clock, args.invoice)
        v = sent.invoice
        who = ", ".join(name for _, name in sent.recipients)
        state = "paid in full" if v.status == "paid" else f"balance {rs(v.balance)}, {_due_words(v.days_past_due)}"
        text = (
            f"Send invoice {v.invoice_no} ({v.order_no}, {rs(v.amount)}, due {day(v.due_date)}; {state}) to "
            f"{v.customer_name}: {plural(len(sent.recipients), 'user')} ({who}) will get it as a notification."
        )
        data = {
            "invoice_no": v.invoice_no,
            "customer": v.customer,
            "amount": str(v.amount),
            "paid": str(v.paid),
            "balance": str(v.balance),
            "due_date": v.due_date.isoformat(),
            "recipients": [u for u, _ in sent.recipients],
        }
        table = Table(["Recipient", "Name"], [[u, n] for u, n in sent.recipients], f"Send {v.invoice_no}")
        return Preview(text, table, fingerprint([self.name, data]), f"Send {v.invoice_no} to {v.customer_name}", data)

    def _execute(self, ctx: ToolContext, args: schemas.InvoiceRef) -> ToolResult:
        sent = send_invoice(ctx.session, ctx.actor, ctx.clock, args.invoice)
        v = sent.invoice
        return ToolResult(
            f"Invoice {v.invoice_no} sent to {v.customer_name} ({', '.join(n for _, n in sent.recipients)}).",
            data={"invoice_no": v.invoice_no, "recipients": [u for u, _ in sent.recipients]},
            outcome="done",
        )


class PaymentDue(Tool):
    name = "payment_due"
    args_model = schemas.PaymentDue
    permission = "payments.view"
    description = (
        "When a customer's next payments are due (unpaid invoices with due dates and amounts) and how much "
        "credit is left (credit limit minus outstanding)."
    )

    def _run(self, ctx: ToolContext, args: schemas.PaymentDue) -> ToolResult:
        if args.customer:
            code = resolve_customer(ctx.session, ctx.actor, args.customer).code
        elif ctx.actor.customer:
            code = ctx.actor.customer
        else:
            raise InvalidInput("Whose payments? Name the customer.")
        p = credit_position(ctx.session, ctx.actor, ctx.clock.today(), code)
        if p.credit_limit is None or p.credit_left is None:  # (both or neither)
            credit = f"{p.name} ({p.customer}) owes {rs(p.outstanding)} and has no credit limit."
        elif p.credit_left >= 0:
            credit = (
                f"{p.name} ({p.customer}) owes {rs(p.outstanding)} of a {rs(p.credit_limit)} credit limit: "
                f"{rs(p.credit_left)} of credit left."
            )
        else:
            credit = (
                f"{p.name} ({p.customer}) owes {rs(p.outstanding)}, over the {rs(p.credit_limit)} credit limit "
                f"by {rs(-p.credit_left)}: no credit left."
            )
        parts = [credit]
        if p.due:
            nxt = [d for d in p.due if d.days_past_due <= 0]
            if p.overdue:
                parts.append(f"Overdue now: {rs(p.overdue)}.")
            if nxt:
                d = nxt[0]
                parts.append(
                    f"Next due: {rs(d.balance)} on {day(d.due_date)} ({d.ref}"
                    + (f", order {d.order_no}" if d.order_no else "")
                    + f", {_due_words(d.days_past_due)})."
                )
            parts.append(
                "Unpaid:\n"
                + "\n".join(
                    f"- {d.ref}"
                    + (f" ({d.order_no})" if d.order_no else "")
                    + f": {rs(d.balance)} due {day(d.due_date)}, "
                    f"{_due_words(d.days_past_due)}"
                    for d in p.due[:10]
                )
            )
        else:
            parts.append("Nothing is invoiced and unpaid.")
        if p.not_invoiced:
            parts.append(
                f"Orders not yet invoiced (waiting for approval or dispatch): {rs(p.not_invoiced)}; "
                f"they fall due {plural(p.payment_terms_days, 'day')} after dispatch."
            )
        rows = [
            [d.ref, d.order_no or "-", day(d.due_date), amount(d.balance), _due_words(d.days_past_due)] for d in p.due
        ]
        data = {
            "customer": p.customer,
            "credit_limit": None if p.credit_limit is None else str(p.credit_limit),
            "outstanding": str(p.outstanding),
            "credit_left": None if p.credit_left is None else str(p.credit_left),
            "overdue": str(p.overdue),
            "not_invoiced": str(p.not_invoiced),
            "due": [
                {
                    "ref": d.ref,
                    "order_no": d.order_no,
                    "due_date": d.due_date.isoformat(),
                    "balance": str(d.balance),
                    "days_past_due": d.days_past_due,
                }
                for d in p.due
            ],
        }
        return ToolResult(
            "\n".join(parts),
            Table(["Invoice", "Order", "Due", "Balance", "When"], rows, f"Payments due: {p.name}") if rows else None,
            data,
        )
