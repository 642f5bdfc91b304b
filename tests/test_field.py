"""Field work in the core (rules.md, "Field work"): attendance, plans, visits, outlet requests,
targets, suggested orders and field reports, on the sample world, on SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core.access import load_actor
from core.attendance import start_day
from core.beats import todays_plan
from core.clock import Clock
from core.db import transaction
from core.errors import InvalidInput, NotAllowed, NotFound
from core.field_reports import attendance_report, missed_outlets, outlets_not_visited, visit_compliance
from core.geo import distance_m, haversine_m, is_off_site
from core.orders import Item, cancel_order, create_order
from core.outlets import NewOutlet, OutletChange, decide_outlet_request, propose_new_outlet, propose_outlet_update
from core.payments import record_payment
from core.suggestions import median_qty, suggest_order, suggest_quantities
from core.tables.audit import AuditEntry, OutboxMessage
from core.tables.field import Target, Visit, VisitLink
from core.tables.orders import Order, OrderLine
from core.tables.parties import Customer
from core.targets import target_report
from core.visits import end_day, end_visit, link_order, link_payment, start_visit
from core.world import import_world

TZ = ZoneInfo("Asia/Kolkata")
MON = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)  # BEAT-BLRN-MON: R-101, R-106 (U-REP-1)
THU = datetime(2026, 11, 19, 10, 0, tzinfo=TZ)  # BEAT-MYS-THU: R-103 (U-REP-1)
FRI = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)


def at(moment: datetime, minutes: int = 0) -> Clock:
    return Clock(TZ, moment + timedelta(minutes=minutes))


def run(engine, user, fn):
    with transaction(engine) as s:
        return fn(s, load_actor(s, user, "test"))


def place(engine, user, clock, customer, *items):
    return run(
        engine, user, lambda s, a: create_order(s, a, clock, [Item(*i) for i in items], customer=customer)[0].order_no
    )


# --- pure rules ----------------------------------------------------------------------------


def test_haversine_and_the_off_site_boundary():
    assert abs(haversine_m(12.0, 77.0, 13.0, 77.0) - 111_194.9) < 1  # one degree of latitude
    assert haversine_m(12.9716, 77.5946, 12.9716, 77.5946) == 0
    assert not is_off_site(Decimal("200.0"), 200)  # at the radius: on site
    assert is_off_site(Decimal("200.1"), 200)
    assert not is_off_site(None, 200)  # no location given
    # 0.0018 degrees of latitude is 200.15 m: recorded to 0.1 m
    assert distance_m(Decimal("12.9700"), Decimal("77.5900"), Decimal("12.9718"), Decimal("77.5900")) == Decimal(
        "200.2"
    )


def test_suggested_quantities_by_hand():
    on = date(2026, 11, 20)
    history = [
        (date(2026, 11, 1), "A", 10),
        (date(2026, 10, 10), "A", 30),
        (date(2026, 9, 1), "A", 20),  # median 20
        (date(2026, 11, 1), "B", 5),
        (date(2026, 11, 10), "B", 7),  # ordered within the last 14 days
        (date(2026, 10, 10), "C", 4),  # only one order
        (date(2026, 10, 10), "D", 6),
        (date(2026, 8, 1), "D", 8),  # the second is over 90 days ago
        (date(2026, 11, 1), "E", 3),
        (date(2026, 10, 10), "E", 6),  # median 4.5 -> 5
        (date(2026, 11, 7), "F", 1),
        (date(2026, 10, 1), "F", 1),  # 11-07 is the 14th day back: recent
        (date(2026, 8, 23), "G", 2),
        (date(2026, 10, 1), "G", 4),  # 08-23 is the 90th day back: counts
    ]
    assert suggest_quantities(history, on) == {"A": 20, "E": 5, "G": 3}
    assert median_qty([7]) == 7 and median_qty([1, 2]) == 2 and median_qty([4, 1, 9, 2]) == 3


# --- attendance ----------------------------------------------------------------------------


def test_one_open_day_and_no_visit_without_it(sample):
    with pytest.raises(InvalidInput, match="Start your day"):
        run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-101"))
    with pytest.raises(InvalidInput, match="not started a day"):
        run(sample, "U-REP-1", lambda s, a: end_day(s, a, at(MON)))
    day = run(sample, "U-REP-1", lambda s, a: start_day(s, a, at(MON), "12.97", "77.59"))
    assert day.day == date(2026, 11, 16) and day.in_latitude == Decimal("12.97")
    with pytest.raises(InvalidInput) as e:
        run(sample, "U-REP-1", lambda s, a: start_day(s, a, at(MON, 5)))
    assert "\n" not in e.value.message and "already started" in e.value.message and "10:00" in e.value.message
    with pytest.raises(NotAllowed):
        run(sample, "U-MGR-KA", lambda s, a: start_day(s, a, at(MON)))
    ended = run(sample, "U-REP-1", lambda s, a: end_day(s, a, at(MON, 480)))
    assert ended.day.check_out is not None and ended.ended_visit is None
    run(sample, "U-REP-1", lambda s, a: start_day(s, a, at(MON, 500)))  # a new day may start after
    with Session(sample) as s:
        actions = [e.action for e in s.exec(select(AuditEntry).where(AuditEntry.entity == "attendance"))]
        assert actions == ["attendance.check_in", "attendance.check_out", "attendance.check_in"]
        assert {e.channel for e in s.exec(select(AuditEntry).where(AuditEntry.entity == "attendance"))} == {"test"}


def test_plan_is_the_days_beats_in_visiting_order(sample):
    plan = run(sample, "U-REP-1", lambda s, a: todays_plan(s, a, at(MON)))
    assert [(p.position, p.customer, p.beat) for p in plan] == [
        (1, "R-101", "BEAT-BLRN-MON"),
        (2, "R-106", "BEAT-BLRN-MON"),
    ]
    assert run(sample, "U-REP-1", lambda s, a: todays_plan(s, a, at(FRI))) == []
    assert [p.customer for p in run(sample, "U-MGR-KA", lambda s, a: todays_plan(s, a, at(THU), rep="U-REP-1"))] == [
        "R-103"
    ]
    with pytest.raises(NotFound):  # another manager's rep reads as nobody
        run(sample, "U-MGR-TN", lambda s, a: todays_plan(s, a, at(THU), rep="U-REP-1"))
    with pytest.raises(NotFound):
        run(sample, "U-REP-2", lambda s, a: todays_plan(s, a, at(THU), rep="U-REP-1"))


# --- visits --------------------------------------------------------------------------------


def test_visit_scope_and_one_open_visit(sample):
    run(sample, "U-REP-1", lambda s, a: start_day(s, a, at(MON)))
    with pytest.raises(NotFound) as out_of_scope:  # R-105 is in Chennai
        run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-105"))
    with pytest.raises(NotFound) as missing:
        run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-999"))
    assert out_of_scope.value.message.replace("R-105", "X") == missing.value.message.replace("R-999", "X")
    first = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-101")).visit
    assert first.planned and first.beat == "BEAT-BLRN-MON"
    with pytest.raises(InvalidInput, match="already visiting"):
        run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 1), "R-101"))
    second = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 20), "R-103"))
    assert second.ended is not None and second.ended.id == first.id
    assert (second.ended.outcome, second.ended.reason) == ("no_order", "other")
    assert not second.visit.planned  # R-103 is Thursday's
    with Session(sample) as s:
        assert [v.id for v in s.exec(select(Visit).where(Visit.ended_at.is_(None)))] == [second.visit.id]
    ended = run(sample, "U-REP-1", lambda s, a: end_day(s, a, at(MON, 30)))
    assert ended.ended_visit.id == second.visit.id and ended.ended_visit.outcome == "no_order"


def test_outcome_follows_the_order_and_payments_are_linked(sample):
    run(sample, "U-REP-1", lambda s, a: start_day(s, a, at(MON)))
    visit = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-101")).visit
    with pytest.raises(InvalidInput, match="No order was placed"):
        run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 5), "order"))
    with pytest.raises(InvalidInput, match="Why was there no order"):
        run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 5), "no_order"))
    with pytest.raises(InvalidInput, match="Unknown reason"):
        run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 5), "no_order", "sunny"))
    order_no = place(sample, "U-REP-1", at(MON, 5), "R-101", ("CC-100", 2, "BOX"), ("MG-75", 1, "BOX"))
    assert run(sample, "U-REP-1", lambda s, a: link_order(s, a, at(MON, 5), order_no, "R-101")) == visit.id
    pay = run(sample, "U-REP-1", lambda s, a: record_payment(s, a, at(MON, 6), "R-101", "3000", "cash"))
    assert run(sample, "U-REP-1", lambda s, a: link_payment(s, a, at(MON, 6), pay.id, "R-101")) == visit.id
    # someone not in a visit: nothing is linked, nothing changes
    assert run(sample, "U-MGR-KA", lambda s, a: link_payment(s, a, at(MON, 6), 999, "R-101")) is None
    with pytest.raises(InvalidInput, match="ends with outcome order"):
        run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 9), "no_order", "owner_absent"))
    done = run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 10)))
    assert (done.outcome, done.order_no, done.reason) == ("order", order_no, None)
    with Session(sample) as s:
        links = {(k, r) for k, r in s.exec(select(VisitLink.kind, VisitLink.ref).where(VisitLink.visit_id == visit.id))}
    assert links == {("order", order_no), ("payment", str(pay.id))}
    # a cancelled order does not make the next visit productive
    v2 = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 30), "R-106")).visit
    other = place(sample, "U-REP-1", at(MON, 31), "R-106", ("CC-100", 1, "BOX"))
    run(sample, "U-MGR-KA", lambda s, a: cancel_order(s, a, at(MON, 32), other, "wrong shop"))
    with pytest.raises(InvalidInput, match="No order was placed"):
        run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 33), "order"))
    done2 = run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 34), None, "credit_issue"))
    assert (done2.id, done2.outcome, done2.reason, done2.order_no) == (v2.id, "no_order", "credit_issue", None)


def test_off_site_over_the_radius(sample):
    with transaction(sample) as s:
        c = s.get(Customer, "R-101")
        c.latitude, c.longitude = Decimal("12.9700"), Decimal("77.5900")
        s.add(c)
    run(sample, "U-REP-1", lambda s, a: start_day(s, a, at(MON)))
    near = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-101", "12.9717", "77.5900")).visit
    assert near.distance_m == Decimal("189.0") and not near.off_site
    far = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 5), "R-106", "12.9719", "77.5900")).visit
    assert far.distance_m is None and not far.off_site  # R-106 has no coordinates
    run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 6), None, "shop_closed"))
    over = run(sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 7), "R-101", "12.9719", "77.5900")).visit
    assert over.distance_m == Decimal("211.3") and over.off_site
    run(sample, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 8), None, "shop_closed"))
    radius = run(
        sample, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 9), "R-101", "12.9719", "77.5900", radius_m=250)
    ).visit
    assert not radius.off_site


# --- reports -------------------------------------------------------------------------------


def _hand_built_week(engine) -> dict[str, str]:
    """Monday: R-101 (planned, on site, an order of 2 lines), R-103 (unplanned, no order),
    R-106 (planned, off-site, no order). Thursday: R-103 (planned, on site, an order later
    cancelled). U-REP-2 (Tuesday's beat: 3 outlets) does nothing."""
    with transaction(engine) as s:
        for code in ("R-101", "R-106", "R-103"):
            c = s.get(Customer, code)
            c.latitude, c.longitude = Decimal("12.9700"), Decimal("77.5900")
            s.add(c)
    run(engine, "U-REP-1", lambda s, a: start_day(s, a, at(MON, -30)))
    run(engine, "U-REP-1", lambda s, a: start_visit(s, a, at(MON), "R-101", "12.9700", "77.5900"))
    order = place(engine, "U-REP-1", at(MON, 5), "R-101", ("CC-100", 2, "BOX"), ("MG-75", 1, "BOX"))
    run(engine, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 10)))
    run(engine, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 60), "R-103"))
    run(engine, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 70), "no_order", "stock_sufficient"))
    run(engine, "U-REP-1", lambda s, a: start_visit(s, a, at(MON, 120), "R-106", "12.9800", "77.5900"))
    run(engine, "U-REP-1", lambda s, a: end_visit(s, a, at(MON, 130), "no_order", "owner_absent"))
    run(engine, "U-REP-1", lambda s, a: end_day(s, a, at(MON, 480)))
    run(engine, "U-REP-1", lambda s, a: start_day(s, a, at(THU, -15)))
    run(engine, "U-REP-1", lambda s, a: start_visit(s, a, at(THU), "R-103", "12.9701", "77.5900"))
    cancelled = place(engine, "U-REP-1", at(THU, 5), "R-103", ("CC-100", 1, "BOX"))
    run(engine, "U-REP-1", lambda s, a: end_visit(s, a, at(THU, 10)))
    run(engine, "U-MGR-KA", lambda s, a: cancel_order(s, a, at(THU, 60), cancelled, "duplicate"))
    return {"order": order, "cancelled": cancelled}


