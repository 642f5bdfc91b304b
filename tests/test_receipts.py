"""Goods receipts by warehouse staff (any unit of the SKU, into a new or existing batch, previewed,
ledger movement `receipt`, audited) and stock corrections naming a batch code with a signed
adjustment, on the sample world."""

import pytest
from sqlmodel import Session, select

from core.errors import Ambiguous, InvalidInput, NotAllowed, NotFound
from core.inventory import ledger_consistent
from core.receipts import receive_goods, receiving_warehouses
from core.stock import adjust_stock
from core.tables.audit import AuditEntry
from core.tables.inventory import StockBalance, StockMovement
from tool_helpers import act, execute, preview, read, rows
from tools.base import StalePreview


def balance(engine, wh, sku, batch):
    with Session(engine) as s:
        r = s.get(StockBalance, (wh, sku, batch))
        return None if r is None else (r.available, r.reserved, r.damaged, str(r.expiry_date))


def test_receive_boxes_into_a_new_batch(sample, clock):
    args = dict(
        product="Crunchy Cream 100g",
        qty=20,
        unit="boxes",
        batch="CC-2611",
        mfg_date="2026-11-01",
        expiry_date="2027-05-31",
        note="GRN 4471",
    )
    before = rows(sample)
    p = preview(sample, clock, "U-WH-1", "receive_stock", channel="slack", **args)
    assert rows(sample) == before  # a preview writes nothing
    assert "Receive 240 PCS (20 BOX) of Crunchy Cream 100g (CC-100) into new batch CC-2611 in WH-BLR" in p.text
    assert "from 3000 to 3240" in p.text and p.data["qty"] == 240 and p.data["new_batch"]
    done = execute(sample, clock, "U-WH-1", "receive_stock", p.fingerprint, channel="slack", **args)
    assert done.outcome == "done" and "240 available in the batch" in done.text
    assert balance(sample, "WH-BLR", "CC-100", "CC-2611") == (240, 0, 0, "2027-05-31")
    with Session(sample) as s:
        [m] = s.exec(select(StockMovement).where(StockMovement.batch == "CC-2611")).all()
        assert (m.kind, m.d_available, m.user_id, m.channel, m.reason) == (
            "receipt",
            240,
            "U-WH-1",
            "slack",
            "GRN 4471",
        )
        [a] = s.exec(select(AuditEntry).where(AuditEntry.action == "stock.receive")).all()
        assert (a.user_id, a.channel, a.entity_id, a.at) == ("U-WH-1", "slack", "WH-BLR/CC-100/CC-2611", clock.now())
        assert ledger_consistent(s) == []


def test_receive_into_an_existing_batch_named_in_any_case(sample, clock):
    p = preview(sample, clock, "U-WH-1", "receive_stock", product="BR-1K", qty=2, unit="case", batch="br1-a")
    assert p.data["batch"] == "BR1-A" and not p.data["new_batch"] and "from 300 to 340" in p.text
    execute(sample, clock, "U-WH-1", "receive_stock", p.fingerprint, product="BR-1K", qty=2, unit="case", batch="br1-a")
    assert balance(sample, "WH-BLR", "BR-1K", "BR1-A")[0] == 340
    assert balance(sample, "WH-BLR", "BR-1K", "br1-a") is None


def test_an_expired_batch_is_received_and_said_so(sample, clock):
    p = preview(
        sample, clock, "U-WH-1", "receive_stock", product="CC-100", qty=12, batch="CC-OLD", expiry_date="2026-11-01"
    )
    assert "past its expiry date, so no order can take it" in p.text and "from 3000 to 3000" in p.text


