"""Every report of the catalogue: runs for an admin, holds typed cells in its columns' kinds, takes
each filter it says it reads and tells it in its title, and refuses the others."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import InvalidInput
from core.report_catalog import REPORTS, ReportQuery
from report_helpers import report

VALUES = {  # a value of each filter that narrows something in the sample world
    "start": date(2026, 10, 5),
    "end": date(2026, 11, 15),
    "region": "KA",
    "customer": "R-101",
    "customer_type": "retailer",
    "distributor": "D-BLR",
    "brand": "KAVERI",
    "category": "FOOD",
    "sku": "CC-100",
    "warehouse": "WH-BLR",
    "sales_rep": "U-REP-1",
    "status": "confirmed",
    "days": 10,
    "method": "cash",
}
CELLS = {
    "text": (str,),
    "int": (int,),
    "quantity": (int,),
    "money": (Decimal,),
    "percent": (Decimal,),
    "date": (date,),
}


def _typed(kinds, row) -> bool:
    return len(row) == len(kinds) and all(
        cell is None or (isinstance(cell, CELLS[kind]) and not isinstance(cell, bool)) for kind, cell in zip(kinds, row)
    )


def test_the_catalogue_holds_the_reports_of_issue_14():
    assert set(REPORTS) == {
        "sales",
        "orders",
        "stock",
        "low-stock",
        "expiring",
        "inventory-movement",
        "collections",
        "distributor-performance",
        "visit-compliance",
        "attendance",
        "targets",
        "outlets-not-visited",
        "order-lines",  # every line, for exports
    }
    assert set(VALUES) | {"by", "sort", "limit"} == set(ReportQuery.__dataclass_fields__)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_each_report_is_well_typed_and_tells_its_filters(sample, clock, name):
    plain = report(sample, "U-ADM", clock, name)
    assert all(_typed(plain["kinds"], r) for r in plain["rows"])
    assert plain["totals"] is None or _typed(plain["kinds"], plain["totals"])
    for money_or_pct in ("money", "percent"):
        for i, kind in enumerate(plain["kinds"]):
            if kind == money_or_pct:
                assert all(r[i] is None or r[i].as_tuple().exponent == -2 for r in plain["rows"])
    for field in sorted(REPORTS[name].filters - {"by"}):
        narrowed = report(sample, "U-ADM", clock, name, **{field: VALUES[field]})
        assert all(_typed(narrowed["kinds"], r) for r in narrowed["rows"])
        assert narrowed["title"] != plain["title"], f"{name}: the title does not tell {field}"
    unread = sorted(set(VALUES) - REPORTS[name].filters)
    if unread:
        with pytest.raises(InvalidInput, match=f"no filter {unread[0]}"):
            report(sample, "U-ADM", clock, name, **{unread[0]: VALUES[unread[0]]})


@pytest.mark.parametrize("days", [-1, 3651])
def test_days_out_of_bounds(sample, clock, days):
    with pytest.raises(InvalidInput, match="days must be"):
        report(sample, "U-ADM", clock, "expiring", days=days)
