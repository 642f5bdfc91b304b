"""The `inventory-movement` report: the ledger by kind per warehouse and SKU over a period, with
opening and closing stock (available + reserved), checked against Python over the ledger rows; the
closing stock of a period ending today is the balance rows' stock."""

from datetime import date, datetime, timedelta

import pytest

from core.access import load_actor
from core.db import transaction
from core.errors import InvalidInput
from core.inventory import MOVEMENT_KINDS, Who, transfer
from core.movement import COLUMNS, NEUTRAL_KINDS
from core.orders import Item, cancel_order, create_order, dispatch_order
from core.stock import adjust_stock, receive_stock, record_damage
from report_helpers import TZ, clock_at, local_day, report, rows_of

TODAY = date(2026, 11, 27)
KEYS = ["opening", *(k for k, _, _ in COLUMNS), "closing"]


def _at(day: int, hour: int = 9, minute: int = 0):
    return clock_at(date(2026, 11, day), hour, minute)


def _as(engine, user, clock, fn):
    with transaction(engine) as s:
        return fn(s, load_actor(s, user, "test"), clock)


def _world(engine):
    """After the import (20 Nov: receipts and the confirmed orders' reservations): a receipt, good
    and damaged (22nd), an adjustment (23rd), damage (24th), a transfer to Chennai (25th), a
    dispatch and an order placed and cancelled (26th), and adjustments either side of the local
    midnight between the 26th and the 27th (the same UTC day)."""
    _as(
        engine,
        "U-ADM",
        _at(22),
        lambda s, a, c: receive_stock(s, a, c, "WH-BLR", "CC-100", "CC-2611", 144, expiry_date=date(2027, 5, 31)),
    )
    _as(
        engine,
        "U-ADM",
        _at(22),
        lambda s, a, c: receive_stock(s, a, c, "WH-BLR", "CC-100", "CC-2611", 12, damaged=True, reason="crushed"),
    )
    _as(engine, "U-ADM", _at(23), lambda s, a, c: adjust_stock(s, a, c, "WH-BLR", "CC-100", "CC-2609", -5, "count"))
    _as(engine, "U-ADM", _at(24), lambda s, a, c: record_damage(s, a, c, "WH-BLR", "CC-100", "CC-2610", 3, "torn"))
    _as(
        engine,
        "U-ADM",
        _at(25),
        lambda s, a, c: transfer(
            s, Who(a.user_id, c.now(), "test"), "WH-BLR", "WH-CHN", "CC-100", "CC-2610", 50, "rebalance"
        ),
    )
    _as(engine, "U-WH-1", _at(26), lambda s, a, c: dispatch_order(s, a, c, "SO-0905"))
    order = _as(engine, "U-ADM", _at(26), lambda s, a, c: create_order(s, a, c, [Item("CC-100", 24)], "R-102")[0])
    _as(engine, "U-ADM", _at(26, 10), lambda s, a, c: cancel_order(s, a, c, order.order_no, "mistake"))
    _as(
        engine,
        "U-ADM",
        _at(26, 23, 30),
        lambda s, a, c: adjust_stock(s, a, c, "WH-BLR", "GD-1L", "GD1-2610", 7, "found"),
    )
    _as(
        engine,
        "U-ADM",
        _at(27, 0, 30),
        lambda s, a, c: adjust_stock(s, a, c, "WH-BLR", "GD-1L", "GD1-2610", 1, "found"),
    )


def _column(kind: str, qty: int) -> str | None:
    if kind == "transfer":
        return "transferred_in" if qty > 0 else "transferred_out"
    return {kind_: key for key, _, kind_ in COLUMNS if key not in ("transferred_in", "transferred_out")}.get(kind)


def _expected(engine, start: date, end: date, keep=lambda k: True) -> dict:
    """{(warehouse, sku): {opening, each kind's column, closing}} from the ledger rows, by hand."""
    out: dict = {}
    for m in rows_of(engine, "SELECT at, warehouse, sku, kind, d_available, d_reserved FROM stock_movement"):
        key, day, qty = (m.warehouse, m.sku), local_day(m.at), m.d_available + m.d_reserved
        if not keep(key) or day > end:
            continue
        row = out.setdefault(key, dict.fromkeys(KEYS, 0) | {"moved": False})
        if day < start:
            row["opening"] += qty
        else:
            column = _column(m.kind, qty)
            if column is not None:
                row[column] += qty
                row["moved"] = True
            else:
                assert m.kind in NEUTRAL_KINDS and qty == 0
        row["closing"] += qty
    return {k: tuple(v[x] for x in KEYS) for k, v in out.items() if v["opening"] != 0 or v["moved"]}


