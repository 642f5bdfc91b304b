"""World import/export against a real database: every kind of error, all-or-nothing,
replace, the round trip, history facts of the sample world and the `dms` commands."""

import json
import shutil
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session
from typer.testing import CliRunner

from conftest import NOW, SAMPLE_WORLD
from core import models
from core.billing import resettle
from core.db import transaction
from core.state import snapshot
from core.tables.audit import AuditEntry
from core.tables.billing import Invoice, Payment
from core.tables.counters import Counter
from core.tables.inventory import OrderAllocation, StockBalance, StockMovement
from core.tables.orders import Order
from core.tables.parties import Customer
from core.world import WorldErrors, export_world, import_world


@pytest.fixture
def world(tmp_path):
    """A writable copy of the sample world."""
    dest = tmp_path / "world"
    shutil.copytree(SAMPLE_WORLD, dest)
    return dest


def edit(world, name: str, old: str, new: str) -> None:
    f = world / name
    text = f.read_text()
    assert old in text, f"{old!r} not in {name}"
    f.write_text(text.replace(old, new, 1))


def errors_of(engine, world, clock) -> list[str]:
    with pytest.raises(WorldErrors) as e:
        import_world(engine, world, clock=clock)
    return e.value.errors


def row_count(engine) -> int:
    with Session(engine) as s:
        return sum(s.execute(select(func.count()).select_from(t)).scalar() for t in models.metadata.sorted_tables)


CASES = [
    # (file, old text, new text, expected error line)
    ("brands.csv", "code,name,parent", "code,parent", "brands.csv:1: name: required column is missing"),
    (
        "products.csv",
        "code,name,brand,category\n",
        "code,name,brand,category,colour\n",
        "products.csv:1: colour: unknown column",
    ),
    (
        "products.csv",
        "MARIE-GOLD,Marie Gold Biscuits,KAV-SNACKS",
        "MARIE-GOLD,Marie Gold Biscuits,NOPE",
        "products.csv:3: brand: unknown brand 'NOPE'",
    ),
    (
        "skus.csv",
        "CC-200,CRUNCHY-CREAM",
        "CC-100,CRUNCHY-CREAM",
        "skus.csv:3: code: duplicate 'CC-100' (first on line 2)",
    ),
    (
        "skus.csv",
        "PCS=1|BOX=6|CASE=72",
        "PCS=1|BOX=1.5|CASE=72",
        "skus.csv:3: units: unit BOX factor '1.5' is not a whole number",
    ),
    (
        "skus.csv",
        "PCS=1|BOX=6|CASE=72",
        "BOX=6|CASE=72",
        "skus.csv:3: units: the first unit (BOX) is the base unit and must have factor 1",
    ),
    ("prices.csv", "MG-75,5.00,", "MG-75,five,", "prices.csv:7: price: 'five' is not a decimal amount"),
    (
        "prices.csv",
        "GD-1L,140.00,,KA,,",
        "GD-1L,140.00,retailer,KA,,",
        "prices.csv:17: region: give at most one of customer_type, region, customer",
    ),
    ("stock.csv", "NOOD-70,ND-2610,48,", "NOOD-70,ND-2610,4.8,", "stock.csv:9: qty: '4.8' is not a whole number"),
    (
        "stock.csv",
        "2026-09-01,2027-03-31",
        "2026-09-01,2027-13-31",
        "stock.csv:2: expiry_date: '2027-13-31' is not a valid date",
    ),
    ("stock.csv", "2026-10-05,available", "2026-10-05,lost", "stock.csv:3: status: 'lost' is not one of"),
    ("schemes.csv", "1,BOX,true", "1,BOX,yes", "schemes.csv:2: recursive: 'yes' is not true or false"),
    ("schemes.csv", "10,BOX,,", "10,PACK,,", "schemes.csv:2: unit: PACK is not a unit of CC-100"),
    (
        "customers.csv",
        "+91-98450-10106,pending",
        "+91-98450-10106,closed",
        "customers.csv:9: status: 'closed' is not one of active, pending, blocked",
    ),
    (
        "customers.csv",
        "R-105,Murugan Stores,retailer,CHN,D-CHN",
        "R-105,Murugan Stores,grocer,CHN,D-CHN",
        "customers.csv:8: type: 'grocer' is not one of",
    ),
    ("regions.csv", "IN,India,,country", "IN,India,CHN,country", "regions.csv:2: parent: cycle in the tree: IN > "),
    ("categories.csv", "FOOD,Foods,", "FOOD,Foods,FOOD", "categories.csv:2: parent: cycle in the tree: FOOD > FOOD"),
    (
        "users.csv",
        "U-RET-101,Anand,retailer,R-101",
        "U-RET-101,Anand,retailer,",
        "users.csv:9: customer: a retailer user needs a customer",
    ),
    (
        "users.csv",
        "U-REP-2,Priya Nair,sales_rep,,BLR-S",
        "U-REP-2,Priya Nair,sales_rep,,BLR-S|MARS",
        "users.csv:6: regions: unknown region 'MARS'",
    ),
    (
        "orders.csv",
        "2026-11-02T12:40:00+05:30",
        "2026-11-02 at noon",
        "orders.csv:5: created_at: '2026-11-02 at noon' is not an ISO 8601 timestamp",
    ),
    (
        "order_lines.csv",
        "SO-0905,CC-200,72,",
        "SO-0905,CC-200,7200,",
        "order_lines.csv:10: qty: confirmed order SO-0905 cannot reserve 7200 of CC-200 in WH-BLR: 700 available",
    ),
    ("order_lines.csv", "SO-0908,ST-1K", "SO-0999,ST-1K", "order_lines.csv:15: order_no: unknown order 'SO-0999'"),
    (
        "payments.csv",
        "R-101,3000.00,2026-10-25,upi",
        "R-101,3000.00,2026-10-25,barter",
        "payments.csv:2: method: 'barter' is not one of cash, upi, bank_transfer, cheque",
    ),
]


