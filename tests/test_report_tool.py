"""The catalogue's reports in chat (`show_report`): figures as the core's, money as people read
it, the core's refusals and unknown names as clear errors."""

import pytest
from sqlmodel import Session

from core.access import load_actor
from core.errors import InvalidInput, NotAllowed, NotFound
from core.report_catalog import ReportQuery, run_report
from tools.base import ToolContext
from tools.format import rs
from tools.report_tables import ShowReport


def run(engine, clock, user, **args):
    with Session(engine) as s:
        return ShowReport().run(ToolContext(s, load_actor(s, user), clock), args)


def test_sales_by_customer_in_words_and_table(sample, clock):
    r = run(sample, clock, "U-MGR-KA", report="sales", by="customer", sort="-total", limit=2)
    with Session(sample) as s:
        t = run_report(s, load_actor(s, "U-MGR-KA"), clock, "sales", ReportQuery(by="customer", sort="-total", limit=2))
        rows = list(t.rows)
    assert r.table is not None and len(r.table.rows) == len(rows) <= 2
    assert rs(rows[0][5]) in r.text and rows[0][1] in r.text
    assert t.totals is not None and f"Total: Orders {t.totals[2]}" in r.text


def test_unknown_report_and_filters_are_clear_errors(sample, clock):
    with pytest.raises(NotFound, match="No report named 'weather'"):
        run(sample, clock, "U-ADM", report="weather")
    with pytest.raises(InvalidInput, match="no filter days"):
        run(sample, clock, "U-ADM", report="orders", days=7)  # orders read a warehouse, not a window in days


def test_the_core_refuses_what_the_role_may_not_see(sample, clock):
    with pytest.raises(NotAllowed):
        run(sample, clock, "U-WH-1", report="sales")


def test_previous_span_compares_like_for_like():
    from datetime import date

    from core.spans import previous_span

    assert previous_span(date(2026, 11, 1), date(2026, 11, 20)) == (date(2026, 10, 1), date(2026, 10, 20))
    assert previous_span(date(2026, 10, 1), date(2026, 10, 31)) == (date(2026, 9, 1), date(2026, 9, 30))
    assert previous_span(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert previous_span(date(2026, 7, 1), date(2026, 9, 30)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert previous_span(date(2026, 1, 1), date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 15))
    assert previous_span(date(2026, 11, 10), date(2026, 11, 16)) == (date(2026, 11, 3), date(2026, 11, 9))


def test_sales_against_the_period_before(sample, clock):
    from datetime import date

    from agent.runtime import Assistant, Turn
    from core.reports import sales

    r = Assistant(sample, clock).handle(Turn("U-MGR-KA", "web", "c"), "sales this month vs last month")
    with Session(sample) as s:
        actor = load_actor(s, "U-MGR-KA")
        now = sales(s, actor, date(2026, 11, 1), date(2026, 11, 20)).total
        before = sales(s, actor, date(2026, 10, 1), date(2026, 10, 20)).total
    assert [c.name for c in r.tool_calls] == ["sales_report"]
    assert rs(now) in r.text and rs(before) in r.text and "2026-10-01 to 2026-10-20" in r.text
    assert f"{abs((now - before) * 100 / before):.1f}%" in r.text


@pytest.mark.parametrize(
    ("said", "report"),
    [
        ("how much did we collect last month", "collections"),
        ("collections by payment mode this month", "collections"),
        ("stock movement in October", "inventory-movement"),
        ("how are my distributors doing this quarter", "distributor-performance"),
        ("what is our stock worth", "stock"),
    ],
)
def test_reports_named_in_words_reach_the_catalogue(sample, clock, said, report):
    from agent.runtime import Assistant, Turn

    r = Assistant(sample, clock).handle(Turn("U-ADM", "web", "c"), said)
    assert [(c.name, c.args.get("report")) for c in r.tool_calls] == [("show_report", report)]


def test_a_collection_with_an_amount_is_a_payment_not_a_report(sample, clock):
    from agent.runtime import Assistant, Turn

    r = Assistant(sample, clock).handle(Turn("U-MGR-KA", "web", "c"), "collected 5000 cash from Anand Kirana")
    assert [c.name for c in r.tool_calls] == ["record_payment"] and r.awaiting_confirmation
