"""Numbers, amounts and order lines as people write them (core/quantities.py), and the planner's
reading of them (agent/nlu/numbers.py, built on the same core)."""

from decimal import Decimal

import pytest

from agent.nlu.numbers import (
    BASE_WORDS,
    UNIT_GROUPS,
    is_unit_word,
    parse_amounts,
    parse_quantities,
    read_unit,
    resolve_unit,
    unit_key,
)
from core.catalogue import parse_units
from core.errors import InvalidInput
from core.quantities import find_amounts, parse_amount, parse_number, read_line, scan_numbers
from core.units import AmbiguousUnit, UnknownUnit

D = Decimal


@pytest.mark.parametrize(
    "text, value",
    [
        ("12", 12),
        ("1,200", 1200),
        ("1,00,000", 100000),
        ("12,34,567", 1234567),
        ("1,234,567", 1234567),
        ("2.5", D("2.5")),
        (".5", D("0.5")),
        ("1/2", D("0.5")),
        ("3/4", D("0.75")),
        ("3 1/2", D("3.5")),
        ("two hundred and fifty", 250),
        ("twenty five", 25),
        ("twenty-five", 25),
        ("one hundred and five", 105),
        ("a hundred", 100),
        ("three thousand two hundred", 3200),
        ("ten thousand", 10000),
        ("half", D("0.5")),
        ("a half", D("0.5")),
        ("quarter", D("0.25")),
        ("three quarters", D("0.75")),
        ("one and a half", D("1.5")),
        ("two and a half", D("2.5")),
        ("5 and a half", D("5.5")),
        ("dozen", 12),
        ("a dozen", 12),
        ("2 dozen", 24),
        ("two dozen", 24),
        ("half dozen", 6),
        ("half a dozen", 6),
        ("1.5 dozen", 18),
        # Hindi / Hinglish
        ("ek", 1),
        ("do", 2),
        ("teen", 3),
        ("char", 4),
        ("chaar", 4),
        ("paanch", 5),
        ("panch", 5),
        ("chhe", 6),
        ("chhah", 6),
        ("saat", 7),
        ("aath", 8),
        ("nau", 9),
        ("das", 10),
        ("gyarah", 11),
        ("barah", 12),
        ("bees", 20),
        ("pachees", 25),
        ("pachis", 25),
        ("tees", 30),
        ("chalis", 40),
        ("pachaas", 50),
        ("pachas", 50),
        ("sau", 100),
        ("ek sau", 100),
        ("do sau", 200),
        ("do sau pachaas", 250),
        ("paanch hazaar", 5000),
        ("hazaar", 1000),
        ("ek hazaar do sau", 1200),
        ("das hajar", 10000),
        ("ek lakh", 100000),
        ("do crore", 20000000),
        ("2 lakh 50 hazaar", 250000),
        ("5 hazaar", 5000),
        ("1.5 lakh", 150000),
        ("aadha", D("0.5")),
        ("adha", D("0.5")),
        ("dedh", D("1.5")),
        ("derh", D("1.5")),
        ("dhai", D("2.5")),
        ("dhaai", D("2.5")),
        ("sawa do", D("2.25")),
        ("sawa", D("1.25")),
        ("saadhe teen", D("3.5")),
        ("sade paanch", D("5.5")),
        ("paune do", D("1.75")),
        ("paune", D("0.75")),
        ("sawa sau", 125),
        ("paune sau", 75),
        ("dedh sau", 150),
        ("dhai hazaar", 2500),
        ("saadhe teen sau", 350),
        ("aadha darjan", 6),
        ("dedh darjan", 18),
        ("do darjan", 24),
        ("-3", -3),
        ("+3", 3),
    ],
)
def test_numbers(text, value):
    assert parse_number(text) == D(value)


@pytest.mark.parametrize("text", ["10,20", "abc", "two three", "1/3", "5 boxes", "", "1e5", "NaN"])
def test_not_one_number(text):
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    "text, value",
    [
        ("5000", 5000),
        ("5,000.50", D("5000.50")),
        ("Rs 1,20,000/-", 120000),
        ("Rs. 500", 500),
        ("₹1.5L", 150000),
        ("₹ 2,500", 2500),
        ("rs.5k", 5000),
        ("10k", 10000),
        ("10K", 10000),
        ("1.5k", 1500),
        ("1.5 lakh", 150000),
        ("2L", 200000),
        ("2 lac", 200000),
        ("2 lakhs", 200000),
        ("3 cr", 30000000),
        ("3 crore", 30000000),
        ("50 hazaar", 50000),
        ("paanch hazaar", 5000),
        ("five thousand rupees", 5000),
        ("1 lakh 20 thousand", 120000),
        ("dedh lakh", 150000),
        ("500 only", 500),
        (1200, 1200),
        (D("99.99"), D("99.99")),
    ],
)
def test_amounts(text, value):
    assert parse_amount(text) == D(value)


