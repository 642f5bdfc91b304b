"""The `collections` report: payments by day, week, month, method, collector or customer, checked
against Python over the payment rows, with the filters, each actor's customers, sorting, limits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.access import load_actor
from core.db import transaction
from core.errors import InvalidInput, NotAllowed
from core.payments import record_payment
from core.types import money
from report_helpers import (
    D_BLR_CUSTOMERS,
    REP_1_CUSTOMERS,
    REP_2_CUSTOMERS,
    TN_CUSTOMERS,
    dec,
    report,
    rows_of,
    same_refusal,
)

PAID = (  # collector, customer, amount, method, paid on
    ("U-REP-1", "R-101", "1000.00", "cash", date(2026, 11, 16)),
    ("U-REP-1", "R-101", "250.50", "upi", date(2026, 11, 18)),
    ("U-REP-1", "R-103", "400.00", "cheque", date(2026, 11, 19)),
    ("U-REP-2", "R-104", "2000.00", "bank_transfer", date(2026, 11, 9)),
    ("U-MGR-TN", "R-105", "750.25", "cash", date(2026, 11, 20)),
    ("U-ADM", "D-BLR", "5000.00", "upi", date(2026, 11, 1)),
)
NAMES = {"U-REP-1": "Ravi Kumar", "U-REP-2": "Priya Nair", "U-MGR-TN": "Tamilselvi R", "U-ADM": "Asha Rao"}


def _world(engine, clock):
    """The sample's three imported payments (no collector) and six recorded by users."""
    for user, customer, amount, method, on in PAID:
        with transaction(engine) as s:
            record_payment(s, load_actor(s, user, "test"), clock, customer, amount, method, paid_on=on)


def _payments(engine) -> list:
    return rows_of(
        engine,
        "SELECT p.customer, p.amount, p.paid_on, p.method, p.recorded_by, c.type, c.region, c.name FROM payment p"
        " JOIN customer c ON c.code = p.customer",
    )


def _day(x) -> date:
    return x if isinstance(x, date) else date.fromisoformat(str(x))


def _key(p, by: str):
    on = _day(p.paid_on)
    return {
        "day": on,
        "week": on - timedelta(days=on.weekday()),
        "month": on.replace(day=1),
        "method": p.method or "-",
        "collector": p.recorded_by or "-",
        "customer": p.customer,
    }[by]


def _expected(engine, by: str, keep=lambda p: True) -> dict:
    out: dict = {}
    for p in _payments(engine):
        if keep(p):
            n, a = out.get(_key(p, by), (0, Decimal(0)))
            out[_key(p, by)] = (n + 1, a + dec(p.amount))
    return {k: (n, money(a)) for k, (n, a) in out.items()}


def _got(result) -> dict:
    return {r[0]: (r[2], r[3]) for r in result["rows"]}


