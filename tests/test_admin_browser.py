"""The admin pages in headless Chromium (Debian's package, through Playwright) against a real
server: an admin uploads a zipped world with errors (the table of them), then a good one
(confirmed, imported, signed out by the replace); issues a token that then works for the API;
axe-core (vendored, offline) finds nothing serious on any admin page. Screenshots go to
out/screenshots/admin-*.png."""

import zipfile
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from core.db import transaction
from core.identities import issue_token
from core.tables.catalogue import Brand
from live_server import CHROMIUM, SHOTS, axe_serious
from tests.conftest import SAMPLE_WORLD

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


def admin_page(browser, server, engine, clock):
    """A signed-in admin in a fresh context; CSP is bypassed only so axe-core can be injected."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = ctx.new_page()
    page.external, page.errors = [], []
    page.on("request", lambda r: None if r.url.startswith(server) else page.external.append(r.url))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    with transaction(engine) as s:
        secret = issue_token(s, "U-ADM", clock=clock)
    page.goto(server + "/admin")
    page.fill("#token", secret)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin")
    return page


def world_zip(path: Path, edits: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(SAMPLE_WORLD.glob("*.csv")):
            zf.writestr(f"world/{f.name}", edits.get(f.name, f.read_text()))
    return path


def test_admin_imports_a_world_and_issues_a_token(server, browser, sample, clock, tmp_path):
    page = admin_page(browser, server, sample, clock)
    found = {"admin": axe_serious(page)}
    page.screenshot(path=str(SHOTS / "admin-index.png"), full_page=True)

    # a world with errors in two files: the table lists each, nothing is written
    skus = (SAMPLE_WORLD / "skus.csv").read_text().replace(",18,12.00,", ",lots,12.00,", 1)
    brands = (SAMPLE_WORLD / "brands.csv").read_text() + "NEW-BRAND,,\n"
    bad = world_zip(tmp_path / "bad.zip", {"skus.csv": skus, "brands.csv": brands})
    page.click("a[href='/admin/import']")
    page.wait_for_url("**/admin/import")
    found["import"] = axe_serious(page)
    page.set_input_files("#world", str(bad))
    page.check("#replace")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("#import-errors")
    rows = page.locator("#import-errors tbody tr").all_inner_texts()
    assert any(r.startswith("brands.csv\t") and "\tname\t" in r for r in rows), rows
    assert any(r.startswith("skus.csv\t2\ttax_rate\t") for r in rows), rows
    found["import errors"] = axe_serious(page)
    page.screenshot(path=str(SHOTS / "admin-import-errors.png"), full_page=True)
    with Session(sample) as s:
        assert s.get(Brand, "NEW-BRAND") is None
    assert page.errors == ["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]
    page.errors.clear()  # the errors page is a 422, which Chromium logs; nothing else may be

    # a good one: checked, confirmed with the box ticked, imported; the replace signs everyone out
    good = world_zip(tmp_path / "good.zip", {"brands.csv": brands.replace("NEW-BRAND,,", "NEW-BRAND,New Brand,")})
    page.set_input_files("#world", str(good))
    page.check("#replace")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("#import-rows")
    assert "This will replace all data" in page.inner_text("main")
    found["import confirm"] = axe_serious(page)
    page.screenshot(path=str(SHOTS / "admin-import-confirm.png"), full_page=True)
    page.check("#confirm")
    page.click("form.confirm-form button[type=submit]")
    page.wait_for_selector("#import-counts")
    assert "good.zip imported" in page.inner_text("h1") and "signed in again" in page.inner_text("main")
    found["import done"] = axe_serious(page)
    page.screenshot(path=str(SHOTS / "admin-import-done.png"), full_page=True)
    with Session(sample) as s:
        assert s.get(Brand, "NEW-BRAND").name == "New Brand"

    # users (of the new world, signed in again): a new token for a manager, confirmed, shown once
    page.click("a[href='/admin/users']")
    page.wait_for_selector("#users")
    found["users"] = axe_serious(page)
    page.screenshot(path=str(SHOTS / "admin-users.png"), full_page=True)
    page.click("tr[data-user='U-MGR-KA'] button[value='token']")
    page.wait_for_selector("h1:has-text('Issue a new access token')")
    found["user confirm"] = axe_serious(page)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#secret")
    token = page.input_value("#secret")
    found["token"] = axe_serious(page)
    page.screenshot(path=str(SHOTS / "admin-token.png"), full_page=True)
    r = httpx.get(server + "/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert {k: v for k, v in found.items() if v} == {}
    assert page.external == [] and page.errors == [], (page.external, page.errors)
    page.context.close()