@pytest.mark.parametrize(
    "fname,old,new,expected", CASES, ids=[c[3].split(":")[0] + ":" + c[3].split(":")[2].strip() for c in CASES]
)
def test_each_error_is_reported_with_file_line_and_column(engine, world, clock, fname, old, new, expected):
    edit(world, fname, old, new)
    errors = errors_of(engine, world, clock)
    assert any(e.startswith(expected) for e in errors), errors
    assert row_count(engine) == 0


def test_unknown_and_missing_files(engine, world, clock):
    (world / "extras.csv").write_text("a,b\n1,2\n")
    (world / "users.csv").unlink()
    errors = errors_of(engine, world, clock)
    assert "extras.csv:1: -: unknown file (world.md lists the files a world may hold)" in errors
    assert "users.csv:1: -: required file is missing" in errors


def test_five_errors_in_three_files_are_all_reported_and_nothing_is_written(engine, world, clock):
    edit(world, "skus.csv", "PCS=1|BOX=24|CASE=240", "PCS=1|BOX=2.4|CASE=240")  # line 4
    edit(world, "skus.csv", "FIFO,60", "LIFO,60")  # line 10
    edit(
        world,
        "customers.csv",
        "R-102,Fresh Mart,retailer,BLR-S,D-BLR,WH-BLR",
        "R-102,Fresh Mart,retailer,BLR-X,D-BLR,WH-BLR",
    )
    edit(
        world,
        "customers.csv",
        "R-103,Ganesh Provisions,retailer,MYS,D-BLR,WH-BLR,10000.00,7,9200.00",
        "R-103,Ganesh Provisions,retailer,MYS,D-BLR,WH-BLR,10000.00,seven,9200.00",
    )
    edit(world, "stock.csv", "WH-CHN,GD-5L", "WH-XYZ,GD-5L")  # line 24
    errors = errors_of(engine, world, clock)
    assert errors == [
        "skus.csv:4: units: unit BOX factor '2.4' is not a whole number",
        "skus.csv:10: allocation: 'LIFO' is not one of FEFO, FIFO",
        "customers.csv:5: region: unknown region 'BLR-X'",
        "customers.csv:6: payment_terms_days: 'seven' is not a whole number",
        "stock.csv:24: warehouse: unknown warehouse 'WH-XYZ'",
    ]
    assert row_count(engine) == 0


def test_import_into_a_database_with_data_refuses_unless_replace(sample, clock):
    before = snapshot(sample)
    with pytest.raises(WorldErrors, match="already holds data"):
        import_world(sample, SAMPLE_WORLD, clock=clock)
    assert snapshot(sample) == before
    with transaction(sample) as s:  # a change the replace must wipe out
        s.execute(update(Customer).where(Customer.code == "R-101").values(status="blocked"))
    report = import_world(sample, SAMPLE_WORLD, clock=clock, replace=True, user_id="U-ADM")
    assert report.counts["skus"] == 12 and report.counts["orders"] == 8
    assert snapshot(sample) == before
    with Session(sample) as s:
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "world.import")).all()
    assert len(audits) == 1 and audits[0].user_id == "U-ADM"
    assert json.loads(audits[0].detail)["counts"]["stock"] == 23


