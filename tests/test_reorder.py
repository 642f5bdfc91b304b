"""Reorders ("same as last time", "reorder SO-0905") on the sample world: a new order at today's
prices, schemes and stock, previewed and created by the order service, naming what changed."""

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from core.clock import Clock
from core.errors import NoPrice, NotAllowed, NotFound
from core.inventory import ledger_consistent
from core.reorders import place_reorder, plan_reorder
from core.stock import adjust_stock
from core.tables.audit import AuditEntry
from core.tables.orders import Order, OrderLine
from core.tables.pricing import Price
from core.tracking import track_order
from tool_helpers import act, execute, preview, read, rows
from tools.base import StalePreview

HISTORY = {f"SO-09{n:02d}" for n in range(1, 9)}


def new_orders(engine) -> list[Order]:
    with Session(engine) as s:
        return list(s.exec(select(Order).where(Order.order_no.not_in(HISTORY))))


def lines_of(engine, order_no) -> list[tuple]:
    with Session(engine) as s:
        return [
            (ln.sku, ln.qty, ln.free_qty, str(ln.unit_price))
            for ln in s.exec(select(OrderLine).where(OrderLine.order_no == order_no).order_by(OrderLine.line_no))
        ]


def test_same_as_last_time_repeats_the_latest_order(sample, clock):
    before = rows(sample)
    p = preview(sample, clock, "U-RET-101", "reorder", channel="telegram")
    assert rows(sample) == before  # a preview writes nothing
    assert p.data["source"] == "SO-0905" and p.data["customer"] == "R-101"
    assert [(ln["sku"], ln["qty"], ln["unit_price"]) for ln in p.data["lines"]] == [
        ("CC-200", 72, "20.00"),
        ("GD-1L", 12, "140.00"),
    ]
    assert "Repeating order SO-0905" in p.text and "3,463.20" in p.text and "no price has changed" in p.text
    assert p.table.columns[0] == "Code" and len(p.table.rows) == 2

    done = execute(sample, clock, "U-RET-101", "reorder", p.fingerprint, channel="telegram")
    assert done.outcome == "done" and "repeating SO-0905" in done.text
    [order] = new_orders(sample)
    assert (order.customer, order.status, order.total, order.channel) == (
        "R-101",
        "confirmed",
        Decimal("3463.20"),
        "telegram",
    )
    assert lines_of(sample, order.order_no) == [("CC-200", 72, 0, "20.00"), ("GD-1L", 12, 0, "140.00")]
    with Session(sample) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.entity_id == order.order_no).order_by(AuditEntry.id))
        assert [(e.action, e.user_id, e.channel) for e in entries] == [
            ("order.create", "U-RET-101", "telegram"),
            ("order.reorder", "U-RET-101", "telegram"),
        ]
        assert ledger_consistent(s) == []
    tracked = read(sample, clock, "U-RET-101", lambda s, a, c: track_order(s, a, order.order_no))
    assert tracked.steps[0].detail == "repeating SO-0905"


def test_latest_order_skips_cancelled_ones(sample, clock):
    # Fresh Mart's latest order, SO-0907, was cancelled: "the same again" means SO-0902
    plan = read(sample, clock, "U-RET-102", lambda s, a, c: plan_reorder(s, a, c))
    assert plan.source.order_no == "SO-0902"
    assert [(ln.sku, ln.qty) for ln in plan.lines] == [("BR-1K", 60), ("NS-100", 72)]


def test_a_rep_repeats_a_customers_last_order_at_todays_price(sample, clock):
    # Sunleaf 250g costs 125.00 from 1 December (120.00 before)
    december = Clock(clock.tz, datetime(2026, 12, 2, 11, 0, tzinfo=clock.tz))
    p = preview(sample, december, "U-REP-1", "reorder", customer="Ganesh Provisions")
    assert p.data["source"] == "SO-0904"
    assert p.data["repriced"] == [{"sku": "ST-250", "was": "120.00", "now": "125.00"}]
    assert "now ₹125.00, was ₹120.00" in p.text
    assert p.data["needs_approval"] and "credit limit" in p.text  # a new order: today's credit check
    execute(sample, december, "U-REP-1", "reorder", p.fingerprint, customer="Ganesh Provisions")
    [order] = new_orders(sample)
    assert order.status == "pending_approval"
    assert lines_of(sample, order.order_no) == [("ST-250", 40, 0, "125.00")]


