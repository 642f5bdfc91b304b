"""Allocation plans (properties) and the stock services against a real database."""

import os
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlmodel import Session, select

from core.db import make_engine, transaction
from core.errors import InsufficientStock, InvalidInput, NotFound
from core.inventory import (
    BatchStock,
    Who,
    adjust,
    allocation_order,
    dispatch_out,
    ledger_consistent,
    mark_damaged,
    plan_allocation,
    receive,
    release,
    reserve,
    reserve_for_order,
    transfer,
    usable,
)
from core.tables.catalogue import Sku
from core.tables.inventory import OrderAllocation, StockBalance, StockMovement
from core.tables.orders import Order
from core.tables.parties import Warehouse

TODAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
WHO = Who("U-TEST", AT, "test")
POSTGRES = os.environ.get("DMS_TEST_DB") == "postgres"

# --- plan_allocation properties -------------------------------------------------------------

dates = st.one_of(st.none(), st.dates(min_value=TODAY - timedelta(days=60), max_value=TODAY + timedelta(days=60)))
batch_lists = st.lists(
    st.builds(
        BatchStock,
        batch=st.text("ABCDEFGH", min_size=1, max_size=3),
        available=st.integers(0, 40),
        expiry_date=dates,
        received_on=dates,
    ),
    max_size=8,
    unique_by=lambda b: b.batch,
)
methods = st.sampled_from(["FEFO", "FIFO"])


def _expired(b: BatchStock) -> bool:
    return b.expiry_date is not None and b.expiry_date < TODAY


@settings(max_examples=300, deadline=None)
@given(batch_lists, st.integers(0, 200), methods)
def test_plan_takes_exactly_qty_in_order_or_nothing(batches, qty, method):
    total = sum(b.available for b in batches if not _expired(b))
    if qty > total:  # all-or-nothing: short means no plan at all
        with pytest.raises(ValueError):
            plan_allocation(batches, qty, method, TODAY)
        return
    plan = plan_allocation(batches, qty, method, TODAY)
    by_code = {b.batch: b for b in batches}
    assert sum(n for _, n in plan) == qty
    assert len({b for b, _ in plan}) == len(plan)  # each batch at most once
    for code, n in plan:
        assert 0 < n <= by_code[code].available  # never more than a batch holds
        assert not _expired(by_code[code])  # expired batches are never used
    # The plan is a prefix of the allocation order, every batch but the last taken whole.
    order = [b.batch for b in allocation_order(usable(batches, TODAY), method)]
    assert [b for b, _ in plan] == order[: len(plan)]
    for code, n in plan[:-1]:
        assert n == by_code[code].available


@settings(max_examples=200, deadline=None)
@given(batch_lists, methods)
def test_plan_splits_when_no_single_batch_covers(batches, method):
    fresh = [b.available for b in batches if not _expired(b) and b.available > 0]
    if len(fresh) < 2:
        return
    qty = max(fresh) + 1
    plan = plan_allocation(batches, qty, method, TODAY)
    assert len(plan) >= 2 and sum(n for _, n in plan) == qty


@given(st.sampled_from(["FEFO", "FIFO"]))
def test_order_rules(method):
    b = [
        BatchStock("Z", 10, date(2026, 12, 1), date(2026, 9, 1)),
        BatchStock("A", 10, date(2027, 1, 1), date(2026, 8, 1)),
        BatchStock("N", 10, None, date(2026, 7, 1)),
        BatchStock("X", 10, date(2026, 11, 19), date(2026, 6, 1)),
    ]  # expired yesterday
    plan = plan_allocation(b, 25, method, TODAY)
    if method == "FEFO":  # earliest expiry first, no expiry last
        assert plan == [("Z", 10), ("A", 10), ("N", 5)]
    else:  # earliest receipt first (the expired batch still skipped)
        assert plan == [("N", 10), ("A", 10), ("Z", 5)]
    assert plan_allocation(b, 0, method, TODAY) == []
    with pytest.raises(ValueError):
        plan_allocation(b, 31, method, TODAY)
    assert plan_allocation([BatchStock("E", 5, TODAY)], 5, method, TODAY) == [("E", 5)]  # expires today: usable


