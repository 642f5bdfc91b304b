"""Report tools: sales (net and with tax) and order counts by status."""

from datetime import timedelta

from core.lookup import region_and_below, resolve_customer
from core.reports import order_summary, sales
from core.sales_filters import build_filter
from core.spans import previous_span
from core.types import money

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult, parse_period, period_words
from .format import amount, plural, rs, words


def _filters(ctx, args):
    cust = resolve_customer(ctx.session, ctx.actor, args.customer) if args.customer else None
    start, end = parse_period(args.period)
    about = (f" of {cust.name}" if cust else "") + (f" in {args.region}" if args.region else "")
    when = period_words(start, end, args.period.label if args.period else None)
    return cust.code if cust else None, region_and_below(ctx.session, args.region), start, end, about, when


# The sales report's filters besides customer and region (core.sales_filters resolves them in scope).
MORE_FILTERS = ("beat", "sales_rep", "distributor", "brand", "category", "product")


class SalesReport(Tool):
    name = "sales_report"
    args_model = schemas.SalesReport
    permission = "orders.view"
    description = (
        "Sales (net and with tax) for a period, optionally grouped by customer, SKU, product, brand, "
        "category, region (or its area, city or state), day, week or month, and filtered by customer, "
        "region, beat, sales rep, distributor, brand, category or product."
    )

    def _run(self, ctx: ToolContext, args: schemas.SalesReport) -> ToolResult:
        customer, regions, start, end, about, when = _filters(ctx, args)
        where = build_filter(ctx.session, ctx.actor, **{f: getattr(args, f, None) for f in MORE_FILTERS})
        about += where.about
        if args.compare and start is None:  # growth of what? this month so far, said as such
            end = end or ctx.clock.today()
            start = end.replace(day=1)
            when = period_words(start, end, "this month")
        r = sales(ctx.session, ctx.actor, start, end, by=args.by, regions=regions, customer=customer, where=where)
        text = (
            f"Sales{about}, {when}: {plural(r.orders, 'order')}, net {rs(r.net)} before tax, "
            f"tax {rs(r.total - r.net)}, total {rs(r.total)} with tax"
            + (f" (on average {rs(money(r.total / r.orders))} an order)." if r.orders else ".")
        )
        if args.compare:
            text += " " + _against(ctx, args, start, end, regions, customer, where, r.total)
        data = {
            "orders": r.orders,
            "net": str(r.net),
            "total": str(r.total),
            "start": str(start or ""),
            "end": str(end or ""),
            "by": args.by,
            "rows": [
                {
                    "key": x.key,
                    "label": x.label,
                    "orders": x.orders,
                    "net": str(x.net),
                    "total": str(x.total),
                    "qty": x.qty,
                }
                for x in r.rows
            ],
        }
        if not args.by:
            return ToolResult(text, data=data)
        rows = [[x.label, str(x.orders), amount(x.net), amount(x.total)] for x in r.rows]
        text += "\n" + "\n".join(f"- {x.label}: net {rs(x.net)}, total {rs(x.total)}" for x in r.rows[:15])
        return ToolResult(
            text, Table([args.by.capitalize(), "Orders", "Net", "Total"], rows, f"Sales by {args.by}"), data
        )


def _against(ctx, args, start, end, regions, customer, where, total) -> str:
    """The same sales over the span before, and the growth, in words."""
    p_start, p_end = previous_span(start, end or ctx.clock.today())
    before = sales(ctx.session, ctx.actor, p_start, p_end, regions=regions, customer=customer, where=where).total
    growth = (
        "no sales then to compare with"
        if not before
        else f"{'up' if total >= before else 'down'} {abs((total - before) * 100 / before):.1f}%"
    )
    said = f"Against {p_start} to {p_end}: total {rs(before)} with tax ({growth})."
    month_end = p_start.replace(day=1) + timedelta(days=32)
    whole_end = month_end.replace(day=1) - timedelta(days=1)
    if p_start.day == 1 and p_end < whole_end and (end or ctx.clock.today()) >= ctx.clock.today():
        # this month so far against the same days: the whole of the month before said too
        whole = sales(ctx.session, ctx.actor, p_start, whole_end, regions=regions, customer=customer, where=where)
        said += f" All of {p_start:%B %Y}: total {rs(whole.total)} with tax."
    return said


class OrderSummary(Tool):
    name = "order_summary"
    args_model = schemas.OrderSummary
    permission = "orders.view"
    description = "Count and value of orders by status for a period."

    def _run(self, ctx: ToolContext, args: schemas.OrderSummary) -> ToolResult:
        customer, regions, start, end, about, when = _filters(ctx, args)
        r = order_summary(ctx.session, ctx.actor, start, end, customer=customer, regions=regions)
        rows = [[words(k), str(v)] for k, v in sorted(r.by_status.items())]
        text = (
            f"Orders{about}, {when}: {plural(r.count, 'order')} worth {rs(r.total)}"
            + (": " + ", ".join(f"{v} {k}" for k, v in rows) if rows else "")
            + "."
        )
        return ToolResult(
            text,
            Table(["Status", "Orders"], rows, "Orders by status") if rows else None,
            {"count": r.count, "total": str(r.total), "by_status": r.by_status},
        )
