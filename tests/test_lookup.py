"""Finding products, customers, regions and warehouses by what people call them."""

import pytest
from sqlmodel import Session

from core.access import load_actor
from core.errors import Ambiguous, InvalidInput, NotAllowed, NotFound
from core.lookup import (
    normalise,
    resolve_customer,
    resolve_region,
    resolve_sku,
    resolve_warehouse,
    search_skus,
    sku_unit,
)


@pytest.fixture
def s(sample):
    with Session(sample) as session:
        yield session


def test_sizes_are_normalised():
    assert normalise("GoldDrop Oil 1 Litre") == "golddrop oil 1000ml"
    assert normalise("tea 0.25 kg") == normalise("tea 250g")


@pytest.mark.parametrize(
    "text,code",
    [
        ("CC-100", "CC-100"),
        ("cc-100", "CC-100"),
        ("8901000000080", "GD-5L"),
        ("Crunchy Cream 200g", "CC-200"),
        ("washing bar", "BR-BAR"),
        ("neem soap", "NS-100"),
        ("oil 1 litre", "GD-1L"),
        ("5 litre oil", "GD-5L"),
        ("GoldDrop oil 1 litre", "GD-1L"),
        ("sunleaf tea 250g", "ST-250"),
        ("Brisk detergent 500g", "BR-500"),
        ("crunchi creem 100 g", "CC-100"),
        ("Marie Gold", "MG-75"),
    ],
)
def test_resolve_sku(s, text, code):
    assert resolve_sku(s, text).code == code


def test_two_sizes_are_ambiguous(s):
    with pytest.raises(Ambiguous) as e:
        resolve_sku(s, "crunchy cream")
    assert sorted(c for c, _ in e.value.candidates) == ["CC-100", "CC-200"]
    assert isinstance(e.value, InvalidInput) and "Which one" in e.value.message


def test_unknown_product(s):
    with pytest.raises(NotFound) as e:
        resolve_sku(s, "xyzzy plugh")
    assert e.value.message.startswith("No product matching 'xyzzy plugh'. ")
    with pytest.raises(InvalidInput):
        resolve_sku(s, "  ")


def test_search_ranks_and_limits(s):
    found = search_skus(s, "sunflower oil", limit=2)
    assert {sku.code for sku, _ in found} == {"GD-1L", "GD-5L"}
    assert search_skus(s, "crunchy 200")[0][0].code == "CC-200"
    assert search_skus(s, "") == []


def test_units_as_people_say_them(s):
    assert sku_unit(s, "CC-100", "boxes") == "BOX"
    assert sku_unit(s, "CC-100", "case") == "CASE"
    assert sku_unit(s, "CC-100", "pieces") == "PCS"
    assert sku_unit(s, "CC-100", None) is None


def test_customer_in_scope(s):
    mgr = load_actor(s, "U-MGR-KA")
    assert resolve_customer(s, mgr, "Fresh Mart").code == "R-102"
    assert resolve_customer(s, mgr, "fresh mrat").code == "R-102"
    assert resolve_customer(s, mgr, "r-103").code == "R-103"
    assert resolve_customer(s, load_actor(s, "U-RET-101"), "Anand Kirana Store").code == "R-101"
    assert resolve_customer(s, load_actor(s, "U-DIST-BLR"), "Ganesh Provisions").code == "R-103"


def test_customer_refusal_does_not_reveal_existence(s):
    ret = load_actor(s, "U-RET-101")
    refusals = []
    for name in ("Fresh Mart", "Fresh", "Murugan Stores", "Nowhere Traders Ltd"):
        with pytest.raises(NotAllowed) as e:
            resolve_customer(s, ret, name)
        refusals.append(e.value.message)
    assert set(refusals) == {"You can only see your own account."}
    tn = load_actor(s, "U-MGR-TN")
    msgs = []
    for name in ("Fresh Mart", "Nowhere Traders"):
        with pytest.raises(NotAllowed) as e:
            resolve_customer(s, tn, name)
        msgs.append(e.value.message.replace(name, "X"))
    assert msgs[0] == msgs[1] == "'X' is not among the customers you can see."
    dist = load_actor(s, "U-DIST-BLR")
    with pytest.raises(NotAllowed):
        resolve_customer(s, dist, "Murugan Stores")  # Chennai Traders' retailer


def test_regions_and_warehouses(s):
    assert resolve_region(s, "Bengaluru South").code == "BLR-S"
    assert resolve_region(s, "blr-n").code == "BLR-N"
    assert resolve_region(s, "tamilnadu").code == "TN"
    with pytest.raises(NotFound):
        resolve_region(s, "Atlantis")
    mgr = load_actor(s, "U-MGR-KA")
    assert resolve_warehouse(s, mgr, "Bengaluru Central Warehouse").code == "WH-BLR"
    assert resolve_warehouse(s, mgr, "wh-blr").code == "WH-BLR"
    with pytest.raises(NotAllowed) as a:
        resolve_warehouse(s, load_actor(s, "U-RET-105"), "WH-BLR")
    with pytest.raises(NotAllowed) as b:
        resolve_warehouse(s, load_actor(s, "U-RET-105"), "WH-NOWHERE")
    assert a.value.message.replace("WH-BLR", "X") == b.value.message.replace("WH-NOWHERE", "X")
