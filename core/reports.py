"""Reports as core queries, scoped to the actor: sales (by any dimension, with filters),
rankings, trends, inactive customers and order summaries."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .access import Actor, customer_scope
from .billing import OUTSTANDING_STATUSES
from .errors import InvalidInput
from .orders import order_scope
from .parties import ancestors, reference
from .sales_filters import NO_FILTER, SalesFilter
from .sales_sums import Sums, sales_sums
from .settings import business_tz
from .tables.catalogue import Brand, Category, Product, Sku
from .tables.orders import Order
from .tables.parties import Customer, Region
from .types import money, money_sum, table_of

DIMENSIONS = ("customer", "sku", "product", "brand", "category", "region", "day", "month")
# Sales may also be grouped by week and by any level of the world's region tree (its `level`
# column: area, city, state, district…), named as the world names it.
MORE_DIMENSIONS = ("week",)
LINE_DIMENSIONS = ("sku", "product", "brand", "category")
TIME_DIMENSIONS = ("day", "week", "month")
GRAINS = ("day", "week", "month")
MAX_POINTS = {"day": 400, "week": 270, "month": 120}
ZERO = Decimal("0")


@dataclass(slots=True)  # thousands per report: no __dict__ each
class SalesRow:
    key: str
    label: str
    orders: int
    net: Decimal
    total: Decimal
    qty: int | None = None  # base units sold (free goods apart), where the rows were read by line


@dataclass
class SalesReport:
    start: date | None
    end: date | None
    by: str | None
    orders: int
    net: Decimal
    total: Decimal
    rows: list[SalesRow]
    where: SalesFilter = field(default_factory=SalesFilter)


def _require_sales(actor: Actor) -> None:
    """Sales figures: everyone with reports; sales reps, distributors and retailers for their own
    customers (their scope); not warehouse staff."""
    if actor.role not in ("sales_rep", "distributor", "retailer"):  # those see their own customers' sales
        actor.require("reports", "see sales reports")


require_sales = _require_sales  # the rule, for the other sales reports (core.distributor_performance)


def sales(
    session: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    by: str | None = None,
    regions: set[str] | None = None,
    customer: str | None = None,
    where: SalesFilter | None = None,
) -> SalesReport:
    """Sales (confirmed, dispatched, delivered orders by order date) before tax (net) and with tax,
    optionally grouped `by` a dimension and narrowed by `where` (customers and SKUs). With SKU
    filters only the matching lines count, and `orders` counts the orders holding one."""
    _require_sales(actor)
    where = where or NO_FILTER
    dims = _dimension(session, by) if by is not None else None
    overall, rows = _grouped(
        session,
        actor,
        start,
        end,
        where,
        dims,
        by_line=dims is not None and dims.name in LINE_DIMENSIONS,
        regions=regions,
        customer=customer,
    )
    return SalesReport(
        start,
        end,
        by,
        overall.orders,
        money(overall.net),
        money(overall.total),
        _largest_first(rows),
        where,
    )


def _largest_first(rows: list[SalesRow]) -> list[SalesRow]:
    """By total, largest first, then by key: two stable sorts on attributes (no key tuple per row)."""
    rows.sort(key=attrgetter("key"))
    rows.sort(key=attrgetter("total"), reverse=True)
    return rows


def _grouped(
    session: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    where: SalesFilter,
    dim: "_Dimension | None",
    *,
    by_line: bool,
    regions: set[str] | None = None,
    customer: str | None = None,
) -> tuple[Sums, list[SalesRow]]:
    """Sales summed in the database (`core.sales_sums`), as report rows with their labels. Rows
    carry quantities when lines were summed (a line dimension or SKU filters)."""
    group = None if dim is None else ("region" if dim.name == "level" else dim.name)
    overall, sums = sales_sums(
        session, actor, start, end, where, by_line=by_line, group=group, regions=regions, customer=customer
    )
    if dim is None or not sums:
        return overall, []
    lined = by_line or where.filters_skus
    labeller = _labeller(session, dim) if dim.name not in ("customer", "sku") else None
    if dim.name != "level":  # one key per group: thousands of customers go straight to rows
        rows = []
        for s in sums:
            key, label = (
                labeller(s.key) if labeller else (s.key, s.key if s.label is None else s.label)
            )  # unknown: the code
            rows.append(SalesRow(key, label, s.orders, money(s.net), money(s.total), s.qty if lined else None))
        return overall, rows
    acc: dict[str, Sums] = {}
    labels: dict[str, str] = {}
    for s in sums:  # a level of the region tree folds regions together: each order has one region
        key, label = cast(Callable[[Any], tuple[str, str]], labeller)(s.key)
        labels[key] = label
        if key in acc:
            a = acc[key]
            a.orders, a.net, a.total, a.qty = a.orders + s.orders, a.net + s.net, a.total + s.total, a.qty + s.qty
        else:
            acc[key] = Sums(key, s.orders, s.net, s.total, s.qty)
    return overall, [
        SalesRow(k, labels[k], v.orders, money(v.net), money(v.total), v.qty if lined else None) for k, v in acc.items()
    ]


@dataclass(frozen=True)
class _Dimension:
    name: str
    level: str | None = None  # a level of the region tree


def _levels(session: Session) -> dict[str, str]:
    """The region tree's levels, folded -> as written."""
    return {lv.casefold(): lv for lv in session.exec(select(Region.level).distinct()).all() if lv}


