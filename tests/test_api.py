"""The REST API (/api/v1) over real HTTP (TestClient) on the sample world: auth, every route's
happy path, scope, problem+json, idempotency, cursor pages and the offline /docs."""

import json
import re
import threading

import pytest
from sqlmodel import Session, func, select

from core.tables.audit import AuditEntry
from core.tables.orders import Order
from tests.api_helpers import Api

ITEMS = [{"sku": "CC-100", "qty": 2, "unit": "box"}]
PROBLEM = {"type", "title", "status", "detail"}


@pytest.fixture
def api(sample, clock):
    return Api(sample, clock)


def orders(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Order)).one()


def is_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert set(body) == PROBLEM and body["status"] == status and "\n" not in body["detail"]
    assert "Traceback" not in r.text
    return body


# --- auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, "Bearer nope", "Bearer dms_wrong", "Basic abc"])
def test_no_or_bad_token_is_401(api, auth):
    headers = {"Authorization": auth} if auth else {}
    r = api.client.get("/api/v1/orders", headers=headers)
    is_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"


# --- reads ----------------------------------------------------------------------------------------


def test_catalogue(api):
    r = api.get("U-RET-101", "/skus", search="crunchy cream")
    assert r.status_code == 200 and r.json()["items"][0]["code"].startswith("CC-")
    one = api.get("U-RET-101", "/skus/CC-100").json()
    assert one["units"][1] == {"unit": "BOX", "factor": 12} and one["mrp"] == "12.00"
    is_problem(api.get("U-RET-101", "/skus/NOPE"), 404)


def test_prices_with_reason_and_scope(api):
    r = api.get("U-RET-101", "/prices", sku="CC-100").json()["items"][0]
    assert r["price"] == "10.00" and r["reason"] and r["customer"] == "R-101"
    assert api.get("U-MGR-KA", "/prices", sku="CC-100", customer="R-102").status_code == 200
    # another customer's prices: the same 404 as a customer that does not exist
    out, none = api.get("U-RET-101", "/prices", customer="R-102"), api.get("U-RET-101", "/prices", customer="R-999")
    assert is_problem(out, 404)["detail"].replace("R-102", "X") == is_problem(none, 404)["detail"].replace("R-999", "X")


def test_schemes(api):
    codes = [s["code"] for s in api.get("U-RET-101", "/schemes").json()["items"]]
    assert codes and codes == sorted(codes)
    assert api.get("U-MGR-KA", "/schemes", sku="BR-1K").status_code == 200


def test_stock_retailer_sees_only_in_or_out(api):
    mine = api.get("U-RET-101", "/stock", limit=200).json()["items"]
    assert mine and all(x["available"] is None and x["reserved"] is None for x in mine)
    staff = api.get("U-MGR-KA", "/stock", sku="CC-100").json()["items"]
    assert staff and all(isinstance(x["available"], int) for x in staff)


def test_orders_scope_list_detail_and_filters(api):
    mine = api.get("U-RET-101", "/orders", limit=200).json()["items"]
    assert mine and {o["customer"] for o in mine} == {"R-101"}
    everyone = api.get("U-ADM", "/orders", limit=200).json()["items"]
    other = next(o["order_no"] for o in everyone if o["customer"] != "R-101")
    detail = api.get("U-RET-101", f"/orders/{mine[0]['order_no']}").json()
    assert detail["lines"] and detail["customer"] == "R-101"
    # out of scope and nonexistent look the same
    a, b = api.get("U-RET-101", f"/orders/{other}"), api.get("U-RET-101", "/orders/SO-9999")
    assert is_problem(a, 404)["detail"].replace(other, "X") == is_problem(b, 404)["detail"].replace("SO-9999", "X")
    is_problem(api.get("U-RET-101", "/orders", customer="R-102"), 404)
    assert api.get("U-RET-101", "/orders", customer="R-101").status_code == 200
    confirmed = api.get("U-ADM", "/orders", status="confirmed", limit=200).json()["items"]
    assert confirmed and {o["status"] for o in confirmed} == {"confirmed"}
    dated = api.get("U-ADM", "/orders", start="2026-11-01", end="2026-11-30", limit=200).json()["items"]
    assert dated and all(o["created_at"] >= "2026-10-31" for o in dated)