@pytest.mark.parametrize("text", ["abc", "5000 cash", "2 dozen", "", "Rs", "10 boxes", "1,00"])
def test_not_an_amount(text):
    with pytest.raises(InvalidInput, match="is not an amount of money"):
        parse_amount(text)


def test_amounts_in_a_message():
    found = find_amounts("received 1.5 lakh from Fresh Mart by UPI; earlier Rs 500 and 20 boxes, 10k cash, 750/-")
    assert [(a.value, a.said) for a in found] == [(150000, "1.5 lakh"), (500, "Rs 500"), (10000, "10k"), (750, "750")]
    assert [a.value for a in parse_amounts("paid 50 hazaar by cheque")] == [50000]
    assert find_amounts("20 boxes of crunchy") == []


def _u(spec):
    return parse_units(spec)


PCS, KG = _u("PCS=1|BOX=12|CASE=144"), _u("KG=1|BAG=50")


@pytest.mark.parametrize(
    "qty, unit, units, base, explained",
    [
        (3, "dabba", PCS, 36, "3 dabba → 3 BOX = 36 PCS"),
        (10, "katte", KG, 500, "10 katte → 10 BAG = 500 KG"),
        (5, "bori", KG, 250, "5 bori → 5 BAG = 250 KG"),
        (12, None, PCS, 12, "12 (no unit) → 12 PCS"),
        (1, "dabba", PCS, 12, "1 dabba → 1 BOX = 12 PCS"),
        ("half dozen", None, PCS, 6, "half dozen → 6 PCS"),
        ("aadha darjan", None, PCS, 6, "aadha darjan → 6 PCS"),
        ("2 dozen", None, PCS, 24, "2 dozen → 24 PCS"),
        (2, "dozen", PCS, 24, "2 dozen → 24 PCS"),
        ("half", "case", PCS, 72, "half case → 0.5 CASE = 72 PCS"),
        ("half a", "case", PCS, 72, "half a case → 0.5 CASE = 72 PCS"),
        ("1.5", "cartons", PCS, 216, "1.5 cartons → 1.5 CASE = 216 PCS"),
        ("3.5", "bags", KG, 175, "3.5 bags → 3.5 BAG = 175 KG"),
        (D("3.5"), "BAG", KG, 175, "3.5 BAG = 175 KG"),
        ("dedh", "katta", KG, 75, "dedh katta → 1.5 BAG = 75 KG"),
        (2, "quintal", KG, 200, "2 quintal → 200 KG"),
        ("2 cartons", None, PCS, 288, "2 cartons → 2 CASE = 288 PCS"),
        ("do peti", None, PCS, 288, "do peti → 2 CASE = 288 PCS"),
        (36, "pcs", PCS, 36, "36 PCS"),
        (20, "BOX", PCS, 240, "20 BOX = 240 PCS"),
        (5, "bottels", _u("BOTTLE=1|CARTON=24"), 5, "5 bottels → 5 BOTTLE ('bottels' read as 'bottles')"),
        (3, "dibba", PCS, 36, "3 dibba → 3 BOX = 36 PCS ('dibba' can also mean tin; X has no tin)"),
        ("1,000", "g", _u("G=1|PACK=500"), 1000, "1,000 g → 1000 G"),
        (2500, "g", _u("KG=1|BAG=50"), None, None),
    ],
)
def test_order_lines_are_read_into_whole_base_units(qty, unit, units, base, explained):
    if base is None:
        with pytest.raises(InvalidInput, match="not a whole number of KG"):
            read_line("S", qty, unit, units, "X")
        return
    r = read_line("S", qty, unit, units, "X")
    assert r.base_qty == base
    assert r.explain() == explained


@pytest.mark.parametrize(
    "qty, unit, units, message",
    [
        ("half", "pcs", PCS, "half pcs of X is not a whole number of PCS, the smallest unit it is sold in"),
        ("half", None, PCS, "not a whole number of PCS"),
        ("1.3", "box", PCS, "1.3 box of X is 15.6 PCS, not a whole number of PCS"),
        ("1.01", "bag", KG, "is 50.5 KG, not a whole number of KG"),
        (0, "box", PCS, "must be positive"),
        (-2, None, PCS, "must be positive"),
        ("abc", None, PCS, "is not a number"),
        ("2 cartons", "box", PCS, "names a unit and the unit says 'box'"),
        (3_000_000_000, None, PCS, "more than an order line can hold"),
        (10, "kattas", PCS, "it has no BAG ('kattas')"),
        (10, "gizmo", PCS, "'gizmo' is not a unit I know"),
    ],
)
def test_order_lines_that_cannot_be_read_say_why(qty, unit, units, message):
    with pytest.raises(InvalidInput) as e:
        read_line("S", qty, unit, units, "X")
    assert message in e.value.message


