"""The quote engine: the sample scenarios' figures, and the scheme rules one by one."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from core.pricing import price_context, prices_for
from core.quote import QuoteLine, quote, quote_lines, spread
from core.schemes import SchemeRule, schemes_for
from core.tables.parties import Customer
from tests.test_pricing import TODAY

D = Decimal


def sample_quote(engine, customer: str, items: list[tuple[str, int]], free_cap=None, on: date = TODAY):
    """What an order of `items` (sku, base units) by `customer` comes to, via the loaders."""
    with Session(engine) as s:
        ctx = price_context(s, s.get(Customer, customer))
        prices = prices_for(s, [sku for sku, _ in items], ctx, on)
        return quote(quote_lines(s, items, prices), schemes_for(s, ctx, on), free_cap)


def line_of(q, sku):
    return next(ql for ql in q.lines if ql.sku == sku)


# --- the sample scenarios ------------------------------------------------------------------


def test_free_goods_20_boxes_crunchy_cream(sample):
    q = sample_quote(sample, "R-101", [("CC-100", 240)])
    cc = line_of(q, "CC-100")
    assert (cc.qty, cc.free_qty, cc.unit_price, cc.discount, cc.tax) == (240, 24, D("10.00"), D("0"), D("432.00"))
    assert q.total == D("2832.00") and len(q.lines) == 1
    assert [(a.code, a.free_sku, a.free_qty, a.benefit) for a in q.applied] == [("SCH-CC-FREE", "CC-100", 24, D("0"))]
    assert q.applied[0].description == "Crunchy Cream: buy 10 boxes get 1 box free: 24 pcs of CC-100 free"


def test_tea_case_discount_one_and_two_cases(sample):
    one = sample_quote(sample, "R-103", [("ST-250", 40)])
    assert (line_of(one, "ST-250").discount, one.total) == (D("240.00"), D("4788.00"))
    two = sample_quote(sample, "R-103", [("ST-250", 80)])
    assert (two.gross, two.discount, two.tax, two.total) == (D("9600.00"), D("480.00"), D("456.00"), D("9576.00"))
    # 9120 net is under the retailers' 10000 value scheme
    assert [a.code for a in two.applied] == ["SCH-TEA-CASE"]
    assert two.applied[0].benefit == D("480.00")


def test_brand_scheme_priority_wins(sample):
    q = sample_quote(sample, "R-104", [("BR-1K", 100), ("BR-BAR", 200)])
    assert line_of(q, "BR-1K").discount == D("665.00")
    assert line_of(q, "BR-BAR").discount == D("168.00")
    assert q.total == D("13059.06")
    assert [(a.code, a.benefit) for a in q.applied] == [("SCH-BRISK-200", D("833.00"))]
    # under 200 pcs the 4% scheme is the one that applies
    small = sample_quote(sample, "R-104", [("BR-1K", 100)])
    assert [(a.code, a.benefit) for a in small.applied] == [("SCH-BRISK-50", D("380.00"))]


def test_free_goods_of_another_sku_get_their_own_line(sample):
    q = sample_quote(sample, "R-105", [("GD-5L", 8)])
    assert [(ql.sku, ql.qty, ql.free_qty, ql.unit_price, ql.line_total) for ql in q.lines] == [
        ("GD-5L", 8, 0, D("690.00"), D("5796.00")),
        ("GD-1L", 0, 2, D("0.00"), D("0.00")),
    ]
    assert q.total == D("5796.00")
    # the same order from Bengaluru gets no oil scheme
    assert sample_quote(sample, "R-101", [("GD-5L", 8)]).applied == []


def test_plain_order_marie_gold(sample):
    q = sample_quote(sample, "R-102", [("MG-75", 300)])
    assert (q.gross, q.discount, q.tax, q.total) == (D("1500.00"), D("0"), D("270.00"), D("1770.00"))


def test_value_scheme_after_volume_for_a_big_retailer_order(sample):
    # 3 cases of tea: 14400 gross, 5% volume -> 13680 net >= 10000 -> 2% of 13680 = 273.60
    q = sample_quote(sample, "R-103", [("ST-250", 120)])
    assert [(a.code, a.benefit) for a in q.applied] == [("SCH-TEA-CASE", D("720.00")), ("SCH-RET-10K", D("273.60"))]
    assert line_of(q, "ST-250").net == D("13406.40")


# --- rules one by one, on hand-made lines ----------------------------------------------------


def L(sku, qty, price, tax="0", brands=("B",)):  # noqa: N802 - short, like the QuoteLine it builds
    return QuoteLine(
        sku=sku, qty=qty, unit_price=D(price), tax_rate=D(tax), product="P-" + sku, brands=brands, categories=("C",)
    )


def R(code, kind, **kw):  # noqa: N802 - short, like the SchemeRule it builds
    return SchemeRule(code=code, name=code, kind=kind, **kw)


def test_flat_discount_spread_in_proportion_with_remainder_to_largest():
    lines = [L("A", 1, "10.00"), L("B", 1, "10.00"), L("C", 1, "20.00")]
    q = quote(lines, [R("F", "volume", brand="B", min_qty=1, discount_flat=D("10.00"))])
    # 10 * 10/40 = 2.50, 2.50, 5.00: exact
    assert [ql.discount for ql in q.lines] == [D("2.50"), D("2.50"), D("5.00")]
    lines = [L("A", 1, "10.00"), L("B", 1, "10.00"), L("C", 1, "10.00")]
    q = quote(lines, [R("F", "volume", min_qty=3, discount_flat=D("10.00"))])
    # 3.33 each, the cent left over goes to the largest share (the first of equals)
    assert [ql.discount for ql in q.lines] == [D("3.34"), D("3.33"), D("3.33")]
    assert q.discount == D("10.00") and q.applied[0].benefit == D("10.00")
    assert spread(D("1.00"), [D(1), D(1), D(2)]) == [D("0.25"), D("0.25"), D("0.50")]
    assert spread(D("0.10"), [D(1), D(2)]) == [D("0.03"), D("0.07")]


def test_stackable_percentages_add_up_on_the_same_base():
    lines = [L("A", 10, "9.99", tax="18")]
    rules = [
        R("S5", "volume", min_qty=1, discount_pct=D(5), stackable=True),
        R("S3", "volume", min_qty=1, discount_pct=D(3), stackable=True),
    ]
    q = quote(lines, rules)
    # 8% of 99.90 = 7.992 -> 7.99, rounded once
    assert q.lines[0].discount == D("7.99")
    assert sorted((a.code, a.benefit) for a in q.applied) == [("S3", D("3.00")), ("S5", D("4.99"))]
    assert q.lines[0].tax == D("16.54") and q.total == D("108.45")


def test_non_stackable_priority_then_benefit_then_code():
    lines = [L("A", 100, "1.00")]
    low = R("LOW", "volume", min_qty=1, discount_pct=D(9), priority=0)
    high = R("HIGH", "volume", min_qty=1, discount_pct=D(2), priority=5)
    assert [a.code for a in quote(lines, [low, high]).applied] == ["HIGH"]
    big = R("BIG", "volume", min_qty=1, discount_pct=D(9))
    assert [a.code for a in quote(lines, [low, big, R("Z", "volume", min_qty=1, discount_pct=D(1))]).applied] == ["BIG"]
    # a stackable one applies alongside the winner
    extra = R("EXTRA", "volume", min_qty=1, discount_pct=D(1), stackable=True)
    q = quote(lines, [low, high, extra])
    assert sorted(a.code for a in q.applied) == ["EXTRA", "HIGH"] and q.discount == D("3.00")
    # schemes touching different lines do not compete
    two = [L("A", 10, "1.00"), L("B", 10, "1.00")]
    q = quote(
        two,
        [
            R("ONA", "volume", sku="A", min_qty=1, discount_pct=D(10), priority=1),
            R("ONB", "volume", sku="B", min_qty=1, discount_pct=D(20)),
        ],
    )
    assert [ql.discount for ql in q.lines] == [D("1.00"), D("2.00")]


def test_value_scheme_uses_net_after_volume():
    lines = [L("A", 100, "10.00")]
    rules = [
        R("VOL", "volume", min_qty=1, discount_pct=D(10)),
        R("VAL", "value", min_value=D("950.00"), discount_pct=D(5)),
    ]
    q = quote(lines, rules)  # 1000 - 100 = 900 < 950: no value discount
    assert [a.code for a in q.applied] == ["VOL"]
    rules[1] = R("VAL", "value", min_value=D("900.00"), discount_pct=D(5))
    q = quote(lines, rules)  # 5% of 900 = 45
    assert [(a.code, a.benefit) for a in q.applied] == [("VOL", D("100.00")), ("VAL", D("45.00"))]
    assert q.lines[0].net == D("855.00")
    flat = quote(
        [L("A", 1, "300.00"), L("B", 1, "100.00")],
        [
            R("VOL", "volume", sku="A", min_qty=1, discount_flat=D("100.00")),
            R("VAL", "value", min_value=D("1"), discount_flat=D("30.00")),
        ],
    )
    # nets after volume 200 and 100: the 30 is spread 20 / 10
    assert [ql.discount for ql in flat.lines] == [D("120.00"), D("10.00")]


def test_free_goods_recursive_and_not():
    lines = [L("A", 25, "1.00")]
    rec = R("REC", "free_goods", sku="A", min_qty=10, free_sku="A", free_qty=2, recursive=True)
    once = R("ONCE", "free_goods", sku="A", min_qty=10, free_sku="A", free_qty=2, recursive=False)
    assert quote(lines, [rec]).lines[0].free_qty == 4
    assert quote(lines, [once]).lines[0].free_qty == 2
    assert quote([L("A", 9, "1.00")], [once]).lines[0].free_qty == 0
    # free goods do not change money
    assert quote(lines, [rec]).total == D("25.00")


def test_free_goods_cut_to_stock_with_a_note():
    lines = [L("A", 30, "1.00")]
    rule = R("FG", "free_goods", sku="A", min_qty=10, free_sku="X", free_qty=5)
    q = quote(lines, [rule], free_cap={"A": 0, "X": 7})
    assert line_of(q, "X").free_qty == 7 and q.applied[0].free_qty == 7
    assert q.notes == ["FG: only 7 pcs of X can be given free from stock, instead of 15 pcs."]
    none = quote(lines, [rule], free_cap={"A": 100})
    assert [ql.sku for ql in none.lines] == ["A"] and none.applied == []
    assert "no stock of X" in none.notes[0]
    assert line_of(quote(lines, [rule], free_cap=None), "X").free_qty == 15


def test_free_only_lines_never_qualify():
    # Buying A gives free B; a scheme on B must not count the free B.
    lines = [L("A", 10, "1.00")]
    rules = [
        R("GIVE", "free_goods", sku="A", min_qty=1, free_sku="B", free_qty=1),
        R("ONB", "free_goods", sku="B", min_qty=1, free_sku="B", free_qty=1),
    ]
    q = quote(lines, rules)
    assert [(a.code, a.free_qty) for a in q.applied] == [("GIVE", 10)]


# --- properties ---------------------------------------------------------------------------

prices = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
line_st = st.builds(
    L,
    st.sampled_from(["A", "B", "C", "D"]),
    st.integers(1, 500),
    prices.map(str),
    st.sampled_from(["0", "5", "12", "18", "28"]),
)
rule_st = st.one_of(
    st.builds(
        lambda c, n, p, s, pr: R(c, "volume", min_qty=n, discount_pct=p, stackable=s, priority=pr),
        st.sampled_from(["V1", "V2", "V3"]),
        st.integers(1, 300),
        st.decimals(1, 30, places=1),
        st.booleans(),
        st.integers(0, 2),
    ),
    st.builds(
        lambda c, n, f: R(c, "volume", sku="A", min_qty=n, discount_flat=f),
        st.sampled_from(["F1", "F2"]),
        st.integers(1, 300),
        st.decimals(1, 500, places=2),
    ),
    st.builds(
        lambda c, v, p: R(c, "value", min_value=v, discount_pct=p),
        st.sampled_from(["W1", "W2"]),
        st.decimals(0, 5000, places=2),
        st.decimals(1, 10, places=1),
    ),
    st.builds(
        lambda n, m, r: R("G", "free_goods", sku="A", min_qty=n, free_sku="B", free_qty=m, recursive=r),
        st.integers(1, 50),
        st.integers(1, 5),
        st.booleans(),
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(line_st, min_size=1, max_size=4, unique_by=lambda ln: ln.sku),
    st.lists(rule_st, max_size=4, unique_by=lambda r: r.code),
)
def test_totals_are_the_sum_of_lines(lines, rules):
    q = quote(lines, rules)
    assert q.total == sum((ql.line_total for ql in q.lines), D(0))
    assert q.gross == sum((ql.gross for ql in q.lines), D(0))
    assert q.discount == sum((a.benefit for a in q.applied), D(0))
    for ql in q.lines:
        assert D(0) <= ql.discount <= ql.gross
        assert ql.net == ql.gross - ql.discount and ql.line_total == ql.net + ql.tax
        assert ql.gross == ql.qty * ql.unit_price and ql.gross.as_tuple().exponent == -2


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 1000),
    st.integers(0, 200),
    st.integers(1, 50),
    st.integers(1, 20),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 500)),
)
def test_free_goods_monotonic_and_whole(qty, more, n, m, recursive, cap):
    rule = R("G", "free_goods", sku="A", min_qty=n, free_sku="A", free_qty=m, recursive=recursive)
    caps = None if cap is None else {"A": cap}
    small = quote([L("A", qty, "1.00")], [rule], caps).lines[0].free_qty
    large = quote([L("A", qty + more, "1.00")], [rule], caps).lines[0].free_qty
    assert 0 <= small <= large
    assert isinstance(small, int) and small % m == 0 or small == cap
    if cap is not None:
        assert large <= cap
