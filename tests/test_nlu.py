"""The offline planner's language understanding, on a world of our own (a pharmacy and
hardware distributor) and on the sample world's CSVs. Pure: no database involved."""

from __future__ import annotations

import csv
import os
import random
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from agent.nlu import (
    Entry,
    Lexicon,
    find_order_numbers,
    parse_confirmation,
    parse_period,
    parse_quantities,
    resolve_unit,
)

TODAY = date(2026, 11, 20)  # a Friday
_SHARED = Path(__file__).resolve().parents[2] / "shared" / "worlds" / "sample"
SAMPLE = Path(
    os.environ.get(
        "DMS_SAMPLE_WORLD", _SHARED if _SHARED.exists() else Path(__file__).resolve().parents[1] / "worlds" / "demo"
    )
)
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[1] / "worlds" / "sample"


# -- worlds -------------------------------------------------------------------------


def _units(spec: str) -> list[tuple[str, int]]:
    return [(u.split("=")[0], int(u.split("=")[1])) for u in spec.split("|")]


def pharma_lexicon() -> Lexicon:
    sku = lambda code, name, units, *aliases: Entry(  # noqa: E731
        "sku", code, [name, *aliases], {"units": _units(units)}
    )
    return Lexicon(
        [
            sku("PX-500", "Paracip Tablets 500mg", "TAB=1|STRIP=10|BOX=100", "paracip 500"),
            sku("PX-650", "Paracip Tablets 650mg", "TAB=1|STRIP=15|CARTON=300"),
            sku("CS-100", "Coughsoothe Syrup 100ml", "BOTTLE=1|CARTON=24", "cough syrup small"),
            sku("CS-200", "Coughsoothe Syrup 200ml", "BOTTLE=1|CTN=12", "cough syrup big"),
            sku("WP-1L", "Wallguard Primer 1 Litre", "TIN=1|CASE=6"),
            sku("WP-4L", "Wallguard Primer 4L", "TIN=1|CASE=4"),
            sku("CM-50", "Ironcast Cement 50kg", "BAG=1", "cement bag"),
            sku("OJ-1L", "Sunny Orange Juice 1L", "BOTTLE=1|CRATE=12"),
            sku("OJ-200", "Sunny Orange Juice 200ml", "PCS=1|PACK=6|CASE=48"),
            Entry("product", "PARACIP", ["Paracip Tablets"]),
            Entry("brand", "WALLGUARD", ["Wallguard"]),
            Entry("category", "PAINTS", ["Paints and Primers"]),
            Entry("category", "PAIN", ["Pain Relief"]),
            Entry("customer", "C-1", ["Lifeline Chemists"]),
            Entry("customer", "C-2", ["Lifeline Hardware"]),
            Entry("customer", "C-3", ["Metro Paints"]),
            Entry("region", "PN-E", ["Pune East"]),
            Entry("region", "PN-W", ["Pune West"]),
            Entry("region", "NSK", ["Nashik"]),
            Entry("warehouse", "WH-PN", ["Pune Depot"]),
            Entry("user", "U-9", ["Meera Joshi"]),
        ]
    )


def _rows(name: str) -> list[dict]:
    with open(SAMPLE / name, newline="") as f:
        return list(csv.DictReader(f))


def sample_lexicon() -> Lexicon:
    entries = []
    for r in _rows("skus.csv"):
        entries.append(
            Entry(
                "sku",
                r["code"],
                [r["name"], *[a for a in r["aliases"].split("|") if a], r["barcode"]],
                {"units": _units(r["units"]), "product": r["product"]},
            )
        )
    for file, kind in (
        ("products.csv", "product"),
        ("brands.csv", "brand"),
        ("categories.csv", "category"),
        ("customers.csv", "customer"),
        ("regions.csv", "region"),
        ("warehouses.csv", "warehouse"),
    ):
        entries += [Entry(kind, r["code"], [r["name"]]) for r in _rows(file)]
    entries += [Entry("user", r["id"], [r["name"]]) for r in _rows("users.csv")]
    return Lexicon(entries)


