"""The web app over HTTP: sign-in (token and one-time link), sessions and CSRF, the dashboard's
figures against the core's own reports for the sample world, its scope per role, the JSON API
(bearer or session), the working pages (orders, approvals previewed then confirmed, stock,
customers, reports) and the chat's button words."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from channels.web.pages import button_words
from channels.web.sessions import issue_link
from core.access import load_actor
from core.approvals import waiting_orders
from core.db import transaction
from core.report_catalog import ReportQuery, run_report
from core.stock import expiring_stock, low_stock
from core.tables.field import Target
from core.targets import target_report
from tests.api_helpers import Api

ITEMS = [{"sku": "CC-100", "qty": 2, "unit": "box"}]
BIG = [{"sku": "CC-100", "qty": 8, "unit": "case"}]  # over R-101's credit limit: waits for a manager
ROLES = ["U-ADM", "U-MGR-KA", "U-MGR-TN", "U-REP-1", "U-WH-1", "U-DIST-BLR"]


@pytest.fixture
def api(sample, clock):
    return Api(sample, clock)


def sign_in(api: Api, user: str, next_url: str = "/dashboard"):
    """Sign in through the form, as a browser does; returns the response (a redirect)."""
    c = api.client
    c.cookies.clear()
    page = c.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    token = api.as_(user)["Authorization"].split()[1]
    return c.post("/signin", data={"token": token, "csrf": csrf, "next": next_url}, follow_redirects=False)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def report_total(engine, clock, user, name, **q):
    with Session(engine) as s:
        t = run_report(s, load_actor(s, user), clock, name, ReportQuery(**q))
        list(t.rows)
        return t.totals


# --- sign-in, sessions, CSRF ----------------------------------------------------------------------------


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(api):
    r = sign_in(api, "U-MGR-KA")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("dms_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie  # plain http here
    page = api.client.get("/dashboard")
    assert page.status_code == 200 and "Kiran Shetty" in page.text
    assert page.headers["cache-control"] == "no-store"
    old = api.client.cookies.get("dms_session")
    # sign-out without the CSRF token is refused; with it the session row is gone
    assert api.client.post("/signout", data={}).status_code == 403
    out = api.client.post("/signout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    api.client.cookies.set("dms_session", old)
    again = api.client.get("/dashboard", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/signin?next=")


def test_cookie_is_secure_over_https(sample, clock):
    from fastapi.testclient import TestClient

    from agent.runtime import Assistant
    from channels.web.app import create_app

    api = Api(sample, clock)
    api.client = TestClient(create_app(sample, clock, Assistant(sample, clock)), base_url="https://testserver")
    r = sign_in(api, "U-ADM")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("dms_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sign_in_refusals(api):
    c = api.client
    page = c.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    bad = c.post("/signin", data={"token": "dms_nope", "csrf": csrf})
    assert bad.status_code == 401 and "not accepted" in bad.text
    c.cookies.clear()  # no sign-in cookie: the form's token alone is not enough (login CSRF)
    token = api.as_("U-ADM")["Authorization"].split()[1]
    assert c.post("/signin", data={"token": token, "csrf": csrf}).status_code == 403
    # an open redirect is refused: next goes to this site only
    r = sign_in(api, "U-ADM", next_url="//evil.example/x")
    assert r.headers["location"] == "/dashboard"


def test_one_time_link_signs_in_once(api, sample):
    with transaction(sample) as s:
        secret = issue_link(s, "U-MGR-KA")
    c = api.client
    page = c.get(f"/signin/link?t={secret}")  # a GET uses nothing up
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = c.post("/signin/link", data={"link": secret, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "dms_session" in r.headers["set-cookie"]
    assert c.get("/dashboard").status_code == 200
    c.cookies.clear()
    page = c.get(f"/signin/link?t={secret}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert c.post("/signin/link", data={"link": secret, "csrf": csrf}).status_code == 401


def test_pages_need_a_session(api):
    for path in ("/dashboard", "/orders", "/approvals", "/stock", "/customers", "/reports", "/reports/sales", "/chat"):
        r = api.client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin"), path
    assert api.client.get("/api/v1/dashboard").status_code == 401


# --- the dashboard's figures are the core's ---------------------------------------------------------


@pytest.mark.parametrize("user", ROLES)
def test_figures_equal_the_core_reports(api, sample, clock, user):
    today = clock.today()
    start = today - timedelta(days=29)
    d = api.get(user, "/dashboard", period="30d").json()
    orders = report_total(sample, clock, user, "orders", start=start, end=today)
    assert d["orders"]["count"] == orders[1]
    assert sum(s["count"] for s in d["statuses"]) == orders[1]
    with Session(sample) as s:
        actor = load_actor(s, user)
        low = low_stock(s, actor, today)
        expiring = expiring_stock(s, actor, today, 30)
        mine = waiting_orders(s, actor) if actor.can("orders.approve") else []
    assert d["stock"]["low_count"] == len(low)
    assert d["stock"]["expiring_count"] == len(expiring)
    assert d["approvals"]["mine_count"] == len(mine)
    if user == "U-WH-1":
        assert d["revenue"] is None and d["daily"] is None  # no sales figures for warehouse staff
        return
    sales = report_total(sample, clock, user, "sales", start=start, end=today)
    assert Decimal(d["revenue"]["net"]) == sales[3]
    mtd = report_total(sample, clock, user, "sales", start=today.replace(day=1), end=today)
    assert Decimal(d["revenue"]["mtd_net"]) == mtd[3]
    daily = sum(Decimal(p["net"]) for p in d["daily"])
    assert daily == report_total(sample, clock, user, "sales", start=start, end=today)[3]
    assert len(d["daily"]) == 30 and len(d["monthly"]) == 12
    # every tile links to its report with the same filters, and to its exports
    assert d["links"]["orders"]["report"] == f"/reports/orders?start={start}&end={today}"
    assert d["links"]["orders"]["csv"] == f"/api/v1/reports/orders?format=csv&start={start}&end={today}"


@pytest.mark.parametrize("user", ["U-ADM", "U-MGR-KA", "U-REP-1", "U-DIST-BLR"])
def test_targets_and_stock_tiles_sum_and_head_the_core_reports(api, sample, clock, user):
    """The targets tile sums the targets report per kind and lists the furthest behind; the stock
    tile lists the head of low and expiring stock, in the core's order."""
    month = clock.today().strftime("%Y-%m")
    with transaction(sample) as s:
        for owner in ({"user_id": "U-REP-1"}, {"customer": "D-BLR"}, {"customer": "D-CHN"}):
            s.add(Target(month=month, target=Decimal("1000.00"), **owner))
    d = api.get(user, "/dashboard").json()
    with Session(sample) as s:
        actor = load_actor(s, user)
        rows = target_report(s, actor, clock)
        low = low_stock(s, actor, clock.today())
        expiring = expiring_stock(s, actor, clock.today(), 30)
    assert rows, "every one of these viewers sees a target"
    for t in d["targets"]["totals"]:
        mine = [r for r in rows if r.kind == t["kind"]]
        assert t["count"] == len(mine)
        assert Decimal(t["achieved"]) == sum(r.achieved for r in mine)
        assert Decimal(t["target"]) == sum(r.target for r in mine)
    assert sum(t["count"] for t in d["targets"]["totals"]) == len(rows)
    worst = sorted(rows, key=lambda r: (r.pct, r.name))[:5]
    assert [b["owner"] for b in d["targets"]["behind"]] == [r.owner for r in worst]
    if d["stock"] is not None:
        assert [(i["warehouse"], i["sku"]) for i in d["stock"]["low"]] == [(r.warehouse, r.sku) for r in low[:5]]
        assert [i["batch"] for i in d["stock"]["expiring"]] == [b.batch for b in expiring[:5]]


