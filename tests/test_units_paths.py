"""One vocabulary everywhere: the same raw words read the same through the planner's path
(agent/nlu/numbers.py) and through a tool call (create_order with unit="cartons"/"peti"/"katte"),
previews say how each line was read, and replies name the world's own base unit (a KG world says
KG, never PCS). On SQLite and PostgreSQL (DMS_TEST_DB)."""

import csv
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session

from agent.nlu.numbers import parse_quantities, read_unit, resolve_unit
from core.access import load_actor
from core.catalogue import sku_units
from core.errors import InvalidInput
from core.orders import Item, preview_order
from core.world import import_world
from tools.base import ToolContext
from tools.registry import get_tool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kg_world(engine, clock, tmp_path):
    """The hardware world with binding wire sold by the KG in bags of 50 (and coils of 25), a
    volume scheme from 100 KG and 10 KG free on every 2 bags."""
    world = tmp_path / "kgworld"
    shutil.copytree(ROOT / "worlds" / "hardware", world)
    with open(world / "skus.csv") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["code"] == "BW-20":
            r["units"] = "KG=1|COIL=25|BAG=50"
    with open(world / "skus.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(world / "schemes.csv", "a", newline="") as f:
        f.write(
            "SCH-BW-100,Binding wire: 2% off 100 kg or more,volume,BW-20,,,,,,100,,,2,,,,,,2026-11-01,"
            "2027-01-31,0,true\n"
        )
        f.write(
            "SCH-BW-FREE,Binding wire: 10 kg free on every 2 bags,free_goods,BW-20,,,,,,2,BAG,,,,,10,,true,"
            "2026-11-01,2027-01-31,0,false\n"
        )
    import_world(engine, world, clock=clock)
    return engine


def _preview(engine, clock, user, **args):
    with Session(engine) as s:
        try:
            return get_tool("create_order").preview(ToolContext(s, load_actor(s, user), clock), args)
        finally:
            s.rollback()


def _run(engine, clock, user, name, **args):
    with Session(engine) as s:
        try:
            return get_tool(name).run(ToolContext(s, load_actor(s, user), clock), args)
        finally:
            s.rollback()


def _units(engine, sku):
    with Session(engine) as s:
        return sku_units(s, [sku])[sku]


def _planner_base(text: str, units: list[tuple[str, int]], unit_words) -> int | None:
    """The planner's path: the quantity and unit word in the message (agent.nlu), the unit
    through resolve_unit (the tuple API the planner calls) or read_unit (the full reading)."""
    (m,) = [q for q in parse_quantities(text, unit_words)]
    got = resolve_unit(m.unit_word, units)
    if got is not None:
        return int(m.value * got[1])
    return int(m.value * read_unit(m.unit_word, units).factor)


# --- the same raw words through both paths ------------------------------------------------


@pytest.mark.parametrize(
    "text, item, base",
    [
        ("2 cartons of Crunchy Cream 100g", {"qty": 2, "unit": "cartons"}, 288),
        ("3 peti Crunchy Cream 100g", {"qty": 3, "unit": "peti"}, 432),
        ("do peti crunchy cream 100g", {"qty": "do", "unit": "peti"}, 288),
        ("5 dabba Crunchy Cream 100g", {"qty": 5, "unit": "dabba"}, 60),
        ("1.5 cartons of Crunchy Cream 100g", {"qty": "1.5", "unit": "cartons"}, 216),
        ("half a case of Crunchy Cream 100g", {"qty": "half", "unit": "case"}, 72),
        ("2 Boxes Crunchy Cream 100g", {"qty": 2, "unit": "Boxes"}, 24),
        ("36 pcs Crunchy Cream 100g", {"qty": 36, "unit": "pcs"}, 36),
        ("4 ctns crunchy cream 100g", {"qty": 4, "unit": "ctns"}, 576),
    ],
)
def test_demo_world_words_read_the_same_in_both_paths(sample, clock, text, item, base):
    units = _units(sample, "CC-100")
    assert _planner_base(text, units, ["PCS", "BOX", "CASE", "PACK"]) == base
    p = _preview(sample, clock, "U-RET-101", items=[{"product": "CC-100", **item}])
    assert p.data["lines"][0]["qty"] == base
    assert p.data["readings"][0]["base_qty"] == base


@pytest.mark.parametrize(
    "text, item, base, explained",
    [
        ("3 katte binding wire", {"qty": 3, "unit": "katte"}, 150, "3 katte → 3 BAG = 150 KG"),
        ("5 bori binding wire", {"qty": 5, "unit": "bori"}, 250, "5 bori → 5 BAG = 250 KG"),
        ("dedh bora binding wire", {"qty": "dedh", "unit": "bora"}, 75, "dedh bora → 1.5 BAG = 75 KG"),
        ("3.5 bags binding wire", {"qty": "3.5", "unit": "bags"}, 175, "3.5 bags → 3.5 BAG = 175 KG"),
        ("2 coils binding wire", {"qty": 2, "unit": "coils"}, 50, "2 coils → 2 COIL = 50 KG"),
        ("10 kilo binding wire", {"qty": 10, "unit": "kilo"}, 10, "10 kilo → 10 KG"),
        ("2 kattey binding wire", {"qty": 2, "unit": "kattey"}, 100, "2 kattey → 2 BAG = 100 KG"),
    ],
)
def test_kg_world_words_read_the_same_in_both_paths(kg_world, clock, text, item, base, explained):
    units = _units(kg_world, "BW-20")
    assert _planner_base(text, units, ["KG", "COIL", "BAG", "PALLET", "LITRE"]) == base
    p = _preview(kg_world, clock, "U-RET-401", items=[{"product": "BW-20", **item}])
    assert p.data["lines"][0]["qty"] == base
    assert explained in p.text


# --- previews explain every line in the world's units ------------------------------------


def test_kg_world_preview_names_kg_everywhere(kg_world, clock):
    p = _preview(
        kg_world,
        clock,
        "U-RET-401",
        items=[{"product": "BW-20", "qty": 2, "unit": "bags"}, {"product": "BW-20", "qty": 12}],
    )
    assert "2 bags → 2 BAG = 100 KG" in p.text and "12 (no unit) → 12 KG" in p.text
    assert "10 KG free" in p.text and "per KG" in p.text and "PCS" not in p.text
    assert p.data["lines"][0]["qty"] == 112 and p.data["lines"][0]["free_qty"] == 10
    offers = _run(kg_world, clock, "U-RET-401", "list_schemes", product="BW-20").text
    assert "100 KG or more" in offers and "get 10 KG free" in offers and "PCS" not in offers


def test_hardware_scheme_thresholds_name_litres(kg_world, clock):
    offers = _run(kg_world, clock, "U-RET-401", "list_schemes").text
    assert "20 LITRE or more" in offers and "PCS" not in offers


def test_demo_preview_explains_each_line(sample, clock):
    p = _preview(
        sample,
        clock,
        "U-RET-101",
        items=[{"product": "CC-100", "qty": 3, "unit": "dabba"}, {"product": "NS-100", "qty": 12}],
    )
    assert "3 dabba → 3 BOX = 36 PCS" in p.text and "12 (no unit) → 12 PCS" in p.text
    assert [r["how"] for r in p.data["readings"]] == ["regional", "none"]


# --- what cannot be read is refused, never ordered in base units -----------------------


@pytest.mark.parametrize(
    "item, message",
    [
        (
            {"qty": 10, "unit": "case"},
            "Loha GI Binding Wire 20 gauge is sold in KG, COIL (25 KG), BAG (50 KG); it has no CASE.",
        ),
        ({"qty": 10, "unit": "peti"}, "it has no CASE ('peti')"),
        ({"qty": 10, "unit": "gizmos"}, "'gizmos' is not a unit I know"),
        ({"qty": 4, "unit": "pieces"}, "by measure"),
        ({"qty": "1.01", "unit": "bag"}, "50.5 KG, not a whole number of KG"),
        ({"qty": "half", "unit": None}, "not a whole number of KG"),
    ],
)
def test_unreadable_lines_are_refused(kg_world, clock, item, message):
    with pytest.raises(InvalidInput) as e:
        _preview(kg_world, clock, "U-RET-401", items=[{"product": "BW-20", **item}])
    assert message in e.value.message


def test_core_items_take_words_and_fractions(sample, clock):
    with Session(sample) as s:
        actor = load_actor(s, "U-RET-101")
        p = preview_order(
            s,
            actor,
            clock,
            [Item("CC-100", "2 cartons"), Item("CC-100", Decimal("0.5"), "peti"), Item("NS-100", "aadha darjan")],
        )
        assert [(r.sku, r.base_qty) for r in p.readings] == [("CC-100", 288), ("CC-100", 72), ("NS-100", 6)]
        assert {ln.sku: ln.qty for ln in p.lines} == {"CC-100": 360, "NS-100": 6}
        s.rollback()


def test_the_cli_reads_unit_words_too(sample, tmp_path, monkeypatch):
    """`dms order preview CC-100:2:cartons` reads 'cartons' through the same vocabulary; an unknown
    unit word is one error line, never pieces."""
    from typer.testing import CliRunner

    from channels.cli import app
    from conftest import NOW
    from core.settings import get_settings

    for k, v in {
        "DMS_DATABASE_URL": sample.url_string,
        "DMS_NOW": NOW.isoformat(),
        "DMS_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(
            app, ["order", "preview", "CC-100:2:cartons", "MG-75:1:peti", "--as", "U-RET-101"], prog_name="dms"
        )
        assert ok.exit_code == 0, ok.output
        assert re.search(r"CC-100\s*│\s*288\b", ok.stdout) and re.search(r"MG-75\s*│\s*240\b", ok.stdout)
        bad = CliRunner().invoke(app, ["order", "preview", "CC-100:2:katte", "--as", "U-RET-101"], prog_name="dms")
        assert bad.exit_code == 1 and "it has no BAG ('katte')" in bad.stderr
    finally:
        get_settings.cache_clear()


# --- stock changes and payments take the same words ----------------------------------------


def _stock_preview(engine, clock, user, name, **args):
    with Session(engine) as s:
        try:
            return get_tool(name).preview(ToolContext(s, load_actor(s, user), clock), args)
        finally:
            s.rollback()


@pytest.mark.parametrize(
    "delta, unit, base",
    [
        (-1, "dabba", -6),
        ("-1", "box", -6),
        ("-2 boxes", None, -12),
        ("+half", "dabba", 3),
        ("do", "dabbe", 12),
        (2, None, 2),
    ],
)
def test_adjust_stock_reads_units_and_number_words(sample, clock, delta, unit, base):
    p = _stock_preview(
        sample,
        clock,
        "U-WH-1",
        "adjust_stock",
        warehouse="WH-BLR",
        product="CC-200",
        delta=delta,
        unit=unit,
        reason="recount",
    )
    assert p.data["qty"] == base and "PCS" in p.text


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(delta=1, unit="katte"), "it has no BAG ('katte')"),
        (dict(delta=0), "delta: Value error, must not be 0"),
        (dict(delta="lots"), "delta: Value error, not a quantity"),
        (dict(delta="half"), "not a whole number of PCS"),
    ],
)
def test_adjust_stock_refuses_what_it_cannot_read(sample, clock, args, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        _stock_preview(
            sample, clock, "U-WH-1", "adjust_stock", warehouse="WH-BLR", product="CC-200", reason="recount", **args
        )


def test_record_damage_in_bags_of_a_kg_product(kg_world, clock):
    p = _stock_preview(
        kg_world,
        clock,
        "U-ADM",
        "record_damage",
        warehouse="WH-KOL",
        product="BW-20",
        qty="1",
        unit="katta",
        reason="torn",
    )
    assert p.data["qty"] == 50 and "KG" in p.text
    with pytest.raises(InvalidInput, match="it has no CASE"):
        _stock_preview(
            kg_world,
            clock,
            "U-ADM",
            "record_damage",
            warehouse="WH-KOL",
            product="BW-20",
            qty=1,
            unit="peti",
            reason="torn",
        )


@pytest.mark.parametrize(
    "amount, value",
    [
        ("10k", "10000.00"),
        ("1.5 lakh", "150000.00"),
        ("Rs 1,20,000/-", "120000.00"),
        ("2L", "200000.00"),
        ("50 hazaar", "50000.00"),
        ("1,000", "1000.00"),
        (2500, "2500.00"),
        (Decimal("99.5"), "99.50"),
    ],
)
def test_record_payment_reads_money_shorthand(sample, clock, amount, value):
    p = _stock_preview(sample, clock, "U-MGR-KA", "record_payment", customer="Fresh Mart", amount=amount, method="upi")
    assert p.data["amount"] == value


@pytest.mark.parametrize(
    "amount, message",
    [
        ("10 boxes", "amount: '10 boxes' is not an amount of money. Write it like 5000, 5,000.50, Rs 1,20,000, 10k"),
        ("0", "a payment must be more than zero"),
        ("lots", "is not an amount of money"),
    ],
)
def test_record_payment_says_how_to_fix_the_amount(sample, clock, amount, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        _stock_preview(sample, clock, "U-MGR-KA", "record_payment", customer="Fresh Mart", amount=amount, method="upi")


def test_stock_replies_name_the_base_unit(kg_world, clock):
    text = _run(kg_world, clock, "U-ADM", "stock_levels", product="BW-20").text
    assert "KG available" in text and "PCS" not in text


@pytest.mark.parametrize(
    "qty, message",
    [
        (0, "items.0.qty: Value error, must be greater than 0"),
        ("many", "items.0.qty: Value error, not a quantity"),
        (True, "items.0.qty"),
    ],
)
def test_order_quantity_arguments_say_how_to_fix_the_call(sample, clock, qty, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        _preview(sample, clock, "U-RET-101", items=[{"product": "CC-100", "qty": qty}])


def test_an_llm_may_pass_numbers_as_json_numbers(sample, clock):
    p = _preview(sample, clock, "U-RET-101", items=[{"product": "CC-100", "qty": 1.5, "unit": "cartons"}])
    assert p.data["lines"][0]["qty"] == 216
