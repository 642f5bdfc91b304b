"""The new-order page over HTTP (a TestClient on the real app): the form scoped by the core for
each role, the preview with the core's own figures, "Place the order" once (a repeat of the same
confirmation lands on the same order, also from N processes at once), a changed price between
preview and confirm, bad input said next to its field with nothing created, CSRF, and an
out-of-scope customer worded as a nonexistent one."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, func, select

from channels.web.sessions import SESSION_COOKIE
from core.access import load_actor, visible_customer_codes
from core.db import transaction
from core.orders import Item, preview_order
from core.tables.audit import AuditEntry
from core.tables.billing import Payment
from core.tables.orders import Order
from core.tables.parties import Customer
from core.tables.pricing import Price
from tests import racing
from tests.api_helpers import Api
from tests.conftest import NOW
from tests.racing import race
from tests.test_dashboard import csrf_of, sign_in
from tools.format import rs

LINES = {"sku-0": "CC-100", "qty-0": "2", "unit-0": "box", "sku-1": "GD-1L", "qty-1": "6", "unit-1": "case"}
ITEMS = [Item("CC-100", "2", "box"), Item("GD-1L", "6", "case")]


@pytest.fixture
def api(sample, clock):
    return Api(sample, clock)


def signed_in(api: Api, user: str) -> str:
    """Signs in through the form; the session's CSRF token."""
    sign_in(api, user)
    return csrf_of(api.client.get("/dashboard").text)


def count(engine, model, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def hidden(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}


def figure(page: str, name: str) -> str:
    m = re.search(rf'data-figure="{name}"[^>]*>(.*?)</(?:td|dd|p)>', page, re.S)
    assert m, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split())


