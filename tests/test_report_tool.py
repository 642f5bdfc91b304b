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


def _ask(engine, clock, user, said):
    from agent.runtime import Assistant, Turn

    return Assistant(engine, clock).handle(Turn(user, "web", said), said)  # a conversation of its own


def test_a_floor_on_what_is_owed_is_kept_never_dropped(sample, clock):
    from core.payments import outstanding_report

    r = _ask(sample, clock, "U-MGR-KA", "which customers owe more than 10k")
    assert [(c.name, c.args.get("more_than")) for c in r.tool_calls] == [("outstanding", "10k")]
    with Session(sample) as s:
        everyone = outstanding_report(s, load_actor(s, "U-MGR-KA"), clock)
    above = [o for o in everyone if o.outstanding > 10000]
    below = [o for o in everyone if o.outstanding <= 10000]
    assert above and below and all(o.customer in r.text for o in above) and not any(o.customer in r.text for o in below)
    days = _ask(sample, clock, "U-MGR-KA", "overdue more than 30 days")
    assert [(c.name, c.args.get("min_days_overdue")) for c in days.tool_calls] == [("outstanding", 31)]


@pytest.mark.parametrize(
    ("said", "by", "direction"),
    [
        ("which brand sold the most last month", "brand", "top"),
        ("which customer bought the most this year", "customer", "top"),
        ("which product sold least in october", "product", "bottom"),
    ],
)
def test_which_sold_the_most_is_the_top_one(sample, clock, said, by, direction):
    r = _ask(sample, clock, "U-ADM", said)
    assert [(c.name, c.args.get("by"), c.args.get("direction"), c.args.get("n")) for c in r.tool_calls] == [
        ("sales_ranking", by, direction, 1)
    ]


@pytest.mark.parametrize("said", ["orders pending approval count", "count of orders this month", "order count"])
def test_count_as_a_noun_is_a_question_not_a_stock_count(sample, clock, said):
    r = _ask(sample, clock, "U-ADM", said)
    assert r.outcome == "answered" and r.tool_calls and r.tool_calls[0].name in ("pending_approvals", "order_summary")


def test_hinglish_sale_and_stock_value(sample, clock):
    r = _ask(sample, clock, "U-MGR-KA", "pichle mahine ki sale kitni hui")
    assert [(c.name, c.args["period"]["start"]) for c in r.tool_calls] == [("sales_report", "2026-10-01")]
    v = _ask(sample, clock, "U-ADM", "stock ki value kitni hai")
    assert [(c.name, c.args.get("report")) for c in v.tool_calls] == [("show_report", "stock")]


def test_tax_average_and_the_week_as_people_ask(sample, clock):
    from datetime import date

    from core.reports import sales

    tax = _ask(sample, clock, "U-ADM", "how much GST did we collect last month")
    with Session(sample) as s:
        r = sales(s, load_actor(s, "U-ADM"), date(2026, 10, 1), date(2026, 10, 31))
    assert [c.name for c in tax.tool_calls] == ["sales_report"] and f"tax {rs(r.total - r.net)}" in tax.text
    assert f"on average {rs(round(r.total / r.orders, 2))} an order" in tax.text
    week = _ask(sample, clock, "U-ADM", "revenue for the week")
    assert week.tool_calls[0].args["period"]["start"] == "2026-11-16"  # the Monday of the clock's week
    best = _ask(sample, clock, "U-ADM", "which region is doing best")
    assert [(c.name, c.args.get("by"), c.args.get("n")) for c in best.tool_calls] == [("sales_ranking", "region", 1)]


def test_lines_for_a_placed_order_are_a_new_order_said_so(sample, clock):
    r = _ask(sample, clock, "U-RET-101", "add 1 case GD-1L to SO-0905")
    assert r.awaiting_confirmation and [c.name for c in r.tool_calls] == ["create_order"]
    assert r.text.startswith("SO-0905 can't be changed once placed; this would be a new order:")


