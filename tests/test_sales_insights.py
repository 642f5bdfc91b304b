"""Sales grouped by any level of the region tree and filtered by beat, sales rep, distributor,
brand, category and product; rankings, trends and inactive customers; each in the actor's scope.

Sales of the sample world (net, before tax): SO-0901 Anand (BLR-N) 4800 on 10-05, SO-0902 Fresh Mart
(BLR-S) 7632 on 10-12, SO-0903 New Star (BLR-S) 46032 on 10-20, SO-0904 Ganesh (Mysuru) 4560 on 11-02,
SO-0905 Anand 3120 on 11-10, SO-0906 Murugan (Chennai) 10080 on 11-12, SO-0908 New Star 5400 on 11-18;
SO-0907 (Fresh Mart, 11-16) was cancelled."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import InvalidInput, NotAllowed, NotFound
from core.reports import inactive_customers, sales, sales_ranking, sales_trend
from core.sales_filters import build_filter
from tool_helpers import read, run

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def report(engine, clock, user, by=None, start=None, end=None, **filters):
    return read(engine, clock, user, lambda s, a, c: sales(s, a, start, end, by, where=build_filter(s, a, **filters)))


def grouped(r) -> dict:
    return {x.label: (x.orders, x.net) for x in r.rows}


def test_sales_by_each_level_of_the_region_tree(sample, clock):
    assert grouped(report(sample, clock, "U-ADM", "state")) == {
        "Karnataka": (6, Decimal("71544.00")),
        "Tamil Nadu": (1, Decimal("10080.00")),
    }
    assert grouped(report(sample, clock, "U-ADM", "city")) == {
        "Bengaluru": (5, Decimal("66984.00")),
        "Mysuru": (1, Decimal("4560.00")),
        "Chennai": (1, Decimal("10080.00")),
    }
    # customers above the area level (Mysuru, Chennai) are named with their own region
    assert grouped(report(sample, clock, "U-ADM", "area")) == {
        "Bengaluru South": (3, Decimal("59064.00")),
        "Bengaluru North": (2, Decimal("7920.00")),
        "Chennai (no area)": (1, Decimal("10080.00")),
        "Mysuru (no area)": (1, Decimal("4560.00")),
    }
    # a manager sees only their regions
    assert set(grouped(report(sample, clock, "U-MGR-KA", "state"))) == {"Karnataka"}
    with pytest.raises(InvalidInput, match="district"):
        report(sample, clock, "U-ADM", "district")  # no such level in this world: say which there are


def test_sales_filters(sample, clock):
    net = {
        name: report(sample, clock, "U-ADM", **{name: value}).net
        for name, value in [
            ("region", "KA"),
            ("region", "Bengaluru South"),
            ("beat", "BEAT-BLRS-TUE"),
            ("sales_rep", "Ravi Kumar"),
            ("distributor", "Chennai Traders"),
            ("brand", "Brisk"),
            ("category", "Biscuits"),
            ("product", "Crunchy Cream"),
        ]
    }
    assert net == {
        "region": Decimal("59064.00"),
        "beat": Decimal("59064.00"),
        "sales_rep": Decimal("12480.00"),
        "distributor": Decimal("10080.00"),
        "brand": Decimal("7632.00"),
        "category": Decimal("16128.00"),
        "product": Decimal("16128.00"),
    }
    # a brand counts its sub-brands (Neem Fresh is under Brisk): all of SO-0902, one order
    brisk = report(sample, clock, "U-ADM", "sku", brand="BRISK")
    assert brisk.orders == 1 and {x.key: x.qty for x in brisk.rows} == {"BR-1K": 60, "NS-100": 72}
    # filters narrow each other; a month and a filter
    assert report(sample, clock, "U-ADM", region="Bengaluru", brand="GoldDrop").net == Decimal("32640.00")
    assert report(sample, clock, "U-ADM", None, *NOV, product="ST-250").net == Decimal("9120.00")
    assert report(sample, clock, "U-ADM", beat="BEAT-BLRS-TUE").where.about == " for beat Bengaluru South Tuesday"


def test_filters_never_reach_outside_the_scope(sample, clock):
    # a rep's own customers only, whatever the filter names
    assert report(sample, clock, "U-REP-1", region="Bengaluru South").orders == 0
    assert report(sample, clock, "U-REP-1", sales_rep="U-REP-1").net == Decimal("12480.00")

    def refusal(user, **kw):
        with pytest.raises((NotFound, NotAllowed)) as e:
            report(sample, clock, user, **kw)
        return str(e.value)

    # someone else's beat or rep reads exactly like one that does not exist
    assert refusal("U-REP-1", beat="BEAT-BLRS-TUE").replace("BEAT-BLRS-TUE", "#") == refusal(
        "U-REP-1", beat="BEAT-NOWHERE"
    ).replace("BEAT-NOWHERE", "#")
    assert refusal("U-REP-1", sales_rep="Priya Nair").replace("Priya Nair", "#") == refusal(
        "U-REP-1", sales_rep="Zorba Quux"
    ).replace("Zorba Quux", "#")
    assert refusal("U-MGR-TN", sales_rep="Ravi Kumar").replace("Ravi Kumar", "#") == refusal(
        "U-MGR-TN", sales_rep="Zorba Quux"
    ).replace("Zorba Quux", "#")
    assert refusal("U-RET-101", distributor="Chennai Traders") == refusal("U-RET-101", distributor="Nowhere Traders")
    with pytest.raises(InvalidInput, match="not a distributor"):
        report(sample, clock, "U-ADM", distributor="Fresh Mart")
    with pytest.raises(NotAllowed):
        report(sample, clock, "U-WH-1")


def test_sales_report_tool_takes_the_new_filters_and_levels(sample, clock):
    r = run(sample, clock, "U-MGR-KA", "sales_report", by="city", brand="GoldDrop")
    assert r.data["net"] == "32640.00" and "brand GoldDrop" in r.text
    assert [(x["label"], x["net"]) for x in r.data["rows"]] == [("Bengaluru", "32640.00")]
    weekly = run(sample, clock, "U-ADM", "sales_report", by="week", period={"start": "2026-11-01", "end": "2026-11-20"})
    assert [x["label"] for x in weekly.data["rows"]] == [
        "week of 2026-11-09",
        "week of 2026-11-16",
        "week of 2026-11-02",
    ]  # largest first


def test_rankings(sample, clock):
    def rank(user, by, **kw):
        where = kw.pop("where", {})
        return read(
            sample,
            clock,
            user,
            lambda s, a, c: sales_ranking(
                s, a, kw.pop("start", None), kw.pop("end", None), by, where=build_filter(s, a, **where), **kw
            ),
        )

    top = rank("U-MGR-KA", "product", n=3)
    assert [(x.rank, x.key, x.net) for x in top.rows] == [
        (1, "SUNFLOWER-OIL", Decimal("32640.00")),
        (2, "CRUNCHY-CREAM", Decimal("16128.00")),
        (3, "SUNLEAF-TEA", Decimal("9960.00")),
    ]
    qty = rank("U-ADM", "sku", measure="quantity", n=2)
    assert [(x.key, x.qty) for x in qty.rows] == [("CC-100", 1584), ("NOOD-70", 480)]
    # the bottom includes those that sold nothing; blocked customers are left out
    bottom = rank("U-MGR-KA", "customer", direction="bottom", n=10)
    assert [x.key for x in bottom.rows] == ["D-BLR", "R-106", "R-103", "R-102", "R-101", "R-104"]
    assert bottom.rows[0].net == Decimal("0.00") and "R-107" not in [x.key for x in bottom.rows]
    worst = rank("U-ADM", "sku", direction="bottom", n=3, where={"brand": "Kaveri Foods"})
    assert [x.key for x in worst.rows] == ["MG-75", "CC-200", "NOOD-70"]  # Kaveri Snacks is a sub-brand
    assert [x.key for x in rank("U-RET-101", "sku").rows] == ["GD-1L", "CC-100", "CC-200"]  # its own purchases
    november = rank("U-ADM", "city", start=NOV[0], end=NOV[1])
    assert [(x.label, x.net) for x in november.rows] == [
        ("Chennai", Decimal("10080.00")),
        ("Bengaluru", Decimal("8520.00")),
        ("Mysuru", Decimal("4560.00")),
    ]
    with pytest.raises(InvalidInput, match="trend"):
        rank("U-ADM", "month")
    with pytest.raises(InvalidInput):
        rank("U-ADM", "sku", n=0)
    with pytest.raises(NotAllowed):
        rank("U-WH-1", "sku")

    r = run(sample, clock, "U-MGR-KA", "sales_ranking", by="brand", direction="bottom", n=2)
    assert r.text.startswith("Bottom 2 brands by sales value") and r.table.columns[1] == "Brand"
    assert [(x["key"], x["net"]) for x in r.data["rows"]] == [("NEEMFRESH", "2160.00"), ("KAVERI", "5184.00")]


def test_trends(sample, clock):
    def trend(user, grain, start=None, end=None, **where):
        return read(
            sample,
            clock,
            user,
            lambda s, a, c: sales_trend(s, a, c.today(), grain, start, end, build_filter(s, a, **where)),
        )

    days = trend("U-ADM", "day", date(2026, 11, 1), date(2026, 11, 20))
    assert len(days.points) == 20 and days.points[0].key == "2026-11-01"
    assert {p.key: p.net for p in days.points if p.orders} == {
        "2026-11-02": Decimal("4560.00"),
        "2026-11-10": Decimal("3120.00"),
        "2026-11-12": Decimal("10080.00"),
        "2026-11-18": Decimal("5400.00"),
    }
    assert days.net == report(sample, clock, "U-ADM", None, date(2026, 11, 1), date(2026, 11, 20)).net
    months = trend("U-ADM", "month")  # the last 6 months by default
    assert [p.key for p in months.points] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert [p.net for p in months.points[-2:]] == [Decimal("58464.00"), Decimal("23160.00")]
    weeks = trend("U-MGR-KA", "week", product="Crunchy Cream")
    assert len(weeks.points) == 12 and weeks.points[-1].label == "week of 2026-11-16"
    assert sum(p.qty for p in weeks.points) == 1656 and weeks.points[-2].qty == 72  # SO-0905's 72 pcs
    with pytest.raises(InvalidInput, match="coarser"):
        trend("U-ADM", "day", date(2020, 1, 1), date(2026, 1, 1))
    r = run(
        sample, clock, "U-MGR-KA", "sales_trend", grain="month", period={"start": "2026-10-01", "end": "2026-11-30"}
    )
    assert [p["net"] for p in r.data["points"]] == ["58464.00", "13080.00"] and r.table.rows[0][0] == "October 2026"


def test_inactive_customers(sample, clock):
    def inactive(user, days, **where):
        return [
            (c.code, c.last_order_no, c.days_since)
            for c in read(
                sample,
                clock,
                user,
                lambda s, a, c: inactive_customers(s, a, c.today(), days, build_filter(s, a, **where)),
            )
        ]

    # never ordered first; a cancelled order (Fresh Mart's SO-0907) is no order; blocked Old Town left out
    assert inactive("U-MGR-KA", 14) == [
        ("D-BLR", None, None),
        ("R-106", None, None),
        ("R-102", "SO-0902", 39),
        ("R-103", "SO-0904", 18),
    ]
    assert inactive("U-DIST-BLR", 30) == [("R-106", None, None), ("R-102", "SO-0902", 39)]  # not itself
    # "not in the last 10 days" = nothing today or in the 9 days before: SO-0905 was 10 days ago
    assert ("R-101", "SO-0905", 10) in inactive("U-REP-1", 10)
    assert "R-101" not in [c[0] for c in inactive("U-REP-1", 11)]
    assert inactive("U-ADM", 14, region="Chennai") == [("D-CHN", None, None)]
    with pytest.raises(InvalidInput):
        inactive("U-ADM", 0)
    with pytest.raises(NotAllowed):
        inactive("U-WH-1", 30)
    r = run(sample, clock, "U-MGR-KA", "inactive_customers", days=30, beat="Bengaluru South Tuesday")
    assert [c["customer"] for c in r.data["customers"]] == ["R-102"]
    assert "Fresh Mart (R-102, Bengaluru South): last order SO-0902 on 2026-10-12 (39 days ago)" in r.text