def test_round_trip_gives_the_same_snapshot(sample, engine, clock, tmp_path):
    export_world(sample, tmp_path / "out", clock=clock)
    assert not (tmp_path / "out" / "knowledge").exists()
    import_world(engine, tmp_path / "out", clock=clock)
    assert snapshot(engine) == snapshot(sample)


def test_export_writes_on_hand_stock_and_maps_statuses_history_cannot_hold(sample, clock, tmp_path):
    with transaction(sample) as s:
        s.execute(update(Order).where(Order.order_no == "SO-0908").values(status="pending_approval"))
        s.execute(update(Order).where(Order.order_no == "SO-0907").values(status="rejected"))
    export_world(sample, tmp_path / "out", clock=clock)
    orders = (tmp_path / "out" / "orders.csv").read_text()
    assert "SO-0908,R-104,WH-BLR,2026-11-18T10:00:00+05:30,confirmed,U-REP-2" in orders
    assert "SO-0907,R-102,WH-BLR,2026-11-16T13:30:00+05:30,cancelled,U-RET-102" in orders
    stock = (tmp_path / "out" / "stock.csv").read_text().splitlines()
    # CC2-2610: 628 available + 72 reserved for SO-0905 = 700 on hand; 10 damaged apart
    assert "WH-BLR,CC-200,CC2-2610,700,2026-10-01,2027-04-30,2026-10-05,available" in stock
    assert "WH-BLR,CC-200,CC2-2610,10,2026-10-01,2027-04-30,2026-10-05,damaged" in stock
    assert not (tmp_path / "out" / "approvals.csv").exists()


def test_confirmed_order_reserves_its_stock_by_fefo(sample):
    with Session(sample) as s:
        bal = {(b.sku, b.batch): b for b in s.scalars(select(StockBalance).where(StockBalance.warehouse == "WH-BLR"))}
        alloc = sorted(
            (a.sku, a.batch, a.qty)
            for a in s.scalars(select(OrderAllocation).where(OrderAllocation.order_no == "SO-0905"))
        )
        moves = s.scalars(select(StockMovement)).all()
    assert alloc == [("CC-200", "CC2-2610", 72), ("GD-1L", "GD1-2608", 12)]  # GD1-2608 expires first
    cc = bal[("CC-200", "CC2-2610")]
    assert (cc.available, cc.reserved, cc.damaged) == (628, 72, 10)
    assert (bal[("GD-1L", "GD1-2608")].reserved, bal[("GD-1L", "GD1-2610")].reserved) == (12, 0)
    # the balances equal the ledger's sums
    sums: dict = {}
    for m in moves:
        a, r, d = sums.get((m.warehouse, m.sku, m.batch), (0, 0, 0))
        sums[(m.warehouse, m.sku, m.batch)] = (a + m.d_available, r + m.d_reserved, d + m.d_damaged)
    with Session(sample) as s:
        for b in s.scalars(select(StockBalance)):
            assert sums[(b.warehouse, b.sku, b.batch)] == (b.available, b.reserved, b.damaged)
    assert {m.kind for m in moves} == {"receipt", "reservation"}
    assert all(m.channel == "import" and m.reason == "world import" for m in moves)


def test_shipped_orders_have_invoices_due_after_payment_terms(sample):
    with Session(sample) as s:
        inv = {i.order_no: i for i in s.scalars(select(Invoice))}
        counters = {c.name: c.value for c in s.scalars(select(Counter))}
    assert set(inv) == {"SO-0901", "SO-0902", "SO-0903", "SO-0904", "SO-0906"}
    assert {o: (i.invoice_no, i.issued_on, i.due_date) for o, i in inv.items()} == {
        "SO-0901": ("INV-0001", date(2026, 10, 5), date(2026, 10, 20)),
        "SO-0902": ("INV-0002", date(2026, 10, 12), date(2026, 10, 27)),
        "SO-0903": ("INV-0003", date(2026, 10, 20), date(2026, 11, 19)),
        "SO-0904": ("INV-0004", date(2026, 11, 2), date(2026, 11, 9)),
        "SO-0906": ("INV-0005", date(2026, 11, 12), date(2026, 11, 27)),
    }
    # SO-0901: 144 x 10.00 + 18% tax, 24 x 140.00 + 5% tax
    assert inv["SO-0901"].amount == Decimal("1699.20") + Decimal("3528.00")
    assert counters == {"order": 908, "invoice": 5, "delivery_note": 5}