@pytest.fixture(scope="module")
def pharma() -> Lexicon:
    return pharma_lexicon()


@pytest.fixture(scope="module")
def sample() -> Lexicon:
    return sample_lexicon()


def codes(matches) -> list[str]:
    return sorted(m.entry.code for m in matches)


# -- 1. numbers and units -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20 boxes", [(20, "boxes")]),
        ("order 1,200 pcs", [(1200, "pcs")]),
        ("twenty strips", [(20, "strips")]),
        ("a dozen", [(12, None)]),
        ("half a dozen bottles", [(6, "bottles")]),
        ("two dozen tins", [(24, "tins")]),
        ("a carton of syrup", [(1, "carton")]),
        ("an box please", [(1, "box")]),
        ("couple of bags", [(2, "bags")]),
        ("a couple of crates", [(2, "crates")]),
        ("two hundred and fifty tabs", [(250, "tabs")]),  # a unit word (tablets): never read as the base unit
        ("one case", [(1, "case")]),
        ("20pcs", [(20, "pcs")]),
        ("3 ctns and 4 pkts", [(3, "ctns"), (4, "pkts")]),
    ],
)
def test_parse_quantities(text, expected):
    assert [(m.qty, m.unit_word) for m in parse_quantities(text)] == expected


def test_quantities_skip_sizes_codes_dates_money():
    assert parse_quantities("2 cases of 5 litre primer")[0].unit_word == "cases"
    assert len(parse_quantities("2 cases of 5 litre primer")) == 1
    assert parse_quantities("Paracip 500mg") == []
    for text in ("cancel order SO-0905", "since 1 Nov", "rs 500 only", "last 7 days", "on 2026-11-01", "01/11/2026"):
        assert parse_quantities(text) == [], text


def test_fractional_quantity_is_kept_for_the_caller_to_reject():
    m = parse_quantities("2.5 cases")[0]
    assert m.qty is None and m.value == Decimal("2.5") and m.unit_word == "cases"


def test_world_units_extend_the_generic_ones():
    assert parse_quantities("10 kg cement") == []  # a size unless the world sells by KG
    m = parse_quantities("10 kg cement", unit_words=["BAG", "KG"])[0]
    assert (m.qty, m.unit_word) == (10, "kg")
    m = parse_quantities("3 skids of cement", unit_words=["SKID"])[0]
    assert (m.qty, m.unit_word) == (3, "skids")


def test_two_hundred_and_fifty_with_unit():
    m = parse_quantities("two hundred and fifty pcs")[0]
    assert (m.qty, m.unit_word) == (250, "pcs")
    assert "two hundred and fifty pcs"[m.start : m.end] == "two hundred and fifty pcs"


@pytest.mark.parametrize(
    "word, units, expected",
    [
        (None, "PCS=1|BOX=12|CASE=144", ("PCS", 1)),
        ("boxes", "PCS=1|BOX=12|CASE=144", ("BOX", 12)),
        ("cases", "PCS=1|BOX=12|CASE=144", ("CASE", 144)),
        ("carton", "PCS=1|BOX=12|CASE=144", ("CASE", 144)),  # no CARTON: the case family
        ("ctn", "PCS=1|BOX=12|CASE=144", ("CASE", 144)),
        ("case", "BOTTLE=1|CTN=12", ("CTN", 12)),
        ("cartons", "TAB=1|STRIP=15|CARTON=300", ("CARTON", 300)),
        ("pieces", "PCS=1|BOX=12", ("PCS", 1)),
        ("nos", "TAB=1|STRIP=10", ("TAB", 1)),  # piece words = the base unit
        ("units", "BOTTLE=1|CARTON=24", ("BOTTLE", 1)),
        ("strips", "TAB=1|STRIP=10|BOX=100", ("STRIP", 10)),
        ("packets", "PCS=1|PKT=4", ("PKT", 4)),
        ("bottels", "BOTTLE=1|CARTON=24", ("BOTTLE", 1)),  # typo
        ("bags", "BAG=1", ("BAG", 1)),
        ("strip", "PCS=1|BOX=12|CASE=144", None),  # the SKU has no such unit
    ],
)
def test_resolve_unit(word, units, expected):
    assert resolve_unit(word, _units(units)) == expected


