"""Sales insight tools: rankings (best and worst sellers, biggest customers), trends over time
and customers who have stopped ordering; the filters they share with the sales report."""

from core.reports import inactive_customers, sales_ranking, sales_trend
from core.sales_filters import SalesFilter, build_filter

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult, parse_period, period_words
from .format import amount, day, plural, rs

FILTER_FIELDS = ("customer", "region", "beat", "sales_rep", "distributor", "brand", "category", "product")


def sales_filter(ctx, args) -> SalesFilter:
    """The filters the user named (any of FILTER_FIELDS the argument model has), resolved in scope."""
    return build_filter(ctx.session, ctx.actor, **{f: getattr(args, f, None) for f in FILTER_FIELDS})


DIMENSION_WORDS = {
    "sku": "SKUs",
    "product": "products",
    "brand": "brands",
    "category": "categories",
    "customer": "customers",
    "region": "regions",
    "area": "areas",
    "city": "cities",
    "district": "districts",
    "state": "states",
}


COLUMN = {"sku": "SKU"}


class SalesRanking(Tool):
    name = "sales_ranking"
    args_model = schemas.SalesRanking
    permission = "orders.view"
    description = (
        "Top or bottom N customers, SKUs, products, brands, categories or regions by sales value or "
        "quantity over a period (best/worst sellers, biggest customers)."
    )

    def _run(self, ctx: ToolContext, args: schemas.SalesRanking) -> ToolResult:
        where = sales_filter(ctx, args)
        start, end = parse_period(args.period)
        r = sales_ranking(ctx.session, ctx.actor, start, end, args.by, args.measure, args.direction, args.n, where)
        what = DIMENSION_WORDS.get(args.by, args.by + "s")
        when = period_words(start, end, args.period.label if args.period else None)
        one = what[:-3] + "y" if what.endswith("ies") else what.rstrip("s")  # "Top brand", not "Top 1 brands"
        head = (
            ("Top" if args.direction == "top" else "Bottom")
            + (f" {one} by " if args.n == 1 else f" {args.n} {what} by ")
            + ("quantity (base units)" if args.measure == "quantity" else "sales value (net, before tax)")
            + f"{where.about}, {when}"
        )
        data = {
            "by": args.by,
            "measure": args.measure,
            "direction": args.direction,
            "start": str(start or ""),
            "end": str(end or ""),
            "ranked": r.candidates,
            "rows": [
                {
                    "rank": x.rank,
                    "key": x.key,
                    "label": x.label,
                    "orders": x.orders,
                    "qty": x.qty,
                    "net": str(x.net),
                    "total": str(x.total),
                }
                for x in r.rows
            ],
        }
        if not r.rows:
            return ToolResult(f"{head}: no sales.", data=data)
        qty = any(x.qty is not None for x in r.rows)

        def line(x):
            figure = f"{x.qty} units" if args.measure == "quantity" else f"net {rs(x.net)}"
            extra = f", net {rs(x.net)}" if args.measure == "quantity" else (f", {x.qty} units" if qty else "")
            return f"{x.rank}. {x.label} ({x.key}): {figure}{extra}, {plural(x.orders, 'order')}"

        text = f"{head}:\n" + "\n".join(line(x) for x in r.rows)
        columns = (
            ["#", COLUMN.get(args.by, args.by.capitalize()), "Code", "Orders"]
            + (["Qty"] if qty else [])
            + ["Net", "Total"]
        )
        rows = [
            [str(x.rank), x.label, x.key, str(x.orders)]
            + ([str(x.qty)] if qty else [])
            + [amount(x.net), amount(x.total)]
            for x in r.rows
        ]
        return ToolResult(text, Table(columns, rows, head), data)


class SalesTrend(Tool):
    name = "sales_trend"
    args_model = schemas.SalesTrend
    permission = "orders.view"
    description = "Sales over time: one point per day, week or month over a period, with filters."

    def _run(self, ctx: ToolContext, args: schemas.SalesTrend) -> ToolResult:
        where = sales_filter(ctx, args)
        start, end = parse_period(args.period)
        t = sales_trend(ctx.session, ctx.actor, ctx.clock.today(), args.grain, start, end, where)
        label = args.period.label if args.period else None
        head = f"Sales by {args.grain}{where.about}, {period_words(t.start, t.end, label)}"
        qty = any(p.qty is not None for p in t.points)
        data = {
            "grain": t.grain,
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
            "orders": t.orders,
            "net": str(t.net),
            "total": str(t.total),
            "points": [
                {
                    "key": p.key,
                    "label": p.label,
                    "orders": p.orders,
                    "net": str(p.net),
                    "total": str(p.total),
                    "qty": p.qty,
                }
                for p in t.points
            ],
        }
        text = f"{head}: {plural(t.orders, 'order')}, net {rs(t.net)}, total {rs(t.total)} with tax."
        shown = t.points if len(t.points) <= 14 else [p for p in t.points if p.orders]
        if shown:
            text += "\n" + "\n".join(
                f"- {p.label}: net {rs(p.net)}"
                + (f", {p.qty} units" if qty else "")
                + f" ({plural(p.orders, 'order')})"
                for p in shown[-14:]
            )
            if len(shown) > 14 or len(shown) < len(t.points):
                text += "\nEvery period is in the table."
        columns = ["Period", "Orders"] + (["Qty"] if qty else []) + ["Net", "Total"]
        rows = [
            [p.label, str(p.orders)] + ([str(p.qty)] if qty else []) + [amount(p.net), amount(p.total)]
            for p in t.points
        ]
        return ToolResult(text, Table(columns, rows, head), data)


class InactiveCustomers(Tool):
    name = "inactive_customers"
    args_model = schemas.InactiveCustomers
    permission = "orders.view"
    description = "Customers who have not ordered in N days, with their last order date."

    def _run(self, ctx: ToolContext, args: schemas.InactiveCustomers) -> ToolResult:
        where = sales_filter(ctx, args)
        rows_ = inactive_customers(ctx.session, ctx.actor, ctx.clock.today(), args.days, where)
        head = f"Customers with no order in the last {plural(args.days, 'day')}{where.about}"
        data = {
            "days": args.days,
            "customers": [
                {
                    "customer": c.code,
                    "name": c.name,
                    "last_order_no": c.last_order_no,
                    "last_order_on": c.last_order_on.isoformat() if c.last_order_on else None,
                    "days_since": c.days_since,
                }
                for c in rows_
            ],
        }
        if not rows_:
            return ToolResult(
                f"Every customer you can see{where.about} has ordered in the last {plural(args.days, 'day')}.",
                data=data,
            )

        def last(c):
            return (
                f"last order {c.last_order_no} on {day(c.last_order_on)} ({plural(c.days_since, 'day')} ago)"
                if c.last_order_on
                else "never ordered"
            )

        text = f"{head}: {len(rows_)}\n" + "\n".join(
            f"- {c.name} ({c.code}, {c.region_name}): {last(c)}"
            + (f", status {c.status}" if c.status != "active" else "")
            for c in rows_[:20]
        )
        if len(rows_) > 20:
            text += f"\n… and {len(rows_) - 20} more in the table."
        rows = [
            [
                c.code,
                c.name,
                c.region_name,
                c.last_order_no or "-",
                day(c.last_order_on),
                "-" if c.days_since is None else str(c.days_since),
                c.status,
            ]
            for c in rows_
        ]
        return ToolResult(
            text, Table(["Code", "Customer", "Region", "Last order", "Date", "Days since", "Status"], rows, head), data
        )