def test_compliance_productivity_and_lines_by_hand(sample):
    _hand_built_week(sample)
    now = at(FRI)
    days = run(sample, "U-MGR-KA", lambda s, a: visit_compliance(s, a, now, date(2026, 11, 16), date(2026, 11, 22)))
    got = {
        (r.rep, r.start): (r.planned, r.covered, r.missed, r.unplanned, r.off_site, r.calls, r.productive, r.lines)
        for r in days
    }
    assert got == {
        ("U-REP-1", date(2026, 11, 16)): (2, 1, 1, 1, 1, 3, 1, 2),
        ("U-REP-1", date(2026, 11, 19)): (1, 1, 0, 0, 0, 1, 0, 0),
        ("U-REP-2", date(2026, 11, 17)): (3, 0, 3, 0, 0, 0, 0, 0),
    }
    mon = next(r for r in days if r.start == date(2026, 11, 16))
    assert (mon.compliance_pct, mon.productive_pct, mon.lines_per_call) == (
        Decimal("50.00"),
        Decimal("33.33"),
        Decimal("2.00"),
    )
    week = run(
        sample, "U-REP-1", lambda s, a: visit_compliance(s, a, now, date(2026, 11, 16), date(2026, 11, 22), by="week")
    )
    assert len(week) == 1 and week[0].rep == "U-REP-1"  # a rep sees only their own
    w = week[0]
    assert (w.planned, w.covered, w.calls, w.productive, w.lines) == (3, 2, 4, 1, 2)
    assert (w.compliance_pct, w.productive_pct, w.lines_per_call) == (
        Decimal("66.67"),
        Decimal("25.00"),
        Decimal("2.00"),
    )
    missed = run(sample, "U-MGR-KA", lambda s, a: missed_outlets(s, a, now, date(2026, 11, 16)))
    assert [(m.rep, m.customer) for m in missed] == [("U-REP-1", "R-106")]
    assert (
        run(sample, "U-MGR-TN", lambda s, a: visit_compliance(s, a, now, date(2026, 11, 16), date(2026, 11, 22))) == []
    )
    att = run(sample, "U-MGR-KA", lambda s, a: attendance_report(s, a, now, date(2026, 11, 16), date(2026, 11, 22)))
    rep1 = next(x for x in att if x.rep == "U-REP-1")
    assert rep1.days == 2
    assert rep1.rows[0].first_check_in == MON - timedelta(minutes=30)
    assert rep1.rows[0].last_check_out == MON + timedelta(minutes=480)
    assert rep1.rows[1].open and rep1.rows[1].last_check_out is None
    assert next(x for x in att if x.rep == "U-REP-2").days == 0
    idle = run(sample, "U-REP-1", lambda s, a: outlets_not_visited(s, a, now, 7))
    assert [o.customer for o in idle] == []  # all visited this week (R-107 is blocked)
    idle = run(sample, "U-MGR-KA", lambda s, a: outlets_not_visited(s, a, now, 7))
    assert [o.customer for o in idle] == ["R-102", "R-104"]


