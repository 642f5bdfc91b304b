"""The state snapshot of scenarios.md, read from a real database."""

import json
from datetime import UTC, datetime

from sqlalchemy import update

from core.db import transaction
from core.state import snapshot, to_json
from core.tables.approvals import Approval
from core.tables.orders import OrderScheme
from core.tables.parties import Customer


def test_empty_database_has_every_section_empty(engine):
    snap = snapshot(engine)
    assert snap == {
        "orders": [],
        "stock": [],
        "approvals": [],
        "payments": [],
        "invoices": [],
        "customers": [],
        "visits": [],
        "attendance": [],
    }
    assert to_json(snap) == json.dumps(snap, sort_keys=True, indent=2)


def test_sample_snapshot_matches_the_documented_shape(sample):
    snap = snapshot(sample)
    so905 = next(o for o in snap["orders"] if o["order_no"] == "SO-0905")
    assert so905 == {
        "order_no": "SO-0905",
        "customer": "R-101",
        "warehouse": "WH-BLR",
        "status": "confirmed",
        "total": "3463.20",
        "schemes": [],
        "lines": [
            {
                "sku": "CC-200",
                "qty": 72,
                "free_qty": 0,
                "unit_price": "20.00",
                "discount": "0.00",
                "tax": "259.20",
                "line_total": "1699.20",
            },
            {
                "sku": "GD-1L",
                "qty": 12,
                "free_qty": 0,
                "unit_price": "140.00",
                "discount": "0.00",
                "tax": "84.00",
                "line_total": "1764.00",
            },
        ],
    }
    assert [o["order_no"] for o in snap["orders"]] == sorted(o["order_no"] for o in snap["orders"])
    keys = [(b["warehouse"], b["sku"], b["batch"]) for b in snap["stock"]]
    assert keys == sorted(keys) and len(keys) == 22
    assert {
        "warehouse": "WH-BLR",
        "sku": "CC-200",
        "batch": "CC2-2610",
        "available": 628,
        "reserved": 72,
        "damaged": 10,
    } in snap["stock"]
    assert snap["invoices"][0] == {
        "invoice_no": "INV-0001",
        "order_no": "SO-0901",
        "amount": "5227.20",
        "due_date": "2026-10-20",
        "paid": "0.00",
    }
    assert {
        "customer": "R-104",
        "amount": "20000.00",
        "method": "cheque",
        "paid_on": "2026-11-05",
        "reference": "CHQ-000912",
    } in snap["payments"]
    r106 = next(c for c in snap["customers"] if c["code"] == "R-106")
    assert {k: r106[k] for k in ("status", "credit_limit", "class", "latitude")} == {
        "status": "pending",
        "credit_limit": "10000.00",
        "class": None,
        "latitude": None,
    }


def test_to_json_is_canonical_and_repeatable(sample):
    text = to_json(snapshot(sample))
    assert text == to_json(snapshot(sample))
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2)
    assert '"total": "50418.72"' in text  # money is text with 2 decimals, never a float


def test_snapshot_shows_schemes_approvals_and_customer_changes(sample):
    before = snapshot(sample)
    with transaction(sample) as s:
        for code in ("SCH-B", "SCH-A"):
            s.add(OrderScheme(order_no="SO-0908", scheme=code))
        s.add(
            Approval(
                order_no="SO-0908",
                reasons="credit_limit_exceeded|order_total_over",
                rules="AR-CREDIT|AR-BIG",
                approver_role="manager",
                requested_at=datetime(2026, 11, 20, 5, tzinfo=UTC),
            )
        )
        s.execute(update(Customer).where(Customer.code == "R-107").values(status="active", credit_limit=None))
    after = snapshot(sample)
    assert after != before
    assert next(o for o in after["orders"] if o["order_no"] == "SO-0908")["schemes"] == ["SCH-A", "SCH-B"]
    assert after["approvals"] == [
        {
            "order_no": "SO-0908",
            "reasons": ["credit_limit_exceeded", "order_total_over"],
            "rules": ["AR-BIG", "AR-CREDIT"],
            "approver_role": "manager",
            "status": "pending",
        }
    ]
    r107 = next(c for c in after["customers"] if c["code"] == "R-107")
    assert (r107["status"], r107["credit_limit"]) == ("active", None)
    assert after["stock"] == before["stock"] and after["invoices"] == before["invoices"]