def _dimension(session: Session, by: str) -> _Dimension:
    word = (by or "").strip().casefold()
    levels = _levels(session)
    if word in levels:
        return _Dimension("level", levels[word])
    if word in DIMENSIONS or word in MORE_DIMENSIONS:
        return _Dimension(word)
    choices = [*DIMENSIONS, *MORE_DIMENSIONS, *sorted(levels.values())]
    raise InvalidInput(f"Sales cannot be grouped by {by!r}; choose one of: " + ", ".join(choices) + ".")


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _period_key(d: date, grain: str) -> tuple[str, str]:
    if grain == "day":
        return d.isoformat(), d.isoformat()
    if grain == "week":
        monday = _week_start(d)
        return monday.isoformat(), f"week of {monday.isoformat()}"
    return d.strftime("%Y-%m"), d.strftime("%B %Y")


def _labeller(session: Session, dim: _Dimension) -> Callable[[Any], tuple[str, str]]:
    """A group's raw key (from `sales_sums`) -> (key, label) for a dimension other than customer
    and SKU (whose names come with their sums)."""
    name = dim.name
    if name in TIME_DIMENSIONS:
        return lambda d: _period_key(cast(date, d), name)
    if name in LINE_DIMENSIONS:
        t = {"product": table_of(Product), "brand": table_of(Brand), "category": table_of(Category)}[name]
        names: dict[str, str] = {c: n for c, n in session.execute(sa.select(t.c.code, t.c.name))}
        return lambda k: (k, names.get(k, k))
    names = reference(session).region_names  # cached with the region tree

    def region_name(code: str) -> str:
        return names.get(code, code)

    if name == "region":
        return lambda k: (k, region_name(k))
    level = cast(str, dim.level).casefold()  # the dimension left is a level of the region tree
    at_level = {
        c for c, lv in session.execute(sa.select(col(Region.code), col(Region.level))) if (lv or "").casefold() == level
    }

    def level_key(own: str) -> tuple[str, str]:
        for code in ancestors(session, own):
            if code in at_level:
                return code, region_name(code)
        return own, f"{region_name(own)} (no {dim.level})"  # a customer above that level

    return level_key


# --- rankings ----------------------------------------------------------------------------


@dataclass
class RankRow:
    rank: int
    key: str
    label: str
    orders: int
    qty: int | None
    net: Decimal
    total: Decimal


@dataclass
class Ranking:
    by: str
    measure: str  # value | quantity
    direction: str  # top | bottom
    start: date | None
    end: date | None
    rows: list[RankRow]
    candidates: int  # how many were ranked (zeros included for the bottom)
    where: SalesFilter = field(default_factory=SalesFilter)


