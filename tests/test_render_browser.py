"""The web chat's tables in headless Chromium at a phone's width (390 px) and a desktop's: a real,
escaped HTML table that scrolls sideways inside its own box, never the page. Screenshots go to
out/artifacts/render-*.png."""

from pathlib import Path

import pytest

from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from live_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, serving
from tests.test_render import REPLIES, SPECIAL, Canned

ARGS = CHROMIUM_ARGS

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture
def server(sample, clock):
    with serving(create_app(sample, clock, Canned(REPLIES))) as url:
        with transaction(sample) as s:
            token = issue_token(s, "U-RET-101", clock=clock)
        yield url, token


BOX = """(li) => {
  const box = li.querySelector('.table-box'), r = box.getBoundingClientRect();
  return {left: r.left, right: r.right, scrollWidth: box.scrollWidth, clientWidth: box.clientWidth,
          rows: box.querySelectorAll('tbody tr').length, cols: box.querySelectorAll('thead th').length};
}"""
PAGE = "() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})"


def ask(page, key: str):
    before = page.locator("#log li.bot").count()
    page.fill("#message", key)
    page.click("#send")
    reply = page.locator("#log li.bot").nth(before)
    reply.wait_for()
    return reply


@pytest.mark.parametrize("width,height,name", [(390, 844, "phone-390"), (1280, 900, "desktop-1280")])
def test_tables_scroll_inside_their_box_never_the_page(server, width, height, name):
    url, token = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(
                viewport={"width": width, "height": height}, device_scale_factor=2 if width < 500 else 1
            )
            page.goto(url + "/")
            page.fill("#token", token)
            page.click("#signin-button")
            page.wait_for_selector("#chat:not([hidden])")

            wide = ask(page, "outstanding")
            box = wide.evaluate(BOX)
            assert (box["rows"], box["cols"]) == (30, 10)  # the whole table: the web has the room
            if width < 500:
                assert box["scrollWidth"] > box["clientWidth"]  # ten columns scroll inside the box...
            assert box["left"] >= 0 and box["right"] <= width  # ...which stays on the screen
            assert wide.locator(".text").inner_text() == REPLIES["outstanding"].text  # the text as written
            numbers = wide.locator("td.num")
            assert numbers.count() == 30 * 8
            assert numbers.first.evaluate("td => getComputedStyle(td).textAlign") == "right"
            assert wide.locator(".table-title").inner_text() == "Outstanding"
            assert wide.locator("[role=region]").get_attribute("aria-labelledby") == wide.locator(
                ".table-title"
            ).get_attribute("id")

            order = ask(page, "order")
            box = order.evaluate(BOX)
            assert box["rows"] == 3 and order.locator("button.confirm").count() == 1
            assert box["scrollWidth"] <= box["clientWidth"]  # three columns fit even a phone: no scrolling
            special = ask(page, "special")
            assert special.locator(".text").inner_text() == SPECIAL.text  # <, & and emoji as text
            assert special.locator("td").nth(4).inner_text() == "<script>alert(1)</script>"
            assert special.locator(".table-title").inner_text() == "Tea & <co>"
            assert page.evaluate("document.querySelectorAll('#log script, #log b, #log a').length") == 0
            special.screenshot(path=str(ARTIFACTS / f"render-{name}-special.png"))
            order.screenshot(path=str(ARTIFACTS / f"render-{name}-order.png"))
            plain = ask(page, "plain")
            assert plain.locator("table").count() == 0

            page.evaluate("window.scrollTo(0, 0)")
            state = page.evaluate(PAGE)
            assert state["scrollWidth"] <= state["innerWidth"], state  # the page itself never scrolls sideways
            page.screenshot(path=str(ARTIFACTS / f"render-{name}.png"), full_page=True)

            # scrolled to its end, the box shows the last column and keeps the first (the codes) in view
            wide.scroll_into_view_if_needed()
            wide.screenshot(path=str(ARTIFACTS / f"render-{name}-table.png"))
            moved = wide.evaluate("""(li) => {
              const box = li.querySelector('.table-box');
              box.scrollLeft = box.scrollWidth;
              const b = box.getBoundingClientRect();
              const last = li.querySelector('thead th:last-child').getBoundingClientRect();
              const first = li.querySelector('tbody td:first-child').getBoundingClientRect();
              return {scrollLeft: box.scrollLeft, lastRight: last.right, firstLeft: first.left,
                      boxLeft: b.left, boxRight: b.right};
            }""")
            assert moved["scrollLeft"] > 0 and moved["lastRight"] <= moved["boxRight"] + 1
            assert abs(moved["firstLeft"] - moved["boxLeft"]) <= 2  # the first column is sticky
            assert page.evaluate(PAGE)["scrollWidth"] <= width
            wide.screenshot(path=str(ARTIFACTS / f"render-{name}-scrolled.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / f"render-{name}.png").stat().st_size > 10_000
