"""Reports scoped and filtered in SQL (the actor's scope and the region, beat, rep, distributor and
brand filters as conditions, not lists of codes) count exactly what the rules say: for every
user of the sample world and of a generated one, each figure equals a reference computed here in
Python from the rows, with the scope read customer by customer (`customer_in_scope`)."""

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core.access import customer_in_scope, load_actor, visible_customer_codes
from core.catalogue import split_list
from core.clock import Clock
from core.db import make_engine
from core.errors import DomainError
from core.invoices import list_invoices, overdue_by
from core.orders import SALES_STATUSES
from core.parties import region_children, subtree
from core.reports import inactive_customers, sales
from core.sales_filters import build_filter
from core.tables.billing import Invoice
from core.tables.catalogue import Brand, Product, Sku
from core.tables.field import Beat
from core.tables.orders import Order, OrderLine
from core.tables.parties import Customer, User
from core.world import import_world
from evals.worldgen import generate_world
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Kolkata")
TODAY = date(2026, 11, 20)
PERIODS = [(None, None), (date(2026, 10, 1), date(2026, 11, 15))]
DIMENSIONS = [None, "customer", "region", "sku", "brand", "month"]


@pytest.fixture(scope="module")
def generated(databases, tmp_path_factory):
    """A generated world (every role, beats, distributors, a year of orders, invoices of every age)."""
    directory = tmp_path_factory.mktemp("scope_world")
    generate_world(directory, skus=60, customers=240, history_lines=2500, seed=7, today=TODAY)

    def fill(engine):
        import_world(engine, directory, clock=Clock(TZ, NOW))

    engine = make_engine(databases.template(f"generated_{uuid.uuid4().hex[:6]}", fill))  # once per module using it
    yield engine
    engine.dispose()


class Reference:
    """The world's rows, read once, and the figures the rules give, computed in Python."""

    def __init__(self, s: Session):
        self.customers = {c.code: c for c in s.exec(select(Customer))}
        self.children = region_children(s)
        self.beats = {b.code: b for b in s.exec(select(Beat))}
        self.users = {u.id: u for u in s.exec(select(User))}
        products = {p.code: p for p in s.exec(select(Product))}
        self.brand_of = {
            k.code: products[k.product].brand if k.product in products else None for k in s.exec(select(Sku))
        }
        self.brand_children: dict[str | None, list[str]] = defaultdict(list)
        for b in s.exec(select(Brand)):
            self.brand_children[b.parent].append(b.code)
        self.orders = [o for o in s.exec(select(Order)) if o.status in SALES_STATUSES]
        self.lines: dict[str, list[OrderLine]] = defaultdict(list)
        for ln in s.exec(select(OrderLine)):
            self.lines[ln.order_no].append(ln)
        self.invoices = list(s.exec(select(Invoice)))

    def visible(self, s: Session, actor) -> set[str]:
        return {c for c, row in self.customers.items() if customer_in_scope(s, actor, row)}

    def sales(self, customers: set[str], skus: set[str] | None, start, end, by) -> dict:
        """{key: (orders, total)} and the overall ("*") of the sold orders of `customers`."""
        lined = skus is not None or by in ("sku", "brand")
        out: dict = defaultdict(lambda: [set(), Decimal(0)])
        for o in self.orders:
            day = o.created_at.astimezone(TZ).date()
            if o.customer not in customers or (start and day < start) or (end and day > end):
                continue
            parts = (
                [(ln.sku, ln.line_total) for ln in self.lines[o.order_no] if skus is None or ln.sku in skus]
                if lined
                else [(None, o.total)]
            )
            for sku, amount in parts:
                keys = ["*"]
                if by == "customer":
                    keys.append(o.customer)
                elif by == "region" and o.customer in self.customers:
                    keys.append(self.customers[o.customer].region)
                elif by == "sku":
                    keys.append(sku)
                elif by == "brand":
                    keys.append(self.brand_of.get(sku) or "-" if sku in self.brand_of else sku)
                elif by == "month":
                    keys.append(day.strftime("%Y-%m"))
                for k in keys:
                    out[k][0].add(o.order_no)
                    out[k][1] += amount
        return {k: (len(v[0]), v[1].quantize(Decimal("0.01"))) for k, v in out.items()}

    def filters(self) -> list[tuple[dict, set[str] | None, set[str] | None]]:
        """Filters as a person names them, with the customers and SKUs each one means."""
        regions = sorted(self.children.get(None, []))
        leaf = next(c.region for c in sorted(self.customers.values(), key=lambda c: c.code))
        beat = sorted(self.beats.values(), key=lambda b: b.code)[0]
        rep = next(u for u in sorted(self.users.values(), key=lambda u: u.id) if u.role == "sales_rep")
        dist = next(c for c in sorted(self.customers.values(), key=lambda c: c.code) if c.type == "distributor")
        brand = sorted(self.brand_children[None])[0]
        in_region = lambda codes: {c for c, row in self.customers.items() if row.region in codes}  # noqa: E731
        rep_regions = subtree(self.children, split_list(rep.regions))
        rep_beats = {c for b in self.beats.values() if b.sales_rep == rep.id for c in split_list(b.customers)}
        brands = subtree(self.brand_children, [brand])
        branded = {k for k, b in self.brand_of.items() if b in brands}
        out = [
            ({}, None, None),
            ({"region": regions[0]}, in_region(subtree(self.children, [regions[0]])), None),
            ({"region": leaf}, in_region(subtree(self.children, [leaf])), None),
            ({"beat": beat.code}, set(split_list(beat.customers)), None),
            ({"sales_rep": rep.id}, in_region(rep_regions) | rep_beats, None),
            (
                {"distributor": dist.code},
                {c for c, row in self.customers.items() if row.distributor == dist.code} | {dist.code},
                None,
            ),
            ({"brand": brand}, None, branded),
            ({"region": regions[-1], "brand": brand}, in_region(subtree(self.children, [regions[-1]])), branded),
        ]
        return out


