"""The web app in headless Chromium (Debian's package, through Playwright) against a real server:
each role signs in and sees its tiles with the core's figures; filters; a report opened from a
tile with the same filters and its export link; approving an order; the chat beside the
dashboard (typing indicator, button words, spent buttons, the newest reply in view, wide tables
inside their bubble); accessibility checked by axe-core (vendored, offline). Screenshots go to
out/screenshots/."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session

from channels.web.dashboard_view import plain
from core.access import load_actor
from core.dashboard import Filters, dashboard
from core.db import transaction
from core.identities import issue_token
from core.orders import Item, create_order
from live_server import CHROMIUM, SHOTS, axe_serious

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

ROLES = ["U-ADM", "U-MGR-KA", "U-REP-1", "U-WH-1", "U-DIST-BLR", "U-RET-101"]


def token(engine, clock, user):
    with transaction(engine) as s:
        return issue_token(s, user, clock=clock)


def open_page(browser, server, *, phone=False, axe=False):
    """A fresh browser context; every request must stay on the server. With `axe`, CSP is
    bypassed so the test can inject axe-core (the app's own pages never need it)."""
    size = {"width": 390, "height": 844} if phone else {"width": 1400, "height": 1000}
    ctx = browser.new_context(viewport=size, bypass_csp=axe, accept_downloads=True)
    page = ctx.new_page()
    page.external, page.errors = [], []
    page.on("request", lambda r: None if r.url.startswith(server) else page.external.append(r.url))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return page


def sign_in(page, server, secret):
    page.goto(server + "/dashboard")
    assert "/signin" in page.url
    page.fill("#token", secret)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard**")


def core_dashboard(engine, clock, user, **f):
    with Session(engine) as s:
        return plain(dashboard(s, load_actor(s, user), clock, Filters(**f)))


def figure(page, name):
    return page.inner_text(f'[data-figure="{name}"]').strip()


def test_each_role_signs_in_and_sees_the_cores_figures(server, browser, sample, clock):
    for user in ROLES:
        page = open_page(browser, server)
        sign_in(page, server, token(sample, clock, user))
        if user == "U-RET-101":
            assert page.is_visible("#tile-outstanding") and not page.is_visible("#tile-orders")
            body = page.inner_text("main")
            assert "Anand Kirana Store" in body and "Fresh Mart" not in body and "R-102" not in body
        else:
            d = core_dashboard(sample, clock, user)
            assert figure(page, "orders-count") == str(d["orders"]["count"])
            assert figure(page, "approvals-mine") == str(d["approvals"]["mine_count"])
            assert figure(page, "active-today") == str(d["active_users"]["today"])
            if d["stock"]:
                assert figure(page, "low-stock") == str(d["stock"]["low_count"])
                assert figure(page, "expiring") == str(d["stock"]["expiring_count"])
            assert page.is_visible("#tile-revenue") == (d["revenue"] is not None)
            assert page.is_visible("#tile-field") == (d["field"] is not None)
            for s in d["statuses"]:
                assert page.inner_text(f'tr[data-status="{s["status"]}"] td:nth-child(2)') == str(s["count"])
        page.screenshot(path=str(SHOTS / f"dashboard-{user}.png"), full_page=True)
        assert page.external == [] and page.errors == [], (user, page.external, page.errors)
        # sign out ends it
        page.click("form.signout button")
        page.wait_for_url("**/signin")
        page.goto(server + "/dashboard")
        assert "/signin" in page.url
        page.context.close()


def test_filters_report_and_export(server, browser, sample, clock):
    page = open_page(browser, server)
    sign_in(page, server, token(sample, clock, "U-ADM"))
    page.select_option("#f-period", "30d")  # htmx swaps the tiles and keeps the address
    page.wait_for_url("**period=30d**")
    page.wait_for_selector("#tile-orders h2:has-text('last 30 days')")
    d = core_dashboard(sample, clock, "U-ADM", period="30d")
    assert figure(page, "orders-count") == str(d["orders"]["count"])
    page.fill("#f-region", "KA")
    page.press("#f-region", "Enter")
    page.wait_for_selector(".asof:has-text('region KA')")
    d = core_dashboard(sample, clock, "U-ADM", period="30d", region="KA")
    assert figure(page, "orders-count") == str(d["orders"]["count"])
    assert figure(page, "low-stock") == str(d["stock"]["low_count"])
    page.screenshot(path=str(SHOTS / "dashboard-filtered.png"), full_page=True)
    # the orders tile's report, with the same filters
    page.click("#tile-orders a:has-text('Open the report')")
    page.wait_for_selector("#report-table")
    q = parse_qs(urlsplit(page.url).query)
    assert q["region"] == ["KA"] and q["start"] == [d["orders"]["span"]["start"]] and q["end"] == [d["today"]]
    total = page.inner_text("#report-table tfoot td:nth-child(2)")
    assert total == str(d["orders"]["count"])
    csv = page.get_attribute("a:has-text('Export CSV')", "href")
    assert parse_qs(urlsplit(csv).query) == {**q, "format": ["csv"]}
    r = page.request.get(server + csv)
    if r.status != 404 or "No report" in r.text():  # the export route (another branch) answers in its own words
        assert r.status == 200 and "text/csv" in r.headers["content-type"]
    page.screenshot(path=str(SHOTS / "report-orders.png"), full_page=True)
    assert page.external == [] and page.errors == []


def test_approve_an_order_in_the_browser(server, browser, sample, clock):
    with transaction(sample) as s:
        actor = load_actor(s, "U-MGR-KA", "web")
        order, _ = create_order(s, actor, clock, [Item("CC-100", 8, "case")], customer="R-101")
        no = order.order_no
    page = open_page(browser, server)
    sign_in(page, server, token(sample, clock, "U-MGR-KA"))
    assert figure(page, "approvals-mine") == "1"
    page.click("nav a:has-text('Approvals')")
    page.click(f"section:has-text('{no}') button:has-text('Approve')")
    page.wait_for_selector(f"button:has-text('Yes, approve {no}')")
    page.screenshot(path=str(SHOTS / "approve-preview.png"), full_page=True)
    page.click(f"button:has-text('Yes, approve {no}')")
    page.wait_for_selector("[role=status]:has-text('approved')")
    assert figure(page, "status") == "confirmed"
    page.screenshot(path=str(SHOTS / "approved.png"), full_page=True)
    assert page.external == [] and page.errors == []


def test_chat_beside_the_dashboard(server, browser, sample, clock):
    page = open_page(browser, server, phone=True)
    sign_in(page, server, token(sample, clock, "U-RET-101"))
    typing_seen = []

    def slow(route):  # the answer takes a moment: the indicator must show meanwhile
        typing_seen.append(page.is_visible("#typing"))
        route.continue_()

    page.route("**/web/chat", slow)
    page.fill("#message", "cancel SO-0905")
    page.click("#send")
    preview = page.wait_for_selector("#log li.bot .actions")
    assert typing_seen == [True] and page.is_hidden("#typing")
    labels = [b.inner_text() for b in preview.query_selector_all("button")]
    assert labels == ["Yes, cancel SO-0905", "Keep it"]
    page.click("#log button:has-text('Keep it')")
    page.wait_for_selector("#log li.bot.dropped, #log li.bot:has-text('Nothing was changed')")
    assert all(b.is_disabled() for b in page.query_selector_all("#log .actions button"))
    # a wide table scrolls inside its bubble; the newest reply is in view above the composer
    bots = len(page.query_selector_all("#log li.bot"))
    page.fill("#message", "my invoices")
    page.click("#send")
    page.wait_for_selector(f"#log li.bot >> nth={bots}")
    last = page.query_selector_all("#log li.bot")[-1]
    box, bubble = last.query_selector(".table-box"), last.bounding_box()
    log = page.query_selector("#log").bounding_box()
    assert bubble["x"] + bubble["width"] <= log["x"] + log["width"] + 1
    assert page.evaluate("b => b.scrollWidth > b.clientWidth", box)  # it scrolls sideways, inside
    composer = page.query_selector("#composer").bounding_box()
    assert bubble["y"] + bubble["height"] <= composer["y"] + 1 or bubble["height"] > composer["y"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")  # no page overflow
    page.screenshot(path=str(SHOTS / "chat-phone.png"), full_page=False)
    assert page.external == [] and page.errors == []


def test_accessibility_basics(server, browser, sample, clock):
    secret = token(sample, clock, "U-MGR-KA")
    page = open_page(browser, server, axe=True)
    page.goto(server + "/signin")
    assert axe_serious(page) == []
    sign_in(page, server, secret)
    found = {}
    for path in (
        "/dashboard?period=30d",
        "/orders",
        "/orders/SO-0905",
        "/stock",
        "/customers",
        "/reports/sales?by=region",
    ):
        page.goto(server + path)
        found[path] = axe_serious(page)
    assert all(v == [] for v in found.values()), json.dumps(found, indent=1)
    # keyboard: the first Tab reaches the skip link, which moves focus to the content
    page.goto(server + "/dashboard")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # phone width: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/dashboard?period=30d")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