def test_outstanding_scope(api):
    mine = api.get("U-RET-101", "/outstanding").json()["items"]
    assert [o["customer"] for o in mine] == ["R-101"] and re.fullmatch(r"-?\d+\.\d\d", mine[0]["outstanding"])
    is_problem(api.get("U-RET-101", "/outstanding", customer="D-BLR"), 404)
    assert len(api.get("U-ADM", "/outstanding", limit=200).json()["items"]) > 1


def test_a_retailer_never_sees_another_customer(api):
    """Every list a retailer can read names only its own customer code."""
    for path in ("/orders", "/outstanding", "/approvals", "/outlet-requests"):
        r = api.get("U-RET-101", path, limit=200)
        if r.status_code == 200:
            assert {x.get("customer", "R-101") for x in r.json()["items"]} <= {"R-101"}, path
        else:
            is_problem(r, r.status_code)
    for path, params in (("/prices", {"customer": "R-102"}), ("/schemes", {"customer": "D-BLR"})):
        is_problem(api.get("U-RET-101", path, **params), 404)
    for status in ("confirmed", "delivered", "cancelled", "pending_approval"):
        listed = api.get("U-RET-101", "/orders", status=status, limit=200).json()["items"]
        assert {o["customer"] for o in listed} <= {"R-101"}
    # stock: never a quantity, and another warehouse is refused like one that does not exist
    for params in ({}, {"sku": "CC-100"}, {"warehouse": "WH-BLR"}):
        rows = api.get("U-RET-101", "/stock", limit=200, **params).json()["items"]
        assert all(
            set(k for k, v in x.items() if v is not None) == {"warehouse", "sku", "sku_name", "in_stock"} for x in rows
        )
    a, b = api.get("U-RET-101", "/stock", warehouse="WH-CHN"), api.get("U-RET-101", "/stock", warehouse="WH-NOPE")
    assert is_problem(a, 404)["detail"].replace("WH-CHN", "X") == is_problem(b, 404)["detail"].replace("WH-NOPE", "X")


# --- changes ---------------------------------------------------------------------------------------


def test_preview_writes_nothing_and_create_orders_for_oneself(api, sample):
    before = orders(sample)
    p = api.post("U-RET-101", "/orders/preview", {"items": ITEMS})
    assert p.status_code == 200 and p.json()["total"] == "283.20" and orders(sample) == before
    r = api.post("U-RET-101", "/orders", {"items": ITEMS})
    assert r.status_code == 201 and r.json()["customer"] == "R-101" and r.json()["total"] == "283.20"
    assert orders(sample) == before + 1
    with Session(sample) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.entity_id == r.json()["order_no"])).first()
    assert entry is not None and entry.channel == "api" and entry.user_id == "U-RET-101"
    is_problem(api.post("U-RET-101", "/orders", {"customer": "R-102", "items": ITEMS}), 403)


def test_status_changes(api):
    no = api.post("U-MGR-KA", "/orders", {"customer": "R-102", "items": ITEMS}).json()["order_no"]
    d = api.post("U-WH-1", f"/orders/{no}/dispatch")
    assert d.status_code == 200 and d.json()["status"] == "dispatched" and d.json()["invoice_no"]
    assert api.post("U-WH-1", f"/orders/{no}/deliver").json()["status"] == "delivered"
    is_problem(api.post("U-MGR-KA", f"/orders/{no}/cancel", {"reason": "late"}), 409)
    mine = api.post("U-RET-101", "/orders", {"items": ITEMS}).json()["order_no"]
    assert api.post("U-RET-101", f"/orders/{mine}/cancel").json()["status"] == "cancelled"
    is_problem(api.post("U-RET-101", f"/orders/{mine}/dispatch"), 403)


def test_approvals(api):
    big = [{"sku": "CC-100", "qty": 8, "unit": "case"}]  # over R-101's credit limit
    first = api.post("U-MGR-KA", "/orders", {"customer": "R-101", "items": big}).json()
    second = api.post("U-MGR-KA", "/orders", {"customer": "R-101", "items": big}).json()
    assert first["status"] == "pending_approval", first
    waiting = [a["order_no"] for a in api.get("U-MGR-KA", "/approvals").json()["items"]]
    assert first["order_no"] in waiting
    assert api.post("U-MGR-KA", f"/approvals/{first['order_no']}/approve").json()["status"] == "confirmed"
    is_problem(api.post("U-MGR-KA", f"/approvals/{second['order_no']}/reject", {}), 422)  # names the reason
    r = api.post("U-MGR-KA", f"/approvals/{second['order_no']}/reject", {"reason": "too much"})
    assert r.json()["status"] == "rejected"
    is_problem(api.post("U-RET-101", f"/approvals/{second['order_no']}/approve"), 403)


