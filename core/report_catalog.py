"""The named reports (`GET /api/v1/reports/{name}`, exports, the dashboard): each reads a
`ReportQuery` and returns a `core.tabular.Table`, scoped to the actor by the service it calls."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from .access import Actor
from .clock import Clock
from .errors import InvalidInput, NotFound
from .lookup import region_and_below
from .payments import AGE_BUCKETS, outstanding_report
from .reports import DIMENSIONS, MORE_DIMENSIONS, order_summary, sales
from .sales_filters import build_filter
from .tables.parties import Customer
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


def _outstanding(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    where = build_filter(
        session, actor, customer=q.customer, region=q.region, sales_rep=q.sales_rep, distributor=q.distributor
    )
    conds = list(where.customer_where)
    if q.customer_type:
        kinds = set(session.exec(select(Customer.type).distinct()).all())
        if q.customer_type not in kinds:
            raise InvalidInput(f"customer_type: one of {', '.join(sorted(kinds))}, not '{q.customer_type}'.")
        conds.append(col(Customer.type) == q.customer_type)
    report = outstanding_report(session, actor, clock, customer_where=conds)
    buckets = tuple(
        Column(key, title, "money")
        for _, (key, title) in zip(
            AGE_BUCKETS,  # their order
            [
                ("not_due", "Not yet due"),
                ("days_1_30", "1-30 days"),
                ("days_31_60", "31-60 days"),
                ("days_61_90", "61-90 days"),
                ("days_90_plus", "Over 90 days"),
            ],
            strict=True,
        )
    )
    cols = (
        Column("customer", "Customer"),
        Column("name", "Name"),
        Column("credit_limit", "Credit limit", "money"),
        Column("outstanding", "Outstanding", "money"),
        Column("invoiced_unpaid", "Invoiced, unpaid", "money"),
        *buckets,
        Column("overdue", "Overdue", "money"),
    )
    rows = [
        (r.customer, r.name, r.credit_limit, r.outstanding, r.invoiced_unpaid, *r.buckets.values(), r.overdue)
        for r in report  # buckets in AGE_BUCKETS' order
    ]
    money_columns = list(zip(*rows, strict=True))[3:] if rows else [()] * (len(cols) - 3)
    totals = (None, "Total", None, *(sum(c, Decimal("0.00")) for c in money_columns))
    title = "Outstanding and ageing" + where.about + (f", {q.customer_type} customers" if q.customer_type else "")
    return _sorted(Table("outstanding", title, cols, rows, totals), q)


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
        ReportSpec(
            "outstanding",
            "What each customer owes, with unpaid invoices by age",
            _outstanding,
            frozenset({"customer", "region", "sales_rep", "distributor", "customer_type"}),
        ),
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
