"""The field reports in the catalogue (visit compliance, attendance, targets, outlets not visited):
figures by hand from a hand-built week on the sample world, the team scope, filters, sort, limit."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from core.db import transaction
from core.errors import NotAllowed
from core.tables.field import Target
from core.tables.orders import Order
from report_helpers import TZ, clock_at, column, report, same_refusal
from test_field import FRI, _hand_built_week, at

WEEK = {"start": date(2026, 11, 16), "end": date(2026, 11, 22)}
COUNTS = ["planned", "covered", "missed", "unplanned", "off_site", "calls", "productive", "lines"]


def _counts(result) -> dict:
    i = result["columns"].index("planned")
    return {(r[0], r[2]): tuple(r[i : i + 8]) for r in result["rows"]}


def test_visit_compliance_by_hand(sample):
    _hand_built_week(sample)
    got = report(sample, "U-MGR-KA", at(FRI), "visit-compliance", **WEEK)
    assert got["columns"][4:12] == COUNTS
    assert _counts(got) == {
        ("U-REP-1", date(2026, 11, 16)): (2, 1, 1, 1, 1, 3, 1, 2),
        ("U-REP-1", date(2026, 11, 19)): (1, 1, 0, 0, 0, 1, 0, 0),
        ("U-REP-2", date(2026, 11, 17)): (3, 0, 3, 0, 0, 0, 0, 0),
    }
    monday = got["rows"][0]
    assert monday[-3:] == (Decimal("50.00"), Decimal("33.33"), "2.00")
    assert got["totals"][4:] == (6, 2, 4, 1, 1, 4, 1, 2, Decimal("33.33"), Decimal("25.00"), "2.00")
    assert got["title"] == "Visit compliance by day, 2026-11-16 to 2026-11-22"
    week = report(sample, "U-REP-1", at(FRI), "visit-compliance", by="week", **WEEK)  # a rep: their own
    assert _counts(week) == {("U-REP-1", date(2026, 11, 16)): (3, 2, 1, 1, 1, 4, 1, 2)}
    assert week["rows"][0][3] == date(2026, 11, 22) and week["rows"][0][-3:-1] == (Decimal("66.67"), Decimal("25.00"))
    ravi = report(sample, "U-MGR-KA", at(FRI), "visit-compliance", sales_rep="Ravi Kumar", **WEEK)
    assert set(column(ravi, "rep")) == {"U-REP-1"} and "Ravi Kumar" in ravi["title"]
    most = report(sample, "U-MGR-KA", at(FRI), "visit-compliance", sort="-planned", limit=1, **WEEK)
    assert [(r[0], r[4]) for r in most["rows"]] == [("U-REP-2", 3)]


def test_field_scope_and_refusals(sample):
    _hand_built_week(sample)
    assert report(sample, "U-MGR-TN", at(FRI), "visit-compliance", **WEEK)["rows"] == []
    for name in ("visit-compliance", "attendance", "outlets-not-visited"):
        for user in ("U-RET-101", "U-DIST-BLR", "U-WH-1"):
            with pytest.raises(NotAllowed):
                report(sample, user, at(FRI), name)
    with pytest.raises(NotAllowed):
        report(sample, "U-RET-101", at(FRI), "targets")
    for name in ("visit-compliance", "attendance"):
        # a name as close to the team's as the other rep's: the same "did you mean" (a fuzzy resolver)
        same_refusal(sample, "U-REP-1", at(FRI), name, "sales_rep", "U-REP-2", "U-REP-9")
        same_refusal(sample, "U-MGR-TN", at(FRI), name, "sales_rep", "U-REP-1", "U-NOBODY-7")


def test_attendance_by_hand(sample):
    _hand_built_week(sample)
    by_day = report(sample, "U-MGR-KA", at(FRI), "attendance", **WEEK)
    assert by_day["rows"] == [
        ("U-REP-1", "Ravi Kumar", date(2026, 11, 16), "09:30", "18:00"),  # in 30 min before 10:00, out 8 h after
        ("U-REP-1", "Ravi Kumar", date(2026, 11, 19), "09:45", None),  # still open
    ]
    by_rep = report(sample, "U-MGR-KA", at(FRI), "attendance", by="rep", **WEEK)
    assert by_rep["rows"] == [("U-REP-1", "Ravi Kumar", 2), ("U-REP-2", "Priya Nair", 0)]
    assert by_rep["totals"] == (None, "Total", 2)
    fewest = report(sample, "U-MGR-KA", at(FRI), "attendance", by="rep", sort="days", limit=1, **WEEK)
    assert fewest["rows"] == [("U-REP-2", "Priya Nair", 0)]


def _targets(engine):
    """December: rep 1's customers bought 900 + 500 net, D-BLR itself 2000 and its retailers 900 +
    500 + 400; Chennai 300 (the same orders as tests/test_field.py's targets test)."""
    dec = datetime(2026, 12, 5, 10, 0, tzinfo=TZ)
    with transaction(engine) as s:
        for no, customer, status, gross, discount in (
            ("T-1", "R-101", "confirmed", "1000", "100"),
            ("T-2", "R-103", "delivered", "500", "0"),
            ("T-3", "R-101", "cancelled", "700", "0"),
            ("T-4", "R-102", "confirmed", "400", "0"),
            ("T-5", "D-BLR", "dispatched", "2000", "0"),
            ("T-7", "R-105", "confirmed", "300", "0"),
        ):
            net = Decimal(gross) - Decimal(discount)
            s.add(
                Order(
                    order_no=no,
                    customer=customer,
                    warehouse="WH-BLR",
                    status=status,
                    created_at=dec,
                    gross=Decimal(gross),
                    discount=Decimal(discount),
                    total=net,
                )
            )
        s.add(Target(month="2026-12", user_id="U-REP-1", target=Decimal("2800")))
        s.add(Target(month="2026-12", customer="D-BLR", target=Decimal("4000")))
        s.add(Target(month="2026-12", customer="D-CHN", target=Decimal("1000")))


def test_targets_by_hand(sample):
    _targets(sample)
    clock = clock_at(date(2026, 12, 5))
    got = report(sample, "U-MGR-KA", clock, "targets")  # this month
    assert {(r[0], r[1]): r[4:] for r in got["rows"]} == {
        ("rep", "U-REP-1"): (Decimal("2800"), Decimal("1400.00"), Decimal("50.00")),
        ("distributor", "D-BLR"): (Decimal("4000"), Decimal("3800.00"), Decimal("95.00")),
    }
    assert got["title"] == "Targets, 2026-12"
    assert report(sample, "U-ADM", clock, "targets", start=date(2026, 11, 1))["rows"] == []  # November's
    admin = report(sample, "U-ADM", clock, "targets")
    assert {r[1] for r in admin["rows"]} == {"U-REP-1", "D-BLR", "D-CHN"}
    assert column(report(sample, "U-ADM", clock, "targets", sales_rep="U-REP-1"), "owner") == ["U-REP-1"]
    assert column(report(sample, "U-ADM", clock, "targets", distributor="Chennai Traders"), "achieved") == [
        Decimal("300.00")
    ]
    best = report(sample, "U-ADM", clock, "targets", sort="-achievement", limit=1)
    assert column(best, "owner") == ["D-BLR"]  # 95 %, then U-REP-1's 50 % and D-CHN's 30 %
    assert column(report(sample, "U-DIST-BLR", clock, "targets"), "owner") == ["D-BLR"]
    same_refusal(sample, "U-MGR-TN", clock, "targets", "distributor", "D-BLR", "D-NOPE")


def test_outlets_not_visited_by_hand(sample):
    _hand_built_week(sample)
    got = report(sample, "U-MGR-KA", at(FRI), "outlets-not-visited", days=7)
    assert column(got, "customer") == ["R-102", "R-104"]  # visited; R-107 blocked
    assert got["rows"][0][3:] == (None, None)  # never visited
    assert column(report(sample, "U-MGR-KA", at(FRI), "outlets-not-visited"), "customer") == ["R-102", "R-104"]
    assert column(report(sample, "U-MGR-KA", at(FRI), "outlets-not-visited", region="BLR-N", days=7), "customer") == []
    south = report(sample, "U-MGR-KA", at(FRI), "outlets-not-visited", region="Bengaluru South", days=7)
    assert column(south, "customer") == ["R-102", "R-104"] and "outlets in Bengaluru South" in south["title"]
    later = report(sample, "U-MGR-KA", clock_at(date(2026, 11, 30)), "outlets-not-visited", days=7)
    assert column(later, "customer") == ["R-102", "R-104", "R-101", "R-106", "R-103"]  # by last visit
    assert [r[4] for r in later["rows"]][2:] == [14, 14, 11]
    assert column(report(sample, "U-REP-2", at(FRI), "outlets-not-visited", sort="-name", limit=1), "customer") == [
        "R-104"
    ]
