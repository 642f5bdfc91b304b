"""The `sales` report's additions: each row's share of the net (product contribution), the customer
type filter, top and bottom N as sort and limit; checked against Python over the order lines."""

from decimal import Decimal

from core.types import money
from report_helpers import D_BLR_CUSTOMERS, dec, keyed, pct, report, rows_of, same_refusal

SOLD = ("confirmed", "dispatched", "delivered")


def _lines(engine) -> list:
    return rows_of(
        engine,
        "SELECT o.order_no, o.customer, o.status, c.type, l.sku, l.line_total, l.tax FROM order_line l"
        " JOIN orders o ON o.order_no = l.order_no JOIN customer c ON c.code = o.customer",
    )


def _by_sku(engine, keep=lambda r: True) -> dict:
    """{sku: (orders, net, total)} of the sold lines `keep` accepts."""
    acc: dict = {}
    for r in _lines(engine):
        if r.status in SOLD and keep(r):
            orders, net, total = acc.get(r.sku, (set(), Decimal(0), Decimal(0)))
            orders.add(r.order_no)
            acc[r.sku] = (orders, net + dec(r.line_total) - dec(r.tax), total + dec(r.line_total))
    return {k: (len(o), money(n), money(t)) for k, (o, n, t) in acc.items()}


def test_share_of_net_by_sku(sample, clock):
    got = report(sample, "U-ADM", clock, "sales", by="sku")
    want = _by_sku(sample)
    whole = sum(n for _, n, _ in want.values())
    assert got["columns"][-1] == "share" and got["kinds"][-1] == "percent"
    assert {r[0]: (r[2], r[3], r[5], r[6]) for r in got["rows"]} == {
        k: (o, n, t, pct(n, whole)) for k, (o, n, t) in want.items()
    }
    assert got["totals"][3] == whole and got["totals"][6] == Decimal("100.00")
    assert abs(sum(keyed(got, "key", "share").values()) - 100) <= Decimal("0.01") * len(want)


def test_share_within_a_brand_is_of_the_brand(sample, clock):
    kaveri = {"CC-100", "CC-200", "MG-75", "NOOD-70"}  # Kaveri Foods and Kaveri Snacks under it
    got = report(sample, "U-ADM", clock, "sales", by="sku", brand="KAVERI")
    want = _by_sku(sample, lambda r: r.sku in kaveri)
    whole = sum(n for _, n, _ in want.values())
    assert keyed(got, "key", "share") == {k: pct(n, whole) for k, (_, n, _) in want.items()}
    assert "brand Kaveri Foods" in got["title"]


def test_customer_type_filter(sample, clock):
    got = report(sample, "U-ADM", clock, "sales", by="customer", customer_type="modern_trade")
    want = _by_sku(sample, lambda r: r.type == "modern_trade")
    assert keyed(got, "key", "net") == {"R-104": sum(n for _, n, _ in want.values())}
    assert "customer type modern_trade" in got["title"]
    retail = report(sample, "U-ADM", clock, "sales", by="customer", customer_type="retailer")
    customers = {r.customer for r in _lines(sample) if r.status in SOLD and r.type == "retailer"}
    assert set(keyed(retail, "key", "net")) == customers and "R-104" not in customers


def test_top_and_bottom_n(sample, clock):
    want = _by_sku(sample)
    top = report(sample, "U-ADM", clock, "sales", by="sku", sort="-net", limit=3)
    assert [r[0] for r in top["rows"]] == sorted(want, key=lambda k: -want[k][1])[:3]
    bottom = report(sample, "U-ADM", clock, "sales", by="sku", sort="net", limit=2)
    assert [r[0] for r in bottom["rows"]] == sorted(want, key=lambda k: want[k][1])[:2]
    assert top["totals"][3] == bottom["totals"][3] == sum(n for _, n, _ in want.values())


def test_scope_and_refusals(sample, clock):
    mine = report(sample, "U-RET-101", clock, "sales", by="sku")
    assert {r[0]: r[3] for r in mine["rows"]} == {
        k: n for k, (_, n, _) in _by_sku(sample, lambda r: r.customer == "R-101").items()
    }
    dist = report(sample, "U-DIST-BLR", clock, "sales", by="customer")
    assert set(keyed(dist, "key", "net")) <= D_BLR_CUSTOMERS
    same_refusal(sample, "U-DIST-BLR", clock, "sales", "customer", "R-105", "R-999")
    same_refusal(sample, "U-RET-101", clock, "sales", "distributor", "D-CHN", "D-NOPE")
