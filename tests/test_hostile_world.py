"""Hostile worlds on the test database (SQLite or PostgreSQL, by DMS_TEST_DB): numbers beyond their
column's range, 20 MB cells and NUL bytes are each one `file:line: column: reason`, nothing is
written; exports escape spreadsheet formulas and import undoes exactly that."""

import csv
import shutil

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from conftest import SAMPLE_WORLD
from core import models
from core.db import transaction
from core.state import snapshot
from core.tables.parties import Customer, User
from core.world import MAX_CELL, MAX_SHOWN, WorldErrors, escape_formula, export_world, import_world, unescape_formula

BIG = str(2**63)  # 9223372036854775808: one past SQLite's INTEGER, far past PostgreSQL's


@pytest.fixture
def world(tmp_path):
    dest = tmp_path / "world"
    shutil.copytree(SAMPLE_WORLD, dest)
    return dest


def edit(world, name: str, old: str, new: str) -> None:
    f = world / name
    text = f.read_text()
    assert old in text, f"{old!r} not in {name}"
    f.write_text(text.replace(old, new, 1))


def row_count(engine) -> int:
    with Session(engine) as s:
        return sum(s.execute(select(func.count()).select_from(t)).scalar() for t in models.metadata.sorted_tables)


def first_error(engine, world, clock) -> str:
    """The import fails, writes nothing, and reports each problem as one short line; the first."""
    with pytest.raises(WorldErrors) as e:
        import_world(engine, world, clock=clock)
    assert row_count(engine) == 0
    for error in e.value.errors:
        assert "\n" not in error and "\x00" not in error and len(error) < 2 * MAX_SHOWN, error
    # at most a consequence of the same cell follows (a scheme without its discount)
    assert len(e.value.errors) <= 2 and len({x.split(": ")[0] for x in e.value.errors}) == 1, e.value.errors
    return e.value.errors[0]