def test_lines_short_of_stock_are_left_out_and_named(sample, clock):
    # SO-0903 had 480 noodles; 48 are left
    p = preview(sample, clock, "U-MGR-KA", "reorder", order_no="SO-0903")
    assert [ln["sku"] for ln in p.data["lines"]] == ["CC-100", "GD-5L"]
    assert p.data["left_out"] == [{"sku": "NOOD-70", "qty": 480, "problem": "short", "available": 48}]
    assert "only 48 available, 480 last time" in p.text and "left out" in p.text
    assert "₹9.20 per PCS" in p.text  # the customer's own price, and today's free goods
    assert p.data["lines"][0]["free_qty"] == 144
    done = execute(sample, clock, "U-MGR-KA", "reorder", p.fingerprint, order_no="SO-0903")
    assert "Left out: Kaveri Masala Noodles 70g" in done.text
    [order] = new_orders(sample)
    assert order.customer == "R-104" and [ln[0] for ln in lines_of(sample, order.order_no)] == ["CC-100", "GD-5L"]


def test_a_line_without_a_price_today_is_left_out(sample, clock):
    with Session(sample) as s:  # GoldDrop 1L is no longer sold after 1 November
        s.execute(update(Price).where(Price.sku == "GD-1L").values(valid_to=datetime(2026, 11, 1).date()))
        s.commit()
    plan = read(sample, clock, "U-RET-101", lambda s, a, c: plan_reorder(s, a, c, "SO-0905"))
    assert [(ln.sku, ln.problem) for ln in plan.left_out] == [("GD-1L", "no_price")]
    assert [i.sku for i in plan.items] == ["CC-200"]
    with Session(sample) as s:  # and when nothing is left, nothing can be ordered
        s.execute(update(Price).where(Price.sku == "CC-200").values(valid_to=datetime(2026, 11, 1).date()))
        s.commit()
    with pytest.raises(NoPrice, match="Nothing of order SO-0905 can be ordered today"):
        read(sample, clock, "U-RET-101", lambda s, a, c: plan_reorder(s, a, c, "SO-0905"))


def test_a_changed_world_shows_the_new_preview_instead(sample, clock):
    p = preview(sample, clock, "U-MGR-KA", "reorder", order_no="SO-0903")
    # noodles arrive after the preview: the order would now hold a line the user never saw
    act(sample, clock, "U-WH-1", lambda s, a, c: adjust_stock(s, a, c, "WH-BLR", "NOOD-70", "ND-2610", 500, "found"))
    before = rows(sample)
    with pytest.raises(StalePreview) as e:
        execute(sample, clock, "U-MGR-KA", "reorder", p.fingerprint, order_no="SO-0903")
    assert [ln["sku"] for ln in e.value.preview.data["lines"]] == ["CC-100", "NOOD-70", "GD-5L"]
    assert rows(sample) == before and new_orders(sample) == []
    # the core refuses a stale fingerprint by itself, whoever calls it
    with pytest.raises(Exception, match="changed since the preview"):
        act(sample, clock, "U-MGR-KA", lambda s, a, c: place_reorder(s, a, c, "SO-0903", expected=p.fingerprint))
    assert new_orders(sample) == []


def test_scope_and_permission(sample, clock):
    def refusal(user, **args):
        with pytest.raises(Exception) as e:
            preview(sample, clock, user, "reorder", **args)
        return e.value

    hidden, missing = refusal("U-RET-101", order_no="SO-0902"), refusal("U-RET-101", order_no="SO-0999")
    assert isinstance(hidden, NotFound) and isinstance(missing, NotFound)
    assert str(hidden).replace("SO-0902", "#") == str(missing).replace("SO-0999", "#")
    assert str(refusal("U-MGR-TN", order_no="SO-0905")).replace("SO-0905", "#") == str(
        refusal("U-MGR-TN", order_no="SO-0999")
    ).replace("SO-0999", "#")
    assert isinstance(refusal("U-WH-1", order_no="SO-0905"), NotAllowed)  # warehouse staff do not order
    assert isinstance(refusal("U-REP-1", customer="Murugan Stores"), NotAllowed)  # outside the rep's beat
    assert "Whose last order" in str(refusal("U-MGR-KA"))
    assert "no earlier order" in str(refusal("U-RET-106"))
    assert new_orders(sample) == []
