"""Money tools: recording a payment and what customers owe (with ageing)."""

from decimal import Decimal

from core.billing import settled_items
from core.errors import InvalidInput
from core.invoices import overdue_by
from core.lookup import resolve_customer
from core.payments import AGE_BUCKETS, customer_outstanding, outstanding_report, record_payment
from core.quantities import parse_amount
from core.types import money
from core.visits import visiting

from . import schemas
from .base import Preview, Table, Tool, ToolContext, ToolResult, dry_run, fingerprint
from .format import amount, method_words, rs

BUCKET_WORDS = {
    "not_due": "not yet due",
    "1-30": "1-30 days late",
    "31-60": "31-60 days late",
    "61-90": "61-90 days late",
    "90+": "over 90 days late",
}


def ageing(o) -> str:
    parts = [f"{BUCKET_WORDS[b]} {rs(o.buckets[b])}" for b in AGE_BUCKETS if o.buckets.get(b)]
    return ", ".join(parts) if parts else "no unpaid invoices"


class RecordPayment(Tool):
    name = "record_payment"
    args_model = schemas.RecordPayment
    mutating = True
    permission = "payments.record"
    description = "Record a customer's payment."

    def _request(self, ctx, args):
        if args.customer:
            cust = resolve_customer(ctx.session, ctx.actor, args.customer)
        elif ctx.actor.customer:
            cust = resolve_customer(ctx.session, ctx.actor, ctx.actor.customer)
        elif (at := visiting(ctx.session, ctx.actor)) is not None:  # a rep's collection at the outlet visited
            cust = resolve_customer(ctx.session, ctx.actor, at)
        else:
            raise InvalidInput("Whose payment is it? Name the customer.")
        value = money(parse_amount(args.amount))  # '5000', 'Rs 1,20,000/-', '10k', '1.5 lakh'
        if value <= 0:
            raise InvalidInput(f"amount: a payment must be more than zero, not {args.amount}.")
        return cust, value

    def _preview(self, ctx: ToolContext, args: schemas.RecordPayment) -> Preview:
        cust, value = self._request(ctx, args)
        before = customer_outstanding(ctx.session, ctx.actor, ctx.clock, cust.code).outstanding
        settled_before = settled_items(ctx.session, cust.code)
        with dry_run(ctx.session):
            record_payment(ctx.session, ctx.actor, ctx.clock, cust.code, value, args.method, args.reference)
            after = customer_outstanding(ctx.session, ctx.actor, ctx.clock, cust.code).outstanding
            settled_after = settled_items(ctx.session, cust.code)
        method = method_words(args.method)
        ref = f" (ref {args.reference})" if args.reference else ""
        text = (
            f"Record a payment of {rs(value)} by {method}{ref} from {cust.name} ({cust.code}). "
            f"Their outstanding goes from {rs(before)} to {rs(after)}."
        )
        goes_to = [
            f"{name} {rs(settled_after[name][0] - paid)}" + (" (in full)" if settled_after[name][0] >= amount else "")
            for name, (paid, amount) in settled_before.items()
            if settled_after[name][0] != paid
        ]
        if goes_to:  # the core's settlement rule (opening balance, then the oldest invoice), told
            text += " It settles " + "; ".join(goes_to) + "."
        if after < 0:  # more than they owe: say so, a mistyped amount shows here
            text += f" That is {rs(-after)} more than they owe; it stays with us as an advance."
        data = {"customer": cust.code, "amount": str(value), "method": args.method, "reference": args.reference}
        return Preview(
            text,
            None,
            fingerprint([self.name, data]),
            f"Payment {rs(value)} from {cust.name}",
            {**data, "outstanding_before": str(before), "outstanding_after": str(after)},
        )

    def _execute(self, ctx: ToolContext, args: schemas.RecordPayment) -> ToolResult:
        cust, value = self._request(ctx, args)
        p = record_payment(ctx.session, ctx.actor, ctx.clock, cust.code, value, args.method, args.reference)
        after = customer_outstanding(ctx.session, ctx.actor, ctx.clock, cust.code).outstanding
        return ToolResult(
            f"Payment of {rs(p.amount)} from {cust.name} recorded. Outstanding now {rs(after)}.",
            data={"customer": cust.code, "amount": str(p.amount), "outstanding": str(after)},
            outcome="done",
        )


