"""The named reports (`GET /api/v1/reports/{name}`, exports, the dashboard): each reads a
`ReportQuery` and returns a `core.tabular.Table`, scoped to the actor by the service it calls."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

from sqlmodel import Session

from .access import Actor
from .clock import Clock
from .errors import InvalidInput, NotFound
from .lookup import region_and_below
from .order_lines import FILTERS as ORDER_LINE_FILTERS
from .order_lines import order_lines_report
from .reports import DIMENSIONS, MORE_DIMENSIONS, order_summary, sales
from .sales_filters import build_filter
from .tabular import Column, Table


@dataclass(frozen=True)
class ReportQuery:
    """Filters and sorting as a caller gives them (codes or names; None = not given)."""

    start: date | None = None
    end: date | None = None
    by: str | None = None
    region: str | None = None
    customer: str | None = None
    customer_type: str | None = None
    distributor: str | None = None
    brand: str | None = None
    category: str | None = None
    sku: str | None = None
    warehouse: str | None = None
    sales_rep: str | None = None
    status: str | None = None
    sort: str | None = None  # a column key; "-key" sorts descending
    limit: int | None = None  # the first N rows after sorting (top N; bottom N with an ascending sort)
    days: int | None = None  # a window in days (expiring within N days, not visited in N days)

    def given(self) -> set[str]:
        return {f.name for f in fields(self) if getattr(self, f.name) is not None}


Runner = Callable[[Session, Actor, Clock, ReportQuery], Table]


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    run: Runner
    filters: frozenset[str]  # the ReportQuery fields it reads (besides sort and limit)


def _sorted(table: Table, q: ReportQuery) -> Table:
    """`sort` and `limit` applied to a table's rows (reports whose rows are few; a report that
    streams many rows sorts and limits in SQL itself and ignores this)."""
    rows = list(table.rows)
    if q.sort:
        key = q.sort.lstrip("-")
        keys = [c.key for c in table.columns]
        if key not in keys:
            raise InvalidInput(f"sort: no column '{key}' in this report (its columns: {', '.join(keys)}).")
        i = keys.index(key)
        present = [r for r in rows if r[i] is not None]
        rows = sorted(present, key=lambda r: r[i], reverse=q.sort.startswith("-")) + [r for r in rows if r[i] is None]
    if q.limit is not None:
        rows = rows[: q.limit]
    table.rows = rows
    return table


def _sales(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    where = build_filter(
        session,
        actor,
        distributor=q.distributor,
        brand=q.brand,
        category=q.category,
        product=q.sku,
        sales_rep=q.sales_rep,
    )
    regions = region_and_below(session, q.region) if q.region else None
    r = sales(session, actor, q.start, q.end, by=q.by, regions=regions, customer=q.customer, where=where)
    cols = (
        Column("key", q.by or "all"),
        Column("name", "Name"),
        Column("orders", "Orders", "int"),
        Column("net", "Net", "money"),
        Column("tax", "Tax", "money"),
        Column("total", "Total", "money"),
    )
    rows = [(x.key, x.label, x.orders, x.net, x.total - x.net, x.total) for x in r.rows] if q.by else []
    totals = (None, "Total", r.orders, r.net, r.total - r.net, r.total)
    if not q.by:
        rows = [("all", "All sales", r.orders, r.net, r.total - r.net, r.total)]
    return _sorted(Table("sales", "Sales" + where.about, cols, rows, totals, q.start, q.end), q)


def _orders(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    regions = region_and_below(session, q.region) if q.region else None
    r = order_summary(session, actor, q.start, q.end, customer=q.customer, regions=regions)
    cols = (Column("status", "Status"), Column("orders", "Orders", "int"))
    rows = [(status, n) for status, n in sorted(r.by_status.items())]
    return _sorted(Table("orders", "Orders by status", cols, rows, (None, r.count), q.start, q.end), q)


REPORTS: dict[str, ReportSpec] = {
    s.name: s
    for s in (
        ReportSpec(
            "sales",
            "Sales (net and with tax), optionally by a dimension",
            _sales,
            frozenset(
                {"start", "end", "by", "region", "customer", "distributor", "brand", "category", "sku", "sales_rep"}
            ),
        ),
        ReportSpec("orders", "Orders by status", _orders, frozenset({"start", "end", "region", "customer"})),
        ReportSpec("order-lines", "Every order line in the period", order_lines_report, ORDER_LINE_FILTERS),
    )
}
SALES_BY = DIMENSIONS + MORE_DIMENSIONS


def run_report(session: Session, actor: Actor, clock: Clock, name: str, q: ReportQuery) -> Table:
    """The report `name` for the actor; a filter the report does not read is refused, not ignored."""
    spec = REPORTS.get(name)
    if spec is None:
        raise NotFound(f"No report named '{name}'. Reports: {', '.join(sorted(REPORTS))}.")
    extra = q.given() - spec.filters - {"sort", "limit"}
    if extra:
        raise InvalidInput(
            f"The {name} report has no filter {', '.join(sorted(extra))}; it reads {', '.join(sorted(spec.filters))}."
        )
    if q.limit is not None and q.limit < 1:
        raise InvalidInput("limit must be 1 or more.")
    return spec.run(session, actor, clock, q)
