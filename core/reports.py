"""Reports as core queries, scoped to the actor: sales and order summaries."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from .access import Actor
from .catalogue import Brand, Category, Product, Sku
from .orders import SALES_STATUSES, Order, OrderLine, list_orders
from .parties import Customer, Region
from .settings import business_tz
from .types import money

DIMENSIONS = ("customer", "sku", "product", "brand", "category", "region", "day", "month")


@dataclass
class SalesRow:
    key: str
    label: str
    orders: int
    net: Decimal
    total: Decimal


@dataclass
class SalesReport:
    start: date | None
    end: date | None
    by: str | None
    orders: int
    net: Decimal
    total: Decimal
    rows: list[SalesRow]


def sales(session: Session, actor: Actor, start: date | None, end: date | None, by: str | None = None,
          regions: set[str] | None = None, customer: str | None = None) -> SalesReport:
    """Sales (confirmed, dispatched, delivered orders by order date) before tax (net) and with tax."""
    if actor.role not in ("sales_rep", "distributor", "retailer"):  # those see their own customers' sales
        actor.require("reports", "see sales reports")
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    orders = list_orders(session, actor, statuses=list(SALES_STATUSES), customer=customer, regions=regions,
                         start=start, end=end, limit=10**9)
    net = money(sum((o.total - o.tax for o in orders), Decimal(0)))
    total = money(sum((o.total for o in orders), Decimal(0)))
    rows: list[SalesRow] = []
    if by:
        rows = _group(session, orders, by)
    return SalesReport(start, end, by, len(orders), net, total, rows)


def _group(session: Session, orders: list[Order], by: str) -> list[SalesRow]:
    acc: dict[str, list] = defaultdict(lambda: [set(), Decimal(0), Decimal(0)])
    labels: dict[str, str] = {}
    if by in ("customer", "region", "day", "month"):
        customers = {c.code: c for c in session.exec(select(Customer).where(
            Customer.code.in_({o.customer for o in orders})))}
        regions = dict(session.exec(select(Region.code, Region.name)).all())
        tz = business_tz()
        for o in orders:
            if by == "customer":
                key, labels[o.customer] = o.customer, customers[o.customer].name
            elif by == "region":
                key = customers[o.customer].region
                labels[key] = regions.get(key, key)
            else:
                d = o.created_at.astimezone(tz).date()
                key = d.isoformat() if by == "day" else d.strftime("%Y-%m")
                labels[key] = key if by == "day" else d.strftime("%B %Y")
            a = acc[key]
            a[0].add(o.order_no)
            a[1] += o.total - o.tax
            a[2] += o.total
    else:
        nos = [o.order_no for o in orders]
        skus = {s.code: s for s in session.exec(select(Sku))}
        products = {p.code: p for p in session.exec(select(Product))}
        names = {"brand": dict(session.exec(select(Brand.code, Brand.name)).all()),
                 "category": dict(session.exec(select(Category.code, Category.name)).all())}
        for line in session.exec(select(OrderLine).where(OrderLine.order_no.in_(nos))):
            sku = skus[line.sku]
            prod = products[sku.product]
            key = {"sku": sku.code, "product": prod.code, "brand": prod.brand, "category": prod.category}[by]
            labels[key] = {"sku": sku.name, "product": prod.name}.get(by) or names[by].get(key, key)
            a = acc[key]
            a[0].add(line.order_no)
            a[1] += line.line_total - line.tax
            a[2] += line.line_total
    rows = [SalesRow(k, labels.get(k, k), len(v[0]), money(v[1]), money(v[2])) for k, v in acc.items()]
    return sorted(rows, key=lambda r: (-r.total, r.key))


@dataclass
class OrderSummary:
    by_status: dict[str, int]
    count: int
    total: Decimal


def order_summary(session: Session, actor: Actor, start: date | None = None, end: date | None = None,
                  customer: str | None = None, regions: set[str] | None = None) -> OrderSummary:
    orders = list_orders(session, actor, customer=customer, regions=regions, start=start, end=end, limit=10**9)
    by_status: dict[str, int] = defaultdict(int)
    for o in orders:
        by_status[o.status] += 1
    return OrderSummary(dict(by_status), len(orders), money(sum((o.total for o in orders), Decimal(0))))