def test_targets_for_a_rep_and_a_distributor(sample):
    dec = datetime(2026, 12, 5, 10, 0, tzinfo=TZ)

    def order(s, no, customer, status, when, gross, discount="0"):
        s.add(
            Order(
                order_no=no,
                customer=customer,
                warehouse="WH-BLR",
                status=status,
                created_at=when,
                gross=Decimal(gross),
                discount=Decimal(discount),
                tax=Decimal("0"),
                total=Decimal(gross) - Decimal(discount),
            )
        )

    with transaction(sample) as s:
        order(s, "T-1", "R-101", "confirmed", dec, "1000", "100")  # rep 1's beat and region: 900
        order(s, "T-2", "R-103", "delivered", dec, "500")  # Mysuru, rep 1's region: 500
        order(s, "T-3", "R-101", "cancelled", dec, "700")  # not a sale
        order(s, "T-4", "R-102", "confirmed", dec, "400")  # rep 2's; D-BLR's retailer
        order(s, "T-5", "D-BLR", "dispatched", dec, "2000")  # the distributor itself
        order(s, "T-6", "R-101", "confirmed", datetime(2026, 11, 30, 23, 30, tzinfo=TZ), "999")  # November
        order(s, "T-7", "R-105", "confirmed", dec, "300")  # Chennai: D-CHN's
        s.add(Target(month="2026-12", user_id="U-REP-1", target=Decimal("2800")))
        s.add(Target(month="2026-12", customer="D-BLR", target=Decimal("4000")))
        s.add(Target(month="2026-12", customer="D-CHN", target=Decimal("1000")))
    clock = at(dec)
    rows = run(sample, "U-MGR-KA", lambda s, a: target_report(s, a, clock, "2026-12"))
    got = {(r.kind, r.owner): (r.target, r.achieved, r.pct) for r in rows}
    assert got == {
        ("rep", "U-REP-1"): (Decimal("2800"), Decimal("1400.00"), Decimal("50.00")),
        ("distributor", "D-BLR"): (Decimal("4000"), Decimal("3800.00"), Decimal("95.00")),
    }
    mine = run(sample, "U-REP-1", lambda s, a: target_report(s, a, clock))
    assert [(r.owner, r.achieved) for r in mine] == [("U-REP-1", Decimal("1400.00"))]
    dist = run(sample, "U-DIST-BLR", lambda s, a: target_report(s, a, clock, "2026-12"))
    assert [(r.owner, r.pct) for r in dist] == [("D-BLR", Decimal("95.00"))]
    tn = run(sample, "U-MGR-TN", lambda s, a: target_report(s, a, clock, "2026-12"))
    assert [(r.owner, r.achieved) for r in tn] == [("D-CHN", Decimal("300.00"))]
    with pytest.raises(InvalidInput):
        run(sample, "U-ADM", lambda s, a: target_report(s, a, clock, "2026-13"))


