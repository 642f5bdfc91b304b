"""The web chat page in headless Chromium (Debian's package) against a real uvicorn server."""

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from agent.runtime import Assistant
from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from core.tables.orders import Order
from live_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, serving

ARGS = CHROMIUM_ARGS

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture
def server(sample, clock):
    """The app on a free port of 127.0.0.1 (tests/live_server.py)."""
    with serving(create_app(sample, clock, Assistant(sample, clock))) as url:
        yield url


def count_orders(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Order)).one()


def test_sign_in_order_confirm_in_chromium(server, sample, clock):
    with transaction(sample) as s:
        token = issue_token(s, "U-RET-101", clock=clock)
    before = count_orders(sample)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            external = []
            page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
            page.goto(server + "/")
            # a wrong token is refused and the chat stays hidden
            page.fill("#token", "dms_wrong")
            page.click("#signin-button")
            page.wait_for_selector("#signin-error:has-text('not accepted')")
            assert page.is_hidden("#chat")
            page.fill("#token", token)
            page.click("#signin-button")
            page.wait_for_selector("#chat:not([hidden])")
            assert "Anand" in page.inner_text("#who")

            page.fill("#message", "I need 20 boxes of Crunchy Cream 100g")
            page.click("#send")
            preview = page.wait_for_selector("#log li.bot.preview")
            assert "Crunchy Cream 100g" in preview.inner_text() and preview.query_selector("table")
            assert count_orders(sample) == before
            preview.query_selector("button.confirm").click()
            done = page.wait_for_selector("#log li.bot.done")
            assert "SO-" in done.inner_text()
            assert preview.query_selector("button.confirm").is_disabled()  # no second click
            page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)
            assert external == []  # no CDN, nothing outside the server
        finally:
            browser.close()
    assert count_orders(sample) == before + 1
    assert (ARTIFACTS / "webchat.png").stat().st_size > 10_000


def test_a_report_file_downloads_from_the_chat_in_chromium(server, sample, clock, tmp_path):
    import io

    import openpyxl

    with transaction(sample) as s:
        token = issue_token(s, "U-RET-101", clock=clock)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(server + "/")
            page.fill("#token", token)
            page.click("#signin-button")
            page.wait_for_selector("#chat:not([hidden])")
            page.fill("#message", "my order lines in excel")
            page.click("#send")
            link = page.wait_for_selector("#log li.bot .files a.file")
            assert link.inner_text() == "Download order-lines.xlsx"
            with page.expect_download() as got:
                link.click()
            download = got.value
            assert download.suggested_filename == "order-lines.xlsx"
            saved = tmp_path / "order-lines.xlsx"
            download.save_as(saved)
        finally:
            browser.close()
    ws = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    assert [c.value for c in ws[2]][:3] == ["Order no", "Date", "Customer"]
    customers = {r[2] for r in ws.iter_rows(min_row=3, values_only=True) if r[0] != "Total"}
    assert customers == {"R-101"}