# -- 2. periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("sales today", date(2026, 11, 20), date(2026, 11, 20)),
        ("yesterday", date(2026, 11, 19), date(2026, 11, 19)),
        ("this week", date(2026, 11, 16), date(2026, 11, 20)),
        ("last week", date(2026, 11, 9), date(2026, 11, 15)),
        ("this month", date(2026, 11, 1), date(2026, 11, 20)),
        ("sales report for last month", date(2026, 10, 1), date(2026, 10, 31)),
        ("this year", date(2026, 1, 1), date(2026, 11, 20)),
        ("last year", date(2025, 1, 1), date(2025, 12, 31)),
        ("sales in October", date(2026, 10, 1), date(2026, 10, 31)),
        ("orders in oct", date(2026, 10, 1), date(2026, 10, 31)),
        ("October 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("december", date(2025, 12, 1), date(2025, 12, 31)),  # not in the future
        ("since 1 Nov", date(2026, 11, 1), date(2026, 11, 20)),
        ("since November 5", date(2026, 11, 5), date(2026, 11, 20)),
        ("from 1 Oct to 15 Oct", date(2026, 10, 1), date(2026, 10, 15)),
        ("between 2026-09-01 and 2026-09-30", date(2026, 9, 1), date(2026, 9, 30)),
        ("from 20 Dec to 5 Jan", date(2025, 12, 20), date(2026, 1, 5)),
        ("last 7 days", date(2026, 11, 14), date(2026, 11, 20)),
        ("past 30 days", date(2026, 10, 22), date(2026, 11, 20)),
        ("on 2026-11-01", date(2026, 11, 1), date(2026, 11, 1)),
        ("01/11/2026", date(2026, 11, 1), date(2026, 11, 1)),  # day first
    ],
)
def test_parse_period(text, start, end):
    p = parse_period(text, TODAY)
    assert p is not None and (p.start, p.end) == (start, end), (text, p)
    assert p.label


def test_no_period_and_may_as_a_verb():
    assert parse_period("2 cases of primer", TODAY) is None
    assert parse_period("may I return expired syrup?", TODAY) is None
    assert parse_period("sales for may", TODAY).start == date(2026, 5, 1)
    assert "October" in parse_period("last month", TODAY).label


# -- 3. confirmations -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "y",
        "Yeah!",
        "ok",
        "okay",
        "confirm",
        "go ahead",
        "sure",
        "place it",
        "do it",
        "haan",
        "Yes please, place the order",
    ],
)
def test_yes(text):
    assert parse_confirmation(text) == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "nope",
        "cancel",
        "no, cancel that",
        "don't",
        "stop",
        "never mind",
        "don't do it",
        "not now",
        "no wait, keep it",
        "hold on",
    ],
)
def test_no(text):
    assert parse_confirmation(text) == "no"


@pytest.mark.parametrize(
    "text",
    [
        "yes and also add 2 boxes of paracip",
        "ok but make it 3 strips",
        "make it 2 cartons",
        "approve it",
        "what is this?",
        "hello",
    ],
)
def test_not_a_bare_confirmation(text):
    assert parse_confirmation(text) is None


# -- 5. entities ----------------------------------------------------------------------


def test_exact_codes_and_barcodes(pharma, sample):
    assert codes(pharma.find("stock of px-650", ["sku"])) == ["PX-650"]
    assert codes(sample.find("cc-100", ["sku"])) == ["CC-100"]
    assert codes(sample.find("8901000000011", ["sku"])) == ["CC-100"]
    # a short code is a code only when written as one ("KA"), not the word "ka"
    assert codes(sample.find("orders in KA", ["region"])) == ["KA"]
    assert sample.find("orders in", ["region"]) == []