def test_opening_balance_is_settled_before_invoices(sample):
    with Session(sample) as s:
        r101 = s.get(Customer, "R-101")
        inv = s.scalars(select(Invoice).where(Invoice.customer == "R-101")).one()
        r104 = s.scalars(select(Invoice).where(Invoice.customer == "R-104")).one()
    # R-101 owed 4500 at import and paid 3000: 1500 of the opening balance and all of INV-1 remain
    assert (r101.opening_balance, r101.opening_paid) == (Decimal("4500.00"), Decimal("3000.00"))
    assert (inv.amount, inv.paid) == (Decimal("5227.20"), Decimal("0"))
    assert r104.paid == Decimal("20000.00")


def test_resettle_applies_a_new_payment_oldest_debt_first(sample, clock):
    with transaction(sample) as s:
        s.add(Payment(customer="R-101", amount=Decimal("2000.00"), paid_on=date(2026, 11, 20), method="cash"))
        s.flush()
        credit = resettle(s, "R-101")
    with Session(sample) as s:
        assert s.get(Customer, "R-101").opening_paid == Decimal("4500.00")
        assert s.scalars(select(Invoice.paid).where(Invoice.customer == "R-101")).one() == Decimal("500.00")
    assert credit == Decimal("0")
    with transaction(sample) as s:
        s.add(Payment(customer="R-101", amount=Decimal("10000.00"), paid_on=date(2026, 11, 20), method="cash"))
        s.flush()
        assert resettle(s, "R-101") == Decimal("15000.00") - Decimal("4500.00") - Decimal("5227.20")


# --- the dms command ---------------------------------------------------------------------


@pytest.fixture
def cli_env(engine, monkeypatch):
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", engine.url_string)
    monkeypatch.setenv("DMS_NOW", NOW.isoformat())
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def test_cli_import_and_state(cli_env, world):
    from channels.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["import", str(world)])
    assert result.exit_code == 0, result.output
    assert "12 skus" in result.output
    result = runner.invoke(app, ["state", "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert state == json.loads(json.dumps(snapshot(cli_env)))
    assert [o["order_no"] for o in state["orders"]][:2] == ["SO-0901", "SO-0902"]
    again = runner.invoke(app, ["import", str(world)])
    assert again.exit_code != 0
    assert runner.invoke(app, ["import", "--replace", str(world)]).exit_code == 0


def test_cli_import_of_a_bad_world_prints_every_error(cli_env, world):
    from channels.cli import app

    edit(world, "skus.csv", "PCS=1|BOX=6|CASE=72", "PCS=1|BOX=1.5|CASE=72")
    edit(world, "customers.csv", "+91-98450-10106,pending", "+91-98450-10106,closed")
    edit(world, "stock.csv", "WH-CHN,GD-5L", "WH-XYZ,GD-5L")
    result = CliRunner().invoke(app, ["import", str(world)])
    assert result.exit_code != 0
    out = result.output.replace("\n", " ")
    for line in [
        "skus.csv:3: units: unit BOX factor '1.5' is not a whole number",
        "customers.csv:9: status: 'closed' is not one of active, pending, blocked",
        "stock.csv:24: warehouse: unknown warehouse 'WH-XYZ'",
    ]:
        assert " ".join(line.split()) in " ".join(out.split())
    assert "3 error(s)" in out
    assert row_count(cli_env) == 0


CONFLICT = (
    "schemes.csv:9: priority: Schemes SCH-DIWALI and SCH-RET-10K are both non-stackable value schemes "
    "with priority 0 that can apply to the same lines on the same dates: only one will apply, chosen by "
    "the larger benefit. Give them different priorities, or make one stackable, to decide explicitly."
)


def test_scheme_conflicts_are_warnings_on_the_later_row_and_the_world_is_imported(engine, world, clock):
    report = import_world(engine, world, clock=clock)
    assert report.warnings == [CONFLICT]
    assert report.counts["schemes"] == 8 and row_count(engine) > 0


def test_schemes_of_different_priorities_give_no_warning(engine, world, clock):
    edit(world, "schemes.csv", "2026-10-15,2026-11-05,0,false", "2026-10-15,2026-11-05,1,false")
    assert import_world(engine, world, clock=clock).warnings == []


def test_cli_import_prints_the_warnings(cli_env, world):
    from channels.cli import app

    result = CliRunner().invoke(app, ["import", str(world)])
    assert result.exit_code == 0, result.output
    assert f"warning: {CONFLICT}" in " ".join(result.output.split())
    assert "12 skus" in result.output
