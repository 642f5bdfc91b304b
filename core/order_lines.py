"""Every order line in the actor's scope in a period: the `order-lines` report, the raw lines
behind the sales figures for an export. The lines are streamed from the database in batches
(`yield_per`: a server-side cursor on PostgreSQL), never held as a list, in a stable order."""

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from .access import Actor
from .errors import InvalidInput
from .lookup import region_and_below, resolve_customer
from .orders import ORDER_STATUSES, STATUS_WORDS, order_scope, statuses_meant
from .report_sql import title
from .sales_filters import build_filter
from .settings import business_tz
from .tables.catalogue import Sku
from .tables.orders import Order, OrderLine
from .tables.parties import Customer
from .tabular import Column, Table
from .types import money_sum

BATCH = 2000  # rows fetched from the database at a time

COLUMNS = (
    Column("order_no", "Order no"),
    Column("date", "Date", "date"),
    Column("customer", "Customer"),
    Column("customer_name", "Customer name"),
    Column("status", "Status"),
    Column("sku", "SKU"),
    Column("sku_name", "SKU name"),
    Column("qty", "Qty (base units)", "quantity"),
    Column("free_qty", "Free qty", "quantity"),
    Column("unit_price", "Unit price", "money"),
    Column("discount", "Discount", "money"),
    Column("net", "Net", "money"),
    Column("tax", "Tax", "money"),
    Column("total", "Total", "money"),
)
FILTERS = frozenset({"start", "end", "customer", "region", "status", "sku"})
MONEY_KEYS = {"unit_price": OrderLine.unit_price, "discount": OrderLine.discount, "tax": OrderLine.tax}


