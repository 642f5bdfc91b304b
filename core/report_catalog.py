"""The named reports (`GET /api/v1/reports/{name}`, exports, the dashboard): each reads a
`ReportQuery` and returns a `core.tabular.Table`, scoped to the actor by the service it calls."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from .access import Actor
from .clock import Clock
from .distributor_performance import DistributorFilters, distributor_performance
from .errors import InvalidInput, NotFound
from .field_tables import attendance_table, outlets_not_visited_table, targets_table, visit_compliance_table
from .lookup import resolve_region
from .movement import inventory_movement
from .order_lines import FILTERS as ORDER_LINE_FILTERS
from .order_lines import order_lines_report
from .order_reports import OrderFilters, order_report
from .parties import customer_names, region_children, subtree
from .payment_collections import CollectionFilters, collections
from .payments import AGE_BUCKETS, outstanding_report
from .report_filters import customer_type, customers_of_type
from .report_sql import percent, title
from .reports import DIMENSIONS, MORE_DIMENSIONS, sales
from .sales_filters import build_filter
from .stock_reports import StockFilters, expiring_report, low_stock_report, stock_summary
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
    method: str | None = None  # a payment method (collections)

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
    if q.customer_type:
        t = customer_type(session, q.customer_type)
        where = where.narrowed(customers=customers_of_type(t), words=f"customer type {t}")
    words = list(where.words)
    regions = None
    if q.region:
        region = resolve_region(session, q.region)
        regions = subtree(region_children(session), [region.code])
        words.append(f"customers in {region.name}")
    r = sales(session, actor, q.start, q.end, by=q.by, regions=regions, customer=q.customer, where=where)
    if q.customer:  # in scope: `sales` has checked
        words.append(customer_names(session, [q.customer]).get(q.customer, q.customer))
    cols = (
        Column("key", q.by or "all"),
        Column("name", "Name"),
        Column("orders", "Orders", "int"),
        Column("net", "Net", "money"),
        Column("tax", "Tax", "money"),
        Column("total", "Total", "money"),
        Column("share", "Share of net", "percent"),
    )
    if q.by:
        rows = [(x.key, x.label, x.orders, x.net, x.total - x.net, x.total, percent(x.net, r.net)) for x in r.rows]
    else:
        rows = [("all", "All sales", r.orders, r.net, r.total - r.net, r.total, percent(r.net, r.net))]
    totals = (None, "Total", r.orders, r.net, r.total - r.net, r.total, percent(r.net, r.net))
    what = f"Sales by {q.by}" if q.by else "Sales"
    return _sorted(Table("sales", title(what, q.start, q.end, words), cols, rows, totals, q.start, q.end), q)


def _orders(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    f = OrderFilters(
        q.start, q.end, q.region, q.customer, q.customer_type, q.distributor, q.sales_rep, q.warehouse, q.status
    )
    return _sorted(order_report(session, actor, f, q.by), q)


def _stock_filters(q: ReportQuery) -> StockFilters:
    return StockFilters(q.warehouse, q.sku, q.brand, q.category)


def _stock(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    return _sorted(stock_summary(session, actor, clock.today(), _stock_filters(q), q.sort, q.limit), q)


def _low_stock(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    return _sorted(low_stock_report(session, actor, clock.today(), _stock_filters(q), q.sort, q.limit), q)


def _expiring(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    t = expiring_report(session, actor, clock.today(), _stock_filters(q), q.days, q.sort, q.limit)
    return _sorted(t, q)


def _movement(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    t = inventory_movement(session, actor, clock.today(), _stock_filters(q), q.start, q.end, q.sort, q.limit)
    return _sorted(t, q)


def _collections(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    f = CollectionFilters(q.start, q.end, q.customer, q.region, q.sales_rep, q.distributor, q.customer_type, q.method)
    return _sorted(collections(session, actor, f, q.by, q.sort, q.limit), q)


def _distributors(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    f = DistributorFilters(q.start, q.end, q.region, q.distributor)
    return _sorted(distributor_performance(session, actor, clock.today(), f), q)


def _visit_compliance(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    return _sorted(visit_compliance_table(session, actor, clock, q.start, q.end, q.by, q.sales_rep), q)


def _attendance(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    return _sorted(attendance_table(session, actor, clock, q.start, q.end, q.by, q.sales_rep), q)


def _targets(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    return _sorted(targets_table(session, actor, clock, q.start, q.sales_rep, q.distributor), q)


def _outlets_not_visited(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    return _sorted(outlets_not_visited_table(session, actor, clock, q.days, q.region), q)


MAX_DAYS = 3650  # a window in days, as the tools take it (ten years)
STOCK_FILTERS = frozenset({"warehouse", "sku", "brand", "category"})
PERIOD = frozenset({"start", "end"})


def _outstanding(session: Session, actor: Actor, clock: Clock, q: ReportQuery) -> Table:
    where = build_filter(
        session, actor, customer=q.customer, region=q.region, sales_rep=q.sales_rep, distributor=q.distributor
    )
    if q.customer_type:
        t = customer_type(session, q.customer_type)
        where = where.narrowed(customers=customers_of_type(t), words=f"customer type {t}")
    report = outstanding_report(session, actor, clock, customer_where=where.customer_where)
    buckets = tuple(
        Column(key, heading, "money")
        for _, (key, heading) in zip(
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
    return _sorted(Table("outstanding", "Outstanding and ageing" + where.about, cols, rows, totals), q)


REPORTS: dict[str, ReportSpec] = {
    s.name: s
    for s in (
        ReportSpec(
            "sales",
            "Sales (net and with tax) and each row's share of the net, optionally by a dimension",
            _sales,
            PERIOD
            | {"by", "region", "customer", "customer_type", "distributor", "brand", "category", "sku", "sales_rep"},
        ),
        ReportSpec(
            "orders",
            "Orders and their value by status or by day",
            _orders,
            PERIOD | {"by", "region", "customer", "customer_type", "distributor", "sales_rep", "warehouse", "status"},
        ),
        ReportSpec(
            "stock",
            "Stock by warehouse, SKU and batch with expiry, available, reserved, damaged and value at the list price",
            _stock,
            STOCK_FILTERS,
        ),
        ReportSpec("low-stock", "Stock at or below the reorder level", _low_stock, STOCK_FILTERS),
        ReportSpec(
            "expiring", "Batches expired or expiring within N days (default 30)", _expiring, STOCK_FILTERS | {"days"}
        ),
        ReportSpec(
            "inventory-movement",
            "The stock ledger by kind per warehouse and SKU, with opening and closing stock",
            _movement,
            PERIOD | STOCK_FILTERS,
        ),
        ReportSpec(
            "collections",
            "Payments collected by day, week, month, method, collector or customer",
            _collections,
            PERIOD | {"by", "customer", "region", "sales_rep", "distributor", "customer_type", "method"},
        ),
        ReportSpec(
            "distributor-performance",
            "Each distributor's own purchases and its retailers' sales, with growth on the previous period",
            _distributors,
            PERIOD | {"region", "distributor"},
        ),
        ReportSpec(
            "visit-compliance",
            "Planned, covered and missed visits, productive calls and lines per call, per rep and day or week",
            _visit_compliance,
            PERIOD | {"by", "sales_rep"},
        ),
        ReportSpec(
            "attendance", "Days worked, first check-in and last check-out", _attendance, PERIOD | {"by", "sales_rep"}
        ),
        ReportSpec(
            "targets",
            "Monthly targets of net sales and their achievement (the month of start)",
            _targets,
            frozenset({"start", "sales_rep", "distributor"}),
        ),
        ReportSpec(
            "outlets-not-visited",
            "Outlets nobody visited in the last N days (default 30)",
            _outlets_not_visited,
            frozenset({"days", "region"}),
        ),
        ReportSpec("order-lines", "Every order line in the period", order_lines_report, ORDER_LINE_FILTERS),
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
    if q.days is not None and not 0 <= q.days <= MAX_DAYS:
        raise InvalidInput(f"days must be a whole number from 0 to {MAX_DAYS}.")
    return spec.run(session, actor, clock, q)