def test_payments(api):
    r = api.post("U-REP-1", "/payments", {"customer": "R-101", "amount": "150.50", "method": "upi", "reference": "T1"})
    assert r.status_code == 201 and r.json()["amount"] == "150.50"
    is_problem(api.post("U-REP-1", "/payments", {"customer": "R-101", "amount": "1", "method": "gold"}), 422)
    is_problem(api.post("U-RET-101", "/payments", {"customer": "R-101", "amount": "1", "method": "upi"}), 403)


def test_field_day_and_visit(api, clock):
    assert api.get("U-REP-1", "/field/plan").status_code == 200
    assert api.post("U-REP-1", "/field/day/start").status_code == 201
    is_problem(api.post("U-REP-1", "/field/day/start"), 422)  # one open day
    v = api.post("U-REP-1", "/field/visits", {"customer": "R-101", "latitude": "12.97", "longitude": "77.59"})
    assert v.status_code == 201 and v.json()["customer"] == "R-101"
    e = api.post("U-REP-1", "/field/visits/end", {"outcome": "no_order", "reason": "shop_closed"})
    assert e.json()["outcome"] == "no_order"
    assert api.post("U-REP-1", "/field/day/end").json()["check_out"]
    c = api.get("U-MGR-KA", "/field/compliance", start="2026-11-01", end="2026-11-20", by="week")
    assert c.status_code == 200 and c.json()
    is_problem(api.get("U-MGR-KA", "/field/compliance", start="2026-11-20", end="2026-11-01"), 422)
    assert api.get("U-MGR-KA", "/targets", month="2026-11").status_code == 200
    is_problem(api.get("U-RET-101", "/field/plan"), 404)


def test_outlet_requests(api, sample, clock):
    from core.access import load_actor
    from core.db import transaction
    from core.outlets import OutletChange, propose_outlet_update

    with transaction(sample) as s:
        req = propose_outlet_update(s, load_actor(s, "U-REP-1", "api"), clock, "R-101", OutletChange(phone="+91-1"))
        rid = req.id
    listed = api.get("U-MGR-KA", "/outlet-requests").json()["items"]
    assert [x["id"] for x in listed] == [rid]
    is_problem(api.post("U-REP-1", f"/outlet-requests/{rid}/approve"), 403)
    r = api.post("U-MGR-KA", f"/outlet-requests/{rid}/reject", {"reason": "wrong number"})
    assert r.json()["status"] == "rejected"


# --- problems, idempotency, pages, docs -----------------------------------------------------------


def test_validation_errors_name_the_field(api):
    body = is_problem(api.post("U-RET-101", "/orders", {"items": [{"sku": "CC-100", "qty": 0}]}), 422)
    assert body["detail"].startswith("items.0.qty")
    assert is_problem(api.get("U-ADM", "/orders", limit=500), 422)["detail"].startswith("limit")
    assert is_problem(api.get("U-ADM", "/orders", cursor="garbage!"), 422)["detail"].startswith("cursor")
    assert is_problem(api.post("U-RET-101", "/orders", {"items": ITEMS, "extra": 1}), 422)["detail"].startswith("extra")
    # a NUL anywhere is refused before the database sees it (PostgreSQL text cannot hold one)
    nul = [{"sku": "\x00", "qty": 1}]
    assert is_problem(api.post("U-RET-101", "/orders", {"items": nul}), 422)["detail"].startswith("items.0.sku")
    is_problem(api.get("U-RET-101", "/orders/%00"), 422)
    is_problem(api.get("U-RET-101", "/skus", search="a\x00"), 422)


