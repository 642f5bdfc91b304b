"""Stock levels and low stock in each role's scope, and the audited stock changes."""

import json
from datetime import date

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from core.access import load_actor
from core.db import transaction
from core.errors import InsufficientStock, InvalidInput, NotAllowed, NotFound
from core.inventory import ledger_consistent
from core.stock import adjust_stock, low_stock, receive_stock, record_damage, stock_levels
from core.tables.audit import AuditEntry
from core.tables.inventory import StockBalance

TODAY = date(2026, 11, 20)


def _actor(engine, user_id):
    with Session(engine) as s:
        return load_actor(s, user_id)


def _balance(engine, wh, sku, batch):
    with Session(engine) as s:
        r = s.get(StockBalance, (wh, sku, batch))
        return (r.available, r.reserved, r.damaged) if r else None


def test_rep_low_stock_matches_rules(sample):
    with Session(sample) as s:
        rows = low_stock(s, load_actor(s, "U-REP-1"), TODAY)
    got = {(r.warehouse, r.sku): (r.sku_name, r.product_name, r.available, r.reorder_level) for r in rows}
    assert got[("WH-BLR", "NOOD-70")][2:] == (48, 96)
    assert got[("WH-BLR", "NOOD-70")][0] == "Kaveri Masala Noodles 70g"
    assert got[("WH-BLR", "NS-100")][2:] == (36, 72)
    assert got[("WH-BLR", "NS-100")][0].startswith("Neem Fresh Soap")
    assert all(r.product_name for r in rows)
    names = " ".join(v[0] + " " + v[1] for v in got.values())
    assert "Crunchy" not in names and "Sunleaf" not in names
    assert {wh for wh, _ in got} == {"WH-BLR"}  # the rep does not see Chennai


def test_low_stock_counts_only_unexpired_and_keeps_held_skus(sample, clock):
    admin = _actor(sample, "U-ADM")
    with transaction(sample) as s:  # empty the only noodle batch: a SKU it has held stays listed at 0
        adjust_stock(s, admin, clock, "WH-BLR", "NOOD-70", "ND-2610", -48, "count")
    with Session(sample) as s:
        rows = {(r.warehouse, r.sku): r.available for r in low_stock(s, admin, TODAY)}
        # MG-75: 100 pcs expired on 11-18 do not count; 240 + 2400 fresh is above 240.
        assert ("WH-BLR", "MG-75") not in rows
        assert rows[("WH-BLR", "NOOD-70")] == 0
        assert ("WH-CHN", "NOOD-70") not in rows  # never held there
    with transaction(sample) as s:  # once the fresh MG-75 falls to the level, it is low
        adjust_stock(s, admin, clock, "WH-BLR", "MG-75", "MG-2608", -2400, "count")
    with Session(sample) as s:
        rows = {(r.warehouse, r.sku): r.available for r in low_stock(s, admin, TODAY)}
        assert rows[("WH-BLR", "MG-75")] == 240


def test_levels_split_fresh_expired_reserved_damaged(sample):
    with Session(sample) as s:
        rep = load_actor(s, "U-REP-1")
        [mg] = stock_levels(s, rep, TODAY, sku="mg-75", by_batch=True)
        assert (mg.warehouse, mg.available, mg.expired, mg.reserved, mg.damaged) == ("WH-BLR", 2640, 100, 0, 0)
        assert [(b.batch, b.expired) for b in mg.batches] == [("MG-2605", True), ("MG-2606", False), ("MG-2608", False)]
        [cc] = stock_levels(s, rep, TODAY, sku="CC-200")
        assert (cc.available, cc.reserved, cc.damaged) == (628, 72, 10)  # SO-0905 reserves 72
        rows = stock_levels(s, rep, TODAY)
        assert {r.warehouse for r in rows} == {"WH-BLR"} and len(rows) == 12
        with pytest.raises(NotFound):
            stock_levels(s, rep, TODAY, warehouse="WH-CHN")  # out of scope: as if it did not exist
        with pytest.raises(NotFound):
            stock_levels(s, rep, TODAY, sku="NOPE")
        admin = load_actor(s, "U-ADM")
        by_wh = {r.warehouse: r.available for r in stock_levels(s, admin, TODAY, sku="NOOD-70")}
        assert by_wh == {"WH-BLR": 48, "WH-CHN": 0}
        mgr = load_actor(s, "U-MGR-TN")
        assert {r.warehouse for r in stock_levels(s, mgr, TODAY)} == {"WH-CHN"}