def sales_ranking(
    session: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    by: str,
    measure: str = "value",
    direction: str = "top",
    n: int = 5,
    where: SalesFilter | None = None,
) -> Ranking:
    """The top (or bottom) `n` customers, SKUs, products, brands or categories (or regions at any
    level) by sales value (net, before tax) or by quantity (base units sold, free goods apart)
    over a period, in the actor's scope. The bottom of customers and of the catalogue includes
    those that sold nothing (customers in scope and not blocked; SKUs, products, brands and
    categories within the filters), since they are the weakest."""
    _require_sales(actor)
    where = where or NO_FILTER
    if measure not in ("value", "quantity"):
        raise InvalidInput(f"Rank by 'value' or 'quantity', not {measure!r}.")
    if direction not in ("top", "bottom"):
        raise InvalidInput(f"Rank from the 'top' or the 'bottom', not {direction!r}.")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100:
        raise InvalidInput(f"How many to show: a whole number from 1 to 100, not {n!r}.")
    dim = _dimension(session, by)
    if dim.name in TIME_DIMENSIONS:
        raise InvalidInput(
            "A ranking is of customers, SKUs, products, brands, categories or regions; "
            "for sales over time ask for a trend."
        )
    by_line = dim.name in LINE_DIMENSIONS or measure == "quantity"
    rows = {r.key: r for r in _grouped(session, actor, start, end, where, dim, by_line=by_line)[1]}
    if direction == "bottom":
        for key, label in _candidates(session, actor, dim.name, where).items():
            rows.setdefault(key, SalesRow(key, label, 0, money(ZERO), money(ZERO), 0 if by_line else None))
    value = (lambda r: (r.qty or 0, r.net)) if measure == "quantity" else (lambda r: (r.net, r.qty or 0))
    ordered = sorted(
        rows.values(),
        key=lambda r: (value(r), r.key) if direction == "bottom" else (tuple(-x for x in value(r)), r.key),
    )
    picked = [RankRow(i, r.key, r.label, r.orders, r.qty, r.net, r.total) for i, r in enumerate(ordered[:n], 1)]
    return Ranking(by, measure, direction, start, end, picked, len(rows), where)


def _candidates(session: Session, actor: Actor, name: str, where: SalesFilter) -> dict[str, str]:
    """Everything that could have sold, for the bottom of a ranking: key -> label."""
    if name == "customer":
        scope = customer_scope(session, actor)
        q = sa.select(col(Customer.code), col(Customer.name)).where(
            col(Customer.status) != "blocked", *where.customer_where, *([] if scope is None else [scope])
        )
        return {c: nm for c, nm in session.execute(q).all()}
    if name not in LINE_DIMENSIONS:
        return {}
    skus = list(session.exec(select(Sku).where(*where.sku_where)))
    if name == "sku":
        return {s.code: s.name for s in skus}
    products = {p.code: p for p in session.exec(select(Product))}
    if name == "product":
        return {s.product: products[s.product].name for s in skus if s.product in products}
    model = Brand if name == "brand" else Category
    names = dict(session.exec(select(model.code, model.name)).all())
    keys = {getattr(products[s.product], name) for s in skus if s.product in products}
    return {k: names.get(k, k) for k in keys if k}


# --- trends ------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    key: str  # the period's first day (YYYY-MM-DD) or month (YYYY-MM)
    label: str
    start: date
    orders: int
    net: Decimal
    total: Decimal
    qty: int | None = None


@dataclass
class Trend:
    grain: str
    start: date
    end: date
    points: list[TrendPoint]
    orders: int
    net: Decimal
    total: Decimal
    where: SalesFilter = field(default_factory=SalesFilter)