def field_error(page: str, name: str) -> str:
    m = re.search(rf'<p class="field-error" id="err-{name}">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


def customer_options(page: str) -> set[str]:
    select_ = re.search(r'<select id="customer".*?</select>', page, re.S)
    assert select_, "no customer select"
    return set(re.findall(r'<option value="([^"]+)"', select_.group(0)))


def preview(api: Api, csrf: str, **form: str):
    return api.client.post("/orders/new", data={"csrf": csrf, **form})


def confirm(api: Api, data: dict[str, str]):
    return api.client.post("/orders/new/confirm", data=data, follow_redirects=False)


# --- the form, as the core scopes it -----------------------------------------------------------


@pytest.mark.parametrize("user", ["U-ADM", "U-MGR-KA", "U-REP-1", "U-DIST-BLR"])
def test_each_ordering_role_chooses_among_the_customers_the_core_lets_it_order_for(api, sample, user):
    signed_in(api, user)
    page = api.client.get("/orders/new")
    assert page.status_code == 200
    with Session(sample) as s:
        actor = load_actor(s, user)
        seen = visible_customer_codes(s, actor)
        blocked = set(s.exec(select(Customer.code).where(Customer.status == "blocked")).all())
        everyone = set(s.exec(select(Customer.code)).all())
    assert customer_options(page.text) == (everyone if seen is None else seen) - blocked
    if user == "U-MGR-KA":  # Karnataka's customers only: Murugan Stores (Chennai) is not offered
        assert "R-101" in customer_options(page.text) and "R-105" not in customer_options(page.text)
        assert "Murugan" not in page.text
    assert 'href="/orders/new"' in api.client.get("/orders").text  # the orders page links here


def test_a_retailer_orders_for_itself_without_a_customer_field(api, sample):
    csrf = signed_in(api, "U-RET-101")
    page = api.client.get("/orders/new").text
    assert 'name="customer"' not in page and "Anand Kirana Store" in page and "Fresh Mart" not in page
    before = count(sample, Order)
    shown = preview(api, csrf, **{"sku-0": "CC-100", "qty-0": "3", "unit-0": "BOX", "terms": "cash_on_delivery"})
    assert shown.status_code == 200 and "Cash on delivery" in figure(shown.text, "payment")
    done = confirm(api, hidden(shown.text))
    assert done.status_code == 303
    with Session(sample) as s:
        order = s.get(Order, done.headers["location"].split("/")[-1].split("?")[0])
        assert (order.customer, order.payment, order.channel) == ("R-101", "cash_on_delivery", "web")
    # a forged customer field is the core's to refuse; nothing is created
    forged = preview(api, csrf, customer="R-102", **{"sku-0": "CC-100", "qty-0": "3"})
    assert forged.status_code == 400 and "your own shop" in forged.text
    assert count(sample, Order) == before + 1


def test_a_role_that_may_not_order_gets_the_cores_refusal(api):
    csrf = signed_in(api, "U-WH-1")
    page = api.client.get("/orders/new")
    assert page.status_code == 403 and "A warehouse may not place orders." in page.text
    assert 'href="/orders/new"' not in api.client.get("/orders").text
    posted = preview(api, csrf, customer="R-101", **LINES)
    assert posted.status_code == 403 and "A warehouse may not place orders." in posted.text


# --- the preview is the core's ------------------------------------------------------------------------


def test_the_preview_shows_the_cores_figures(api, sample, clock):
    csrf = signed_in(api, "U-MGR-KA")
    before = count(sample, Order)
    shown = preview(api, csrf, customer="R-101", **LINES)
    assert shown.status_code == 200
    with Session(sample) as s:
        p = preview_order(s, load_actor(s, "U-MGR-KA", "web"), clock, ITEMS, "R-101")
    page = shown.text
    assert (figure(page, "total"), figure(page, "gross"), figure(page, "tax"), figure(page, "discount")) == (
        rs(p.total),
        rs(p.gross),
        rs(p.tax),
        rs(p.discount),
    )
    for ln in p.lines:
        row = re.search(rf'<tr data-sku="{ln.sku}">(.*?)</tr>', page, re.S).group(1)
        for value in (ln.unit_price, ln.gross, ln.discount, ln.tax, ln.line_total):
            assert html.escape(rs(value)) in row or rs(value) in html.unescape(row), (ln.sku, value)
    for a in p.applied:
        assert a.code in page
    assert hidden(page)["fingerprint"] == p.fingerprint()
    # six cases of GD-1L take Anand over his credit limit: the core says it waits for a manager
    assert p.needs_approval and figure(page, "status") == "waiting for approval"
    assert "over the limit" in figure(page, "credit") and "Needs approval by a manager" in figure(page, "approval")
    assert count(sample, Order) == before  # a preview changes nothing


# --- placing it, once ---------------------------------------------------------------------------------


def test_place_the_order_with_an_advance_once_and_a_repeat_lands_on_it(api, sample):
    csrf = signed_in(api, "U-MGR-KA")
    before, payments = count(sample, Order), count(sample, Payment)
    form = {"customer": "R-101", **LINES, "terms": "advance", "advance": "1,000", "method": "cheque"}
    shown = preview(api, csrf, **form, reference="CHQ-4411")
    assert "Advance of ₹1,000.00 by Cheque, reference CHQ-4411" in figure(shown.text, "payment")
    assert figure(shown.text, "status") == "confirmed at once"  # the advance keeps it inside the limit
    data = hidden(shown.text)
    first = confirm(api, data)
    assert first.status_code == 303 and first.headers["location"].endswith("?done=placed")
    order_no = first.headers["location"].split("/")[-1].split("?")[0]
    again = confirm(api, data)  # a double click, a second tab, a reload of the POST
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert count(sample, Order) == before + 1 and count(sample, Payment) == payments + 1
    with Session(sample) as s:
        order = s.get(Order, order_no)
        assert (order.customer, order.status, order.payment, order.channel) == ("R-101", "confirmed", "advance", "web")
        paid = s.exec(select(Payment).where(Payment.order_no == order_no)).one()
        assert (paid.amount, paid.method, paid.reference, paid.channel) == (
            Decimal("1000.00"),
            "cheque",
            "CHQ-4411",
            "web",
        )
        audited = s.exec(select(AuditEntry).where(AuditEntry.entity_id == order_no)).all()
        assert [(a.action, a.user_id, a.channel) for a in audited] == [("order.create", "U-MGR-KA", "web")]
    page = api.client.get(first.headers["location"])
    assert f"Order {order_no} placed." in page.text
    assert (
        figure(page.text, "payment")
        == "Advance of ₹1,000.00 by Cheque, reference CHQ-4411; the rest on the customer's terms"
    )
    # the same key with other contents is refused, and places nothing
    forged = confirm(api, {**data, "qty-0": "20"})
    assert forged.status_code == 409 and count(sample, Order) == before + 1


def test_a_price_changed_since_the_preview_shows_the_new_preview_and_places_nothing(api, sample):
    csrf = signed_in(api, "U-MGR-KA")
    shown = preview(api, csrf, customer="R-101", **{"sku-0": "CC-100", "qty-0": "2", "unit-0": "box"})
    assert figure(shown.text, "total") == "₹283.20"
    with transaction(sample) as s:  # a price for Anand alone, from today
        s.add(Price(sku="CC-100", price=Decimal("9.00"), customer="R-101", valid_from=date(2026, 11, 1)))
    before = count(sample, Order)
    changed = confirm(api, hidden(shown.text))
    assert changed.status_code == 409 and "changed since the preview" in changed.text
    assert figure(changed.text, "total") == "₹254.88" and count(sample, Order) == before
    placed = confirm(api, hidden(changed.text))  # the new preview, confirmed
    assert placed.status_code == 303 and count(sample, Order) == before + 1


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"sku-0": "XX-1", "qty-0": "2"}, "sku-0", "Unknown product code: XX-1."),
        ({"sku-0": "CC-100", "qty-0": "0"}, "qty-0", "must be positive"),
        ({"sku-0": "CC-100", "qty-0": "-2"}, "qty-0", "must be positive"),
        ({"sku-0": "CC-100", "qty-0": "abc"}, "qty-0", "'abc' is not a number"),
        ({"sku-0": "CC-100", "qty-0": "1.5"}, "qty-0", "not a whole number of PCS"),
        ({"sku-0": "CC-100", "qty-0": ""}, "qty-0", "How many of Crunchy Cream 100g?"),
        ({"sku-0": "CC-100", "qty-0": "2", "unit-0": "crate"}, "unit-0", "it has no CRATE"),
        ({"sku-0": "CC-100", "qty-0": "2", "terms": "advance", "method": "upi"}, "advance", "needs its amount"),
        ({"sku-0": "CC-100", "qty-0": "2", "terms": "advance", "advance": "100"}, "method", "needs its method"),
        (
            {"sku-0": "CC-100", "qty-0": "2", "terms": "advance", "advance": "ten", "method": "upi"},
            "advance",
            "not an amount",
        ),
        (
            {"sku-0": "CC-100", "qty-0": "2", "terms": "advance", "advance": "-5", "method": "upi"},
            "advance",
            "positive",
        ),
        (
            {"sku-0": "CC-100", "qty-0": "2", "terms": "advance", "advance": "5000", "method": "upi"},
            "advance",
            "more than the order's total",
        ),
        ({"sku-0": "CC-100", "qty-0": "2", "customer": ""}, "customer", "Which customer is this order for?"),
        ({"sku-0": "CC-100", "qty-0": "2", "customer": "R-107"}, "customer", "is blocked"),
        ({"sku-0": "CC-100", "qty-0": "5000", "unit-0": "case"}, "qty-0", "available in WH-BLR"),
        ({}, "sku-0", "Add at least one product"),
    ],
)
def test_bad_input_is_said_next_to_its_field_kept_and_creates_nothing(api, sample, form, field, words):
    csrf = signed_in(api, "U-MGR-KA")
    before, payments = count(sample, Order), count(sample, Payment)
    r = preview(api, csrf, **{"customer": "R-101", **form})
    assert r.status_code == 400
    said = field_error(r.text, field)
    assert words in said and "\n" not in said.strip() and "Traceback" not in r.text, said
    assert f'aria-describedby="err-{field}"' in r.text
    for name, value in form.items():  # what was typed comes back as typed
        if value and name not in ("terms", "method", "customer"):
            assert f'name="{name}" value="{html.escape(value)}"' in r.text or f'value="{value}"' in r.text, name
    assert count(sample, Order) == before and count(sample, Payment) == payments