def test_order_numbers(sample):
    assert find_order_numbers("cancel order SO-0905 and INV-12") == ["SO-0905", "INV-12"]
    assert find_order_numbers("status of so/77") == ["SO-77"]
    assert find_order_numbers("2 cases of 5 litre oil 100g") == []
    # SKU and customer codes are not documents
    assert sample.find_order_numbers("is CC-100 for R-101 in SO-0905?") == ["SO-0905"]


def test_fuzzy_names_and_typos(pharma, sample):
    assert codes(pharma.find("orenge juice 1 litre", ["sku"])) == ["OJ-1L"]
    assert codes(pharma.find("coughsoth syrup 200ml", ["sku"])) == ["CS-200"]
    assert codes(pharma.find("walgaurd primer 4 ltr", ["sku"])) == ["WP-4L"]
    assert codes(sample.find("sunleef tea 250g", ["sku"])) == ["ST-250"]
    assert codes(sample.find("crunchi creem 100g", ["sku"])) == ["CC-100"]
    assert codes(pharma.find("Meera", ["user"])) == ["U-9"]
    assert codes(pharma.find("deliver from pune depot", ["warehouse"])) == ["WH-PN"]


def test_number_as_the_name_writes_it(pharma, sample):
    # "500" said bare names the SKU whose name says "500mg" (a size kept as 0.5g)
    assert codes(pharma.find("paracip 650", ["sku"])) == ["PX-650"]
    assert codes(pharma.find("coughsoothe 200", ["sku"])) == ["CS-200"]
    assert codes(sample.find("sunleaf 250", ["sku"])) == ["ST-250"]


def test_customer_by_first_words_of_a_long_name(sample):
    lex = Lexicon(
        [
            Entry("customer", "C-1", ["Andheri Medical and General Stores"]),
            Entry("customer", "C-2", ["Andheri Chemists"]),
            Entry("customer", "C-3", ["Lifeline Pharma Andheri"]),
            Entry("customer", "C-4", ["Lifeline Pharma Bandra"]),
        ]
    )
    [(entry, span)] = lex.find_by_lead("how much does Andheri Medical owe?", "customer")
    assert entry.code == "C-1" and "how much does Andheri Medical owe?"[span[0] : span[1]] == "Andheri Medical"
    assert sorted(e.code for e, _ in lex.find_by_lead("lifeline pharma orders", "customer")) == ["C-3", "C-4"]
    assert lex.find_by_lead("andheri orders", "customer") == []  # one word is not enough
    assert [e.code for e, _ in sample.find_by_lead("what does New Star owe", "customer")] == ["R-104"]


def test_sizes_normalised_on_both_sides(pharma, sample):
    assert codes(sample.find("oil 1 litre", ["sku"])) == ["GD-1L"]
    assert codes(sample.find("2 cases of 5 litre oil", ["sku"])) == ["GD-5L"]
    assert codes(sample.find("washing powder half kg", ["sku"])) == ["BR-500"]
    assert codes(sample.find("Brisk detergent 1 kg", ["sku"])) == ["BR-1K"]
    assert codes(pharma.find("paracip 0.5 g", ["sku"])) == ["PX-500"]  # 500mg
    assert codes(pharma.find("primer 1L", ["sku"])) == ["WP-1L"]
    assert codes(pharma.find("primer 4000 ml", ["sku"])) == ["WP-4L"]


def test_ambiguous_returns_the_near_ties(pharma, sample):
    assert codes(pharma.find("paracip", ["sku"])) == ["PX-500", "PX-650"]
    assert codes(pharma.find("orders of Lifeline", ["customer"])) == ["C-1", "C-2"]
    assert codes(sample.find("crunchy cream", ["sku"])) == ["CC-100", "CC-200"]
    assert codes(sample.find("sunleaf tea", ["sku"])) == ["ST-1K", "ST-250"]