def test_today_and_the_audit_trail(api, sample, clock):
    assert api.post("U-RET-101", "/orders", {"items": ITEMS}).status_code in (200, 201)
    a = api.get("U-ADM", "/dashboard").json()
    assert a["orders"]["count"] == 1 and a["orders"]["span"]["label"] == "today"
    assert a["active_users"]["today"] == 1
    assert any(x["text"].startswith("Anand placed order SO-") for x in a["activity"])
    tn = api.get("U-MGR-TN", "/dashboard").json()  # Tamil Nadu: nothing of Karnataka's
    assert tn["orders"]["count"] == 0 and tn["active_users"]["today"] == 0 and tn["activity"] == []
    ka = api.get("U-MGR-KA", "/dashboard").json()
    assert ka["orders"]["count"] == 1 and any(x["text"].startswith("Anand placed order") for x in ka["activity"])


def test_filters_region_and_distributor(api, sample, clock):
    today = clock.today()
    start = today - timedelta(days=29)
    d = api.get("U-ADM", "/dashboard", period="30d", region="TN").json()
    assert (
        d["orders"]["count"] == report_total(sample, clock, "U-ADM", "orders", start=start, end=today, region="TN")[1]
    )
    assert (
        Decimal(d["revenue"]["net"])
        == report_total(sample, clock, "U-ADM", "sales", start=start, end=today, region="TN")[3]
    )
    assert d["links"]["orders"]["report"].endswith(f"region=TN&start={start}&end={today}")
    whole = api.get("U-ADM", "/dashboard", period="30d").json()
    blr = api.get("U-ADM", "/dashboard", period="30d", distributor="D-BLR").json()
    chn = api.get("U-ADM", "/dashboard", period="30d", distributor="D-CHN").json()
    assert blr["orders"]["count"] + chn["orders"]["count"] == whole["orders"]["count"]
    sales = report_total(sample, clock, "U-ADM", "sales", start=start, end=today, distributor="D-BLR")
    assert Decimal(blr["revenue"]["net"]) == sales[3]
    # a distributor out of the viewer's scope is refused like one that does not exist
    r = api.get("U-MGR-TN", "/dashboard", distributor="D-BLR")
    nobody = api.get("U-MGR-TN", "/dashboard", distributor="D-NOPE")
    assert r.status_code == nobody.status_code and r.status_code in (403, 404, 422)
    assert api.get("U-ADM", "/dashboard", period="year").status_code == 422


