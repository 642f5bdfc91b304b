"""The new-order page in headless Chromium (Debian's package, through Playwright) against a real
server: a manager places an order with an advance by cheque (form, preview with the core's total,
"Place the order", the order page saying how it is paid), by keyboard and by the fields' labels;
axe-core finds no serious or critical violation on the form, its errors and the preview.
Screenshots go to out/screenshots/order-form-*.png."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.access import load_actor
from core.orders import Item, PaymentDetails, preview_order
from core.tables.billing import Payment
from core.tables.orders import Order
from live_server import CHROMIUM, SHOTS, axe_serious
from tools.format import rs

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from test_dashboard_browser import open_page, sign_in, token  # noqa: E402 - after the skips


def label(page, text):
    return page.get_by_label(text, exact=True)


def test_a_manager_places_an_order_with_an_advance_by_cheque(server, browser, sample, clock):
    page = open_page(browser, server)
    sign_in(page, server, token(sample, clock, "U-MGR-KA"))
    page.goto(server + "/orders")
    page.click("a:has-text('New order')")
    page.wait_for_url("**/orders/new")
    label(page, "Customer").select_option("R-101")
    label(page, "Product code, line 1").fill("CC-100")
    label(page, "Quantity, line 1").fill("2")
    label(page, "Unit, line 1").fill("BOX")
    # "Add a row" adds a sixth row in place (app.js) and puts the cursor in it
    page.click("#add-row")
    assert page.evaluate("document.activeElement.id") == "sku-5"
    label(page, "Product code, line 6").fill("GD-1L")
    label(page, "Quantity, line 6").fill("6")
    label(page, "Unit, line 6").fill("case")
    label(page, "Advance paid now").check()
    label(page, "Amount (₹)").fill("1500")
    label(page, "Method").select_option(label="Cheque")
    label(page, "Reference (cheque no., UTR…)").fill("CHQ-77")
    page.screenshot(path=str(SHOTS / "order-form-filled.png"), full_page=True)
    page.keyboard.press("Enter")  # the form's first button: "Preview the order"
    page.wait_for_selector("h1:has-text('Check the order')")
    with Session(sample) as s:
        paid = PaymentDetails("advance", Decimal("1500"), "cheque", "CHQ-77")
        items = [Item("CC-100", "2", "BOX"), Item("GD-1L", "6", "case")]
        p = preview_order(s, load_actor(s, "U-MGR-KA", "web"), clock, items, "R-101", payment=paid)
    assert page.inner_text('[data-figure="total"]') == rs(p.total)
    assert page.inner_text('[data-figure="status"]') == (
        "waiting for approval" if p.needs_approval else "confirmed at once"
    )
    assert "by Cheque, reference CHQ-77" in page.inner_text('[data-figure="payment"]')
    page.screenshot(path=str(SHOTS / "order-form-preview.png"), full_page=True)
    page.focus("#place")  # by keyboard
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=status]:has-text('placed')")
    order_no = page.url.split("/")[-1].split("?")[0]
    payment = page.inner_text('[data-figure="payment"]')
    assert "Advance of ₹1,500.00 by Cheque, reference CHQ-77" in payment
    assert page.inner_text('[data-figure="total"]') == rs(p.total)
    page.screenshot(path=str(SHOTS / "order-form-placed.png"), full_page=True)
    with Session(sample) as s:
        order = s.get(Order, order_no)
        assert (order.customer, order.payment, order.total, order.channel) == ("R-101", "advance", p.total, "web")
        cheque = s.exec(select(Payment).where(Payment.order_no == order_no)).one()
        assert (cheque.amount, cheque.method, cheque.reference) == (Decimal("1500.00"), "cheque", "CHQ-77")
    assert page.external == [] and page.errors == []


def test_the_form_by_keyboard_its_errors_and_axe(server, browser, sample, clock):
    page = open_page(browser, server, axe=True)
    sign_in(page, server, token(sample, clock, "U-MGR-KA"))
    page.goto(server + "/orders/new")
    assert axe_serious(page) == []
    # Tab goes through the fields in reading order
    page.focus("#customer")
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == ["warehouse", "sku-0", "qty-0", "unit-0", "sku-1"]
    page.keyboard.type("XX-9")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # the filled rows come back first: XX-9 is line 1 now
    page.wait_for_selector("#err-sku-0")
    assert page.inner_text("#err-sku-0") == "Unknown product code: XX-9."
    assert page.get_attribute("#sku-0", "aria-invalid") == "true" and page.input_value("#sku-0") == "XX-9"
    assert page.input_value("#qty-0") == "2"
    assert axe_serious(page) == []
    page.screenshot(path=str(SHOTS / "order-form-errors.png"), full_page=True)
    # no customer: the core's question, next to the field
    label(page, "Product code, line 1").fill("CC-200")
    label(page, "Unit, line 1").fill("box")
    page.click("#preview")
    page.wait_for_selector("#err-customer")
    assert page.inner_text("#err-customer") == "Which customer is this order for?"
    label(page, "Customer").select_option("R-101")
    page.click("#preview")
    page.wait_for_selector("h1:has-text('Check the order')")
    assert axe_serious(page) == []
    # "Change" goes back to the form with what was typed
    page.click("button:has-text('Change')")
    page.wait_for_selector("h1:has-text('New order')")
    assert page.input_value("#sku-0") == "CC-200" and page.input_value("#customer") == "R-101"
    # phone width: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(SHOTS / "order-form-phone.png"), full_page=True)
    assert page.external == []