def _actors(s: Session, ref: Reference) -> list[str]:
    """Two users of each role (all of them in a small world)."""
    seen: dict[str, list[str]] = defaultdict(list)
    for u in sorted(ref.users.values(), key=lambda u: u.id):
        if len(seen[u.role]) < 2:
            seen[u.role].append(u.id)
    return [u for ids in seen.values() for u in ids]


@pytest.mark.parametrize("world", ["sample", "generated"])
def test_sql_scope_and_filters_count_what_the_rules_say(world, request):
    engine = request.getfixturevalue(world)
    checked = 0
    with Session(engine) as s:
        ref = Reference(s)
        for user in _actors(s, ref):
            actor = load_actor(s, user)
            visible = ref.visible(s, actor)
            assert visible_customer_codes(s, actor) == (None if actor.is_admin else visible), user
            if actor.role == "warehouse":
                continue  # no sales reports
            for named, customers, skus in ref.filters():
                try:
                    where = build_filter(s, actor, **named)
                except DomainError:
                    continue  # a name out of the actor's scope: refused (tests/test_sales_insights.py)
                counted = visible & customers if customers is not None else visible
                for start, end in PERIODS:
                    for by in DIMENSIONS:
                        r = sales(s, actor, start, end, by=by, where=where)
                        want = ref.sales(counted, skus, start, end, by)
                        overall = want.pop("*", (0, Decimal("0.00")))
                        assert (r.orders, r.total) == overall, (user, named, start, by)
                        assert {x.key: (x.orders, x.total) for x in r.rows} == want, (user, named, start, by)
                        checked += 1
                invoices = list_invoices(s, actor, TODAY, where=where)
                assert sorted(v.invoice_no for v in invoices) == sorted(
                    i.invoice_no for i in ref.invoices if i.customer in counted
                ), (user, named)
                late = overdue_by(s, actor, TODAY, 1, where=where)
                assert {o.customer for o in late} <= counted
                idle = inactive_customers(s, actor, TODAY, 30, where=where)
                assert {c.code for c in idle} <= counted
    assert checked > (200 if world == "generated" else 50)