def test_suggested_order_by_hand(sample):
    def old(s, no, day, status, *lines):
        when = datetime.combine(day, datetime.min.time(), TZ) + timedelta(hours=11)
        s.add(Order(order_no=no, customer="R-106", warehouse="WH-BLR", status=status, created_at=when))
        for n, (sku, qty) in enumerate(lines, 1):
            s.add(OrderLine(order_no=no, line_no=n, sku=sku, qty=qty))

    with transaction(sample) as s:
        old(s, "H-1", date(2026, 9, 1), "delivered", ("CC-100", 20))
        old(s, "H-2", date(2026, 10, 10), "delivered", ("CC-100", 30), ("ST-1K", 4), ("GD-1L", 6), ("MG-75", 6))
        old(s, "H-3", date(2026, 11, 1), "delivered", ("CC-100", 10), ("NOOD-70", 5), ("MG-75", 3))
        old(s, "H-4", date(2026, 11, 10), "delivered", ("NOOD-70", 7))
        old(s, "H-5", date(2026, 8, 1), "delivered", ("GD-1L", 8))
        old(s, "H-6", date(2026, 11, 2), "cancelled", ("GD-1L", 8), ("ST-1K", 1))
    clock = at(datetime(2026, 11, 20, 10, 30, tzinfo=TZ))
    got = run(sample, "U-REP-1", lambda s, a: suggest_order(s, a, clock, "R-106"))
    assert got.quantities == {"CC-100": 20, "MG-75": 5}
    assert [(ln.sku, ln.qty, ln.unit_price) for ln in got.preview.lines] == [
        ("CC-100", 20, Decimal("10.00")),
        ("MG-75", 5, Decimal("5.00")),
    ]
    with Session(sample) as s:
        assert s.exec(select(Order).where(Order.customer == "R-106", Order.created_at > clock.now())).all() == []
    with pytest.raises(NotFound):
        run(sample, "U-REP-2", lambda s, a: suggest_order(s, a, clock, "R-106"))