def test_add_a_row_without_javascript_keeps_what_was_typed(api):
    csrf = signed_in(api, "U-MGR-KA")
    rows = {f"sku-{i}": "CC-100" for i in range(5)} | {f"qty-{i}": str(i + 1) for i in range(5)}
    r = preview(api, csrf, customer="R-101", action="add_row", **rows)
    assert r.status_code == 200 and 'name="sku-5"' in r.text and 'name="qty-4" value="5"' in r.text
    assert '<option value="R-101" selected>' in r.text


def test_without_the_csrf_token_nothing_is_previewed_or_placed(api, sample):
    csrf = signed_in(api, "U-MGR-KA")
    data = hidden(preview(api, csrf, customer="R-101", **LINES).text)
    before = count(sample, Order)
    assert api.client.post("/orders/new", data={"customer": "R-101", **LINES}).status_code == 403
    assert confirm(api, {k: v for k, v in data.items() if k != "csrf"}).status_code == 403
    assert confirm(api, {**data, "csrf": "not-the-token"}).status_code == 403
    assert count(sample, Order) == before


def test_an_out_of_scope_customer_looks_exactly_like_a_nonexistent_one(api, sample):
    csrf = signed_in(api, "U-MGR-KA")
    theirs = preview(api, csrf, customer="R-105", **LINES)  # Murugan Stores, Chennai: Tamil Nadu's
    nobody = preview(api, csrf, customer="R-999", **LINES)
    assert theirs.status_code == nobody.status_code == 400
    assert field_error(theirs.text, "customer") == "No customer 'R-105' that you can see."
    assert theirs.text.replace("R-105", "R-999") == nobody.text
    # placing one directly (a forged confirmation) is refused the same way
    data = {**hidden(preview(api, csrf, customer="R-101", **LINES).text), "customer": "R-105"}
    before = count(sample, Order)
    forged = confirm(api, data)
    assert forged.status_code == 409 and field_error(forged.text, "customer") == "No customer 'R-105' that you can see."
    assert count(sample, Order) == before