def default_span(grain: str, today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """A trend's period when not (fully) given: ending today (or at `end`), over the last 30 days,
    12 weeks (from a Monday) or 6 months (from the 1st)."""
    end = end or today
    if start is None:
        if grain == "day":
            start = end - timedelta(days=29)
        elif grain == "week":
            start = _week_start(end) - timedelta(weeks=11)
        else:
            y, m = end.year, end.month - 5
            while m < 1:
                y, m = y - 1, m + 12
            start = date(y, m, 1)
    return start, end


def _steps(grain: str, start: date, end: date) -> list[tuple[str, str, date]]:
    out = []
    if grain == "day":
        d = start
        while d <= end:
            out.append((*_period_key(d, "day"), d))
            d += timedelta(days=1)
    elif grain == "week":
        d = _week_start(start)
        while d <= end:
            out.append((*_period_key(d, "week"), d))
            d += timedelta(weeks=1)
    else:
        d = date(start.year, start.month, 1)
        while d <= end:
            out.append((*_period_key(d, "month"), d))
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def sales_trend(
    session: Session,
    actor: Actor,
    today: date,
    grain: str = "month",
    start: date | None = None,
    end: date | None = None,
    where: SalesFilter | None = None,
) -> Trend:
    """Sales per day, week (Monday to Sunday) or month over a period, every period listed (zero
    where nothing sold); the first and last periods may be partial. With SKU filters only the
    matching lines count and quantities (base units) are given."""
    _require_sales(actor)
    where = where or NO_FILTER
    if grain not in GRAINS:
        raise InvalidInput(f"A trend is by day, week or month, not {grain!r}.")
    start, end = default_span(grain, today, start, end)
    if start > end:
        raise InvalidInput(f"The period starts ({start}) after it ends ({end}).")
    steps = _steps(grain, start, end)
    if len(steps) > MAX_POINTS[grain]:
        raise InvalidInput(
            f"That is {len(steps)} {grain}s; please choose a shorter period or a coarser step "
            f"(at most {MAX_POINTS[grain]})."
        )
    overall, grouped = _grouped(session, actor, start, end, where, _Dimension(grain), by_line=False)
    rows = {r.key: r for r in grouped}
    lined = where.filters_skus
    points = [
        TrendPoint(
            key,
            label,
            first,
            rows[key].orders if key in rows else 0,
            rows[key].net if key in rows else money(ZERO),
            rows[key].total if key in rows else money(ZERO),
            (rows[key].qty if key in rows else 0) if lined else None,
        )
        for key, label, first in steps
    ]
    return Trend(
        grain,
        start,
        end,
        points,
        overall.orders,
        money(overall.net),
        money(overall.total),
        where,
    )


# --- inactive customers --------------------------------------------------------------------


@dataclass
class InactiveCustomer:
    code: str
    name: str
    region: str
    region_name: str
    status: str
    last_order_no: str | None
    last_order_on: date | None
    days_since: int | None  # None: never ordered


def inactive_customers(
    session: Session, actor: Actor, today: date, days: int = 30, where: SalesFilter | None = None
) -> list[InactiveCustomer]:
    """Customers in scope who have placed no order in the last `days` days (today and the
    `days - 1` before it), with their last order, oldest first and those who never ordered first.
    An order counts unless it was cancelled or rejected. Blocked customers cannot order and are
    left out, and so is a distributor's own account when a distributor asks."""
    _require_sales(actor)
    actor.require("orders.view", "see orders")
    where = where or NO_FILTER
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise InvalidInput(f"Number of days: a whole number from 1 to 3650, not {days!r}.")
    scope = customer_scope(session, actor)
    q = select(Customer).where(Customer.status != "blocked", *where.customer_where).order_by(Customer.code)
    if scope is not None:
        q = q.where(scope)
    customers = [c for c in session.exec(q) if not (actor.role == "distributor" and c.code == actor.customer)]
    if not customers:
        return []
    last: dict[str, tuple[datetime, str]] = {}
    wanted = [c.code for c in customers]
    for i in range(0, len(wanted), 5000):
        for cust, at, no in session.exec(
            select(Order.customer, Order.created_at, Order.order_no).where(
                col(Order.customer).in_(wanted[i : i + 5000]), col(Order.status).in_(OUTSTANDING_STATUSES)
            )
        ):
            if cust not in last or (at, no) > last[cust]:
                last[cust] = (at, no)
    regions = {r.code: r.name for r in session.exec(select(Region))}
    tz = business_tz()
    out = []
    for c in customers:
        seen = last.get(c.code)
        last_no = seen[1] if seen else None
        on = seen[0].astimezone(tz).date() if seen else None
        since = (today - on).days if on else None
        if since is None or since >= days:
            out.append(
                InactiveCustomer(
                    c.code, c.name, c.region, regions.get(c.region, c.region), c.status, last_no, on, since
                )
            )
    return sorted(out, key=lambda x: (x.last_order_on is not None, x.last_order_on or date.min, x.code))


# --- order summary -----------------------------------------------------------------------


@dataclass
class OrderSummary:
    by_status: dict[str, int]
    count: int
    total: Decimal


def order_summary(
    session: Session,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    customer: str | None = None,
    regions: set[str] | None = None,
) -> OrderSummary:
    """Orders in scope (any status) counted by status, and their value, summed in the database."""
    conds = order_scope(session, actor, customer=customer, regions=regions, start=start, end=end)
    rows = session.execute(
        sa.select(col(Order.status), sa.func.count(), money_sum(col(Order.total)))
        .where(*conds)
        .group_by(col(Order.status))
    ).all()
    by_status = {status: int(n) for status, n, _ in rows}
    return OrderSummary(by_status, sum(by_status.values()), money(sum((t for _, _, t in rows), Decimal(0))))
