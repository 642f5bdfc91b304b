"""The evaluation runner's field-work final checks (scenarios.md): visits_created,
attendance_created, customers_created, customers_changed, on plain snapshots."""

from evals.checks import check_final, new_approvals
from evals.scenario import _final

BEFORE = {
    "customers": [
        {
            "code": "R-101",
            "name": "Anand",
            "type": "retailer",
            "region": "BLR-N",
            "status": "active",
            "phone": "1",
            "contact_person": None,
            "class": None,
            "latitude": None,
            "longitude": None,
        }
    ],
    "visits": [],
    "attendance": [],
    "approvals": [{"order_no": "SO-1", "reasons": ["x"], "approver_role": "manager", "status": "pending"}],
}
AFTER = {
    "customers": [
        dict(BEFORE["customers"][0], phone="2", **{"class": "A", "latitude": "12.9716"}),
        {
            "code": "NEW-0001",
            "name": "Sri Ganesh",
            "type": "retailer",
            "region": "BLR-N",
            "status": "pending",
            "phone": None,
            "contact_person": None,
            "class": None,
            "latitude": None,
            "longitude": None,
        },
    ],
    "visits": [
        {
            "id": "V-0001",
            "user": "U-REP-1",
            "customer": "R-101",
            "outcome": "order",
            "reason": None,
            "order_no": "SO-2",
            "off_site": False,
            "open": False,
        },
        {
            "id": "V-0002",
            "user": "U-REP-1",
            "customer": "R-106",
            "outcome": None,
            "reason": None,
            "order_no": None,
            "off_site": True,
            "open": True,
        },
    ],
    "attendance": [{"user": "U-REP-1", "date": "2026-11-20", "check_in": "t", "open": True}],
    "approvals": BEFORE["approvals"]
    + [
        {
            "request": "OR-0001",
            "kind": "outlet_new",
            "customer": "NEW-0001",
            "changes": {},
            "approver_role": "manager",
            "status": "pending",
        }
    ],
}


def final(spec: dict) -> dict:
    errors: list[str] = []
    out = _final(spec, "t", errors)
    assert errors == []
    return out


def test_field_final_checks_pass_and_fail():
    good = final(
        {
            "visits_created": [
                {"user": "U-REP-1", "customer": "R-101", "outcome": "order", "order_no": True},
                {"customer": "R-106", "off_site": True},
            ],
            "attendance_created": [{"user": "U-REP-1", "open": True}],
            "customers_created": [{"name": "Sri Ganesh", "status": "pending", "region": "BLR-N"}],
            "customers_changed": [{"code": "R-101", "phone": "2", "class": "A", "latitude": 12.9716}],
        }
    )
    assert [c.passed for c in check_final(good, BEFORE, AFTER)] == [True, True, True, True]
    bad = final(
        {
            "visits_created": [{"customer": "R-101", "outcome": "no_order"}, {"customer": "R-106"}],
            "attendance_created": [{"user": "U-REP-1", "open": False}],
            "customers_created": [],
            "customers_changed": [{"code": "R-101", "phone": "3"}, {"code": "R-999", "status": "active"}],
        }
    )
    checks = check_final(bad, BEFORE, AFTER)
    assert [c.passed for c in checks] == [False, False, False, False]
    assert "R-999 did not exist" in checks[3].detail and "phone 2 (expected 3" in checks[3].detail


def test_outlet_requests_made_count_as_new_approval_requests():
    """scenarios.md: outlet requests sit under approvals with their kind; approvals_created counts them."""
    assert [(a.get("order_no"), a.get("request")) for a in new_approvals(BEFORE, AFTER)] == [(None, "OR-0001")]


def test_bad_field_final_items_are_reported():
    errors: list[str] = []
    _final(
        {"visits_created": [{"off_site": "yes", "order_no": False}], "customers_changed": [{"phone": "1"}]}, "t", errors
    )
    assert any("off_site: must be true or false" in e for e in errors)
    assert any("order_no: must be text or true" in e for e in errors)
    assert any("missing required key 'code'" in e for e in errors)