@pytest.mark.parametrize("by", ["month", "week", "day", "method", "collector", "customer"])
def test_each_grouping_matches_python(sample, clock, by):
    _world(sample, clock)
    got = report(sample, "U-ADM", clock, "collections", **({} if by == "month" else {"by": by}))
    want = _expected(sample, by)
    assert got["columns"] == [by, "name", "payments", "total"]
    assert _got(got) == want
    assert [r[0] for r in got["rows"]] == sorted(want)
    assert got["totals"] == (None, "Total", 9, money(sum(a for _, a in want.values())))
    names = {r[0]: r[1] for r in got["rows"]}
    if by == "collector":
        assert names == {"-": "not recorded"} | {u: NAMES[u] for u in want if u != "-"}
    if by == "month":
        assert names == {date(2026, 10, 1): "October 2026", date(2026, 11, 1): "November 2026"}
    if by == "week":
        assert all(k.weekday() == 0 for k in names)


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (
            {"start": date(2026, 11, 9), "end": date(2026, 11, 18)},
            lambda p: "2026-11-09" <= str(p.paid_on) <= "2026-11-18",
        ),
        ({"customer": "R-101"}, lambda p: p.customer == "R-101"),
        ({"customer": "Anand Kirana Store"}, lambda p: p.customer == "R-101"),
        ({"region": "BLR-N"}, lambda p: p.region in ("BLR-N",)),
        ({"region": "Karnataka"}, lambda p: p.region in ("KA", "BLR", "BLR-N", "BLR-S", "MYS")),
        ({"sales_rep": "Priya Nair"}, lambda p: p.customer in REP_2_CUSTOMERS),
        ({"distributor": "D-BLR"}, lambda p: p.customer in D_BLR_CUSTOMERS),
        ({"customer_type": "retailer"}, lambda p: p.type == "retailer"),
        ({"method": "cash"}, lambda p: p.method == "cash"),
        ({"method": "Bank transfer", "region": "BLR"}, lambda p: p.method == "bank_transfer" and p.region != "MYS"),
    ],
)
def test_each_filter_narrows(sample, clock, filters, keep):
    _world(sample, clock)
    got = report(sample, "U-ADM", clock, "collections", by="customer", **filters)
    want = _expected(sample, "customer", keep)
    assert want and _got(got) == want
    assert sum(n for n, _ in want.values()) < len(_payments(sample))  # it narrows
    assert got["totals"][2:] == (sum(n for n, _ in want.values()), money(sum(a for _, a in want.values())))


@pytest.mark.parametrize(
    ("user", "customers"),
    [
        ("U-RET-101", {"R-101"}),
        ("U-REP-1", REP_1_CUSTOMERS),
        ("U-DIST-BLR", D_BLR_CUSTOMERS),
        ("U-MGR-TN", TN_CUSTOMERS),
    ],
)
def test_each_actor_sees_their_customers(sample, clock, user, customers):
    _world(sample, clock)
    for by in ("customer", "collector", "month"):
        got = report(sample, user, clock, "collections", by=by)
        assert _got(got) == _expected(sample, by, lambda p: p.customer in customers)


def test_refusals(sample, clock):
    with pytest.raises(NotAllowed):
        report(sample, "U-WH-1", clock, "collections")  # warehouse staff do not see money
    same_refusal(sample, "U-RET-101", clock, "collections", "customer", "R-102", "R-999")
    same_refusal(sample, "U-MGR-TN", clock, "collections", "sales_rep", "U-REP-1", "U-NOBODY-77")
    same_refusal(sample, "U-REP-1", clock, "collections", "distributor", "D-CHN", "D-NOPE")
    for q in ({"by": "year"}, {"method": "bitcoin"}, {"customer_type": "wholesaler"}):
        with pytest.raises(InvalidInput):
            report(sample, "U-ADM", clock, "collections", **q)


def test_sort_and_limit(sample, clock):
    _world(sample, clock)
    want = _expected(sample, "customer")
    top = report(sample, "U-ADM", clock, "collections", by="customer", sort="-total", limit=2)
    # D-BLR and R-102 paid 5000.00 each: ties keep the report's order (by customer code)
    assert [r[0] for r in top["rows"]] == sorted(want, key=lambda k: (-want[k][1], k))[:2] == ["R-104", "D-BLR"]
    most = report(sample, "U-ADM", clock, "collections", by="customer", sort="-payments", limit=1)
    assert most["rows"][0][0] == "R-101" and most["rows"][0][2] == 3
    first = report(sample, "U-ADM", clock, "collections", by="customer", sort="customer", limit=3)
    assert [r[0] for r in first["rows"]] == sorted(want)[:3]
    assert top["totals"][2] == most["totals"][2] == 9
    # names written in Python are sorted as written, before the limit
    assert [r[1] for r in report(sample, "U-ADM", clock, "collections", sort="-name", limit=1)["rows"]] == [
        "October 2026"
    ]
    by_method = report(sample, "U-ADM", clock, "collections", by="method", sort="name", limit=2)
    assert [r[1] for r in by_method["rows"]] == ["bank transfer", "cash"]