def test_two_quantities_of_one_product_are_both_ordered(sample, clock):
    for said in ("crunchi crem 100 1 case aur 5 box", "2 cases and 3 boxes of crunchy cream 100g"):
        r = _ask(sample, clock, "U-RET-101", said)
        assert r.awaiting_confirmation, said
        items = r.tool_calls[0].args["items"]
        assert {i["product"] for i in items} == {"CC-100"} and len(items) == 2, said


def test_a_change_said_to_a_preview_and_one_not_understood(sample, clock):
    from agent.runtime import Assistant, Turn

    a, turn = Assistant(sample, clock), Turn("U-RET-101", "web", "c")
    a.handle(turn, "5 dabba crunchy 200 bhejo")
    changed = a.handle(turn, "change to 3 box")
    assert changed.awaiting_confirmation and changed.tool_calls[0].args["items"][0]["qty"] == 3
    lost = a.handle(turn, "hmm wait blah blah")
    assert lost.outcome == "not_understood" and "preview is still waiting as it was shown" in lost.text


def test_answers_to_the_assistants_own_questions(sample, clock):
    from agent.runtime import Assistant, Turn

    a = Assistant(sample, clock)
    rep = Turn("U-RET-101", "web", "adv")
    assert "How was the advance" in a.handle(rep, "6 cases GD-1L, 1000 advance").text
    paid = a.handle(rep, "upi")
    assert paid.awaiting_confirmation and paid.tool_calls[0].args["advance_method"] == "upi"
    shop = Turn("U-RET-103", "web", "big")  # over its credit limit: waits for a manager
    a.handle(shop, "6 cases GD-1L")
    no = _placed(a, shop)
    mgr = Turn("U-MGR-KA", "web", "rej")
    assert f"Why should {no} be rejected" in a.handle(mgr, f"reject {no}").text
    why = a.handle(mgr, "credit limit cross, pehle payment lo")
    assert why.awaiting_confirmation and why.tool_calls[0].args["reason"] == "credit limit cross, pehle payment lo"
    raw = a.handle(Turn("U-MGR-KA", "web", "rej2"), f"reject {no}, customer ka purana due clear nahi hua")
    assert raw.tool_calls[0].args["reason"] == "customer ka purana due clear nahi hua"


def _placed(a, turn) -> str:
    import re

    done = a.handle(turn, "yes")
    assert done.outcome == "done", done.text
    return re.search(r"SO-\d+", done.text)[0]


def test_trial_phrasings_of_managers(sample, clock):
    visits = _ask(sample, clock, "U-MGR-KA", "team visits today")
    assert [c.name for c in visits.tool_calls] == ["visit_compliance"]
    ravi = _ask(sample, clock, "U-MGR-KA", "ravi ka sales this month")
    assert [(c.name, c.args.get("sales_rep")) for c in ravi.tool_calls] == [("sales_report", "U-REP-1")]
    late = _ask(sample, clock, "U-MGR-KA", "customers with more than 5000 overdue")
    assert late.tool_calls[0].args.get("overdue_more_than") == "5000" and "Fresh Mart" not in late.text
    statement = _ask(sample, clock, "U-MGR-KA", "anand kirana ka statement")
    assert [c.name for c in statement.tool_calls] == ["outstanding", "list_invoices"]
    listed = _ask(sample, clock, "U-ADM", "what reports can i get")
    assert "inventory-movement" in listed.text and not listed.tool_calls
    quiet = _ask(sample, clock, "U-MGR-KA", "which retailers did not order this month")
    assert quiet.tool_calls[0].args["days"] == 20  # 1 to 20 November


def test_a_customer_named_in_a_file_request_is_read_in_scope(sample, clock):
    mine = _ask(sample, clock, "U-MGR-KA", "orders of fresh mart as excel")
    assert mine.outcome == "answered" and "Fresh Mart" in mine.text
    other = _ask(sample, clock, "U-RET-101", "send me Fresh Mart's orders as excel")
    none = _ask(sample, clock, "U-RET-101", "send me Nowhere Shop's orders as excel")
    assert other.outcome == none.outcome == "refused" and other.text == none.text  # nothing leaks