# --- services ---------------------------------------------------------------------------


def _stock_world(engine):
    """Two warehouses; SKU S1 (FEFO) in three batches, one expired; S2 (FIFO) in two."""
    with transaction(engine) as s:
        s.add(Warehouse(code="W1", name="One", region="R"))
        s.add(Warehouse(code="W2", name="Two", region="R"))
        s.add(Sku(code="S1", product="P", name="Sku one", allocation="FEFO", reorder_level=5))
        s.add(Sku(code="S2", product="P", name="Sku two", allocation="FIFO"))
        receive(s, WHO, "W1", "S1", "OLD", 7, expiry_date=date(2026, 11, 1), received_on=date(2026, 5, 1))
        receive(
            s,
            WHO,
            "W1",
            "S1",
            "B1",
            10,
            mfg_date=date(2026, 6, 1),
            expiry_date=date(2026, 12, 31),
            received_on=date(2026, 6, 5),
        )
        receive(s, WHO, "W1", "S1", "B2", 20, expiry_date=date(2027, 6, 30), received_on=date(2026, 6, 1))
        receive(s, WHO, "W1", "S2", "C1", 5, received_on=date(2026, 9, 1))
        receive(s, WHO, "W1", "S2", "C2", 5, received_on=date(2026, 8, 1))
        s.add(Order(order_no="SO-1", customer="C", warehouse="W1", status="confirmed", created_at=AT))


def _bal(s: Session, wh: str, sku: str, batch: str) -> tuple[int, int, int]:
    r = s.exec(
        select(StockBalance)
        .where(StockBalance.warehouse == wh, StockBalance.sku == sku, StockBalance.batch == batch)
        .execution_options(populate_existing=True)
    ).one()
    return r.available, r.reserved, r.damaged


def _all_balances(s: Session) -> list[tuple]:
    return [
        (r.warehouse, r.sku, r.batch, r.available, r.reserved, r.damaged)
        for r in s.exec(
            select(StockBalance)
            .order_by(StockBalance.warehouse, StockBalance.sku, StockBalance.batch)
            .execution_options(populate_existing=True)
        )
    ]


@pytest.fixture
def stocked(engine):
    _stock_world(engine)
    return engine


def test_reserve_for_order_splits_fefo_fifo_and_records_allocations(stocked):
    with transaction(stocked) as s:
        plans = reserve_for_order(s, WHO, "SO-1", "W1", {"S1": 15, "S2": 6}, {"S1": "FEFO"}, TODAY)
    assert plans == {"S1": [("B1", 10), ("B2", 5)], "S2": [("C2", 5), ("C1", 1)]}  # S2 method from the SKU
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "OLD") == (7, 0, 0)  # expired batch untouched
        assert _bal(s, "W1", "S1", "B1") == (0, 10, 0)
        assert _bal(s, "W1", "S1", "B2") == (15, 5, 0)
        allocs = sorted((a.sku, a.batch, a.qty) for a in s.exec(select(OrderAllocation)))
        assert allocs == [("S1", "B1", 10), ("S1", "B2", 5), ("S2", "C1", 1), ("S2", "C2", 5)]
        kinds = {m.kind for m in s.exec(select(StockMovement).where(StockMovement.order_no == "SO-1"))}
        assert kinds == {"reservation"}
        assert ledger_consistent(s) == []


def test_reserve_for_order_is_all_or_nothing_and_lists_every_short_sku(stocked):
    with Session(stocked) as s:
        before = _all_balances(s)
    with transaction(stocked) as s:
        with pytest.raises(InsufficientStock) as e:
            reserve_for_order(s, WHO, "SO-1", "W1", {"S1": 31, "S2": 11, "S3": 1}, {}, TODAY)
        s.rollback()
    short = {x["sku"]: (x["available"], x["asked"]) for x in e.value.shortages}
    assert short == {"S1": (30, 31), "S2": (10, 11), "S3": (0, 1)}  # the expired 7 do not count
    assert "S1: 30 available" in e.value.message
    # covered lines are not reserved either, even without a rollback
    with transaction(stocked) as s, pytest.raises(InsufficientStock):
        reserve_for_order(s, WHO, "SO-1", "W1", {"S1": 5, "S2": 11}, {}, TODAY)
    with Session(stocked) as s:
        assert _all_balances(s) == before
        assert s.exec(select(OrderAllocation)).all() == []
        assert ledger_consistent(s) == []