class LineQuery(Protocol):
    """What the report reads of a `core.report_catalog.ReportQuery`."""

    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...
    @property
    def customer(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def sku(self) -> str | None: ...
    @property
    def sort(self) -> str | None: ...
    @property
    def limit(self) -> int | None: ...


def _statuses(word: str | None) -> list[str] | None:
    if not word or not word.strip():
        return None
    w = word.strip().casefold()
    if w not in STATUS_WORDS and w not in ORDER_STATUSES:
        raise InvalidInput(
            f"status: no order status '{word.strip()}'; use one of: {', '.join([*ORDER_STATUSES, *STATUS_WORDS])}."
        )
    return statuses_meant(w)


def _sort_keys(session: Session, sort: str | None) -> list[Any]:
    """The ORDER BY: the column asked for (if any), then creation time, order number and line,
    so the order is the same on every run and every page of the file."""
    stable: list[Any] = [col(Order.created_at), col(Order.order_no), col(OrderLine.line_no), col(OrderLine.id)]
    if not sort:
        return stable
    key = sort.strip().lstrip("-")
    money = session.get_bind().dialect.name != "postgresql"  # SQLite holds money as text: sort it as a number

    def number(c: Any) -> Any:
        return sa.cast(c, sa.Float) if money else c

    exprs: dict[str, Any] = {
        "order_no": col(Order.order_no),
        "date": col(Order.created_at),
        "customer": col(Order.customer),
        "customer_name": col(Customer.name),
        "status": col(Order.status),
        "sku": col(OrderLine.sku),
        "sku_name": col(Sku.name),
        "qty": col(OrderLine.qty),
        "free_qty": col(OrderLine.free_qty),
        "net": number(col(OrderLine.line_total)) - number(col(OrderLine.tax)),
        "total": number(col(OrderLine.line_total)),
        **{k: number(col(v)) for k, v in MONEY_KEYS.items()},
    }
    if key not in exprs:
        raise InvalidInput(
            f"sort: no column '{key}' in this report (its columns: {', '.join(c.key for c in COLUMNS)})."
        )
    first = exprs[key].desc() if sort.strip().startswith("-") else exprs[key].asc()
    return [first, *stable]


def order_lines(
    session: Session,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    *,
    customer: str | None = None,
    region: str | None = None,
    status: str | None = None,
    sku: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
) -> Table:
    """The lines of the orders the actor may see (`core.orders.order_scope`: the same scope and
    period as the order list), narrowed by customer, region, status and SKU (codes or names).
    Every refusal (permission, scope, a bad filter) is raised here, before any row is read; the
    rows are then a generator over an open result, so the session must stay open while they are
    read. The totals are summed in the database when first read (a CSV never reads them)."""
    words: list[str] = []
    code = None
    if customer and customer.strip():
        c = resolve_customer(session, actor, customer)
        code = c.code
        words.append(c.name)
    regions = region_and_below(session, region) if region and region.strip() else None
    if regions is not None and region:
        words.append(f"in {region.strip()}")
    statuses = _statuses(status)
    if statuses is not None and status:
        words.append(f"status {status.strip().casefold()}")
    conds = order_scope(session, actor, statuses=statuses, customer=code, regions=regions, start=start, end=end)
    if sku and sku.strip():
        f = build_filter(session, actor, product=sku)
        conds += f.skus_of(col(OrderLine.sku))
        words.extend(f.words)
    if limit is not None and limit < 1:
        raise InvalidInput("limit must be 1 or more.")
    lines = (
        sa.select(
            col(Order.order_no),
            col(Order.created_at),
            col(Order.customer),
            col(Customer.name),
            col(Order.status),
            col(OrderLine.sku),
            col(Sku.name),
            col(OrderLine.qty),
            col(OrderLine.free_qty),
            col(OrderLine.unit_price),
            col(OrderLine.discount),
            col(OrderLine.line_total),
            col(OrderLine.tax),
        )
        .select_from(Order)
        .join(OrderLine, col(OrderLine.order_no) == col(Order.order_no))
        .outerjoin(Customer, col(Customer.code) == col(Order.customer))
        .outerjoin(Sku, col(Sku.code) == col(OrderLine.sku))
        .where(*conds)
        .order_by(*_sort_keys(session, sort))
    )
    if limit is not None:
        lines = lines.limit(limit)
    result = session.execute(lines, execution_options={"yield_per": BATCH})
    heading = title("Order lines", start, end, words)
    totals = LineTotals(session, lines, limited=limit is not None)
    return Table("order-lines", heading, COLUMNS, _rows(result), totals, start, end)


def _rows(result: sa.Result[*tuple[Any, ...]]) -> Iterator[Sequence[Any]]:
    tz = business_tz()
    try:
        for no, at, cust, cname, status, sku, sname, qty, free, price, discount, total, tax in result:
            yield (
                no,
                at.astimezone(tz).date(),
                cust,
                cname if cname is not None else cust,
                status,
                sku,
                sname if sname is not None else sku,
                qty,
                free,
                price,
                discount,
                total - tax,
                tax,
                total,
            )
    finally:
        result.close()


class LineTotals(Sequence[Any]):
    """The totals row of the lines a query selects, summed in the database on first use (while
    the session is open): quantities, discount, net, tax and total."""

    def __init__(self, session: Session, lines: sa.Select[*tuple[Any, ...]], limited: bool):
        self._session, self._lines, self._limited = session, lines, limited
        self._row: tuple[Any, ...] | None = None

    def _get(self) -> tuple[Any, ...]:
        if self._row is None:
            # the lines shown: with a limit, the first N in the report's order; else the order is moot
            sub = (self._lines if self._limited else self._lines.order_by(None)).subquery()
            qty, free, discount, total, tax = self._session.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(sub.c.qty), 0),
                    sa.func.coalesce(sa.func.sum(sub.c.free_qty), 0),
                    money_sum(sub.c.discount),
                    money_sum(sub.c.line_total),
                    money_sum(sub.c.tax),
                )
            ).one()
            zero = Decimal("0.00")
            discount, total, tax = discount or zero, total or zero, tax or zero
            sums = (int(qty), int(free), None, discount, total - tax, tax, total)
            self._row = ("Total", None, None, None, None, None, None, *sums)
        return self._row

    def __len__(self) -> int:
        return len(COLUMNS)

    def __getitem__(self, i: Any) -> Any:
        return self._get()[i]


def order_lines_report(session: Session, actor: Actor, clock: object, q: LineQuery) -> Table:
    """`order_lines` as the report catalogue runs it."""
    return order_lines(
        session,
        actor,
        q.start,
        q.end,
        customer=q.customer,
        region=q.region,
        status=q.status,
        sku=q.sku,
        sort=q.sort,
        limit=q.limit,
    )