def test_threshold_and_kinds(pharma, sample):
    assert pharma.find("show low stock", ["sku"]) == []
    assert pharma.find("diesel generator", ["sku", "product"]) == []
    assert sample.find("Show sales report for last month") == []
    assert codes(pharma.find("orders from Pune East", ["region", "customer"])) == ["PN-E"]
    assert codes(sample.find("Show orders from Bengaluru South", ["region"])) == ["BLR-S"]
    assert codes(pharma.find("list pain relief", ["category"])) == ["PAIN"]


def test_entities_in_whole_sample_messages(sample):
    msg = "Place an order for Ganesh Provisions: 2 cases of Sunleaf tea 250g"
    assert codes(sample.find(msg, ["customer"])) == ["R-103"]
    assert codes(sample.find(msg, ["sku"])) == ["ST-250"]
    m = sample.find("I need 20 boxes of Crunchy Cream 100g", ["sku"])[0]
    assert "I need 20 boxes of Crunchy Cream 100g"[m.span[0] : m.span[1]] == "Crunchy Cream 100g"
    assert codes(sample.find("order 100 neem soap", ["sku"])) == ["NS-100"]
    assert codes(sample.find("what is the price of GoldDrop oil 1 litre?", ["sku"])) == ["GD-1L"]
    assert codes(sample.find("gold drop", ["brand"])) == ["GOLDDROP"]
    assert sample.unit_words >= {"PCS", "BOX", "CASE", "PACK"}


# -- speed ----------------------------------------------------------------------------


def test_ten_thousand_skus_speed():
    rng = random.Random(11)
    words = (
        "amber bolt cable clamp drill elbow flux gasket hinge joint knob lever mesh "
        "nozzle pipe rivet screw tape valve washer anchor bracket chisel"
    ).split()
    makers = [
        f"{a}{b}"
        for a in ("tor", "vex", "lum", "kal", "zen", "rho", "pax", "quo")
        for b in ("ik", "ora", "umi", "ex", "on")
    ]
    sizes = ["6mm", "8mm", "10mm", "12mm", "1m", "2m", "250ml", "1L", "500g", "1kg"]
    entries = [
        Entry(
            "sku",
            f"HW-{i:05d}",
            [
                f"{rng.choice(makers)} {rng.choice(words)} {rng.choice(words)} {rng.choice(sizes)}",
                f"{rng.choice(words)} {rng.choice(words)}",
            ],
            {"units": [("PCS", 1), ("BOX", 50)]},
        )
        for i in range(10_000)
    ]
    t0 = time.perf_counter()
    lex = Lexicon(entries)
    build = time.perf_counter() - t0
    msgs = [
        "I need 20 boxes of torik pipe clamp 10mm",
        "price of vexora drill bit 8 mm",
        "stock of lumumi hinge",
        "5 boxes kalex rivet screw 6mm and 2 boxes zenon tape 1m",
    ]
    t0 = time.perf_counter()
    found = [lex.find(m, ["sku"]) for m in msgs]
    per_msg = (time.perf_counter() - t0) / len(msgs) * 1000
    print(f"\nlexicon of 10,000 SKUs built in {build:.2f} s; find() {per_msg:.1f} ms per message")
    assert all(isinstance(f, list) for f in found)
    assert lex.find("HW-00042", ["sku"])[0].entry.code == "HW-00042"


def test_sizes_in_inches_sqmm_and_feet_are_not_quantities():
    from agent.nlu.numbers import parse_quantities

    units = ["box", "roll", "bundle"]
    assert [(q.qty, q.unit_word) for q in parse_quantities("2 boxes of 1 inch tee", units)] == [(2, "boxes")]
    assert [(q.qty, q.unit_word) for q in parse_quantities("5 rolls of 1.5 sqmm wire", units)] == [(5, "rolls")]
    assert [(q.qty, q.unit_word) for q in parse_quantities("1 bundle of 8 ft sheet", units)] == [(1, "bundle")]


def test_declining_for_now_is_a_no():
    from agent.nlu.confirm import parse_confirmation

    assert parse_confirmation("no, leave it for now") == "no"
    assert parse_confirmation("not today") == "no"
    assert parse_confirmation("no, send 3 boxes for later") is None
