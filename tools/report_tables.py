"""Any report of the catalogue (core.report_catalog) in chat: the table's first rows and its
totals in words, formatted for people (₹ and lakh grouping); the whole table as the channel's
table."""

from datetime import date
from decimal import Decimal
from typing import Any

from core.errors import InvalidInput
from core.lookup import resolve_customer
from core.report_catalog import ReportQuery, run_report
from core.tabular import Column
from core.tabular import Table as ReportTable

from . import schemas
from .base import Table, Tool, ToolContext, ToolResult, parse_period, period_words
from .format import amount, rs

SHOWN = 15  # rows in the reply's words; the table holds them all


def query_of(args: schemas.CatalogueReport, start: date | None, end: date | None) -> ReportQuery:
    """The catalogue's query for what the user named; a filter the report does not read is the
    core's clear refusal, never silently dropped."""
    if args.beat:
        raise InvalidInput("The named reports are not filtered by beat; ask for sales of the beat instead.")
    return ReportQuery(
        start=start,
        end=end,
        by=args.by or None,
        region=args.region or None,
        customer=args.customer or None,
        customer_type=args.customer_type or None,
        distributor=args.distributor or None,
        brand=args.brand or None,
        category=args.category or None,
        sku=args.product or None,
        warehouse=args.warehouse or None,
        sales_rep=args.sales_rep or None,
        status=args.status or None,
        sort=args.sort or None,
        limit=args.limit,
        days=args.days,
    )


def cell(value: Any, column: Column) -> str:
    if value is None:
        return "-"
    if column.kind == "money":
        return amount(value)
    if column.kind == "percent":
        return f"{Decimal(value):.1f}%"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _said(value: Any, column: Column) -> str:
    return rs(value) if column.kind == "money" and value is not None else cell(value, column)


def _line(columns: tuple[Column, ...], row: list[Any]) -> str:
    """A row in words: its text cells first ("Kaveri Snacks (KAV-SNACKS)"), then each figure
    with its column's title."""
    cells = dict(zip((c.key for c in columns), row, strict=True))
    label = cells.get("name")
    texts = [str(v) for c, v in zip(columns, row, strict=True) if c.kind == "text" and v and c.key != "name"]
    head = ", ".join(texts) if not label else f"{label} ({', '.join(texts)})" if texts else str(label)
    figures = [
        f"{c.title.lower()} {_said(v, c)}"
        for c, v in zip(columns, row, strict=True)
        if c.kind != "text"
        and v is not None
        and not (c.kind == "quantity" and v == 0 and c.key not in ("opening", "closing", "available"))
        and not (c.kind == "date" and c.key in ("day", "week", "month") and head)  # the label says it
    ]
    return ": ".join(x for x in (head, ", ".join(figures)) if x)


class ShowReport(Tool):
    name = "show_report"
    args_model = schemas.CatalogueReport
    permission = "catalogue"  # each report's own permission and scope are the core's (run_report)
    description = (
        "Any named report with filters and sorting: stock summary with value, inventory movement, "
        "collections by period/method/collector, distributor performance with growth, outstanding with "
        "ageing, sales with share of total, orders by status or day, field reports."
    )

    def _run(self, ctx: ToolContext, args: schemas.CatalogueReport) -> ToolResult:
        t, heading = catalogue_table(ctx, args)
        return shaped(t, heading)


def report_name(said: str) -> str:
    """The catalogue's name for a report as a model may write it ("Order lines", "order_lines")."""
    return "-".join(said.strip().casefold().replace("_", " ").replace("-", " ").split()).removesuffix("-report")


def catalogue_table(ctx: ToolContext, args: schemas.CatalogueReport) -> tuple[ReportTable, str]:
    """The report asked for (show_report and export_report alike) and its heading: a report dated by
    the core says its dates in its title, so only the user's words for them are added."""
    start, end = parse_period(args.period)
    if args.customer and args.customer.strip():  # as every chat tool: the name said, read in scope
        args = args.model_copy(update={"customer": resolve_customer(ctx.session, ctx.actor, args.customer).code})
    t = run_report(ctx.session, ctx.actor, ctx.clock, report_name(args.report), query_of(args, start, end))
    label = args.period.label if args.period else None
    said = (f" ({label})" if label else "") if (t.start or t.end) else f", {period_words(start, end, label)}"
    return t, t.title + said


def shaped(t: ReportTable, heading: str) -> ToolResult:
    rows = [list(r) for r in t.rows]
    head = f"{heading}: " + ("no rows." if not rows else f"{len(rows)} row{'s' if len(rows) != 1 else ''}.")
    lines = ["- " + _line(t.columns, r) for r in rows[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(f"… and {len(rows) - SHOWN} more in the table.")
    if t.totals is not None:
        lines.append(
            "Total: "
            + ", ".join(
                f"{c.title} {_said(v, c)}"
                for c, v in zip(t.columns, t.totals, strict=True)
                if v is not None and c.kind != "text"
            )
        )
    table = Table([c.title for c in t.columns], [[cell(v, c) for v, c in zip(r, t.columns, strict=True)] for r in rows])
    table.title = t.title
    data = {
        "report": t.name,
        "columns": [c.key for c in t.columns],
        "rows": [[None if v is None else str(v) for v in r] for r in rows],
    }
    return ToolResult("\n".join([head, *lines]), table if rows else None, data)
