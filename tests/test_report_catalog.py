"""The named reports' table shape: the figures are the report services' own, scoped the same."""

from datetime import date

import pytest
from sqlmodel import Session

from core.access import load_actor
from core.errors import InvalidInput, NotFound
from core.report_catalog import ReportQuery, run_report
from core.reports import order_summary, sales


def test_sales_by_customer_matches_the_service(sample, clock):
    with Session(sample) as s:
        actor = load_actor(s, "U-ADM")
        t = run_report(s, actor, clock, "sales", ReportQuery(by="customer", sort="-total"))
        r = sales(s, actor, None, None, by="customer")
        rows = list(t.rows)
        assert [c.key for c in t.columns] == ["key", "name", "orders", "net", "tax", "total", "share"]
        assert {row[0]: row[5] for row in rows} == {x.key: x.total for x in r.rows}
        assert [row[5] for row in rows] == sorted((row[5] for row in rows), reverse=True)
        assert t.totals is not None and t.totals[5] == r.total


def test_orders_by_status_and_limit(sample, clock):
    with Session(sample) as s:
        actor = load_actor(s, "U-ADM")
        t = run_report(s, actor, clock, "orders", ReportQuery(sort="-orders", limit=1))
        summary = order_summary(s, actor)
        rows = list(t.rows)
        assert len(rows) == 1 and rows[0][1] == max(summary.by_status.values())


def test_unknown_report_and_unread_filter_are_refused(sample, clock):
    with Session(sample) as s:
        actor = load_actor(s, "U-ADM")
        with pytest.raises(NotFound, match="No report named 'nope'"):
            run_report(s, actor, clock, "nope", ReportQuery())
        with pytest.raises(InvalidInput, match="no filter days"):
            run_report(s, actor, clock, "orders", ReportQuery(days=7))
        with pytest.raises(InvalidInput, match="sort: no column 'zzz'"):
            run_report(s, actor, clock, "orders", ReportQuery(sort="zzz", start=date(2026, 1, 1)))
