"""Scheme rules: base-unit conversion, applicability, descriptions, loading, conflicts."""

from datetime import date

import pytest
from sqlmodel import Session

from core.catalogue import parse_units
from core.errors import InvalidInput
from core.pricing import price_context
from core.schemes import applicable, check_conflicts, describe, rule_from_row, schemes_for
from core.tables.parties import Customer
from core.tables.schemes import Scheme
from tests.test_pricing import TODAY, csv_rows, ctx_of, model_rows

UNITS = {r["code"]: dict(parse_units(r["units"])) for r in csv_rows("skus")}
ROWS = {s.code: s for s in model_rows(Scheme, "schemes")}
RULES = {code: rule_from_row(row, UNITS) for code, row in ROWS.items()}


def test_quantities_are_converted_to_base_units():
    cc = RULES["SCH-CC-FREE"]
    assert (cc.min_qty, cc.free_qty, cc.free_sku, cc.recursive) == (120, 12, "CC-100", True)
    oil = RULES["SCH-OIL-TN"]
    assert (oil.min_qty, oil.free_qty, oil.free_sku, oil.free_base_unit) == (8, 2, "GD-1L", "PCS")
    assert RULES["SCH-TEA-CASE"].min_qty == 40
    assert RULES["SCH-NOOD-MT"].min_qty == 480
    assert RULES["SCH-BRISK-50"].min_qty == 50 and RULES["SCH-BRISK-50"].qualifier == ("brand", "BRISK")
    assert RULES["SCH-RET-10K"].qualifier is None and str(RULES["SCH-RET-10K"].min_value) == "10000.00"


def _scheme(**kw) -> Scheme:
    base = dict(code="S1", name="Test", kind="volume", discount_pct=5, min_qty=1)
    base.update(kw)
    return Scheme(**base)


def test_bad_units_are_refused_with_the_reason():
    with pytest.raises(InvalidInput, match="PACK is not a unit of CC-100"):
        rule_from_row(_scheme(sku="CC-100", unit="PACK"), UNITS)
    # A brand-wide quantity in cases means different amounts per SKU: refused.
    with pytest.raises(InvalidInput, match="CASE must be a base unit"):
        rule_from_row(_scheme(brand="BRISK", unit="CASE"), UNITS)
    assert rule_from_row(_scheme(brand="BRISK", unit="pcs", min_qty=30), UNITS).min_qty == 30
    with pytest.raises(InvalidInput, match="free_sku"):
        rule_from_row(_scheme(kind="free_goods", brand="BRISK", free_qty=1, discount_pct=None), UNITS)
    with pytest.raises(InvalidInput, match="BOX is not a unit of GD-1L"):
        rule_from_row(_scheme(kind="free_goods", sku="GD-5L", free_sku="GD-1L", free_qty=1, free_unit="BOX"), UNITS)


def test_applicable_by_date_type_and_region():
    assert applicable(RULES["SCH-OIL-TN"], ctx_of("R-105"), TODAY)
    assert not applicable(RULES["SCH-OIL-TN"], ctx_of("R-101"), TODAY)
    assert not applicable(RULES["SCH-RET-10K"], ctx_of("R-104"), TODAY)
    assert applicable(RULES["SCH-RET-10K"], ctx_of("R-101"), TODAY)
    assert applicable(RULES["SCH-NOOD-MT"], ctx_of("R-104"), TODAY)
    assert not applicable(RULES["SCH-DIWALI"], ctx_of("R-101"), TODAY)
    assert applicable(RULES["SCH-DIWALI"], ctx_of("R-101"), date(2026, 11, 5))
    assert not applicable(RULES["SCH-CC-FREE"], ctx_of("R-101"), date(2027, 1, 1))


def test_describe_names_the_scheme_and_its_terms():
    text = describe(RULES["SCH-CC-FREE"])
    assert text.startswith("Crunchy Cream: buy 10 boxes get 1 box free")
    assert "buy 10 BOX of CC-100, get 1 BOX free" in text and "2026-12-31" in text
    assert "2 PCS of GD-1L free" in describe(RULES["SCH-OIL-TN"])
    assert "7% off when you buy 200 PCS or more of BRISK" in describe(RULES["SCH-BRISK-200"])
    unnamed = rule_from_row(
        _scheme(name="", kind="value", min_value=500, discount_pct=None, discount_flat=25, min_qty=None), UNITS
    )
    assert describe(unnamed) == "25 off when the order is worth 500 or more"


def test_schemes_for_loads_what_applies_to_the_customer(sample):
    with Session(sample) as s:

        def codes(customer, on=TODAY):
            return {r.code for r in schemes_for(s, price_context(s, s.get(Customer, customer)), on)}

        assert codes("R-101") == {"SCH-CC-FREE", "SCH-TEA-CASE", "SCH-BRISK-50", "SCH-BRISK-200", "SCH-RET-10K"}
        assert codes("R-105") == codes("R-101") | {"SCH-OIL-TN"}
        assert codes("R-104") == {"SCH-CC-FREE", "SCH-TEA-CASE", "SCH-BRISK-50", "SCH-BRISK-200", "SCH-NOOD-MT"}
        assert "SCH-DIWALI" in codes("R-101", date(2026, 11, 1))
        oil = next(
            r for r in schemes_for(s, price_context(s, s.get(Customer, "R-105")), TODAY) if r.code == "SCH-OIL-TN"
        )
    assert (oil.min_qty, oil.free_qty, oil.free_sku) == (8, 2, "GD-1L")


def test_check_conflicts_reports_equal_priority_non_stackable_overlaps():
    msgs = check_conflicts(list(RULES.values()))
    assert len(msgs) == 1
    assert "SCH-DIWALI and SCH-RET-10K" in msgs[0] and "priority 0" in msgs[0]
    # different priorities decide by themselves; stackable ones all apply
    two = [
        rule_from_row(_scheme(code="A", brand="BRISK"), UNITS),
        rule_from_row(_scheme(code="B", brand="BRISK", stackable=True), UNITS),
    ]
    assert check_conflicts(two) == []
    clash = [
        rule_from_row(_scheme(code="A", sku="CC-100"), UNITS),
        rule_from_row(_scheme(code="B", sku="CC-100", valid_from=date(2026, 1, 1)), UNITS),
    ]
    assert len(check_conflicts(clash)) == 1
    apart = [
        rule_from_row(_scheme(code="A", sku="CC-100", valid_to=date(2026, 1, 31)), UNITS),
        rule_from_row(_scheme(code="B", sku="CC-100", valid_from=date(2026, 2, 1)), UNITS),
    ]
    assert check_conflicts(apart) == []