# --- outlet requests -----------------------------------------------------------------------


def test_outlet_update_approved_and_rejected_in_scope(sample):
    now = at(MON)
    req = run(
        sample,
        "U-REP-1",
        lambda s, a: propose_outlet_update(
            s, a, now, "R-101", OutletChange(phone="+91 98450 55555", contact_person="Anand K", outlet_class="a")
        ),
    )
    with Session(sample) as s:
        assert s.get(Customer, "R-101").phone == "+91-98450-10101"  # nothing changes before approval
        assert {m.recipient for m in s.exec(select(OutboxMessage).where(OutboxMessage.event == "outlet_request"))} == {
            "U-MGR-KA"
        }
    with pytest.raises(NotFound) as other_region:
        run(sample, "U-MGR-TN", lambda s, a: decide_outlet_request(s, a, now, req.id, True))
    with pytest.raises(NotFound) as nonexistent:
        run(sample, "U-MGR-TN", lambda s, a: decide_outlet_request(s, a, now, "OR-9999", True))
    assert other_region.value.message.replace(req.id, "X") == nonexistent.value.message.replace("OR-9999", "X")
    with pytest.raises(NotAllowed):
        run(sample, "U-REP-1", lambda s, a: decide_outlet_request(s, a, now, req.id, True))
    with pytest.raises(NotFound):  # out of scope reads as nonexistent for a proposal too
        run(sample, "U-REP-1", lambda s, a: propose_outlet_update(s, a, now, "R-105", OutletChange(phone="1")))
    done = run(sample, "U-MGR-KA", lambda s, a: decide_outlet_request(s, a, now, req.id, True))
    assert done.status == "approved"
    with Session(sample) as s:
        c = s.get(Customer, "R-101")
        assert (c.phone, c.contact_person, c.outlet_class) == ("+91 98450 55555", "Anand K", "A")
        note = s.exec(select(OutboxMessage).where(OutboxMessage.event == "outlet_request_decided")).one()
        assert note.recipient == "U-REP-1" and '"approved"' in note.payload
    with pytest.raises(Exception, match="already approved"):
        run(sample, "U-ADM", lambda s, a: decide_outlet_request(s, a, now, req.id, False, "late"))
    loc = run(
        sample,
        "U-REP-1",
        lambda s, a: propose_outlet_update(s, a, now, "R-103", OutletChange(latitude="12.2958", longitude="76.6394")),
    )
    with pytest.raises(InvalidInput, match="reason"):
        run(sample, "U-MGR-KA", lambda s, a: decide_outlet_request(s, a, now, loc.id, False))
    run(sample, "U-MGR-KA", lambda s, a: decide_outlet_request(s, a, now, loc.id, False, "wrong pin"))
    with Session(sample) as s:
        assert s.get(Customer, "R-103").latitude is None


