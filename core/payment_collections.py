"""Payment collection: the payments of the customers in the actor's scope over a period, counted
and summed in the database by day, week or month (of the payment date), by method, by collector
(the user who recorded it) or by customer."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .access import Actor, customer_scope
from .errors import InvalidInput
from .lookup import resolve_region
from .parties import region_children, subtree
from .report_filters import customer_type as read_type
from .report_filters import payment_method
from .report_sql import GRAINS, date_period, period_label, sorted_rows, title
from .sales_filters import build_filter
from .tables.billing import Payment
from .tables.parties import Customer, User
from .tabular import Column, Table
from .types import money, money_sum

COLLECTION_GROUPS = (*GRAINS, "method", "collector", "customer")
NOT_RECORDED = "-"  # a payment without a method or a recording user (imported)
ZERO = Decimal("0")


@dataclass(frozen=True)
class CollectionFilters:
    """What narrows the payments, as given (codes or names; None = not given)."""

    start: date | None = None
    end: date | None = None
    customer: str | None = None
    region: str | None = None  # with everything under it
    sales_rep: str | None = None  # the rep's customers
    distributor: str | None = None  # the distributor and its customers
    customer_type: str | None = None
    method: str | None = None


def collections(
    session: Session,
    actor: Actor,
    f: CollectionFilters,
    by: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
) -> Table:
    """Payments and their amount per period (default: month), method, collector or customer. A
    customer, rep or distributor out of scope reads like one that does not exist."""
    actor.require("payments.view", "see payments")
    by = (by or "month").strip().casefold()
    if by not in COLLECTION_GROUPS:
        raise InvalidInput(f"Collections can be grouped by {', '.join(COLLECTION_GROUPS)}, not {by!r}.")
    conds, words = _conditions(session, actor, f)
    key, name, base = _group(session, by)
    count = sa.func.count()
    stmt = base.add_columns(key, name, count, money_sum(col(Payment.amount))).where(*conds).group_by(key, name)
    # in SQL: the key and the count; not the amount (SQLite sums money as text) nor the name (a
    # period's or method's name is written here, so the database would order it otherwise)
    sortable = {by: key, "payments": count}
    rows = [
        (_key(k, by), _name(k, nm, by), int(n), money(a or ZERO))
        for k, nm, n, a in sorted_rows(session, stmt, sort, limit, sortable, [key])
    ]
    n, total = session.execute(sa.select(sa.func.count(), money_sum(col(Payment.amount))).where(*conds)).one()
    columns = (
        Column(by, by.capitalize(), "date" if by in GRAINS else "text"),
        Column("name", "Name"),
        Column("payments", "Payments", "int"),
        Column("total", "Collected", "money"),  # "total" as in sales: top N sorts by it
    )
    return Table(
        "collections",
        title(f"Collections by {by}", f.start, f.end, words),
        columns,
        rows,
        (None, "Total", int(n), money(total or ZERO)),
        f.start,
        f.end,
    )


def _group(session: Session, by: str) -> tuple[Any, Any, sa.Select[*tuple[Any, ...]]]:
    """The grouping key, the name read with it, and the statement with what they need joined."""
    base = sa.select().select_from(Payment)
    if by in GRAINS:
        first = date_period(session, col(Payment.paid_on), by)
        return first, first, base
    if by == "method":
        method = sa.func.coalesce(col(Payment.method), NOT_RECORDED)
        return method, method, base
    if by == "collector":
        who = sa.func.coalesce(col(Payment.recorded_by), NOT_RECORDED)
        return who, col(User.name), base.outerjoin(User, col(User.id) == col(Payment.recorded_by))
    return (
        col(Payment.customer),
        col(Customer.name),
        base.outerjoin(Customer, col(Customer.code) == col(Payment.customer)),
    )


def _key(key: Any, by: str) -> Any:
    if by in GRAINS and not isinstance(key, date):
        return date.fromisoformat(str(key))
    return key


def _name(key: Any, name: Any, by: str) -> str:
    if by in GRAINS:
        return period_label(_key(key, by), by)[1]
    if key == NOT_RECORDED:
        return "not recorded"
    if by == "method":
        return str(key).replace("_", " ")
    return str(name) if name is not None else str(key)


def _conditions(session: Session, actor: Actor, f: CollectionFilters) -> tuple[list[sa.ColumnElement[bool]], list[str]]:
    conds: list[sa.ColumnElement[bool]] = []
    scope = customer_scope(session, actor)  # a subquery, not a list of the scope's codes
    if scope is not None:
        conds.append(col(Payment.customer).in_(select(Customer.code).where(scope)))
    words: list[str] = []
    if f.region:
        r = resolve_region(session, f.region)
        inside = select(Customer.code).where(col(Customer.region).in_(subtree(region_children(session), [r.code])))
        conds.append(col(Payment.customer).in_(inside))
        words.append(f"customers in {r.name}")
    where = build_filter(session, actor, customer=f.customer, sales_rep=f.sales_rep, distributor=f.distributor)
    conds += where.customers_of(col(Payment.customer))
    words += where.words
    if f.customer_type:
        t = read_type(session, f.customer_type)
        conds.append(col(Payment.customer).in_(select(Customer.code).where(col(Customer.type) == t)))
        words.append(f"customer type {t}")
    if f.method:
        method = payment_method(f.method)
        conds.append(col(Payment.method) == method)
        words.append(f"paid by {method.replace('_', ' ')}")
    if f.start is not None:
        conds.append(col(Payment.paid_on) >= f.start)
    if f.end is not None:
        conds.append(col(Payment.paid_on) <= f.end)
    return conds, words