def test_retailer_sees_in_stock_never_quantities(sample, clock):
    with Session(sample) as s:
        ret = load_actor(s, "U-RET-101")
        rows = stock_levels(s, ret, TODAY)
        assert rows and {r.warehouse for r in rows} == {"WH-BLR"}
        for r in rows:
            assert (r.available, r.expired, r.reserved, r.damaged, r.batches) == (None,) * 5
        assert {r.sku: r.in_stock for r in rows}["NS-100"] is True
        with pytest.raises(NotAllowed):
            low_stock(s, ret, TODAY)
    wh = _actor(sample, "U-WH-1")
    with transaction(sample) as s:
        adjust_stock(s, wh, clock, "WH-BLR", "NS-100", "NS-2609", -36, "count")
    with Session(sample) as s:
        [ns] = stock_levels(s, load_actor(s, "U-RET-101"), TODAY, sku="NS-100", by_batch=True)
        assert ns.in_stock is False and ns.available is None and ns.batches is None


def test_adjust_stock_is_scoped_and_audited(sample, clock):
    wh = _actor(sample, "U-WH-1")
    with transaction(sample) as s:
        row = adjust_stock(s, wh, clock, "WH-BLR", "NOOD-70", "ND-2610", -8, "shelf count")
        assert row.available == 40
    with Session(sample) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "stock.adjust")).one()
        assert (entry.user_id, entry.entity_id) == ("U-WH-1", "WH-BLR/NOOD-70/ND-2610")
        assert json.loads(entry.detail)["reason"] == "shelf count"
        assert json.loads(entry.detail)["available_before"] == 48
    refusals = [
        ("U-WH-1", "WH-CHN", NotAllowed),  # not in its regions
        ("U-MGR-TN", "WH-BLR", NotAllowed),
        ("U-MGR-TN", "WH-NOPE", NotAllowed),  # same refusal whether it exists or not
        ("U-REP-1", "WH-BLR", NotAllowed),  # role may not adjust
        ("U-DIST-BLR", "WH-BLR", NotAllowed),
        ("U-RET-101", "WH-BLR", NotAllowed),
        ("U-ADM", "WH-NOPE", NotFound),
    ]
    messages = {}
    for user, warehouse, err in refusals:
        actor = _actor(sample, user)
        with transaction(sample) as s:
            with pytest.raises(err) as e:
                adjust_stock(s, actor, clock, warehouse, "NOOD-70", "ND-2610", 1, "x")
            messages[(user, warehouse)] = e.value.message.replace(warehouse, "?")
    assert messages[("U-MGR-TN", "WH-BLR")] == messages[("U-MGR-TN", "WH-NOPE")]
    mgr, admin = _actor(sample, "U-MGR-KA"), _actor(sample, "U-ADM")
    with transaction(sample) as s:  # a manager in its region, and the admin anywhere
        adjust_stock(s, mgr, clock, "WH-BLR", "NOOD-70", "ND-2610", 2, "found")
        adjust_stock(s, admin, clock, "WH-CHN", "CC-100", "CC-2610C", -1, "count")
    for delta, reason, err in [(-43, "count", InsufficientStock), (1, "", InvalidInput), (0, "x", InvalidInput)]:
        with transaction(sample) as s, pytest.raises(err):
            adjust_stock(s, wh, clock, "WH-BLR", "NOOD-70", "ND-2610", delta, reason)
    assert _balance(sample, "WH-BLR", "NOOD-70", "ND-2610") == (42, 0, 0)
    assert _balance(sample, "WH-CHN", "CC-100", "CC-2610C") == (499, 0, 0)
    with Session(sample) as s:
        assert len(s.exec(select(AuditEntry).where(AuditEntry.action == "stock.adjust")).all()) == 3
        assert ledger_consistent(s) == []


