"""The `distributor-performance` report: each distributor's own purchases and its retailers' sales
(net) over a period and the growth on the span before (1-20 Nov against 1-20 Oct, October against
September, other spans against as many days just before), checked against Python over the order
rows, with the filters, each actor's scope, sorting and limits."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from core.db import transaction
from core.errors import InvalidInput, NotAllowed
from core.tables.orders import Order
from core.tables.parties import User
from core.types import money
from report_helpers import TZ, dec, local_day, pct, report, rows_of, same_refusal

SOLD = ("confirmed", "dispatched", "delivered")
EXTRA = (  # order, customer, status, local time, total, tax
    ("P-1", "D-BLR", "confirmed", datetime(2026, 11, 5, 12, 0, tzinfo=TZ), "11800.00", "1800.00"),
    ("P-2", "D-BLR", "delivered", datetime(2026, 10, 20, 12, 0, tzinfo=TZ), "5900.00", "900.00"),
    ("P-3", "D-BLR", "cancelled", datetime(2026, 11, 6, 12, 0, tzinfo=TZ), "999.00", "0.00"),
    ("P-4", "R-106", "confirmed", datetime(2026, 11, 1, 0, 5, tzinfo=TZ), "1000.00", "0.00"),
    ("P-5", "R-105", "delivered", datetime(2026, 10, 20, 23, 55, tzinfo=TZ), "2000.00", "100.00"),
    ("P-6", "R-105", "confirmed", datetime(2026, 9, 30, 23, 0, tzinfo=TZ), "4000.00", "0.00"),
    ("P-9", "R-105", "confirmed", datetime(2026, 10, 21, 0, 5, tzinfo=TZ), "8000.00", "0.00"),
    ("P-7", "R-101", "pending_approval", datetime(2026, 11, 10, 12, 0, tzinfo=TZ), "777.00", "0.00"),
    ("P-8", "D-CHN", "dispatched", datetime(2026, 11, 19, 23, 59, tzinfo=TZ), "300.00", "0.00"),
)


def _world(engine):
    with transaction(engine) as s:
        for no, cust, status, when, total, tax in EXTRA:
            s.add(
                Order(
                    order_no=no,
                    customer=cust,
                    warehouse="WH-BLR",
                    status=status,
                    created_at=when,
                    gross=Decimal(total),
                    tax=Decimal(tax),
                    total=Decimal(total),
                )
            )


MTD = (date(2026, 11, 1), date(2026, 11, 20))  # the default period, the month to the clock's day
MTD_BEFORE = (date(2026, 10, 1), date(2026, 10, 20))


def _expected(engine, start, end, before, keep=lambda code: True, sees=lambda customer: True) -> dict:
    """{distributor: (own, retailers, buying retailers, total, previous, growth)} by hand, against
    the span `before`."""
    customers = {c.code: c for c in rows_of(engine, "SELECT code, type, distributor FROM customer")}
    acc = {
        code: [Decimal(0), Decimal(0), set(), Decimal(0)]
        for code, c in customers.items()
        if c.type == "distributor" and keep(code) and sees(code)
    }
    for o in rows_of(engine, "SELECT customer, status, created_at, total, tax FROM orders"):
        c = customers[o.customer]
        owner = c.code if c.type == "distributor" else c.distributor
        if o.status not in SOLD or owner not in acc or not sees(o.customer):
            continue
        net, day = dec(o.total) - dec(o.tax), local_day(o.created_at)
        if start <= day <= end:
            if c.type == "distributor":
                acc[owner][0] += net
            else:
                acc[owner][1] += net
                acc[owner][2].add(o.customer)
        elif before[0] <= day <= before[1]:
            acc[owner][3] += net
    return {
        code: (money(own), money(ret), len(buyers), money(own + ret), money(prev), pct(own + ret - prev, prev))
        for code, (own, ret, buyers, prev) in acc.items()
    }


def _got(result) -> dict:
    return {r[0]: tuple(r[2:]) for r in result["rows"]}


@pytest.mark.parametrize(
    ("start", "end", "before"),
    [
        (None, None, MTD_BEFORE),
        (date(2026, 11, 6), date(2026, 11, 19), (date(2026, 10, 23), date(2026, 11, 5))),
        (date(2026, 10, 1), date(2026, 10, 31), (date(2026, 9, 1), date(2026, 9, 30))),
    ],
)
def test_matches_python(sample, clock, start, end, before):
    _world(sample)
    q = {k: v for k, v in (("start", start), ("end", end)) if v}
    got = report(sample, "U-ADM", clock, "distributor-performance", **q)
    s, e = start or MTD[0], end or MTD[1]
    want = _expected(sample, s, e, before)
    assert got["columns"] == [
        "distributor",
        "name",
        "own",
        "retailers",
        "buying_retailers",
        "total",
        "previous",
        "growth",
    ]
    assert _got(got) == want and set(want) == {"D-BLR", "D-CHN"}
    own, ret, buyers, total, prev = (sum(v[i] for v in want.values()) for i in range(5))
    assert got["totals"] == (None, "Total", own, ret, buyers, total, prev, pct(total - prev, prev))
    assert got["title"] == f"Distributor performance, {s} to {e}, against {before[0]} to {before[1]}"


def test_month_to_date_by_hand(sample, clock):
    """1-20 Nov against 1-20 Oct. D-BLR: own P-1 10000.00; retailers SO-0904 4560.00, SO-0905
    3120.00, SO-0908 5400.00, P-4 1000.00 (R-106, five minutes into the period) = 14080.00 from 4
    retailers; before: SO-0901 4800.00, SO-0902 7632.00, SO-0903 46032.00, P-2 5000.00 = 63464.00.
    D-CHN: own P-8 300.00 (a minute before midnight); retailers SO-0906 10080.00; before: P-5
    1900.00 (five minutes before the span ends; P-9, between the spans, and P-6 count in neither)."""
    _world(sample)
    got = _got(report(sample, "U-ADM", clock, "distributor-performance"))
    d = Decimal
    assert got["D-BLR"] == (d("10000.00"), d("14080.00"), 4, d("24080.00"), d("63464.00"), d("-62.06"))
    assert got["D-CHN"] == (d("300.00"), d("10080.00"), 1, d("10380.00"), d("1900.00"), d("446.32"))


@pytest.mark.parametrize(
    ("user", "distributors"),
    [
        ("U-DIST-BLR", {"D-BLR"}),
        ("U-MGR-TN", {"D-CHN"}),
        ("U-MGR-KA", {"D-BLR"}),
        ("U-REP-1", set()),
        ("U-RET-101", set()),
    ],
)
def test_each_actor_sees_their_distributors(sample, clock, user, distributors):
    _world(sample)
    got = report(sample, user, clock, "distributor-performance")
    assert _got(got) == _expected(sample, *MTD, MTD_BEFORE, lambda c: c in distributors)


def test_retailers_outside_the_scope_are_not_counted(sample, clock):
    """A manager of Bengaluru sees D-BLR but not its Mysuru retailer R-103 (SO-0904, 4560.00)."""
    _world(sample)
    with transaction(sample) as s:
        s.add(User(id="U-MGR-BLR", name="Bengaluru manager", role="manager", regions="BLR"))
    bengaluru = {c.code for c in rows_of(sample, "SELECT code FROM customer WHERE region IN ('BLR', 'BLR-N', 'BLR-S')")}
    got = _got(report(sample, "U-MGR-BLR", clock, "distributor-performance"))
    assert got == _expected(sample, *MTD, MTD_BEFORE, sees=lambda c: c in bengaluru)
    assert got["D-BLR"][1] == Decimal("14080.00") - Decimal("4560.00") and got["D-BLR"][2] == 3


def test_filters_and_refusals(sample, clock):
    _world(sample)
    period = (*MTD, MTD_BEFORE)
    assert _got(report(sample, "U-ADM", clock, "distributor-performance", region="TN")) == _expected(
        sample, *period, lambda c: c == "D-CHN"
    )
    assert _got(report(sample, "U-ADM", clock, "distributor-performance", region="BLR-N")) == {}
    named = report(sample, "U-ADM", clock, "distributor-performance", distributor="Sri Lakshmi Distributors")
    assert _got(named) == _expected(sample, *period, lambda c: c == "D-BLR")
    assert "Sri Lakshmi Distributors" in named["title"]
    with pytest.raises(InvalidInput, match="not a distributor"):
        report(sample, "U-ADM", clock, "distributor-performance", distributor="R-101")
    with pytest.raises(InvalidInput):
        report(sample, "U-ADM", clock, "distributor-performance", start=date(2026, 11, 5), end=date(2026, 11, 4))
    with pytest.raises(NotAllowed):
        report(sample, "U-WH-1", clock, "distributor-performance")
    same_refusal(sample, "U-MGR-TN", clock, "distributor-performance", "distributor", "D-BLR", "D-NOPE")


def test_sort_and_limit(sample, clock):
    _world(sample)
    want = _expected(sample, *MTD, MTD_BEFORE)
    best = report(sample, "U-ADM", clock, "distributor-performance", sort="-growth", limit=1)
    assert [r[0] for r in best["rows"]] == [max(want, key=lambda k: want[k][5])] == ["D-CHN"]
    smallest = report(sample, "U-ADM", clock, "distributor-performance", sort="total", limit=1)
    assert smallest["rows"][0][0] == min(want, key=lambda k: want[k][3])
    assert best["totals"][5] == sum(v[3] for v in want.values())