def test_reserve_rejects_bad_quantities(stocked):
    with transaction(stocked) as s:
        with pytest.raises(InvalidInput):
            reserve(s, WHO, "W1", "S1", -1, "FEFO", TODAY)
        with pytest.raises(InvalidInput):
            reserve_for_order(s, WHO, "SO-1", "W1", {"S1": 2.5}, {}, TODAY)
        assert reserve(s, WHO, "W1", "S1", 0, "FEFO", TODAY) == []


def test_release_gives_back_once(stocked):
    with transaction(stocked) as s:
        reserve_for_order(s, WHO, "SO-1", "W1", {"S1": 15}, {}, TODAY)
    with transaction(stocked) as s:
        assert release(s, WHO, "SO-1") == [("S1", "B1", 10), ("S1", "B2", 5)]
    with transaction(stocked) as s:
        assert release(s, WHO, "SO-1") == []  # nothing left to give back
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "B1") == (10, 0, 0)
        assert _bal(s, "W1", "S1", "B2") == (20, 0, 0)
        assert {m.kind for m in s.exec(select(StockMovement).where(StockMovement.order_no == "SO-1"))} == {
            "reservation",
            "release",
        }
        assert ledger_consistent(s) == []


def test_dispatch_takes_reserved_out(stocked):
    with transaction(stocked) as s:
        reserve_for_order(s, WHO, "SO-1", "W1", {"S1": 12}, {}, TODAY)
        dispatch_out(s, WHO, "SO-1")
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "B1") == (0, 0, 0)
        assert _bal(s, "W1", "S1", "B2") == (18, 0, 0)
        assert len(s.exec(select(OrderAllocation)).all()) == 2  # which batches shipped
        assert ledger_consistent(s) == []
    with transaction(stocked) as s:
        with pytest.raises(InsufficientStock):  # a second dispatch finds nothing reserved
            dispatch_out(s, WHO, "SO-1")
        with pytest.raises(NotFound):
            release(s, WHO, "SO-404")


def test_adjust_and_damage(stocked):
    with transaction(stocked) as s:
        assert adjust(s, WHO, "W1", "S1", "B1", -3, "count").available == 7
        assert adjust(s, WHO, "W1", "S1", "B1", 5, "found a box").available == 12
        row = mark_damaged(s, WHO, "W1", "S1", "B2", 4, "crushed")
        assert (row.available, row.damaged) == (16, 4)
    bad = [
        (adjust, dict(delta=-13, reason="count"), InsufficientStock),
        (adjust, dict(delta=2, reason="  "), InvalidInput),
        (adjust, dict(delta=0, reason="count"), InvalidInput),
        (mark_damaged, dict(qty=17, reason="wet"), InsufficientStock),
        (mark_damaged, dict(qty=-1, reason="wet"), InvalidInput),
        (mark_damaged, dict(qty=1, reason=""), InvalidInput),
    ]
    for fn, kw, err in bad:
        batch = "B1" if fn is adjust else "B2"
        with transaction(stocked) as s, pytest.raises(err):
            fn(s, WHO, "W1", "S1", batch, *kw.values())
    with transaction(stocked) as s, pytest.raises(NotFound):
        adjust(s, WHO, "W1", "S1", "NOPE", 1, "count")
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "B1") == (12, 0, 0)
        assert _bal(s, "W1", "S1", "B2") == (16, 0, 4)
        reasons = [
            m.reason
            for m in s.exec(
                select(StockMovement).where(StockMovement.kind.in_(["adjustment", "damage"])).order_by(StockMovement.id)
            )
        ]
        assert reasons == ["count", "found a box", "crushed"]
        assert ledger_consistent(s) == []