# --- the planner's reading (agent/nlu/numbers.py) on the same core ---------------------------

HW = [
    "BAG",
    "PALLET",
    "KG",
    "LITRE",
    "TIN",
    "DRUM",
    "PIECE",
    "DOZEN",
    "BOX",
    "METRE",
    "ROLL",
    "COIL",
    "SHEET",
    "JAR",
    "CARTON",
    "LENGTH",
    "BUNDLE",
]


@pytest.mark.parametrize(
    "text, units, expected",
    [
        ("10 katte DAP", [], [(10, "katte")]),
        ("5 bori urea", [], [(5, "bori")]),
        ("1 dabba", [], [(1, "dabba")]),
        ("do katte DAP", [], [(2, "katte")]),
        ("teen peti", [], [(3, "peti")]),
        ("paanch dabbe crunchy", [], [(5, "dabbe")]),
        ("half dozen tees", HW, [(6, None)]),
        ("half a dozen bottles", [], [(6, "bottles")]),
        ("aadha darjan tee", HW, [(6, None)]),
        ("dedh katta", [], [(None, "katta")]),
        ("3.5 bags", [], [(None, "bags")]),
        ("half a case", [], [(None, "case")]),
        ("1,00,000 pcs", [], [(100000, "pcs")]),
        ("two hundred and fifty tabs", [], [(250, "tabs")]),
        ("10 kilo binding wire", HW, [(10, "kilo")]),
        ("urea 50 kg chahiye", HW, [(50, "kg")]),
        ("2 quintal urea", ["KG", "BAG"], [(2, "quintal")]),
        ("2 pallets Shakti OPC 53 Grade Cement 50kg bag", HW, [(2, "pallets"), (53, None)]),
        ("2 cartons FixIt Wood Adhesive 1kg jar", HW, [(2, "cartons")]),
        ("5 litre oil", [], []),  # a size: the world does not sell by the litre
        ("10 kattey urea", [], [(10, "kattey")]),  # a misspelling, read as one
        ("5 cese crunchy", [], [(5, "cese")]),  # close to a unit: kept as the unit word, so it is asked about
        ("do you have 5 boxes", [], [(5, "boxes")]),  # "do" is a number only before a unit
        ("tin sheet 2 bundles", HW, [(2, "bundles")]),
        ("received 5000 cash", [], [(5000, None)]),
        ("a dozen pocket sanitisers", [], [(12, None)]),
        ("raise the limit to 3 lakh", [], [(300000, None)]),
        ("rs 500 only", [], []),
        ("since 1 Nov", [], []),
        ("last 7 din", [], []),
        ("cancel SO-0905", [], []),
    ],
)
def test_planner_quantities(text, units, expected):
    assert [(m.qty, m.unit_word) for m in parse_quantities(text, units)] == expected


def test_planner_unit_api_is_the_core_one():
    units = _u("KG=1|BAG=50")
    assert resolve_unit("katte", units) == ("BAG", 50)
    assert resolve_unit(None, units) == ("KG", 1)
    assert resolve_unit("case", units) is None  # unknown: the caller asks
    assert resolve_unit("quintal", units) is None  # converts into no unit of its own: read_unit says how
    assert read_unit("quintal", units).factor == 100
    assert resolve_unit("dibba", _u("PCS=1|BOX=12|TIN=4")) is None
    with pytest.raises(AmbiguousUnit):
        read_unit("dibba", _u("PCS=1|BOX=12|TIN=4"))
    with pytest.raises(UnknownUnit):
        read_unit("peti", units)
    assert unit_key("Boxes") == "box" and unit_key("PCS") == "pcs" and unit_key("cartons") == "carton"
    assert unit_key("katte") == "katta"
    assert is_unit_word("peti") and is_unit_word("kattey") and not is_unit_word("crunchy")
    assert not is_unit_word("kg") and is_unit_word("kg", ["KG"])  # measures only where the world sells by them
    assert "pcs" in BASE_WORDS and "adad" in BASE_WORDS
    assert any("peti" in g and "carton" in g for g in UNIT_GROUPS)


def test_weak_number_words_need_a_unit():
    assert [s.value for s in scan_numbers("do you have tees")] == []
    assert [s.value for s in scan_numbers("do sau katte")] == [200]
    assert [s.value for s in scan_numbers("bees bags")] == [20]


def test_messages_never_repeat_a_huge_input():
    with pytest.raises(InvalidInput) as e:
        read_line("S", "9" * 20000, "box", PCS, "X")
    assert len(e.value.message) < 200 and "more than an order line can hold" in e.value.message
    with pytest.raises(InvalidInput) as e:
        parse_amount("x" * 5000)
    assert len(e.value.message) < 200
    with pytest.raises(UnknownUnit) as e:
        read_line("S", 1, "y" * 5000, PCS, "X")
    assert len(e.value.message) < 200
