"""Distributor performance: for each distributor (a customer of type distributor) in the actor's
scope, its own purchases and its retailers' sales (every customer whose distributor it is) over a
period, and the growth against the span before it (`core.spans.previous_span`: 1–20 Nov against
1–20 Oct, a month against the month before, other spans against as many days just before),
summed in the database.

Sales are what the sales reports count (orders confirmed, dispatched or delivered, by order date in
the business's time zone), net of tax, and only the orders the actor may see (`order_scope`)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .access import Actor, visible_customer_codes
from .errors import InvalidInput
from .lookup import resolve_customer, resolve_region
from .orders import SALES_STATUSES, order_scope
from .parties import region_children, subtree
from .report_sql import among, day_start, month_to_date, percent, title
from .reports import require_sales
from .spans import previous_span
from .tables.orders import Order
from .tables.parties import Customer
from .tabular import Column, Table
from .types import money, money_sum

ZERO = Decimal("0")


@dataclass(frozen=True)
class DistributorFilters:
    start: date | None = None
    end: date | None = None
    region: str | None = None  # distributors in this region or under it
    distributor: str | None = None


@dataclass
class _Sums:
    own: Decimal = ZERO
    retailers: Decimal = ZERO
    buyers: int = 0  # retailers that bought in the period
    previous: Decimal = ZERO


def growth_pct(now: Decimal, before: Decimal) -> Decimal | None:
    """(now − before) / before as a percentage, 2 places half-up; None when there was nothing before."""
    return percent(now - before, before)


def distributor_performance(session: Session, actor: Actor, today: date, f: DistributorFilters) -> Table:
    """One row per distributor in scope (zeros where nothing sold), by code. The period is whole
    days, by default the month to today, compared with `previous_span`'s."""
    require_sales(actor)
    start, end = month_to_date(today, f.start, f.end)
    if start > end:
        raise InvalidInput(f"The period starts ({start}) after it ends ({end}).")
    before = previous_span(start, end)
    distributors, words = _distributors(session, actor, f)
    sums = {code: _Sums() for code in distributors}
    if distributors:
        _add_sales(session, actor, start, end, before, sums)
    rows = [_row(code, name, sums[code]) for code, name in sorted(distributors.items())]
    whole = _Sums(
        sum((s.own for s in sums.values()), ZERO),
        sum((s.retailers for s in sums.values()), ZERO),
        sum(s.buyers for s in sums.values()),
        sum((s.previous for s in sums.values()), ZERO),
    )
    totals = _row(None, "Total", whole)
    columns = (
        Column("distributor", "Distributor"),
        Column("name", "Name"),
        Column("own", "Own purchases (net)", "money"),
        Column("retailers", "Retailers' sales (net)", "money"),
        Column("buying_retailers", "Retailers buying", "int"),
        Column("total", "Total (net)", "money"),
        Column("previous", f"{before[0]} to {before[1]} (net)", "money"),
        Column("growth", "Growth", "percent"),
    )
    words_ = title("Distributor performance", start, end, words) + f", against {before[0]} to {before[1]}"
    return Table("distributor-performance", words_, columns, rows, totals, start, end)


def _row(code: str | None, name: str, s: _Sums) -> tuple[Any, ...]:
    now = s.own + s.retailers
    return (
        code,
        name,
        money(s.own),
        money(s.retailers),
        s.buyers,
        money(now),
        money(s.previous),
        growth_pct(now, s.previous),
    )


def _distributors(session: Session, actor: Actor, f: DistributorFilters) -> tuple[dict[str, str], list[str]]:
    """code -> name of the distributors in scope and the filters, and the filters in words."""
    q = select(Customer.code, Customer.name).where(col(Customer.type) == "distributor")
    codes = visible_customer_codes(session, actor)
    if codes is not None:
        q = q.where(among(col(Customer.code), codes, "distributor_scope"))
    words: list[str] = []
    if f.region:
        r = resolve_region(session, f.region)
        q = q.where(col(Customer.region).in_(subtree(region_children(session), [r.code])))
        words.append(f"distributors in {r.name}")
    if f.distributor:
        d = resolve_customer(session, actor, f.distributor)  # out of scope reads like unknown
        if d.type != "distributor":
            raise InvalidInput(f"{d.name} ({d.code}) is not a distributor.")
        q = q.where(col(Customer.code) == d.code)
        words.append(d.name)
    return dict(session.execute(q).tuples().all()), words


def _add_sales(
    session: Session, actor: Actor, start: date, end: date, before: tuple[date, date], sums: dict[str, _Sums]
) -> None:
    """One GROUP BY over the orders of both periods: by distributor (the customer itself when it is
    one, else its distributor), own or a retailer's, and this period or the one before (which may
    end well before this one starts: 1-20 Oct against 1-20 Nov)."""
    is_own = col(Customer.type) == "distributor"
    key: Any = sa.case((is_own, col(Customer.code)), else_=col(Customer.distributor))
    own = sa.case((is_own, 1), else_=0)
    now = col(Order.created_at) >= day_start(start)
    current = sa.case((now, 1), else_=0)
    conds = order_scope(session, actor, statuses=list(SALES_STATUSES), start=before[0], end=end)
    conds.append(sa.or_(now, col(Order.created_at) < day_start(before[1] + timedelta(days=1))))
    stmt = (
        sa.select(
            key,
            own,
            current,
            sa.func.count(sa.distinct(col(Order.customer))),
            money_sum(col(Order.total)),
            money_sum(col(Order.tax)),
        )
        .select_from(Order)
        .join(Customer, col(Customer.code) == col(Order.customer))
        .where(*conds, among(key, sums, "distributors"))
        .group_by(key, own, current)
    )
    for code, is_own_, is_current, buyers, total, tax in session.execute(stmt):
        s = sums[code]
        net = (total or ZERO) - (tax or ZERO)
        if not is_current:
            s.previous += net
        elif is_own_:
            s.own += net
        else:
            s.retailers, s.buyers = s.retailers + net, int(buyers)