def test_transfer_creates_batch_with_same_dates(stocked):
    with transaction(stocked) as s:
        transfer(s, WHO, "W1", "W2", "S1", "B1", 4, "rebalance")
        transfer(s, WHO, "W1", "W2", "S1", "B1", 2, "rebalance")
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "B1") == (4, 0, 0)
        assert _bal(s, "W2", "S1", "B1") == (6, 0, 0)
        moved = s.get(StockBalance, ("W2", "S1", "B1"))
        assert (moved.mfg_date, moved.expiry_date, moved.received_on) == (
            date(2026, 6, 1),
            date(2026, 12, 31),
            date(2026, 6, 5),
        )
        legs = [
            (m.warehouse, m.d_available)
            for m in s.exec(select(StockMovement).where(StockMovement.kind == "transfer").order_by(StockMovement.id))
        ]
        assert sorted(legs) == [("W1", -4), ("W1", -2), ("W2", 2), ("W2", 4)]
        assert ledger_consistent(s) == []
    for args, err in [
        (("W1", "W1", "S1", "B1", 1, "x"), InvalidInput),
        (("W1", "W9", "S1", "B1", 1, "x"), NotFound),
        (("W1", "W2", "S1", "B1", 5, "x"), InsufficientStock),
        (("W1", "W2", "S1", "B1", 1, ""), InvalidInput),
    ]:
        with transaction(stocked) as s, pytest.raises(err):
            transfer(s, WHO, *args)
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "B1") == (4, 0, 0)
        assert ledger_consistent(s) == []


def test_ledger_consistent_reports_tampering(stocked):
    with transaction(stocked) as s:
        s.execute(text("UPDATE stock_balance SET available = available + 1 WHERE batch = 'B1'"))
        s.execute(text("UPDATE stock_balance SET reserved = -2 WHERE batch = 'C1'"))
    with Session(stocked) as s:
        problems = ledger_consistent(s)
    assert any(p.startswith("W1/S1/B1: balance") for p in problems)
    assert any(p.startswith("W1/S2/C1: negative") for p in problems)


def test_sample_world_services_keep_the_ledger(sample):
    """Release a confirmed order, dispatch another, adjust, damage and transfer on the sample."""
    with Session(sample) as s:
        assert ledger_consistent(s) == []
        before = _bal(s, "WH-BLR", "ST-1K", "ST1-2609")
    with transaction(sample) as s:
        released = release(s, WHO, "SO-0905")
        assert {sku for sku, _, _ in released} == {"CC-200", "GD-1L"}
        dispatch_out(s, WHO, "SO-0908")
        mark_damaged(s, WHO, "WH-BLR", "NS-100", "NS-2609", 6, "water damage")
        adjust(s, WHO, "WH-BLR", "NS-100", "NS-2609", -30, "stock count")
        transfer(s, WHO, "WH-BLR", "WH-CHN", "MG-75", "MG-2608", 400, "rebalance")
        plans = reserve_for_order(s, WHO, "SO-0905", "WH-BLR", {"MG-75": 300}, {}, TODAY)
    assert plans == {"MG-75": [("MG-2606", 240), ("MG-2608", 60)]}  # MG-2605 expired on 11-18
    with Session(sample) as s:
        assert before[1] == 12 and _bal(s, "WH-BLR", "ST-1K", "ST1-2609") == (before[0], 0, 0)
        assert _bal(s, "WH-BLR", "NS-100", "NS-2609") == (0, 0, 6)
        assert _bal(s, "WH-CHN", "MG-75", "MG-2608") == (400, 0, 0)
        assert all(min(r[3:]) >= 0 for r in _all_balances(s))
        assert ledger_consistent(s) == []
    with transaction(sample) as s, pytest.raises(InsufficientStock):
        adjust(s, WHO, "WH-BLR", "NS-100", "NS-2609", -1, "count")


# --- concurrency (PostgreSQL) -----------------------------------------------------------

needs_pg = pytest.mark.skipif(not POSTGRES, reason="concurrency needs PostgreSQL (DMS_TEST_DB=postgres)")


