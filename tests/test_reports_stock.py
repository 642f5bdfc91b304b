"""The stock reports: the stock summary (warehouse × SKU × batch, value at the list price), low
stock and expiring batches, checked against Python over the balance and price rows, with the
filters, each actor's warehouses, sorting and limits."""

from datetime import date
from decimal import Decimal

import pytest

from core.access import load_actor
from core.db import transaction
from core.errors import InvalidInput, NotAllowed
from core.stock import adjust_stock, low_stock, record_damage
from core.types import money
from report_helpers import clock_at, column, dec, report, rows_of, same_refusal

KAVERI = {"CC-100", "CC-200", "MG-75", "NOOD-70"}  # brand Kaveri Foods with Kaveri Snacks under it
BISCUITS = {"CC-100", "CC-200", "MG-75"}
BEVERAGES = {"ST-250", "ST-1K"}  # category Beverages with Tea under it


def _as_date(x) -> date | None:
    """A date column as read: a date on PostgreSQL, text on SQLite."""
    if x is None or isinstance(x, date):
        return x
    return date.fromisoformat(str(x))


def _world(engine, clock):
    """The sample's stock with a batch emptied (no row in the summary), damage in Chennai (GD-5L
    low there) and the reservations of the sample's confirmed orders."""
    with transaction(engine) as s:
        admin = load_actor(s, "U-ADM", "test")
        adjust_stock(s, admin, clock, "WH-BLR", "NS-100", "NS-2609", -36, "count")
        record_damage(s, admin, clock, "WH-CHN", "GD-5L", "GD5-2609C", 90, "leaking")


def _balances(engine) -> list:
    return [
        (r.warehouse, r.sku, r.batch, _as_date(r.expiry_date), r.available, r.reserved, r.damaged)
        for r in rows_of(engine, "SELECT * FROM stock_balance")
    ]


def _list_prices(engine, on: date) -> dict:
    """The default price per SKU on a day, by hand: rows for no customer, region or type, valid
    that day, the latest valid_from."""
    best: dict = {}
    for r in rows_of(engine, "SELECT * FROM price WHERE customer IS NULL AND region IS NULL AND customer_type IS NULL"):
        start, end = _as_date(r.valid_from), _as_date(r.valid_to)
        if (start is None or start <= on) and (end is None or on <= end):
            key = start or date.min
            if r.sku not in best or key > best[r.sku][0]:
                best[r.sku] = (key, dec(r.price))
    return {sku: price for sku, (_, price) in best.items()}


def _summary(engine, today: date, keep=lambda b: True) -> tuple[dict, Decimal]:
    prices = _list_prices(engine, today)
    rows, whole = {}, Decimal(0)
    for wh, sku, batch, expiry, avail, res, dmg in _balances(engine):
        if not keep((wh, sku)) or (avail, res, dmg) == (0, 0, 0):
            continue
        price = prices.get(sku)
        fresh = expiry is None or expiry >= today
        value = None if price is None else (price * (avail + res) if fresh else Decimal(0))
        whole += value or 0
        rows[(wh, sku, batch)] = (expiry, avail, res, dmg, price, None if value is None else money(value))
    return rows, money(whole)


def _got(result) -> dict:
    return {r[:2] + (r[3],): (r[4], r[5], r[6], r[7], r[8], r[9]) for r in result["rows"]}


@pytest.mark.parametrize("today", [date(2026, 11, 20), date(2026, 12, 5)])
def test_summary_matches_python(sample, clock, today):
    _world(sample, clock)
    got = report(sample, "U-ADM", clock_at(today), "stock")
    rows, whole = _summary(sample, today)
    assert _got(got) == rows
    assert got["totals"][-1] == whole
    assert ("WH-BLR", "NS-100", "NS-2609") not in _got(got)  # emptied
    assert _got(got)[("WH-BLR", "MG-75", "MG-2605")][-1] == Decimal("0.00")  # expired on 18 Nov
    assert _got(got)[("WH-BLR", "ST-250", "ST-2607")][-2] == (
        Decimal("125.00") if today.month == 12 else Decimal("120.00")
    )  # the list price changes on 1 Dec
    assert _got(got)[("WH-BLR", "GD-1L", "GD1-2610")][-2] == Decimal("145.00")  # not Karnataka's 140
    assert got["title"] == f"Stock by batch, on {today}"


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({"warehouse": "WH-CHN"}, lambda k: k[0] == "WH-CHN"),
        ({"warehouse": "Chennai"}, lambda k: k[0] == "WH-CHN"),
        ({"sku": "CC-100"}, lambda k: k[1] == "CC-100"),
        ({"sku": "CRUNCHY-CREAM"}, lambda k: k[1] in ("CC-100", "CC-200")),
        ({"brand": "KAVERI"}, lambda k: k[1] in KAVERI),
        ({"category": "Beverages"}, lambda k: k[1] in BEVERAGES),
        ({"category": "BISCUITS", "warehouse": "WH-BLR"}, lambda k: k[1] in BISCUITS and k[0] == "WH-BLR"),
    ],
)
def test_summary_filters(sample, clock, filters, keep):
    _world(sample, clock)
    got = report(sample, "U-ADM", clock, "stock", **filters)
    rows, whole = _summary(sample, clock.today(), keep)
    assert rows and _got(got) == rows and got["totals"][-1] == whole


