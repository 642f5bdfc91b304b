"""The outstanding report summed in SQL (core.payments.outstanding_report) gives what the
Python it replaced gave, row for row: for every user of the sample world and of a generated one
(invoices of every age, part payments), with filters, after orders change, and with amounts of
more than two places left on an invoice (rounded per invoice, as before)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.access import Actor, customer_in_scope, load_actor
from core.billing import OUTSTANDING_STATUSES
from core.db import transaction
from core.orders import cancel_order, dispatch_order
from core.payments import AGE_BUCKETS, Outstanding, ageing_bucket, import_day, outstanding_report, record_payment
from core.report_catalog import ReportQuery, run_report
from core.tables.billing import Invoice, Payment
from core.tables.orders import Order
from core.tables.parties import Customer
from core.types import money
from tests.test_report_scope import generated  # noqa: F401  (the fixture)


def reference(s: Session, actor: Actor, clock, among: set[str] | None = None) -> list[Outstanding]:
    """outstanding_report as it was: every row read into Python, summed per customer."""
    customers = sorted((c for c in s.exec(select(Customer)) if customer_in_scope(s, actor, c)), key=lambda c: c.code)
    invoices, totals, payments = defaultdict(list), defaultdict(list), defaultdict(list)
    for inv in s.exec(select(Invoice)):
        invoices[inv.customer].append(inv)
    for o in s.exec(select(Order).where(col(Order.status).in_(OUTSTANDING_STATUSES))):
        totals[o.customer].append(o.total)
    for p in s.exec(select(Payment)):
        payments[p.customer].append(p.amount)
    today = clock.today()
    opened = import_day(s) or today
    rows = []
    for c in customers:
        if among is not None and c.code not in among:
            continue
        opening_left = money(c.opening_balance - c.opening_paid)
        buckets = {b: Decimal("0.00") for b in AGE_BUCKETS}
        if opening_left > 0:
            buckets[ageing_bucket(opened, today)] += opening_left
        unpaid = opening_left
        for inv in invoices[c.code]:
            left = money(inv.amount - inv.paid)
            if left > 0:
                buckets[ageing_bucket(inv.due_date, today)] += left
                unpaid += left
        overdue = sum((v for k, v in buckets.items() if k != "not_due"), Decimal("0.00"))
        owed = money(c.opening_balance + sum(totals[c.code], Decimal(0)) - sum(payments[c.code], Decimal(0)))
        if owed != 0 or unpaid != 0:
            rows.append(Outstanding(c.code, c.name, c.credit_limit, owed, money(unpaid), buckets, money(overdue)))
    return rows


def _users(s: Session) -> list[str]:
    seen: dict[str, list[str]] = defaultdict(list)
    for uid, role in s.execute(sa.text('SELECT id, role FROM "user" ORDER BY id')):
        if len(seen[role]) < 2 and role != "warehouse":  # warehouse staff see no balances
            seen[role].append(uid)
    return [u for ids in seen.values() for u in ids]


def _same_for_everyone(engine, clock) -> list[Outstanding]:
    with Session(engine) as s:
        for user in _users(s):
            actor = load_actor(s, user)
            assert outstanding_report(s, actor, clock) == reference(s, actor, clock), user
        admin = load_actor(s, _users(s)[0])
        return outstanding_report(s, admin, clock)


@pytest.mark.parametrize("world", ["sample", "generated"])
def test_outstanding_in_sql_equals_the_python_it_replaced(world, request, clock):
    engine = request.getfixturevalue(world)
    rows = _same_for_everyone(engine, clock)
    if world == "generated":  # invoices of every age, some part paid, some paid off
        for b in AGE_BUCKETS:
            assert any(r.buckets[b] for r in rows), b
        assert len(rows) > 100


def test_filters_and_changes_and_odd_amounts(sample, clock):
    with Session(sample) as s:
        admin = load_actor(s, "U-ADM")
        ka = {c.code for c in s.exec(select(Customer)) if c.region.startswith("BLR") or c.region == "MYS"}
        by_region = outstanding_report(s, admin, clock, customer_where=[col(Customer.code).in_(sorted(ka))])
        assert by_region == reference(s, admin, clock, among=ka)
        one = reference(s, admin, clock)[0].customer
        assert outstanding_report(s, admin, clock, one, customer_where=[sa.true()]) == reference(
            s, admin, clock, among={one}
        )
    # orders change: dispatched (an invoice), cancelled, paid in part
    with transaction(sample) as s:
        admin = load_actor(s, "U-ADM")
        confirmed = s.exec(select(Order).where(Order.status == "confirmed").order_by(Order.order_no)).all()
        dispatch_order(s, admin, clock, confirmed[0].order_no)
        if len(confirmed) > 1:
            cancel_order(s, admin, clock, confirmed[1].order_no)
        record_payment(s, admin, clock, confirmed[0].customer, "1234.5", "cash")
    _same_for_everyone(sample, clock)
    # amounts of four places: what is left is rounded per invoice (0.005 -> 0.01, 0.0049 -> nothing)
    with transaction(sample) as s:
        invoices = s.exec(select(Invoice).order_by(Invoice.invoice_no)).all()
        assert len(invoices) >= 4
        invoices[0].paid = invoices[0].amount - Decimal("0.005")
        invoices[1].paid = invoices[1].amount - Decimal("0.0049")
        s.add_all(invoices[:2])
    _same_for_everyone(sample, clock)
    # due dates on every edge of the ageing buckets (0, 1, 30, 31, 60, 61, 90, 91 days past due)
    for days in (0, 1, 30, 31, 60, 61, 90, 91, -3):
        with transaction(sample) as s:
            for inv in s.exec(select(Invoice).order_by(Invoice.invoice_no)).all()[:4]:
                inv.due_date = clock.today() - timedelta(days=days)
                inv.paid = Decimal("0")
                s.add(inv)
        rows = _same_for_everyone(sample, clock)
        assert any(r.buckets[ageing_bucket(clock.today() - timedelta(days=days), clock.today())] for r in rows)


def test_outstanding_in_the_catalogue(sample, clock):
    with Session(sample) as s:
        admin = load_actor(s, "U-ADM")
        table = run_report(s, admin, clock, "outstanding", ReportQuery(sort="-outstanding", limit=3))
        keys = [c.key for c in table.columns]
        assert keys[:5] == ["customer", "name", "credit_limit", "outstanding", "invoiced_unpaid"]
        assert keys[-1] == "overdue"
        everyone = outstanding_report(s, admin, clock)
        top = sorted(everyone, key=lambda r: r.outstanding, reverse=True)[:3]
        assert [r[0] for r in table.rows] == [r.customer for r in top]
        i = keys.index("outstanding")
        assert table.totals[i] == sum((r.outstanding for r in everyone), Decimal(0))
        # filters: a region, a type; a manager sees their own only
        kar = run_report(s, admin, clock, "outstanding", ReportQuery(region="Karnataka"))
        assert {r[0] for r in kar.rows} == {r.customer for r in everyone if r.customer in _in_karnataka(s)}
        kinds = {c.code: c.type for c in s.exec(select(Customer))}
        retail = run_report(s, admin, clock, "outstanding", ReportQuery(customer_type="retailer"))
        assert {r[0] for r in retail.rows} == {r.customer for r in everyone if kinds[r.customer] == "retailer"}
        mgr = load_actor(s, "U-MGR-KA")
        mine = run_report(s, mgr, clock, "outstanding", ReportQuery())
        assert {r[0] for r in mine.rows} == {r.customer for r in outstanding_report(s, mgr, clock)}


def _in_karnataka(s: Session) -> set[str]:
    return {c.code for c in s.exec(select(Customer)) if c.region in {"KA", "BLR", "BLR-N", "BLR-S", "MYS"}}