def _got(result) -> dict:
    return {(r[0], r[1]): tuple(r[3:]) for r in result["rows"]}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),  # the month to today
        (date(2026, 11, 23), date(2026, 11, 25)),
        (date(2026, 11, 26), date(2026, 11, 26)),  # +7 at 23:30 counts, +1 at 00:30 the next day does not
        (date(2026, 11, 21), date(2026, 11, 21)),  # nothing moved: the stock at rest, opening = closing
        (date(2026, 10, 1), date(2026, 10, 31)),  # before the import: no rows
    ],
)
def test_movement_matches_python(sample, start, end):
    _world(sample)
    q = {k: v for k, v in (("start", start), ("end", end)) if v}
    got = report(sample, "U-ADM", clock_at(TODAY, 12), "inventory-movement", **q)
    want = _expected(sample, start or date(2026, 11, 1), end or TODAY)
    assert got["columns"] == ["warehouse", "sku", "name", *KEYS]
    assert _got(got) == want
    assert got["totals"][3:] == tuple(sum(v[i] for v in want.values()) for i in range(len(KEYS)))
    for opening, *moves, closing in want.values():
        assert closing == opening + sum(moves)
    if start == date(2026, 11, 26):
        assert want[("WH-BLR", "GD-1L")][3] == 7 and want[("WH-BLR", "CC-200")][2] == -72


def test_closing_is_the_balance_when_the_period_runs_to_today(sample):
    _world(sample)
    got = report(sample, "U-ADM", clock_at(TODAY, 12), "inventory-movement", start=date(2026, 11, 22))
    balance: dict = {}
    for r in rows_of(sample, "SELECT warehouse, sku, available, reserved FROM stock_balance"):
        balance[(r.warehouse, r.sku)] = balance.get((r.warehouse, r.sku), 0) + r.available + r.reserved
    closing = {k: v[-1] for k, v in _got(got).items()}
    assert closing == {k: v for k, v in balance.items() if v or k in closing}
    assert closing[("WH-CHN", "CC-100")] == 550  # 500 + the 50 transferred in


def test_every_ledger_kind_is_a_column_or_changes_no_stock():
    assert set(MOVEMENT_KINDS) == {kind for _, _, kind in COLUMNS} | set(NEUTRAL_KINDS)


@pytest.mark.parametrize(
    ("user", "filters", "keep"),
    [
        ("U-MGR-TN", {}, lambda k: k[0] == "WH-CHN"),
        ("U-WH-1", {}, lambda k: k[0] == "WH-BLR"),
        ("U-DIST-BLR", {"sku": "CC-100"}, lambda k: k == ("WH-BLR", "CC-100")),
        ("U-ADM", {"warehouse": "WH-CHN", "brand": "Kaveri Foods"}, lambda k: k[0] == "WH-CHN" and k[1] == "CC-100"),
        ("U-ADM", {"category": "Edible Oil"}, lambda k: k[1] in ("GD-1L", "GD-5L")),
        ("U-ADM", {"sku": "Crunchy Cream Biscuits"}, lambda k: k[1] in ("CC-100", "CC-200")),
    ],
)
def test_scope_and_filters(sample, user, filters, keep):
    _world(sample)
    got = report(sample, user, clock_at(TODAY, 12), "inventory-movement", start=date(2026, 11, 22), **filters)
    want = _expected(sample, date(2026, 11, 22), TODAY, keep)
    assert want and _got(got) == want


def test_sort_limit_and_period(sample):
    _world(sample)
    clock = clock_at(TODAY, 12)
    want = _expected(sample, date(2026, 11, 22), TODAY)
    top = report(sample, "U-ADM", clock, "inventory-movement", start=date(2026, 11, 22), sort="-closing", limit=2)
    assert [r[-1] for r in top["rows"]] == sorted((v[-1] for v in want.values()), reverse=True)[:2]
    out = report(sample, "U-ADM", clock, "inventory-movement", start=date(2026, 11, 22), sort="dispatched", limit=1)
    assert _got(out) == {("WH-BLR", "CC-200"): want[("WH-BLR", "CC-200")]}
    assert top["totals"][-1] == sum(v[-1] for v in want.values())
    assert top["title"] == "Inventory movement (available + reserved), 2026-11-22 to 2026-11-27"
    with pytest.raises(InvalidInput):
        report(sample, "U-ADM", clock, "inventory-movement", start=TODAY, end=TODAY - timedelta(days=1))


def test_timestamps_are_local_days():
    assert local_day(datetime(2026, 11, 26, 19, 0)) == date(2026, 11, 27)  # 00:30 in Kolkata
    assert datetime(2026, 11, 27, 0, 30, tzinfo=TZ).utcoffset() == timedelta(hours=5, minutes=30)