# --- N processes confirming one preview at once ---------------------------------------------------------------


def _web_confirm(engine, clock, cookie, data):
    """One browser tab's POST of a confirmation, through the real app in this process."""
    from fastapi.testclient import TestClient

    from agent.runtime import Assistant
    from channels.web.app import create_app

    client = TestClient(create_app(engine, clock, Assistant(engine, clock)))
    client.cookies.set(SESSION_COOKIE, cookie)

    def go():
        r = client.post("/orders/new/confirm", data=data, follow_redirects=False)
        if r.status_code != 303:
            raise racing._Refused(str(r.status_code), r.text[:300])
        return r.headers["location"]

    return go


racing.OPS["web_confirm"] = _web_confirm  # the processes are forked: they find it here


def test_eight_tabs_confirming_one_preview_place_one_order(api, sample):
    csrf = signed_in(api, "U-MGR-KA")
    form = {"customer": "R-101", **LINES, "terms": "advance", "advance": "500", "method": "upi", "reference": "R8"}
    data = hidden(preview(api, csrf, **form).text)
    cookie = api.client.cookies.get(SESSION_COOKIE)
    before = count(sample, Order)
    results = race(sample.url_string, NOW, [("web_confirm", (cookie, data))] * 8)
    assert [r for r in results if r.kind != "won"] == []
    assert len({r.detail for r in results}) == 1  # every tab lands on the same order
    order_no = results[0].detail.split("/")[-1].split("?")[0]
    assert count(sample, Order) == before + 1
    assert count(sample, Payment, Payment.order_no == order_no) == 1
    assert count(sample, AuditEntry, AuditEntry.entity_id == order_no, AuditEntry.action == "order.create") == 1
