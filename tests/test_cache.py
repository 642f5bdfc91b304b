"""The reference token (core/cache.py): every write to a reference table, by any path, changes
it, so what the process derived from those tables is never served stale."""

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.access import load_actor
from core.cache import REFERENCE_TABLES, token
from core.db import transaction
from core.orders import Item, preview_order
from core.parties import reference


def read_token(engine) -> str:
    with Session(engine) as s:
        return token(s)


def preview(engine, clock, user, items, customer=None):
    with Session(engine) as s:
        return preview_order(s, load_actor(s, user), clock, items, customer)


# One direct write per table, outside every service: an update where rows exist, else an insert.
WRITES = {
    "region": "UPDATE region SET name = name || ' (renamed)' WHERE code = (SELECT MIN(code) FROM region)",
    "warehouse": "UPDATE warehouse SET name = name || ' x' WHERE code = 'WH-BLR'",
    "approval_rule": "DELETE FROM approval_rule WHERE code = (SELECT MIN(code) FROM approval_rule)",
    "scheme": "UPDATE scheme SET priority = priority + 1",
    "sku": "UPDATE sku SET name = name || ' x' WHERE code = 'CC-100'",
    "skuunit": "UPDATE skuunit SET factor = factor WHERE sku = 'CC-100'",
    "product": "UPDATE product SET name = name || ' x'",
    "brand": "UPDATE brand SET name = name || ' x'",
    "category": "UPDATE category SET name = name || ' x'",
}


def test_every_reference_table_has_a_write_here():
    assert set(WRITES) == set(REFERENCE_TABLES)


@pytest.mark.parametrize("table", REFERENCE_TABLES)
def test_a_direct_write_to_any_reference_table_changes_the_token(sample, table):
    before = read_token(sample)
    assert before and read_token(sample) == before  # stable while nothing changes
    with transaction(sample) as s:
        assert s.execute(text(WRITES[table])).rowcount > 0
    assert read_token(sample) != before


def test_a_write_elsewhere_keeps_the_token(sample):
    before = read_token(sample)
    with transaction(sample) as s:
        s.execute(text("UPDATE stock_balance SET available = available + 1"))
        s.execute(text("UPDATE customer SET name = name || ' x'"))
    assert read_token(sample) == before


def test_a_rolled_back_write_keeps_the_token(sample):
    before = read_token(sample)
    with Session(sample) as s:
        s.execute(text(WRITES["sku"]))
        s.rollback()
    assert read_token(sample) == before


def test_catalogue_changes_are_seen_by_the_next_preview(sample, clock):
    """Units, tax rates and the brand tree are derived once per token: a direct change is seen."""
    first = preview(sample, clock, "U-RET-101", [Item("CC-100", 1, "BOX")])
    factor = first.lines[0].qty
    with transaction(sample) as s:
        s.execute(text("UPDATE skuunit SET factor = factor * 2 WHERE sku = 'CC-100' AND unit = 'BOX'"))
        s.execute(text("UPDATE sku SET tax_rate = '0' WHERE code = 'CC-100'"))
    again = preview(sample, clock, "U-RET-101", [Item("CC-100", 1, "BOX")])
    assert again.lines[0].qty == 2 * factor
    assert again.tax == Decimal("0.00") and first.tax > 0


def test_a_transaction_sees_its_own_reference_changes(sample):
    with transaction(sample) as s:
        assert "R-NEW" not in reference(s).region_parents
        s.execute(text("INSERT INTO region (code, name, parent) VALUES ('R-NEW', 'New', NULL)"))
        assert reference(s).region_parents["R-NEW"] is None
        s.execute(text("UPDATE region SET name = 'Newer' WHERE code = 'R-NEW'"))  # a second write too
        assert reference(s).region_names["R-NEW"] == "Newer"
        s.rollback()
    with Session(sample) as s:
        assert "R-NEW" not in reference(s).region_parents


def test_clones_of_one_template_never_share_a_token_for_different_rows(databases, sample_template):
    a, b = databases.clone(sample_template), databases.clone(sample_template)
    try:
        assert read_token(a) == read_token(b)  # same rows, same token: derivations are shared
        for engine, name in ((a, "Alpha"), (b, "Beta")):
            with transaction(engine) as s:
                s.execute(text("UPDATE region SET name = :n WHERE code = (SELECT MIN(code) FROM region)"), {"n": name})
        assert read_token(a) != read_token(b)
        names = []
        for engine in (a, b):
            with Session(engine) as s:
                names.append(sorted(reference(s).region_names.values()))
        assert "Alpha" in names[0] and "Beta" in names[1] and "Beta" not in names[0]
    finally:
        databases.release(a)
        databases.release(b)