CASES = [
    # whole numbers: the databases' INTEGER is 32 bits on PostgreSQL
    ("stock.csv", "CC-2609,1000,", f"CC-2609,{BIG},", f"stock.csv:2: qty: '{BIG}' is out of range (0 to 2147483647)"),
    (
        "stock.csv",
        "CC-2609,1000,",
        "CC-2609,2147483648,",
        "stock.csv:2: qty: '2147483648' is out of range (0 to 2147483647)",
    ),
    ("stock.csv", "CC-2609,1000,", "CC-2609,1e30,", "stock.csv:2: qty: '1e30' is not a whole number"),
    (
        "order_lines.csv",
        "SO-0901,CC-100,144,",
        f"SO-0901,CC-100,{BIG},",
        f"order_lines.csv:2: qty: '{BIG}' is out of range (0 to 2147483647)",
    ),
    (
        "order_lines.csv",
        "10.00,0.00,12",
        f"10.00,0.00,{BIG}",
        f"order_lines.csv:2: free_qty: '{BIG}' is out of range (0 to 2147483647)",
    ),
    ("skus.csv", "FEFO,288,", f"FEFO,{BIG},", f"skus.csv:2: reorder_level: '{BIG}' is out of range (0 to 2147483647)"),
    (
        "schemes.csv",
        "2026-12-31,0,false",
        f"2026-12-31,-{BIG},false",
        f"schemes.csv:2: priority: '-{BIG}' is out of range (-2147483648 to 2147483647)",
    ),
    (
        "approval_rules.csv",
        "manager,24,admin",
        f"manager,{BIG},admin",
        f"approval_rules.csv:2: escalate_after_hours: '{BIG}' is out of range (0 to 2147483647)",
    ),
    (
        "customers.csv",
        "500000.00,30,",
        "500000.00,2147483647,",  # a due date 5.8 million years on
        "customers.csv:2: payment_terms_days: '2147483647' is out of range (0 to 3650)",
    ),
    (
        "stock.csv",
        "CC-2609,1000,",
        "CC-2609," + "9" * 5000 + ",",  # int() refuses 4300+ digits by itself
        "stock.csv:2: qty: '" + "9" * (MAX_SHOWN - 15),
    ),
    # money: stored as text of at most 40 characters
    (
        "prices.csv",
        "CC-100,10.00,",
        f"CC-100,{BIG},",
        f"prices.csv:2: price: '{BIG}' is out of range (at most 999999999999999.99)",
    ),
    (
        "prices.csv",
        "CC-100,10.00,",
        "CC-100,1e30,",
        "prices.csv:2: price: '1e30' is not a decimal amount (digits, optional decimal point, not negative)",
    ),
    (
        "prices.csv",
        "CC-100,10.00,",
        "CC-100,10." + "0" * 40 + "1,",
        "prices.csv:2: price: '10." + "0" * 40 + "1' has more than 4 decimal places",
    ),
    (
        "order_lines.csv",
        "144,10.00,0.00",
        f"144,{BIG}.00,0.00",
        f"order_lines.csv:2: unit_price: '{BIG}.00' is out of range (at most 999999999999999.99)",
    ),
    (
        "payments.csv",
        "R-101,3000.00,",
        "R-101,1" + "0" * 39 + ",",
        "payments.csv:2: amount: '1" + "0" * 39 + "' is out of range (at most 999999999999999.99)",
    ),
    (
        "customers.csv",
        "WH-BLR,500000.00,",
        f"WH-BLR,{BIG},",
        f"customers.csv:2: credit_limit: '{BIG}' is out of range (at most 999999999999999.99)",
    ),
    (
        "skus.csv",
        "PCS=1|BOX=12|CASE=144,18,",
        "PCS=1|BOX=12|CASE=144,1001,",
        "skus.csv:2: tax_rate: '1001' is out of range (at most 1000)",
    ),
    ("schemes.csv", ",1,CASE,,5,", ",1,CASE,,101,", "schemes.csv:3: discount_pct: '101' is out of range (at most 100)"),
    # dates far enough from year 9999 that due dates and time zones cannot overflow
    (
        "orders.csv",
        "2026-10-05T11:00:00+05:30",
        "9999-12-31T23:00:00",
        "orders.csv:2: created_at: '9999-12-31T23:00:00' is out of range (years 1900 to 2999)",
    ),
    (
        "orders.csv",
        "2026-10-05T11:00:00+05:30",
        "0001-01-01T00:00:00+05:30",
        "orders.csv:2: created_at: '0001-01-01T00:00:00+05:30' is out of range (years 1900 to 2999)",
    ),
    (
        "payments.csv",
        "3000.00,2026-10-25,",
        "3000.00,9999-12-31,",
        "payments.csv:2: paid_on: '9999-12-31' is out of range (years 1900 to 2999)",
    ),
    # NUL: PostgreSQL text cannot hold it (SQLite would store it)
    ("users.csv", "Asha Rao", "Asha\x00Rao", "users.csv:2: name: the value contains a NUL character (\\x00)"),
    ("stock.csv", "CC-2609,1000,", "CC-2609,10\x0000,", "stock.csv:2: qty: the value contains a NUL character (\\x00)"),
]


@pytest.mark.parametrize("fname,old,new,expected", CASES, ids=[c[3][:60] for c in CASES])
def test_each_hostile_value_is_one_error_line_and_nothing_is_written(engine, world, clock, fname, old, new, expected):
    edit(world, fname, old, new)
    error = first_error(engine, world, clock)
    assert error.startswith(expected), error


@pytest.mark.parametrize("column,old", [("name", "Asha Rao"), ("email", "asha@kaveri.example")])
def test_a_20_mb_cell_is_reported_with_its_column(engine, world, clock, column, old):
    edit(world, "users.csv", old, "x" * 20_000_000)
    error = first_error(engine, world, clock)
    assert error == f"users.csv:2: {column}: the value is 20000000 characters long (at most {MAX_CELL})"


def test_a_20_mb_number_and_a_20_mb_header_are_reported_briefly(engine, world, clock):
    edit(world, "stock.csv", "CC-2609,1000,", "CC-2609," + "1" * 20_000_000 + ",")
    edit(world, "brands.csv", "code,name,parent", "code,name,parent," + "h" * 20_000_000)
    with pytest.raises(WorldErrors) as e:
        import_world(engine, world, clock=clock)
    assert row_count(engine) == 0
    errors = e.value.errors
    assert f"stock.csv:2: qty: the value is 20000000 characters long (at most {MAX_CELL})" in errors
    header = errors[0]
    assert header.startswith("brands.csv:1: hhhh") and header.endswith("(20000000 characters): unknown column")
    assert all(len(x) < 2 * MAX_SHOWN for x in errors)