def test_new_outlet_pending_until_a_manager_of_its_region_approves(sample):
    now = at(MON)
    with pytest.raises(InvalidInput, match="region"):
        run(sample, "U-REP-1", lambda s, a: propose_new_outlet(s, a, now, NewOutlet("Kovai Stores", "CHN")))
    req = run(
        sample,
        "U-REP-1",
        lambda s, a: propose_new_outlet(
            s,
            a,
            now,
            NewOutlet(
                "Sri Ganesh Stores",
                "BLR-N",
                phone="+91 90000 00001",
                outlet_class="B",
                latitude="13.0100",
                longitude="77.5500",
            ),
        ),
    )
    with Session(sample) as s:
        c = s.get(Customer, req.customer)
        assert (c.name, c.status, c.region, c.warehouse, c.distributor, c.outlet_class) == (
            "Sri Ganesh Stores",
            "pending",
            "BLR-N",
            "WH-BLR",
            "D-BLR",
            "B",
        )
    with pytest.raises(InvalidInput, match="already an outlet"):
        run(sample, "U-REP-1", lambda s, a: propose_new_outlet(s, a, now, NewOutlet("sri ganesh stores", "BLR-N")))
    with pytest.raises(NotFound):
        run(sample, "U-MGR-TN", lambda s, a: decide_outlet_request(s, a, now, req.id, True))
    run(sample, "U-MGR-KA", lambda s, a: decide_outlet_request(s, a, now, req.id, True))
    with Session(sample) as s:
        assert s.get(Customer, req.customer).status == "active"
    other = run(sample, "U-REP-1", lambda s, a: propose_new_outlet(s, a, now, NewOutlet("Ghost Mart", "MYS")))
    run(sample, "U-ADM", lambda s, a: decide_outlet_request(s, a, now, other.id, False, "does not exist"))
    with Session(sample) as s:
        assert s.get(Customer, other.customer).status == "blocked"
        assert [
            e.action
            for e in s.exec(select(AuditEntry).where(AuditEntry.entity == "outlet_request").order_by(AuditEntry.id))
        ] == ["outlet.propose_new", "outlet.approve", "outlet.propose_new", "outlet.reject"]


# --- the world files -----------------------------------------------------------------------


def test_sample_world_still_imports(engine, clock):
    from tests.conftest import SAMPLE_WORLD

    report = import_world(engine, SAMPLE_WORLD, clock=clock)
    assert "visits" not in report.counts
