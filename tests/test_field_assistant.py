"""Field work through the assistant, in people's words: a rep's day from check-in to check-out
with a visit, an order and a collection for the outlet visited, a no-order visit with its
reason, outlet proposals decided by a manager, and the manager's view of the team. Every change
is previewed and happens only on "yes"; a field word that cannot be placed is asked about."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from agent.runtime import Assistant, Turn
from core.clock import Clock
from core.tables.billing import Payment
from core.tables.field import Attendance, OutletRequest, Visit, VisitLink
from core.tables.orders import Order
from core.tables.parties import Customer

MON = Clock(ZoneInfo("Asia/Kolkata"), datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")))
REP, MANAGER = "U-REP-1", "U-MGR-KA"  # Ravi Kumar's Monday beat: R-101 Anand Kirana Store, R-106 Lucky General Store


def say(assistant, user, text):
    return assistant.handle(Turn(user, "telegram", f"field-{user}"), text)


def confirmed(assistant, user, text, tool):
    preview = say(assistant, user, text)
    assert preview.awaiting_confirmation and [c.name for c in preview.tool_calls] == [tool], (
        preview.outcome,
        preview.text,
        preview.tool_calls,
    )
    done = say(assistant, user, "yes")
    assert done.outcome == "done", done.text
    return preview, done


def rows(engine, model):
    with Session(engine) as s:
        return list(s.exec(select(model)))


def test_a_reps_day_with_a_visit_an_order_and_a_collection(sample):
    a = Assistant(sample, MON)
    preview = say(a, REP, "good morning, starting my day")
    assert preview.awaiting_confirmation and not rows(sample, Attendance)  # nothing before "yes"
    assert say(a, REP, "yes").outcome == "done" and [d.check_out for d in rows(sample, Attendance)] == [None]
    plan = say(a, REP, "aaj ka beat kya hai")
    assert "Anand Kirana Store" in plan.text and "Lucky General Store" in plan.text
    confirmed(a, REP, "reached Anand Kirana Store", "start_visit")
    _, placed = confirmed(a, REP, "they want 2 cases of crunchy cream 100g", "create_order")
    confirmed(a, REP, "collected 500 cash", "record_payment")
    _, ended = confirmed(a, REP, "done here", "end_visit")
    [visit] = rows(sample, Visit)
    [order] = [o for o in rows(sample, Order) if o.order_no in placed.text]
    assert (visit.customer, visit.outcome, visit.order_no) == ("R-101", "order", order.order_no)
    assert order.customer == "R-101" and order.order_no in ended.text
    [payment] = [p for p in rows(sample, Payment) if p.recorded_by == REP]
    links = {(ln.kind, ln.ref) for ln in rows(sample, VisitLink)}
    assert payment.customer == "R-101" and ("payment", str(payment.id)) in links and ("order", order.order_no) in links
    confirmed(a, REP, "din khatam", "end_day")
    assert [d.check_out is not None for d in rows(sample, Attendance)] == [True]


def test_no_order_is_asked_why_and_the_answer_ends_the_visit(sample):
    a = Assistant(sample, MON)
    confirmed(a, REP, "start my day", "start_day")
    confirmed(a, REP, "Lucky General Store pe hoon", "start_visit")
    asked = say(a, REP, "no order")
    assert asked.outcome == "clarify" and not asked.tool_calls and "owner absent" in asked.text
    confirmed(a, REP, "owner was not there", "end_visit")
    [visit] = rows(sample, Visit)
    assert (visit.customer, visit.outcome, visit.reason) == ("R-106", "no_order", "owner_absent")


@pytest.mark.parametrize(
    "said,reason",
    [
        ("no order today, shop was closed", "shop_closed"),
        ("order nahi mila, stock pada hai", "stock_sufficient"),
        ("no order, owner says stock is still there", "stock_sufficient"),
        ("no order, old stock not sold yet", "stock_sufficient"),
        ("didn't order, prices too high they said", "price_issue"),
    ],
)
def test_no_order_with_its_reason_in_one_message(sample, said, reason):
    a = Assistant(sample, MON)
    confirmed(a, REP, "check in", "start_day")
    confirmed(a, REP, "I'm at Anand Kirana", "start_visit")
    preview, _ = confirmed(a, REP, said, "end_visit")
    assert preview.tool_calls[0].args["reason"] == reason and rows(sample, Visit)[0].reason == reason


def test_two_reasons_are_asked_never_one_picked(sample):
    a = Assistant(sample, MON)
    confirmed(a, REP, "start my day", "start_day")
    confirmed(a, REP, "I'm at Anand Kirana", "start_visit")
    reply = say(a, REP, "no order, shop closed and owner not there")
    assert reply.outcome == "clarify" and not reply.tool_calls and not reply.awaiting_confirmation
    assert rows(sample, Visit)[0].ended_at is None


def test_an_outlet_update_and_a_new_outlet_decided_by_the_manager(sample):
    a = Assistant(sample, MON)
    confirmed(a, REP, "start my day", "start_day")
    confirmed(a, REP, "I'm at Anand Kirana", "start_visit")
    confirmed(a, REP, "their new number is 98450 77777", "propose_outlet_update")
    confirmed(
        a,
        REP,
        "add a new shop Sai Baba Stores in Bengaluru North, phone 9845033333, owner Ramesh",
        "propose_new_outlet",
    )
    waiting = say(a, MANAGER, "anything waiting for my approval?")
    assert "Sai Baba Stores" in waiting.text and "98450 77777" in waiting.text
    asked = say(a, MANAGER, "approve Ravi's update")  # two requests of Ravi's: which one
    assert asked.outcome in ("clarify", "answered") and not asked.awaiting_confirmation, asked.text
    confirmed(a, MANAGER, "approve OR-0001", "approve_outlet_request")
    assert say(a, MANAGER, "reject the Sai Baba Stores request").outcome == "clarify"  # a reason is asked
    preview = say(a, MANAGER, "duplicate of an existing shop")
    assert preview.awaiting_confirmation and say(a, MANAGER, "yes").outcome == "done"
    with Session(sample) as s:
        assert s.get(Customer, "R-101").phone == "98450 77777"
        new = s.exec(select(Customer).where(Customer.name == "Sai Baba Stores")).one()
        assert new.status == "blocked" and new.contact_person == "Ramesh"
        assert sorted(r.status for r in s.exec(select(OutletRequest))) == ["approved", "rejected"]


def test_the_manager_sees_the_team_and_a_rep_cannot_decide(sample):
    a = Assistant(sample, MON)
    confirmed(a, REP, "start my day", "start_day")
    confirmed(a, REP, "I'm at Anand Kirana", "start_visit")
    confirmed(a, REP, "no order, they have enough stock", "end_visit")
    compliance = say(a, MANAGER, "how did my team do on visits today?")
    assert [c.name for c in compliance.tool_calls] == ["visit_compliance"] and "1 of 2" in compliance.text
    missed = say(a, MANAGER, "who missed their beat today?")
    assert "Lucky General Store" in missed.text and "Anand Kirana Store" not in missed.text
    present = say(a, MANAGER, "who has checked in today?")
    assert [c.name for c in present.tool_calls] == ["attendance_report"] and "Ravi Kumar: 1 day" in present.text
    beat = say(a, MANAGER, "what is Ravi's beat today")
    assert "Ravi Kumar's plan" in beat.text and "(visited: no order)" in beat.text
    refused = say(a, REP, "approve OR-0001")
    assert refused.outcome == "refused" and not refused.awaiting_confirmation
    assert say(a, MANAGER, "start my day").outcome == "refused" and len(rows(sample, Attendance)) == 1


def test_a_visit_outside_the_reps_scope_is_refused_like_a_nonexistent_outlet(sample):
    a = Assistant(sample, MON)
    confirmed(a, REP, "start my day", "start_day")
    outside = say(a, REP, "I'm at Fresh Mart")  # R-102, Priya's area
    nowhere = say(a, REP, "I'm at Zyx Traders")
    assert outside.outcome == nowhere.outcome == "refused" and not outside.awaiting_confirmation
    assert outside.text.replace("Fresh Mart", "X") == nowhere.text.replace("Zyx Traders", "X")
    assert not rows(sample, Visit)


DAY = [
    "start my day",
    "yes",
    "what's my beat today?",
    "reached Anand Kirana Store",
    "yes",
    "they want 2 cases of crunchy cream 100g",
    "yes",
    "done here",
    "yes",
    "Lucky General Store pe hoon",
    "yes",
    "no order, shop was closed",
    "yes",
    "now at Ganesh Provisions",
    "yes",
    "collected 2,000 by upi",
    "yes",
    "their new number is 98450 33333",
    "yes",
    "no order, they have enough stock",
    "yes",
    "end my day",
    "yes",
]


def _the_day_happened(engine):
    """Three visits (an order, a no-order, a collection), an outlet update and a closed day."""
    visits = {v.customer: v for v in rows(engine, Visit)}
    assert {c: (v.outcome, v.reason, v.planned) for c, v in visits.items()} == {
        "R-101": ("order", None, True),
        "R-106": ("no_order", "shop_closed", True),
        "R-103": ("no_order", "stock_sufficient", False),
    }  # Ganesh Provisions is Thursday's: unplanned
    with Session(engine) as s:
        order = s.get(Order, visits["R-101"].order_no)
        assert order is not None and (order.customer, order.created_by) == ("R-101", REP)
        [link] = s.exec(select(VisitLink).where(VisitLink.kind == "payment")).all()
        payment = s.get(Payment, int(link.ref))
    assert link.visit_id == visits["R-103"].id
    assert (payment.customer, str(payment.amount), payment.method) == ("R-103", "2000.00", "upi")
    [update] = rows(engine, OutletRequest)
    assert (update.customer, update.kind, update.status) == ("R-103", "update", "pending")
    [day] = rows(engine, Attendance)
    assert day.check_out is not None and all(v.ended_at is not None for v in visits.values())


def test_a_reps_whole_day_in_the_terminal_chat(sample, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from channels.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    monkeypatch.setenv("DMS_NOW", MON.now().isoformat())
    monkeypatch.setenv("DMS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["chat", "--as", REP], input="\n".join(DAY + ["exit"]) + "\n")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Day ended at" in result.output and "Traceback" not in result.output
    _the_day_happened(sample)


def test_an_order_said_during_a_visit_is_for_the_outlet_visited_and_asked_otherwise(sample):
    a = Assistant(sample, MON)
    asked = say(a, REP, "2 boxes of crunchy cream 100g")  # no visit yet: which customer
    assert asked.outcome == "clarify" and "Which customer" in asked.text
    say(a, REP, "no")
    confirmed(a, REP, "start my day", "start_day")
    confirmed(a, REP, "reached Lucky General Store", "start_visit")
    preview, _ = confirmed(a, REP, "book 2 boxes crunchy cream 100g", "create_order")
    assert "Lucky General Store (R-106)" in preview.text
    with Session(sample) as s:
        [order] = s.exec(select(Order).where(Order.customer == "R-106", Order.created_by == REP)).all()
        assert s.exec(select(VisitLink).where(VisitLink.ref == order.order_no)).one().kind == "order"


def test_a_no_order_for_another_outlet_never_closes_the_visit_in_progress(sample):
    a = Assistant(sample, MON)
    confirmed(a, REP, "check in", "start_day")
    confirmed(a, REP, "I'm at Anand Kirana", "start_visit")
    other = say(a, REP, "visited Lucky General Store, no order, shop closed")
    assert other.outcome == "clarify" and not other.awaiting_confirmation and "Anand Kirana" in other.text
    assert rows(sample, Visit)[0].ended_at is None
    preview, _ = confirmed(a, REP, "no order at anand kirana, shop closed", "end_visit")
    assert rows(sample, Visit)[0].reason == "shop_closed"
