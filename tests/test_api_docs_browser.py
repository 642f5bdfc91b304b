"""`/docs` in headless Chromium against a real server: Swagger UI renders the REST API's
operations from the app's own files, with no request leaving the server and no CSP violation."""

from pathlib import Path

import pytest

from agent.runtime import Assistant
from channels.web.app import create_app
from live_server import CHROMIUM, CHROMIUM_ARGS, serving

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


def test_docs_render_offline_in_chromium(sample, clock):
    with serving(create_app(sample, clock, Assistant(sample, clock))) as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            external, errors = [], []
            page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server + "/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=30_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert any("/api/v1/orders" in x for x in paths), paths
            assert external == [] and errors == [], (external, errors)
        finally:
            browser.close()