def test_idempotency_key_replays_the_first_response(api, sample):
    before = orders(sample)
    first = api.post("U-RET-101", "/orders", {"items": ITEMS}, key="k-1")
    again = api.post("U-RET-101", "/orders", {"items": ITEMS}, key="k-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json()) and first.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert orders(sample) == before + 1
    is_problem(api.post("U-RET-101", "/orders", {"items": [{**ITEMS[0], "qty": 3}]}, key="k-1"), 422)
    # keys are per user: another user's same key is a new request
    assert api.post("U-MGR-KA", "/orders", {"customer": "R-101", "items": ITEMS}, key="k-1").status_code == 201
    assert orders(sample) == before + 2


def test_idempotency_under_simultaneous_retries(api, sample):
    before = orders(sample)
    api.as_("U-RET-101")  # the token first: issuing one replaces the last
    barrier, results = threading.Barrier(4), []

    def send():
        barrier.wait()
        results.append(api.post("U-RET-101", "/orders", {"items": ITEMS}, key="same"))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status_code for r in results] == [201] * 4, [r.text for r in results]
    assert len({r.json()["order_no"] for r in results}) == 1
    assert orders(sample) == before + 1


def test_idempotency_across_processes(api, sample, clock):
    """Four server processes get the same keyed order at once (tests/racing.py): one order, and
    every process answers with it."""
    from core.doctor import check
    from tests.racing import race

    token, before = api.as_("U-RET-101")["Authorization"].split()[1], orders(sample)
    attempts = [("api_post", (token, "/orders", {"items": ITEMS}, "proc-key"))] * 4
    results = race(sample.url_string, clock.now(), attempts)
    assert [r.kind for r in results] == ["won"] * 4, results
    assert len({json.loads(r.detail)["order_no"] for r in results}) == 1
    assert orders(sample) == before + 1
    with Session(sample) as s:
        assert check(s) == []


def test_cursor_pages_cover_the_list_once(api):
    whole = [o["order_no"] for o in api.get("U-ADM", "/orders", limit=200).json()["items"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get("U-ADM", "/orders", **params).json()
        seen += [o["order_no"] for o in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == whole and len(whole) > 2
    skus, cursor = [], None
    while True:
        body = api.get("U-RET-101", "/skus", limit=3, **({"cursor": cursor} if cursor else {})).json()
        skus += [k["code"] for k in body["items"]]
        if (cursor := body["next"]) is None:
            break
    assert skus == sorted(skus) and len(skus) == len(set(skus)) > 3


def test_docs_are_offline(api):
    page = api.client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    urls = [u for u in refs if not u.startswith("data:")]  # inline, nothing fetched
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), refs
    for u in urls:
        assert api.client.get(u).status_code == 200, u
    assert "http" not in api.client.get("/static/swagger/docs.js").text
    schema = api.client.get("/openapi.json").json()
    assert "/api/v1/orders" in schema["paths"] and "/api/v1/field/visits" in schema["paths"]


def test_token_guessing_is_limited_in_problem_json(sample, clock):
    from fastapi.testclient import TestClient

    from agent.runtime import Assistant
    from channels.web.app import create_app
    from core.settings import ServerSettings

    client = TestClient(
        create_app(sample, clock, Assistant(sample, clock), server=ServerSettings(signin_failures_per_minute=2))
    )
    for _ in range(2):
        is_problem(client.get("/api/v1/orders", headers={"Authorization": "Bearer dms_guess"}), 401)
    r = client.get("/api/v1/orders", headers={"Authorization": "Bearer dms_guess"})
    assert is_problem(r, 429)["detail"].startswith("Too many failed sign-ins") and r.headers["retry-after"]


def test_an_idempotency_key_is_kept_a_day_then_purged(api, sample, clock):
    from datetime import timedelta

    from channels.store import IdempotentRequest
    from channels.web.api.idempotency import KEEP
    from core.clock import Clock

    before = orders(sample)
    assert api.post("U-RET-101", "/orders", {"items": ITEMS}, key="day-1").status_code == 201
    within = Api(sample, Clock(clock.tz, clock.now() + KEEP - timedelta(minutes=1)))
    replay = within.post("U-RET-101", "/orders", {"items": ITEMS}, key="day-1")
    assert replay.headers.get("idempotent-replayed") == "true" and orders(sample) == before + 1
    later = Api(sample, Clock(clock.tz, clock.now() + KEEP + timedelta(minutes=1)))
    fresh = later.post("U-RET-101", "/orders", {"items": ITEMS}, key="day-1")
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert orders(sample) == before + 2
    with Session(sample) as s:  # the old row went; the new one is the only one under the key
        rows = s.exec(select(IdempotentRequest).where(IdempotentRequest.key == "day-1")).all()
        assert len(rows) == 1
