"""The `orders` report: orders counted and valued by status or by day (business time zone), checked
against Python over the order rows, with every filter, the actor's scope, sorting and limits."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from core.db import transaction
from core.errors import InvalidInput
from core.tables.orders import Order
from core.types import money
from report_helpers import (
    D_BLR_CUSTOMERS,
    REP_1_CUSTOMERS,
    REP_2_CUSTOMERS,
    TN_CUSTOMERS,
    TZ,
    dec,
    local_day,
    report,
    rows_of,
    same_refusal,
)

EXTRA = (  # order, customer, warehouse, status, local time, total, tax
    ("X-1", "R-104", "WH-BLR", "confirmed", datetime(2026, 11, 19, 23, 50, tzinfo=TZ), "1000.00", "100.00"),
    ("X-2", "R-105", "WH-CHN", "pending_approval", datetime(2026, 11, 20, 0, 10, tzinfo=TZ), "500.50", "0.50"),
    ("X-3", "D-BLR", "WH-BLR", "rejected", datetime(2026, 11, 20, 9, 0, tzinfo=TZ), "2000.00", "200.00"),
    ("X-4", "R-106", "WH-CHN", "dispatched", datetime(2026, 11, 1, 0, 0, tzinfo=TZ), "300.00", "0.00"),
    ("X-5", "R-101", "WH-BLR", "delivered", datetime(2026, 10, 31, 23, 59, 59, tzinfo=TZ), "700.25", "0.25"),
)


def _world(engine):
    """The sample's eight orders and five more: two either side of a local midnight that is the
    same UTC day, a distributor's own, one shipped from another city's warehouse."""
    with transaction(engine) as s:
        for no, cust, wh, status, when, total, tax in EXTRA:
            s.add(
                Order(
                    order_no=no,
                    customer=cust,
                    warehouse=wh,
                    status=status,
                    created_at=when,
                    gross=Decimal(total),
                    tax=Decimal(tax),
                    total=Decimal(total),
                )
            )


def _orders(engine) -> list:
    return rows_of(
        engine,
        "SELECT o.order_no, o.customer, o.warehouse, o.status, o.created_at, o.total, c.type, c.distributor,"
        " c.region FROM orders o JOIN customer c ON c.code = o.customer",
    )


def _expected(engine, keep=lambda o: True, by="status") -> dict:
    """{status or local day: (orders, value)} over the orders `keep` accepts, in Python."""
    out: dict = {}
    for o in _orders(engine):
        if keep(o):
            k = o.status if by == "status" else local_day(o.created_at)
            n, v = out.get(k, (0, Decimal(0)))
            out[k] = (n + 1, v + dec(o.total))
    return {k: (n, money(v)) for k, (n, v) in out.items()}


def _got(result) -> dict:
    return {r[0]: (r[1], r[2]) for r in result["rows"]}


def test_by_status_and_by_day_match_python(sample, clock):
    _world(sample)
    by_status = report(sample, "U-ADM", clock, "orders")
    assert by_status["columns"] == ["status", "orders", "total"]
    assert _got(by_status) == _expected(sample)
    assert [r[0] for r in by_status["rows"]] == sorted(r[0] for r in by_status["rows"])
    n, v = len(_orders(sample)), money(sum(dec(o.total) for o in _orders(sample)))
    assert by_status["totals"] == (None, n, v) and n == 13
    by_day = report(sample, "U-ADM", clock, "orders", by="day")
    assert by_day["kinds"][0] == "date"
    assert _got(by_day) == _expected(sample, by="day")
    # are the same UTC day (19 Nov) but two local days
    assert _got(by_day)[date(2026, 11, 19)][0] == 1 and date(2026, 11, 20) in _got(by_day)
    assert by_day["totals"] == (None, n, v)


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({"status": "open"}, lambda o: o.status in ("pending_approval", "confirmed", "dispatched")),
        ({"status": "delivered, cancelled"}, lambda o: o.status in ("delivered", "cancelled")),
        ({"customer_type": "modern trade"}, lambda o: o.type == "modern_trade"),
        ({"distributor": "D-BLR"}, lambda o: o.customer in D_BLR_CUSTOMERS),
        ({"distributor": "Chennai Traders"}, lambda o: o.customer in TN_CUSTOMERS),
        ({"sales_rep": "U-REP-2"}, lambda o: o.customer in REP_2_CUSTOMERS),
        ({"sales_rep": "Ravi Kumar"}, lambda o: o.customer in REP_1_CUSTOMERS),
        ({"warehouse": "WH-CHN"}, lambda o: o.warehouse == "WH-CHN"),
        ({"region": "BLR"}, lambda o: o.region in ("BLR", "BLR-N", "BLR-S")),
        ({"region": "Karnataka"}, lambda o: o.region in ("KA", "BLR", "BLR-N", "BLR-S", "MYS")),
        ({"customer": "R-101"}, lambda o: o.customer == "R-101"),
        (
            {"start": date(2026, 11, 1), "end": date(2026, 11, 19)},
            lambda o: date(2026, 11, 1) <= local_day(o.created_at) <= date(2026, 11, 19),
        ),
        (
            {"distributor": "D-BLR", "status": "confirmed", "customer_type": "retailer", "warehouse": "WH-BLR"},
            lambda o: (
                o.customer in D_BLR_CUSTOMERS
                and o.status == "confirmed"
                and o.type == "retailer"
                and o.warehouse == "WH-BLR"
            ),
        ),
    ],
)
def test_each_filter_narrows(sample, clock, filters, keep):
    _world(sample)
    for by in ("status", "day"):
        got = report(sample, "U-ADM", clock, "orders", by=by, **filters)
        want = _expected(sample, keep, by)
        assert _got(got) == want
        assert want, "each filter keeps some orders"
        assert len(want) < len(_expected(sample, by=by)) or sum(n for n, _ in want.values()) < 13


def test_titles_say_the_period_and_filters(sample, clock):
    t = report(
        sample,
        "U-ADM",
        clock,
        "orders",
        by="day",
        start=date(2026, 11, 1),
        end=date(2026, 11, 19),
        distributor="D-BLR",
        status="confirmed",
        warehouse="WH-BLR",
    )["title"]
    assert t.startswith("Orders by day, 2026-11-01 to 2026-11-19, for ")
    for words in ("customers of Sri Lakshmi Distributors", "status confirmed", "Bengaluru Central Warehouse"):
        assert words in t


@pytest.mark.parametrize(
    ("user", "keep"),
    [
        ("U-RET-101", lambda o: o.customer == "R-101"),
        ("U-DIST-BLR", lambda o: o.customer in D_BLR_CUSTOMERS),
        ("U-REP-1", lambda o: o.customer in REP_1_CUSTOMERS),
        ("U-MGR-TN", lambda o: o.customer in TN_CUSTOMERS),
        ("U-WH-1", lambda o: o.warehouse == "WH-BLR"),  # warehouse staff: the orders of their warehouses
    ],
)
def test_each_actor_sees_only_their_scope(sample, clock, user, keep):
    _world(sample)
    assert _got(report(sample, user, clock, "orders")) == _expected(sample, keep)
    assert _got(report(sample, user, clock, "orders", by="day")) == _expected(sample, keep, "day")


def test_out_of_scope_reads_like_nonexistent(sample, clock):
    same_refusal(sample, "U-RET-101", clock, "orders", "customer", "R-102", "R-999")
    same_refusal(sample, "U-RET-101", clock, "orders", "distributor", "D-BLR", "D-NOPE")
    same_refusal(sample, "U-MGR-TN", clock, "orders", "distributor", "D-BLR", "D-NOPE")
    same_refusal(sample, "U-MGR-TN", clock, "orders", "warehouse", "WH-BLR", "WH-NOPE")
    same_refusal(sample, "U-MGR-TN", clock, "orders", "sales_rep", "U-REP-1", "U-NOBODY-77")
    same_refusal(sample, "U-REP-1", clock, "orders", "sales_rep", "U-REP-2", "U-NOBODY-77")


def test_sort_and_limit(sample, clock):
    _world(sample)
    want = _expected(sample)
    top = report(sample, "U-ADM", clock, "orders", sort="-total", limit=2)
    assert [r[0] for r in top["rows"]] == sorted(want, key=lambda k: -want[k][1])[:2]
    assert top["totals"][1] == 13  # totals are the whole report's, not the first rows'
    days = _expected(sample, by="day")
    last = report(sample, "U-ADM", clock, "orders", by="day", sort="-day", limit=3)
    assert [r[0] for r in last["rows"]] == sorted(days, reverse=True)[:3]
    fewest = report(sample, "U-ADM", clock, "orders", sort="orders", limit=1)
    assert fewest["rows"][0][1] == min(n for n, _ in want.values())


def test_bad_words_are_refused(sample, clock):
    for q in ({"by": "week"}, {"status": "shipped"}, {"customer_type": "wholesaler"}):
        with pytest.raises(InvalidInput):
            report(sample, "U-ADM", clock, "orders", **q)