def test_cells_up_to_the_limit_still_import(engine, world, clock):
    edit(world, "skus.csv", "cream biscuit small|crunchy 100", "a" * MAX_CELL)
    import_world(engine, world, clock=clock)
    assert row_count(engine) > 0


# --- formulas in exports -------------------------------------------------------------------

HOSTILE_NAMES = {
    "R-101": '=HYPERLINK("http://evil.example","click")',
    "R-102": "+cmd|' /C calc'!A0",
    "R-103": "-2+3",
    "R-104": "@SUM(1+1)",
    "R-105": "\tTabbed",
    "R-106": "'=already escaped by hand",
    "R-107": "''+two apostrophes",
    "D-BLR": "'plain apostrophe",  # not followed by a trigger: left alone
    "D-CHN": "Chennai - Traders = fine",  # triggers later in the text are harmless
}


def test_escaping_is_a_bijection():
    texts = ["", "'", "''", "=", "'=", "''=", "a=b", "-", "'-5", "\r", "'\r", "@", "x'=", "'''@a", "+91"]
    for t in texts:
        assert unescape_formula(escape_formula(t)) == t
        e = escape_formula(t)
        assert not e.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r")) or e.startswith("'")
    assert len({escape_formula(t) for t in texts}) == len(texts)


def test_export_escapes_formulas_and_import_restores_them_exactly(sample, engine, clock, tmp_path):
    with transaction(sample) as s:
        for code, name in HOSTILE_NAMES.items():
            s.execute(update(Customer).where(Customer.code == code).values(name=name))
        s.execute(update(User).where(User.id == "U-ADM").values(name="-Asha", email="@asha"))
    export_world(sample, tmp_path / "out", clock=clock)
    with (tmp_path / "out" / "customers.csv").open(newline="", encoding="utf-8") as f:
        names = {r["code"]: r["name"] for r in csv.DictReader(f)}
    assert names["R-101"] == '\'=HYPERLINK("http://evil.example","click")'
    assert names["R-102"] == "'+cmd|' /C calc'!A0"
    assert names["R-103"] == "'-2+3" and names["R-104"] == "'@SUM(1+1)" and names["R-105"] == "'\tTabbed"
    assert names["R-106"] == "''=already escaped by hand" and names["R-107"] == "'''+two apostrophes"
    assert names["D-BLR"] == "'plain apostrophe" and names["D-CHN"] == "Chennai - Traders = fine"
    # numbers are not text: a phone's + is, a quantity is not
    assert "'+91-" in (tmp_path / "out" / "customers.csv").read_text()
    import_world(engine, tmp_path / "out", clock=clock)
    assert snapshot(engine) == snapshot(sample)
    with Session(engine) as s:
        assert {c.code: c.name for c in s.scalars(select(Customer)) if c.code in HOSTILE_NAMES} == HOSTILE_NAMES
        admin = s.get(User, "U-ADM")
        assert (admin.name, admin.email) == ("-Asha", "@asha")


def test_negative_numbers_are_not_escaped(sample, clock, tmp_path):
    with transaction(sample) as s:
        s.execute(update(models.metadata.tables["scheme"]).values(priority=-5))
    export_world(sample, tmp_path / "out", clock=clock)
    with (tmp_path / "out" / "schemes.csv").open(newline="", encoding="utf-8") as f:
        assert {r["priority"] for r in csv.DictReader(f)} == {"-5"}


def test_text_with_unusual_line_breaks_round_trips(sample, engine, clock, tmp_path):
    odd = "Murugan\u2028Stores\x0cand\x1cSons"  # str.splitlines would end a line at each of these
    with transaction(sample) as s:
        s.execute(update(Customer).where(Customer.code == "R-105").values(name=odd))
    export_world(sample, tmp_path / "out", clock=clock)
    import_world(engine, tmp_path / "out", clock=clock)
    with Session(engine) as s:
        assert s.get(Customer, "R-105").name == odd