def test_a_retailer_gets_its_own_account_only(api, sample):
    d = api.get("U-RET-101", "/dashboard").json()
    assert set(d) == {"account"} and d["account"]["customer"] == "R-101"
    assert all(o["customer"] == "R-101" for o in d["account"]["orders"])
    assert api.get("U-RET-101", "/dashboard", distributor="D-BLR").json() == d  # no filter widens it
    sign_in(api, "U-RET-101")
    page = api.client.get("/dashboard")
    assert "Anand Kirana Store" in page.text and "R-102" not in page.text and "Fresh Mart" not in page.text
    assert api.client.get("/dashboard/tiles").status_code == 403


def test_session_and_bearer_give_the_same_json(api):
    sign_in(api, "U-MGR-KA")
    by_session = api.client.get("/api/v1/dashboard", params={"period": "mtd"}).json()
    api.client.cookies.clear()
    by_token = api.get("U-MGR-KA", "/dashboard", period="mtd").json()
    assert by_session == by_token


def test_page_and_tiles_show_the_json_figures(api):
    d = api.get("U-MGR-KA", "/dashboard", period="30d").json()
    sign_in(api, "U-MGR-KA")
    page = api.client.get("/dashboard?period=30d").text
    assert f'data-figure="orders-count">{d["orders"]["count"]}<' in page
    assert f'data-figure="low-stock">{d["stock"]["low_count"]}<' in page
    tiles = api.client.get("/dashboard/tiles?period=30d&region=BLR")
    assert tiles.status_code == 200 and "<html" not in tiles.text and "region BLR" in tiles.text
    bad = api.client.get("/dashboard/tiles?region=Atlantis")
    assert bad.status_code == 400 and "No region matching" in bad.text


# --- the working pages --------------------------------------------------------------------------------


def test_orders_pages_are_scoped(api):
    sign_in(api, "U-RET-101")
    mine = api.client.get("/orders").text
    assert "SO-0905" in mine and "SO-0902" not in mine  # SO-0902 is Fresh Mart's
    assert api.client.get("/orders/SO-0902").status_code == 404
    detail = api.client.get("/orders/SO-0905")
    assert detail.status_code == 200 and "Lines" in detail.text
    sign_in(api, "U-MGR-TN")
    assert api.client.get("/orders/SO-0905").status_code == 404
    assert "SO-0905" not in api.client.get("/orders").text