def test_damage_and_receipt(sample, clock):
    wh = _actor(sample, "U-WH-1")
    with transaction(sample) as s:
        record_damage(s, wh, clock, "WH-BLR", "GD-5L", "GD5-2609", 5, "leaking cans")
        receive_stock(
            s,
            wh,
            clock,
            "WH-BLR",
            "NOOD-70",
            "ND-2611",
            96,
            mfg_date=date(2026, 11, 1),
            expiry_date=date(2027, 5, 1),
            reason="PO 77",
        )
    assert _balance(sample, "WH-BLR", "GD-5L", "GD5-2609") == (75, 0, 5)
    assert _balance(sample, "WH-BLR", "NOOD-70", "ND-2611") == (96, 0, 0)
    with Session(sample) as s:
        new = s.get(StockBalance, ("WH-BLR", "NOOD-70", "ND-2611"))
        assert new.received_on == TODAY and new.expiry_date == date(2027, 5, 1)
        actions = [a.action for a in s.exec(select(AuditEntry).where(AuditEntry.entity == "stock"))]
        assert sorted(actions) == ["stock.damage", "stock.receive"]
        assert ("WH-BLR", "NOOD-70") not in {(r.warehouse, r.sku) for r in low_stock(s, wh, TODAY)}
        assert ledger_consistent(s) == []
    for kw, err in [
        (dict(qty=0), InvalidInput),
        (dict(qty=5, sku="NOPE"), NotFound),
        (dict(qty=5, expiry_date=date(2027, 1, 1)), InvalidInput),  # ND-2611 expires 2027-05-01
        (dict(qty=5, mfg_date=date(2027, 1, 1), expiry_date=date(2026, 1, 1), batch="NEW"), InvalidInput),
    ]:
        args = {"sku": "NOOD-70", "batch": "ND-2611", **kw}
        with transaction(sample) as s, pytest.raises(err):
            receive_stock(s, wh, clock, "WH-BLR", args.pop("sku"), args.pop("batch"), args.pop("qty"), **args)
    rep = _actor(sample, "U-REP-1")
    with transaction(sample) as s, pytest.raises(NotAllowed):
        record_damage(s, rep, clock, "WH-BLR", "GD-5L", "GD5-2609", 1, "x")
    assert _balance(sample, "WH-BLR", "NOOD-70", "ND-2611") == (96, 0, 0)
    assert _balance(sample, "WH-BLR", "NOOD-70", "NEW") is None


# --- the `dms stock` commands -----------------------------------------------------------------


@pytest.fixture
def cli(sample, monkeypatch):
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    monkeypatch.setenv("DMS_NOW", "2026-11-20T10:30:00+05:30")
    get_settings.cache_clear()
    from rich.console import Console

    from channels import cli_stock

    monkeypatch.setattr(cli_stock, "console", Console(width=200))  # no wrapping of long names
    stock_app = cli_stock.stock_app
    yield lambda *args: CliRunner().invoke(stock_app, list(args))
    get_settings.cache_clear()


def test_cli_stock_commands(cli, sample):
    low = cli("low", "--as", "U-REP-1")
    assert low.exit_code == 0, low.output
    assert "Kaveri Masala Noodles 70g" in low.output and "Crunchy" not in low.output
    levels = cli("levels", "--sku", "NS-100", "--as", "U-RET-101")
    assert levels.exit_code == 0 and "yes" in levels.output and "36" not in levels.output
    adj = cli("adjust", "WH-BLR", "NOOD-70", "ND-2610", "-6", "--reason", "count", "--as", "U-WH-1")
    assert adj.exit_code == 0, adj.output
    assert "available 42" in adj.output
    refused = cli("adjust", "WH-BLR", "NOOD-70", "ND-2610", "5", "--reason", "count", "--as", "U-REP-1")
    assert refused.exit_code == 1 and "may not" in refused.output
    assert _balance(sample, "WH-BLR", "NOOD-70", "ND-2610") == (42, 0, 0)