def test_receipt_questions_and_refusals(sample, clock):
    def refusal(user, **args):
        with pytest.raises(Exception) as e:
            preview(sample, clock, user, "receive_stock", **args)
        return e.value

    assert "Which batch code" in str(refusal("U-WH-1", product="BR-1K", qty=2))
    asked = refusal("U-ADM", product="BR-1K", qty=2, batch="X")  # the admin may receive anywhere: which?
    assert isinstance(asked, InvalidInput) and "WH-BLR" in str(asked) and "WH-CHN" in str(asked)
    assert isinstance(refusal("U-REP-1", product="BR-1K", qty=2, batch="X"), NotAllowed)
    assert isinstance(refusal("U-RET-101", product="BR-1K", qty=2, batch="X"), NotAllowed)
    assert isinstance(refusal("U-MGR-TN", product="BR-1K", qty=2, batch="X", warehouse="WH-BLR"), NotAllowed)
    crate = refusal("U-WH-1", product="CC-100", qty=2, unit="crate", batch="X")  # no such unit: never the base unit
    assert isinstance(crate, InvalidInput) and "BOX" in str(crate) and "CASE" in str(crate)
    assert "already has expiry date 2027-03-31" in str(
        refusal("U-WH-1", product="CC-100", qty=2, batch="CC-2609", expiry_date="2027-01-01")
    )
    assert "not a date" in str(refusal("U-WH-1", product="CC-100", qty=2, batch="X", expiry_date="31/05/2027"))
    assert [w.code for w in read(sample, clock, "U-MGR-TN", lambda s, a, c: receiving_warehouses(s, a))] == ["WH-CHN"]
    with pytest.raises(NotAllowed):  # the core refuses by itself, whoever calls it
        act(sample, clock, "U-MGR-TN", lambda s, a, c: receive_goods(s, a, c, "BR-1K", 1, None, "X", "WH-BLR"))
    assert balance(sample, "WH-BLR", "BR-1K", "X") is None


def test_a_receipt_confirmed_after_the_batch_changed_shows_the_new_preview(sample, clock):
    args = dict(product="BR-1K", qty=10, batch="BR1-B")
    p = preview(sample, clock, "U-WH-1", "receive_stock", **args)
    act(sample, clock, "U-WH-1", lambda s, a, c: adjust_stock(s, a, c, "WH-BLR", "BR-1K", "BR1-B", -5, "count"))
    with pytest.raises(StalePreview) as e:
        execute(sample, clock, "U-WH-1", "receive_stock", p.fingerprint, **args)
    assert "from 195 to 205" in e.value.preview.text
    assert balance(sample, "WH-BLR", "BR-1K", "BR1-B")[0] == 195


# --- stock corrections: a batch code and a signed change -----------------------------------------


def test_signed_adjustment_of_a_batch_named_in_any_case(sample, clock):
    p = preview(sample, clock, "U-WH-1", "adjust_stock", batch="gd1-2608", delta="+5", reason="found in recount")
    assert p.data["batch"] == "GD1-2608" and "Adjust stock by +5 of GoldDrop Sunflower Oil 1L" in p.text
    execute(
        sample, clock, "U-WH-1", "adjust_stock", p.fingerprint, batch="gd1-2608", delta="+5", reason="found in recount"
    )
    minus = preview(sample, clock, "U-WH-1", "adjust_stock", product="BR-1K", batch="BR1-B", delta="-3", reason="count")
    assert "from 200 to 197" in minus.text


def test_a_batch_that_matters_is_asked_for_with_the_batches_listed(sample, clock):
    with pytest.raises(Ambiguous) as e:
        preview(sample, clock, "U-WH-1", "adjust_stock", product="BR-1K", delta=5, reason="count")
    assert "Which batch of Brisk Detergent Powder 1kg" in str(e.value)
    assert [c[0] for c in e.value.candidates] == ["BR1-A", "BR1-B"] and "300 available" in e.value.candidates[0][1]
    with pytest.raises(Ambiguous) as e:  # a batch the SKU does not have: its batches are named
        preview(sample, clock, "U-WH-1", "adjust_stock", product="CC-100", batch="CC-2699", delta=-1, reason="count")
    assert "No batch CC-2699 of Crunchy Cream 100g" in str(e.value) and "CC-2609 (736" not in str(e.value)
    assert "CC-2609 (1000 available, expiry 2027-03-31)" in str(e.value)
    with pytest.raises(NotFound, match="No batch ZZ-1"):
        preview(sample, clock, "U-WH-1", "adjust_stock", batch="ZZ-1", delta=-1, reason="count")