def test_approve_and_reject_previewed_then_confirmed(api, sample):
    first = api.post("U-MGR-KA", "/orders", {"customer": "R-101", "items": BIG}).json()["order_no"]
    second = api.post("U-MGR-KA", "/orders", {"customer": "R-101", "items": BIG}).json()["order_no"]
    sign_in(api, "U-MGR-KA")
    page = api.client.get("/approvals")
    assert first in page.text and second in page.text
    csrf = csrf_of(page.text)
    assert api.client.post(f"/approvals/{first}", data={"decision": "approve"}).status_code == 403  # no CSRF
    preview = api.client.post(f"/approvals/{first}", data={"decision": "approve", "csrf": csrf})
    assert preview.status_code == 200 and f"Yes, approve {first}" in preview.text
    assert api.get("U-MGR-KA", f"/orders/{first}").json()["status"] == "pending_approval"  # nothing changed yet
    done = api.client.post(f"/approvals/{first}", data={"decision": "approve", "csrf": csrf, "confirm": "yes"})
    assert done.status_code == 200 and "approved" in done.text
    assert api.get("U-MGR-KA", f"/orders/{first}").json()["status"] == "confirmed"
    again = api.client.post(f"/approvals/{first}", data={"decision": "approve", "csrf": csrf, "confirm": "yes"})
    assert again.status_code == 409  # decided once
    no_reason = api.client.post(f"/approvals/{second}", data={"decision": "reject", "csrf": csrf, "confirm": "yes"})
    assert no_reason.status_code == 400
    api.client.post(
        f"/approvals/{second}", data={"decision": "reject", "reason": "too much", "csrf": csrf, "confirm": "yes"}
    )
    assert api.get("U-MGR-KA", f"/orders/{second}").json()["status"] == "rejected"
    sign_in(api, "U-REP-1")  # a rep cannot approve: refused by the core
    third = api.post("U-MGR-KA", "/orders", {"customer": "R-101", "items": BIG}).json()["order_no"]
    page = api.client.get("/dashboard")
    r = api.client.post(
        f"/approvals/{third}", data={"decision": "approve", "csrf": csrf_of(page.text), "confirm": "yes"}
    )
    assert r.status_code == 409 and api.get("U-MGR-KA", f"/orders/{third}").json()["status"] == "pending_approval"


def test_stock_customers_and_reports_pages(api, sample, clock):
    sign_in(api, "U-RET-101")
    stock = api.client.get("/stock").text
    assert "In stock" in stock and "Available" not in stock  # a retailer: in stock or not, never how much
    customers = api.client.get("/customers").text
    assert "R-101" in customers and "R-102" not in customers
    sign_in(api, "U-MGR-KA")
    assert "Available" in api.client.get("/stock").text
    today = clock.today()
    r = api.client.get(f"/reports/sales?by=region&start={today - timedelta(days=29)}&end={today}")
    assert r.status_code == 200 and 'id="report-table"' in r.text
    assert f"/api/v1/reports/sales?format=csv&amp;by=region&amp;start={today - timedelta(days=29)}" in r.text
    assert api.client.get("/reports/sales?colour=red").status_code == 200  # unknown query keys are not filters
    refused = api.client.get("/reports/orders?brand=X")
    assert refused.status_code in (200, 400)
    assert api.client.get("/reports/nope").status_code == 404
    assert "sales" in api.client.get("/reports").text


def test_button_words_come_from_the_pending_action():
    assert button_words("cancel_order", {"order_no": "SO-0905"}) == ("Yes, cancel SO-0905", "Keep it")
    assert button_words("approve_order", {"order_no": "SO-1"})[0] == "Yes, approve SO-1"
    assert button_words("something_new", {}) == ("Yes, do it", "No, leave it")


def test_session_chat_needs_csrf_and_words_the_buttons(api):
    sign_in(api, "U-RET-101")
    page = api.client.get("/chat")
    assert page.status_code == 200
    assert api.client.post("/web/chat", json={"text": "hello"}).status_code == 403
    headers = {"X-CSRF-Token": csrf_of(page.text)}
    r = api.client.post("/web/chat", json={"text": "cancel SO-0905"}, headers=headers).json()
    assert [a["label"] for a in r["actions"]] == ["Yes, cancel SO-0905", "Keep it"], r
    kept = api.client.post("/web/cancel", json={"action_id": r["actions"][1]["value"]}, headers=headers).json()
    assert kept["outcome"] == "dropped"
    assert api.get("U-RET-101", "/orders/SO-0905").json()["status"] == "confirmed"