class Outstanding(Tool):
    name = "outstanding"
    args_model = schemas.Outstanding
    permission = "payments.view"
    description = (
        "What a customer owes, with ageing of unpaid invoices; optionally only what is at least N days overdue."
    )

    def _run(self, ctx: ToolContext, args: schemas.Outstanding) -> ToolResult:
        code = resolve_customer(ctx.session, ctx.actor, args.customer).code if args.customer else None
        if code is None and (ctx.actor.role == "retailer" or args.own and ctx.actor.customer):
            code = ctx.actor.customer  # a retailer's own account, even when nothing is owed
        if args.min_days_overdue:
            return self._overdue(ctx, code, args.min_days_overdue)
        report = outstanding_report(ctx.session, ctx.actor, ctx.clock, code)
        if args.more_than:
            floor = money(parse_amount(args.more_than))
            report = [o for o in report if o.outstanding > floor]
            if not report:
                return ToolResult(f"Nobody in your scope owes more than {rs(floor)}.", data={"customers": []})
        if args.overdue_more_than:
            late = money(parse_amount(args.overdue_more_than))
            report = [o for o in report if o.overdue > late]
            if not report:
                return ToolResult(f"Nobody in your scope has more than {rs(late)} overdue.", data={"customers": []})
        if args.over_limit:
            report = [o for o in report if o.credit_limit is not None and o.outstanding > o.credit_limit]
            if not report:
                return ToolResult("Nobody in your scope owes more than their credit limit.", data={"customers": []})
            return ToolResult(
                f"{len(report)} over their credit limit:\n"
                + "\n".join(
                    f"- {o.name} ({o.customer}): owes {rs(o.outstanding)}, limit {rs(o.credit_limit)}, "
                    f"{rs(o.outstanding - (o.credit_limit or 0))} over"
                    for o in report[:20]
                ),  # (a limit: see above)
                data={
                    "customers": [
                        {"customer": o.customer, "outstanding": str(o.outstanding), "credit_limit": str(o.credit_limit)}
                        for o in report
                    ]
                },
            )
        if not report:
            return ToolResult("Nobody in your scope owes anything.", data={"customers": []})
        rows = [
            [
                o.customer,
                o.name,
                amount(o.outstanding),
                amount(o.credit_limit),
                amount(o.overdue),
                *[amount(o.buckets.get(b, 0)) for b in AGE_BUCKETS],
            ]
            for o in report
        ]
        data = {
            "customers": [
                {
                    "customer": o.customer,
                    "outstanding": str(o.outstanding),
                    "overdue": str(o.overdue),
                    "buckets": {b: str(v) for b, v in o.buckets.items()},
                }
                for o in report
            ]
        }
        table = Table(
            ["Code", "Customer", "Outstanding", "Credit limit", "Overdue", *[BUCKET_WORDS[b] for b in AGE_BUCKETS]],
            rows,
            "Outstanding",
        )
        if len(report) == 1:
            o = report[0]
            limit = f", credit limit {rs(o.credit_limit)}" if o.credit_limit is not None else ""
            text = (
                f"{o.name} ({o.customer}) owes {rs(o.outstanding)}{limit}. "
                f"Unpaid invoices {rs(o.invoiced_unpaid)}: {ageing(o)}."
            )
            return ToolResult(text, table, data)
        total = money(sum((o.outstanding for o in report), Decimal(0)))
        head = (
            f"{len(report)} customers owe more than {rs(money(parse_amount(args.more_than)))} each, {rs(total)} in all"
            if args.more_than
            else f"{len(report)} customers have more than {rs(money(parse_amount(args.overdue_more_than)))} overdue "
            f"each; they owe {rs(total)} in all"
            if args.overdue_more_than
            else f"{len(report)} customers owe {rs(total)} in all"
        )
        text = (
            head
            + ":\n"
            + "\n".join(
                f"- {o.name} ({o.customer}): {rs(o.outstanding)}" + (f", overdue {rs(o.overdue)}" if o.overdue else "")
                for o in report[:20]
            )
        )
        return ToolResult(text, table, {**data, "total": str(total)})

    def _overdue(self, ctx, code: str | None, days: int) -> ToolResult:
        """Only what is at least `days` days past due, per customer, with the items."""
        rows_ = overdue_by(ctx.session, ctx.actor, ctx.clock.today(), days, customer=code)
        what = f"at least {days} day{'s' if days != 1 else ''} overdue"
        data = {
            "min_days_overdue": days,
            "customers": [
                {
                    "customer": o.customer,
                    "overdue": str(o.amount),
                    "oldest_days": o.oldest_days,
                    "items": [
                        {
                            "ref": d.ref,
                            "due_date": d.due_date.isoformat(),
                            "balance": str(d.balance),
                            "days_overdue": d.days_past_due,
                        }
                        for d in o.items
                    ],
                }
                for o in rows_
            ],
        }
        if not rows_:
            return ToolResult(f"Nothing is {what}" + ("." if code else " in your scope."), data=data)
        total = money(sum((o.amount for o in rows_), Decimal(0)))
        text = f"{len(rows_)} customer{'s' if len(rows_) != 1 else ''} with {rs(total)} {what}:\n" + "\n".join(
            f"- {o.name} ({o.customer}): {rs(o.amount)}, oldest {o.oldest_days} days past due ("
            + ", ".join(d.ref for d in o.items)
            + ")"
            for o in rows_[:20]
        )
        rows = [
            [o.customer, o.name, d.ref, d.due_date.isoformat(), str(d.days_past_due), amount(d.balance)]
            for o in rows_
            for d in o.items
        ]
        return ToolResult(
            text,
            Table(["Code", "Customer", "Invoice", "Due", "Days overdue", "Balance"], rows, f"Outstanding {what}"),
            {**data, "total": str(total)},
        )