@pytest.mark.parametrize(
    ("user", "warehouses"),
    [("U-DIST-BLR", {"WH-BLR"}), ("U-MGR-TN", {"WH-CHN"}), ("U-REP-1", {"WH-BLR"}), ("U-WH-1", {"WH-BLR"})],
)
def test_each_actor_sees_their_warehouses(sample, clock, user, warehouses):
    _world(sample, clock)
    for name in ("stock", "low-stock", "expiring"):
        got = report(sample, user, clock, name, **({"days": 400} if name == "expiring" else {}))
        assert set(column(got, "warehouse")) <= warehouses
    rows, whole = _summary(sample, clock.today(), lambda k: k[0] in warehouses)
    got = report(sample, user, clock, "stock")
    assert _got(got) == rows and got["totals"][-1] == whole


def test_refusals(sample, clock):
    for name in ("stock", "low-stock", "expiring", "inventory-movement"):
        with pytest.raises(NotAllowed):
            report(sample, "U-RET-101", clock, name)  # a retailer knows in stock or not, no quantities
        same_refusal(sample, "U-MGR-TN", clock, name, "warehouse", "WH-BLR", "WH-NOPE")
        same_refusal(sample, "U-DIST-BLR", clock, name, "warehouse", "Chennai Warehouse", "Goa Warehouse")
    with pytest.raises(InvalidInput):
        report(sample, "U-ADM", clock, "expiring", days=-1)


def test_summary_sort_and_limit(sample, clock):
    _world(sample, clock)
    rows, whole = _summary(sample, clock.today())
    most = report(sample, "U-ADM", clock, "stock", sort="-available", limit=3)  # ordered and cut in SQL
    assert [r[5] for r in most["rows"]] == sorted((v[1] for v in rows.values()), reverse=True)[:3]
    assert most["totals"][-1] == whole  # the whole report's
    dearest = report(sample, "U-ADM", clock, "stock", sort="-value", limit=2)  # money: sorted in Python
    values = sorted((v[5] for v in rows.values() if v[5] is not None), reverse=True)
    assert [r[9] for r in dearest["rows"]] == values[:2]
    soonest = report(sample, "U-ADM", clock, "stock", sort="expiry_date")
    expiries = [r[4] for r in soonest["rows"]]
    dated = [e for e in expiries if e is not None]
    assert dated == sorted(dated) and expiries[len(dated) :] == [None] * (len(expiries) - len(dated))


def _low(engine, today: date, keep=lambda k: True) -> dict:
    levels = {r.code: r.reorder_level for r in rows_of(engine, "SELECT code, reorder_level FROM sku")}
    fresh: dict = {}
    for wh, sku, _, expiry, avail, _, _ in _balances(engine):
        if keep((wh, sku)):
            fresh[(wh, sku)] = fresh.get((wh, sku), 0) + (avail if expiry is None or expiry >= today else 0)
    return {k: (q, levels[k[1]], levels[k[1]] - q) for k, q in fresh.items() if q <= levels[k[1]]}


@pytest.mark.parametrize("today", [date(2026, 11, 20), date(2026, 12, 15)])
def test_low_stock_matches_python_and_the_service(sample, clock, today):
    _world(sample, clock)
    got = report(sample, "U-ADM", clock_at(today), "low-stock")
    want = _low(sample, today)
    assert {(r[0], r[1]): r[3:] for r in got["rows"]} == want
    assert {("WH-BLR", "NS-100"), ("WH-CHN", "GD-5L"), ("WH-BLR", "NOOD-70")} <= set(want)
    with transaction(sample) as s:
        service = low_stock(s, load_actor(s, "U-ADM"), today)
    assert [(r.warehouse, r.sku, r.available) for r in service] == [(r[0], r[1], r[3]) for r in got["rows"]]
    top = report(sample, "U-ADM", clock_at(today), "low-stock", sort="-short", limit=1)
    assert top["rows"][0][5] == max(v[2] for v in want.values())
    noodles = report(sample, "U-ADM", clock_at(today), "low-stock", category="NOODLES")
    assert [(r[0], r[1]) for r in noodles["rows"]] == [("WH-BLR", "NOOD-70")]


def _expiring(engine, today: date, within: int, keep=lambda k: True) -> list:
    return sorted(
        (expiry, wh, sku, batch, (expiry - today).days, avail, res)
        for wh, sku, batch, expiry, avail, res, _ in _balances(engine)
        if expiry is not None and (expiry - today).days <= within and avail + res > 0 and keep((wh, sku))
    )


@pytest.mark.parametrize(("days", "within"), [(None, 30), (0, 0), (80, 80), (400, 400)])
def test_expiring_matches_python(sample, clock, days, within):
    _world(sample, clock)
    q = {} if days is None else {"days": days}
    got = report(sample, "U-ADM", clock, "expiring", **q)
    want = _expiring(sample, clock.today(), within)
    assert [(r[4], r[0], r[1], r[3], r[5], r[6], r[7]) for r in got["rows"]] == want
    assert f"{within} days" in got["title"] or within == 0


def test_expiring_filters_sort_and_limit(sample, clock):
    _world(sample, clock)
    got = report(sample, "U-ADM", clock, "expiring", days=400, brand="GoldDrop", warehouse="WH-CHN")
    want = _expiring(sample, clock.today(), 400, lambda k: k[0] == "WH-CHN" and k[1] in ("GD-1L", "GD-5L"))
    assert [(r[0], r[1], r[3]) for r in got["rows"]] == [(w[1], w[2], w[3]) for w in want] and want
    most = report(sample, "U-ADM", clock, "expiring", days=400, sort="-available", limit=2)
    everything = _expiring(sample, clock.today(), 400)
    assert [r[6] for r in most["rows"]] == sorted((w[5] for w in everything), reverse=True)[:2]
    latest = report(sample, "U-ADM", clock, "expiring", days=400, sort="-days_left", limit=1)
    assert latest["rows"][0][5] == max(w[4] for w in everything)
