"""Every tool on the sample world, with the figures of shared/scenarios/sample."""

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from core.access import load_actor
from core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from core.tables.approvals import Approval
from core.tables.billing import Invoice, Payment
from core.tables.inventory import StockBalance
from core.tables.orders import Order, OrderLine
from tools.base import StalePreview, ToolContext
from tools.registry import ALL_TOOLS, TOOL_SPECS, get_tool, langchain_tools, tools_for

TABLES = (
    "orders",
    "order_line",
    "order_scheme",
    "order_allocation",
    "stock_balance",
    "stock_movement",
    "approval",
    "payment",
    "invoice",
    "delivery_note",
    "audit_entry",
    "outbox",
    "counter",
    "customer",
)


def snapshot(engine) -> dict:
    """Every row of the tables a change can touch, as comparable tuples."""
    with engine.connect() as conn:
        return {t: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {t}"))) for t in TABLES}


def ctx_for(session, user, knowledge=None, clock=None):
    return ToolContext(session, load_actor(session, user), clock, knowledge)


@pytest.fixture
def call(sample, clock):
    """Run a read tool as a user, in a session rolled back afterwards (as the runtime does)."""

    def run(user, name, **args):
        with Session(sample) as s:
            try:
                return get_tool(name).run(ctx_for(s, user, clock=clock), args)
            finally:
                s.rollback()

    return run


def preview(sample, clock, user, name, **args):
    with Session(sample) as s:
        try:
            return get_tool(name).preview(ctx_for(s, user, clock=clock), args)
        finally:
            s.rollback()


def execute(sample, clock, user, name, fingerprint, **args):
    with Session(sample) as s:
        result = get_tool(name).execute(ctx_for(s, user, clock=clock), args, fingerprint)
        s.commit()
        return result


def stock(sample, warehouse, sku, batch=None):
    with Session(sample) as s:
        rows = s.exec(select(StockBalance).where(StockBalance.warehouse == warehouse, StockBalance.sku == sku)).all()
        rows = [r for r in rows if batch is None or r.batch == batch]
        return sum(r.available for r in rows), sum(r.reserved for r in rows)


def new_orders(sample):
    with Session(sample) as s:
        return list(s.exec(select(Order).where(Order.order_no.not_in([f"SO-09{n:02d}" for n in range(1, 9)]))))


# --- registry ----------------------------------------------------------------------------


def test_registry_covers_every_spec_and_filters_by_role(sample):
    assert set(ALL_TOOLS) == set(TOOL_SPECS)
    for name, (model, mutating, permission, _) in TOOL_SPECS.items():
        tool = get_tool(name)
        assert (tool.args_model, tool.mutating, tool.permission) == (model, mutating, permission)
    with Session(sample) as s:
        rep = {t.name for t in tools_for(load_actor(s, "U-REP-1"))}
        retailer = {t.name for t in tools_for(load_actor(s, "U-RET-101"))}
        admin = {t.name for t in tools_for(load_actor(s, "U-ADM"))}
    assert "approve_order" not in rep and "pending_approvals" not in rep and "create_order" in rep
    assert "stock_levels" in retailer and "low_stock" not in retailer and "record_payment" not in retailer
    assert admin == set(TOOL_SPECS)
    lc = langchain_tools(tools_for(load_actor(Session(sample), "U-RET-101")))
    assert {t.name for t in lc} == retailer
    create = next(t for t in lc if t.name == "create_order")
    assert "items" in create.args and create.description == TOOL_SPECS["create_order"][3]
    with pytest.raises(RuntimeError):
        create.func(items=[])


def test_gate_refuses_a_tool_the_role_lacks(sample, clock):
    with pytest.raises(NotAllowed, match="sales rep may not approve"):
        preview(sample, clock, "U-REP-1", "approve_order", order_no="SO-0905")
    with pytest.raises(NotAllowed):
        preview(sample, clock, "U-RET-101", "record_payment", amount="10", method="cash")


def test_bad_arguments_name_the_field(sample, clock):
    with pytest.raises(InvalidInput, match=r"items\.0\.qty"):
        preview(sample, clock, "U-RET-101", "create_order", items=[{"product": "CC-100", "qty": 0}])
    with pytest.raises(InvalidInput, match="period.start"), Session(sample) as s:
        get_tool("sales_report").run(ctx_for(s, "U-MGR-KA", clock=clock), {"period": {"start": "Oct 1"}})


# --- ordering ----------------------------------------------------------------------------


def test_create_order_preview_then_exactly_one_order(sample, clock):
    before = snapshot(sample)
    p = preview(
        sample,
        clock,
        "U-RET-101",
        "create_order",
        items=[{"product": "Crunchy Cream 100g", "qty": 20, "unit": "boxes"}],
    )
    assert snapshot(sample) == before  # a preview writes nothing
    assert "2,832.00" in p.text and "240 PCS (20 BOX)" in p.text and "24 PCS free" in p.text
    assert "₹10.00 per PCS" in p.text and "Anand Kirana Store" in p.text and "WH-BLR" in p.text
    assert "buy 10 boxes get 1 box free" in p.text and "confirmed at once" in p.text
    assert p.data["lines"] == [
        {
            "sku": "CC-100",
            "qty": 240,
            "free_qty": 24,
            "unit_price": "10.00",
            "discount": "0.00",
            "line_total": "2832.00",
        }
    ]
    assert p.table.rows[0][7] == "2,832.00"

    result = execute(
        sample,
        clock,
        "U-RET-101",
        "create_order",
        p.fingerprint,
        items=[{"product": "Crunchy Cream 100g", "qty": 20, "unit": "boxes"}],
    )
    assert result.outcome == "done"
    created = new_orders(sample)
    assert len(created) == 1
    order = created[0]
    assert (order.customer, order.warehouse, order.status, str(order.total)) == (
        "R-101",
        "WH-BLR",
        "confirmed",
        "2832.00",
    )
    assert result.text.startswith(f"Order {order.order_no} placed") and "status confirmed" in result.text
    with Session(sample) as s:
        lines = s.exec(select(OrderLine).where(OrderLine.order_no == order.order_no)).all()
    assert [(ln.sku, ln.qty, ln.free_qty, str(ln.unit_price)) for ln in lines] == [("CC-100", 240, 24, "10.00")]
    assert stock(sample, "WH-BLR", "CC-100", "CC-2609") == (736, 264)
    assert stock(sample, "WH-BLR", "CC-100", "CC-2610") == (2000, 0)


def test_fingerprint_mismatch_does_not_execute(sample, clock):
    args = {"items": [{"product": "CC-100", "qty": 20, "unit": "BOX"}]}
    p = preview(sample, clock, "U-RET-101", "create_order", **args)
    before = snapshot(sample)
    with pytest.raises(StalePreview) as e:
        execute(sample, clock, "U-RET-101", "create_order", "0" * 16, **args)
    assert e.value.preview.fingerprint == p.fingerprint and "2,832.00" in e.value.preview.text
    assert snapshot(sample) == before and new_orders(sample) == []


def test_over_credit_order_waits_for_a_manager(sample, clock):
    args = {"items": [{"product": "sunleaf tea 250g", "qty": 1, "unit": "case"}]}
    p = preview(sample, clock, "U-RET-103", "create_order", **args)
    assert "4,788.00" in p.text and "discount ₹240.00" in p.text
    assert "needs approval by a manager: it would take the customer over their credit limit" in p.text
    result = execute(sample, clock, "U-RET-103", "create_order", p.fingerprint, **args)
    assert "waiting for approval by a manager" in result.text
    [order] = new_orders(sample)
    assert order.status == "pending_approval" and str(order.total) == "4788.00"
    assert stock(sample, "WH-BLR", "ST-250", "ST-2607") == (120, 40)


def test_free_goods_of_another_sku_get_their_own_line(sample, clock):
    p = preview(
        sample, clock, "U-RET-105", "create_order", items=[{"product": "5 litre oil", "qty": 2, "unit": "CASE"}]
    )
    assert "5,796.00" in p.text and "GD-1L): 2 PCS free" in p.text and "8 PCS (2 CASE)" in p.text
    assert [(ln["sku"], ln["qty"], ln["free_qty"]) for ln in p.data["lines"]] == [("GD-5L", 8, 0), ("GD-1L", 0, 2)]


def test_rep_order_for_a_customer_by_name(sample, clock):
    p = preview(
        sample,
        clock,
        "U-REP-2",
        "create_order",
        customer="New Star Supermarket",
        items=[
            {"product": "Brisk detergent 1kg", "qty": 5, "unit": "CASE"},
            {"product": "washing bar", "qty": 2, "unit": "CASE"},
        ],
    )
    assert "13,059.06" in p.text and "Brisk: 7% off 200 pcs or more" in p.text
    assert [ln["discount"] for ln in p.data["lines"]] == ["665.00", "168.00"]


def test_order_errors_come_from_the_core(sample, clock):
    before = snapshot(sample)
    with pytest.raises(Exception) as e:
        preview(sample, clock, "U-RET-102", "create_order", items=[{"product": "neem soap", "qty": 100}])
    assert "36" in str(e.value)
    with pytest.raises(Exception, match="blocked"):
        preview(
            sample,
            clock,
            "U-RET-107",
            "create_order",
            items=[{"product": "washing powder 1kg", "qty": 1, "unit": "case"}],
        )
    with pytest.raises(NotAllowed):
        preview(
            sample, clock, "U-RET-101", "create_order", customer="Fresh Mart", items=[{"product": "CC-100", "qty": 1}]
        )
    assert snapshot(sample) == before


def test_manager_orders_then_approves(sample, clock):
    args = {"customer": "Ganesh Provisions", "items": [{"product": "Sunleaf tea 250g", "qty": 2, "unit": "cases"}]}
    p = preview(sample, clock, "U-MGR-KA", "create_order", **args)
    assert "9,576.00" in p.text and "approval" in p.text
    execute(sample, clock, "U-MGR-KA", "create_order", p.fingerprint, **args)
    [order] = new_orders(sample)
    with Session(sample) as s:
        waiting = get_tool("pending_approvals").run(ctx_for(s, "U-MGR-KA", clock=clock), {})
    assert waiting.data["orders"] == [order.order_no] and "credit limit" in waiting.text
    before = snapshot(sample)
    ap = preview(sample, clock, "U-MGR-KA", "approve_order", order_no=order.order_no)
    assert snapshot(sample) == before
    assert "9,576.00" in ap.text and "becomes confirmed" in ap.text and "credit limit" in ap.text
    done = execute(sample, clock, "U-MGR-KA", "approve_order", ap.fingerprint, order_no=order.order_no)
    assert done.outcome == "done" and "confirmed" in done.text
    with Session(sample) as s:
        assert s.get(Order, order.order_no).status == "confirmed"
        assert s.exec(select(Approval).where(Approval.order_no == order.order_no)).one().status == "approved"
    with pytest.raises(InvalidTransition, match="already approved"):  # a second run does nothing
        execute(sample, clock, "U-MGR-KA", "approve_order", ap.fingerprint, order_no=order.order_no)


def test_reject_releases_stock(sample, clock):
    args = {"items": [{"product": "ST-250", "qty": 1, "unit": "CASE"}]}
    p = preview(sample, clock, "U-RET-103", "create_order", **args)
    execute(sample, clock, "U-RET-103", "create_order", p.fingerprint, **args)
    [order] = new_orders(sample)
    rp = preview(sample, clock, "U-MGR-KA", "reject_order", order_no=order.order_no, reason="over credit")
    assert "over credit" in rp.text and "released" in rp.text
    execute(sample, clock, "U-MGR-KA", "reject_order", rp.fingerprint, order_no=order.order_no, reason="over credit")
    with Session(sample) as s:
        assert s.get(Order, order.order_no).status == "rejected"
    assert stock(sample, "WH-BLR", "ST-250", "ST-2607") == (160, 0)


def test_retailer_cancels_own_order(sample, clock):
    before = snapshot(sample)
    p = preview(sample, clock, "U-RET-101", "cancel_order", order_no="SO-0905")
    assert snapshot(sample) == before
    assert "SO-0905" in p.text and "3,463.20" in p.text and "CC-200" in p.text
    done = execute(sample, clock, "U-RET-101", "cancel_order", p.fingerprint, order_no="SO-0905")
    assert "cancelled" in done.text
    with Session(sample) as s:
        assert s.get(Order, "SO-0905").status == "cancelled"
    assert stock(sample, "WH-BLR", "CC-200") == (700, 0)
    assert stock(sample, "WH-BLR", "GD-1L") == (600, 0)
    with pytest.raises(NotFound):  # someone else's order: not even said to exist
        preview(sample, clock, "U-RET-101", "cancel_order", order_no="SO-0908")


def test_dispatch_and_deliver(sample, clock):
    before = snapshot(sample)
    p = preview(sample, clock, "U-WH-1", "dispatch_order", order_no="SO-0908")
    assert snapshot(sample) == before
    assert "5,670.00" in p.text and "2026-12-20" in p.text  # 30 days' terms
    done = execute(sample, clock, "U-WH-1", "dispatch_order", p.fingerprint, order_no="SO-0908")
    assert "dispatched" in done.text and "INV-" in done.text
    with Session(sample) as s:
        inv = s.exec(select(Invoice).where(Invoice.order_no == "SO-0908")).one()
        assert str(inv.amount) == "5670.00" and s.get(Order, "SO-0908").status == "dispatched"
    d = preview(sample, clock, "U-WH-1", "deliver_order", order_no="SO-0908")
    execute(sample, clock, "U-WH-1", "deliver_order", d.fingerprint, order_no="SO-0908")
    with Session(sample) as s:
        assert s.get(Order, "SO-0908").status == "delivered"


def test_record_payment(sample, clock):
    before = snapshot(sample)
    p = preview(
        sample,
        clock,
        "U-MGR-KA",
        "record_payment",
        customer="Fresh Mart",
        amount="1,000",
        method="upi",
        reference="UPI-1",
    )
    assert snapshot(sample) == before
    assert "₹1,000.00" in p.text and "4,005.76" in p.text and "3,005.76" in p.text
    done = execute(
        sample,
        clock,
        "U-MGR-KA",
        "record_payment",
        p.fingerprint,
        customer="Fresh Mart",
        amount="1,000",
        method="upi",
        reference="UPI-1",
    )
    assert "3,005.76" in done.text
    with Session(sample) as s:
        pays = s.exec(select(Payment).where(Payment.customer == "R-102")).all()
    assert sorted(str(p.amount) for p in pays) == ["1000.00", "5000.00"]
    with pytest.raises(InvalidInput, match="amount"):
        preview(sample, clock, "U-MGR-KA", "record_payment", customer="R-102", amount="lots", method="cash")


# --- reading -----------------------------------------------------------------------------


def test_low_stock_as_rep(call):
    r = call("U-REP-1", "low_stock")
    assert "Noodles" in r.text and "Neem" in r.text
    assert "Crunchy" not in r.text and "Sunleaf" not in r.text
    assert {x["sku"] for x in r.data["low"]} == {"NOOD-70", "NS-100"}
    with pytest.raises(NotAllowed):
        call("U-RET-101", "low_stock")


def test_stock_levels_by_role(call):
    r = call("U-RET-101", "stock_levels", product="Crunchy Cream 100g")
    assert r.text == "Crunchy Cream 100g is in stock."
    assert all(set(x) == {"warehouse", "sku", "in_stock"} for x in r.data["levels"])
    assert "3000" not in r.text + str(r.table)
    q = call("U-REP-1", "stock_levels", product="CC-100")
    assert q.data["levels"] == [
        {"warehouse": "WH-BLR", "sku": "CC-100", "available": 3000, "reserved": 0, "damaged": 0}
    ]


def test_list_orders_pending_and_scope(call):
    r = call("U-RET-101", "list_orders", status="pending")
    assert r.data["orders"] == ["SO-0905"]
    assert "SO-0905" in r.text and "SO-0901" not in r.text
    refusals = []
    for name in ("Fresh Mart", "Nobody At All Stores"):
        with pytest.raises(NotAllowed) as e:
            call("U-RET-101", "list_orders", customer=name)
        refusals.append(e.value.message)
        assert "SO-0902" not in e.value.message and "9005.76" not in e.value.message
    assert refusals[0] == refusals[1]


def test_list_orders_by_region_and_period(call):
    r = call("U-MGR-KA", "list_orders", region="Bengaluru South")
    assert set(r.data["orders"]) == {"SO-0902", "SO-0903", "SO-0907", "SO-0908"}
    assert "SO-0901" not in r.text and "SO-0904" not in r.text and "SO-0906" not in r.text
    oct_ = call("U-MGR-KA", "list_orders", period={"start": "2026-10-01", "end": "2026-10-31"})
    assert oct_.data["orders"] == ["SO-0903", "SO-0902", "SO-0901"]
    assert call("U-MGR-KA", "list_orders", region="Karnataka", status="open").data["orders"] == [
        "SO-0908",
        "SO-0905",
        "SO-0904",
    ]


def test_get_order(call):
    r = call("U-RET-102", "get_order", order_no="so-0902")
    assert "9,005.76" in r.text and "Fresh Mart" in r.text and r.data["status"] == "delivered"
    with pytest.raises(NotFound) as e:
        call("U-RET-101", "get_order", order_no="SO-0902")
    assert "9005" not in e.value.message


def test_sales_report_and_summary(call):
    october = {"start": "2026-10-01", "end": "2026-10-31", "label": "last month"}
    r = call("U-MGR-KA", "sales_report", period=october)
    assert (r.data["net"], r.data["total"]) == ("58464.00", "64651.68")
    assert "58,464.00" in r.text and "64,651.68" in r.text and "last month" in r.text
    by = call("U-MGR-KA", "sales_report", period=october, by="customer")
    assert by.table.rows[0] == ["New Star Supermarket", "1", "46,032.00", "50,418.72"]
    assert sum(float(row[3].replace(",", "")) for row in by.table.rows) == pytest.approx(64651.68)
    s = call("U-MGR-KA", "order_summary", period=october)
    assert s.data["count"] == 3 and s.data["by_status"] == {"delivered": 3}


def test_outstanding_by_role(call):
    mine = call("U-RET-101", "outstanding")
    assert "10,190.40" in mine.text and [c["customer"] for c in mine.data["customers"]] == ["R-101"]
    assert "31-60 days late ₹5,227.20" in mine.text
    dist = call("U-DIST-BLR", "outstanding")
    assert {"R-101", "R-102", "R-103"} <= {c["customer"] for c in dist.data["customers"]}
    assert "R-105" not in {c["customer"] for c in dist.data["customers"]}
    one = call("U-MGR-KA", "outstanding", customer="Fresh Mart")
    assert one.data["customers"][0]["outstanding"] == "4005.76"
    with pytest.raises(NotAllowed):
        call("U-RET-101", "outstanding", customer="Fresh Mart")


def test_product_details_price_with_reason(call):
    r = call("U-RET-102", "product_details", product="GoldDrop oil 1 litre")
    assert "₹138.00 per PCS, price for Bengaluru South" in r.text and "145.00" not in r.text
    assert r.data["price"] == "138.00" and r.data["in_stock"] is True and "stock" not in r.data
    assert call("U-RET-101", "product_details", product="GD-1L").data["price"] == "140.00"
    staff = call("U-REP-2", "product_details", product="GD-1L", customer="Fresh Mart")
    assert staff.data["price"] == "138.00" and staff.data["stock"] == {"WH-BLR": 588}  # 12 reserved for SO-0905


def test_schemes_for_the_customer_today(call):
    r = call("U-RET-101", "list_schemes", product="crunchy cream")
    assert "free" in r.text and "Diwali" not in r.text and "SCH-CC-FREE" in r.data["schemes"]
    chennai = call("U-RET-105", "list_schemes")
    assert "SCH-OIL-TN" in chennai.data["schemes"]
    assert "SCH-OIL-TN" not in call("U-RET-101", "list_schemes").data["schemes"]
    assert "SCH-NOOD-MT" not in call("U-RET-101", "list_schemes").data["schemes"]


def test_find_products(call):
    r = call("U-RET-101", "find_products", query="sunflower oil")
    assert set(r.data["skus"]) == {"GD-1L", "GD-5L"} and "CASE of 12" in r.text
    assert call("U-RET-101", "find_products", query="8901000000127").data["skus"][0] == "NS-100"
    assert call("U-RET-101", "find_products", query="qqqzzz").data["skus"] == []


def test_search_knowledge_uses_the_injected_search(sample, clock):
    asked = []

    def knowledge(q):
        asked.append(q)
        return "Damaged goods can be returned within 48 hours (returns-and-delivery.md)." if "return" in q else None

    with Session(sample) as s:
        tool = get_tool("search_knowledge")
        hit = tool.run(ctx_for(s, "U-RET-102", knowledge, clock), {"query": "can I return damaged goods?"})
        miss = tool.run(ctx_for(s, "U-RET-102", knowledge, clock), {"query": "cricket score"})
        none = tool.run(ctx_for(s, "U-RET-102", None, clock), {"query": "returns"})
    assert "48 hours" in hit.text and hit.data["found"] is True
    assert miss.data["found"] is False and "say nothing" in miss.text
    assert none.data["found"] is False and asked == ["can I return damaged goods?", "cricket score"]


# --- stock adjustments and damage ------------------------------------------------------------


def batch_row(engine, warehouse, sku, batch) -> StockBalance:
    with Session(engine) as s:
        return s.get(StockBalance, (warehouse, sku, batch))


def audit_actions(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT action FROM audit_entry ORDER BY id"))]


def test_adjust_stock_preview_writes_nothing_and_execute_audits(sample, clock):
    before = snapshot(sample)
    have = batch_row(sample, "WH-BLR", "CC-200", "CC2-2610").available
    p = preview(
        sample,
        clock,
        "U-WH-1",
        "adjust_stock",
        warehouse="WH-BLR",
        product="CC-200",
        delta=-3,
        reason="count found 3 broken",
    )
    assert "CC2-2610" in p.text and f"{have} to {have - 3}" in p.text
    assert snapshot(sample) == before
    result = execute(
        sample,
        clock,
        "U-WH-1",
        "adjust_stock",
        p.fingerprint,
        warehouse="WH-BLR",
        product="CC-200",
        delta=-3,
        reason="count found 3 broken",
    )
    assert result.outcome == "done"
    assert batch_row(sample, "WH-BLR", "CC-200", "CC2-2610").available == have - 3
    assert audit_actions(sample)[-1] == "stock.adjust"


def test_adjust_stock_asks_which_batch_when_several(sample, clock):
    with pytest.raises(InvalidInput, match="Which batch.*CC-2609.*CC-2610"):
        preview(
            sample, clock, "U-WH-1", "adjust_stock", warehouse="WH-BLR", product="CC-100", delta=2, reason="recount"
        )


def test_record_damage_preview_then_execute(sample, clock):
    before = snapshot(sample)
    old = batch_row(sample, "WH-BLR", "CC-100", "CC-2610")
    have, broken = old.available, old.damaged
    args = dict(warehouse="WH-BLR", product="CC-100", batch="CC-2610", qty=5, reason="torn packs")
    p = preview(sample, clock, "U-MGR-KA", "record_damage", **args)
    assert f"{have} to {have - 5}" in p.text and "damaged" in p.text
    assert snapshot(sample) == before
    execute(sample, clock, "U-MGR-KA", "record_damage", p.fingerprint, **args)
    row = batch_row(sample, "WH-BLR", "CC-100", "CC-2610")
    assert (row.available, row.damaged) == (have - 5, broken + 5)
    assert audit_actions(sample)[-1] == "stock.damage"


def test_record_damage_stale_preview_is_not_executed(sample, clock):
    args = dict(warehouse="WH-BLR", product="CC-100", batch="CC-2610", qty=5, reason="torn packs")
    broken = batch_row(sample, "WH-BLR", "CC-100", "CC-2610").damaged
    p = preview(sample, clock, "U-WH-1", "record_damage", **args)
    execute(sample, clock, "U-WH-1", "record_damage", p.fingerprint, **args)
    with pytest.raises(StalePreview):
        execute(sample, clock, "U-WH-1", "record_damage", p.fingerprint, **args)
    assert batch_row(sample, "WH-BLR", "CC-100", "CC-2610").damaged == broken + 5


@pytest.mark.parametrize("tool,args", [("adjust_stock", {"delta": -2}), ("record_damage", {"qty": 2})])
def test_a_rep_may_not_change_stock(sample, clock, tool, args):
    before = snapshot(sample)
    with pytest.raises(NotAllowed):
        preview(
            sample, clock, "U-REP-1", tool, warehouse="WH-BLR", product="CC-100", batch="CC-2610", reason="bent", **args
        )
    assert snapshot(sample) == before
    assert tool not in {t.name for t in tools_for(_actor(sample, "U-REP-1"))}


def _actor(engine, user):
    with Session(engine) as s:
        return load_actor(s, user)


def test_a_count_found_is_corrected_to_and_a_count_that_agrees_changes_nothing(sample, clock):
    """adjust_stock takes what a physical count found (`counted`) as well as a signed change."""
    p = preview(sample, clock, "U-WH-1", "adjust_stock", batch="mg-2608", counted="2390", reason="shelf count")
    assert "Adjust stock by -10" in p.text and "from 2400 to 2390" in p.text
    result = execute(
        sample, clock, "U-WH-1", "adjust_stock", p.fingerprint, batch="mg-2608", counted="2390", reason="shelf count"
    )
    assert result.data["delta"] == -10 and stock(sample, "WH-BLR", "MG-75", "MG-2608")[0] == 2390
    with pytest.raises(InvalidInput, match="already shows 2390 available"):
        preview(sample, clock, "U-WH-1", "adjust_stock", batch="MG-2608", counted=2390, reason="count")
    for bad in ({"delta": "-1", "counted": "5"}, {}):
        with pytest.raises(InvalidInput, match="either delta .* or counted"):
            preview(sample, clock, "U-WH-1", "adjust_stock", batch="MG-2608", reason="count", **bad)


@pytest.mark.unit
def test_the_words_the_tools_offer_the_model_are_the_cores():
    """The argument models spell their choices as literals (the model sees them as enums); each
    must stay exactly the core's vocabulary."""
    from typing import get_args

    from core.billing import PAYMENT_METHODS
    from core.orders import ORDER_STATUSES, STATUS_WORDS
    from tools import schemas

    assert set(get_args(schemas.Method)) == set(PAYMENT_METHODS)
    assert set(get_args(schemas.OrderStatusWord)) == set(ORDER_STATUSES) | set(STATUS_WORDS)