def _race(engine, n, work):
    """Run `work(session, i)` in n threads at once, each in its own transaction."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        eng = make_engine(engine.url_string)
        try:
            barrier.wait()
            with transaction(eng) as s:
                results[i] = work(s, i)
        except Exception as e:  # noqa: BLE001 - collected and asserted on
            results[i] = e
        finally:
            eng.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


@needs_pg
@pytest.mark.parametrize("batches,each", [([("LAST", 10)], 1), ([("A", 5), ("B", 5)], 2), ([("A", 4), ("B", 3)], 3)])
def test_twenty_threads_race_for_the_last_units(engine, batches, each):
    with transaction(engine) as s:
        for i, (code, n) in enumerate(batches):
            receive(s, WHO, "W1", "S1", code, n, expiry_date=date(2027, 1, 1 + i))
        receive(s, WHO, "W1", "S1", "GONE", 50, expiry_date=date(2026, 1, 1))  # expired: never taken
    total = sum(n for _, n in batches)
    results = _race(engine, 20, lambda s, i: reserve(s, WHO, "W1", "S1", each, "FEFO", TODAY, order_no=f"T{i}"))
    wins = [r for r in results if isinstance(r, list)]
    errors = [r for r in results if not isinstance(r, list)]
    assert all(isinstance(e, InsufficientStock) for e in errors), errors
    assert len(wins) == total // each
    with Session(engine) as s:
        rows = {r[2]: r[3:] for r in _all_balances(s)}
        assert sum(rows[c][1] for c, _ in batches) == len(wins) * each
        assert sum(rows[c][0] for c, _ in batches) == total - len(wins) * each
        assert rows["GONE"] == (50, 0, 0)
        assert all(min(v) >= 0 for v in rows.values())
        assert ledger_consistent(s) == []


@needs_pg
def test_orders_locking_skus_in_any_order_do_not_deadlock(engine):
    with transaction(engine) as s:
        for sku in ("X", "Y"):
            receive(s, WHO, "W1", sku, "B", 10)

    def work(s, i):
        wants = {"X": 1, "Y": 1} if i % 2 else {"Y": 1, "X": 1}
        return reserve_for_order(s, WHO, f"O{i}", "W1", wants, {}, TODAY)

    results = _race(engine, 20, work)
    errors = [r for r in results if not isinstance(r, dict)]
    assert all(isinstance(e, InsufficientStock) for e in errors), errors  # no deadlock errors
    assert len(errors) == 10
    with Session(engine) as s:
        assert [r[3:] for r in _all_balances(s)] == [(0, 10, 0), (0, 10, 0)]
        assert len(s.exec(select(OrderAllocation)).all()) == 20
        assert ledger_consistent(s) == []


@needs_pg
def test_reserve_replans_when_stock_is_taken_after_the_read(stocked):
    """Another transaction commits a reservation of B1 between our read and our update:
    the conditional update fails, the savepoint rolls back and the re-plan takes B2."""
    fired = []

    def steal(conn, cursor, statement, params, context, executemany):
        if fired or "FROM stock_balance" not in statement or "FOR UPDATE" in statement:
            return
        fired.append(True)
        with make_engine(stocked.url_string).begin() as other:
            other.execute(
                text(
                    "UPDATE stock_balance SET available = available - 8, reserved = reserved + 8 "
                    "WHERE warehouse = 'W1' AND sku = 'S1' AND batch = 'B1'"
                )
            )
            other.execute(
                text(
                    "INSERT INTO stock_movement (at, warehouse, sku, batch, kind, d_available, "
                    "d_reserved, d_damaged) VALUES (:at, 'W1', 'S1', 'B1', 'reservation', -8, 8, 0)"
                ),
                {"at": AT},
            )

    with transaction(stocked) as s:
        event.listen(stocked, "after_cursor_execute", steal)
        try:
            plan = reserve(s, WHO, "W1", "S1", 5, "FEFO", TODAY)
        finally:
            event.remove(stocked, "after_cursor_execute", steal)
    assert fired and plan == [("B1", 2), ("B2", 3)]
    with Session(stocked) as s:
        assert _bal(s, "W1", "S1", "B1") == (0, 10, 0)
        assert _bal(s, "W1", "S1", "B2") == (17, 3, 0)
        assert ledger_consistent(s) == []
