"""/admin/evals in headless Chromium (Debian's package, through Playwright) against a real server:
an admin starts a tiny suite, watches its progress reach the end (htmx polling under the app's
strict CSP), opens the report (served under its own sandboxing CSP, its filter script allowed by
hash) and the list of runs; axe-core finds no serious or critical violation. Screenshots go to
out/screenshots/evals-*.png."""

import re
from pathlib import Path

import pytest

from agent.runtime import Assistant
from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from core.settings import load_settings
from live_server import CHROMIUM, SHOTS, axe_serious, serving

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]


def tiny_suite(folder: Path) -> list[str]:
    """The first three scenarios of evals/sample/queries.yaml, their world named absolutely."""
    text = (ROOT / "evals" / "sample" / "queries.yaml").read_text(encoding="utf-8")
    text = text.replace("../../worlds/demo", str(ROOT / "worlds" / "demo"))
    items = text.split("\n- id: ")
    kept = "\n- id: ".join(items[:4])  # the comment line and three scenarios
    folder.mkdir()
    (folder / "tiny.yaml").write_text(kept + "\n", encoding="utf-8")
    return [i.split("\n", 1)[0].strip() for i in items[1:4]]


@pytest.fixture
def setup(sample, clock, tmp_path):
    ids = tiny_suite(tmp_path / "tiny")
    settings = load_settings(data_dir=tmp_path / "data", eval_suites=[tmp_path / "tiny"])
    with serving(create_app(sample, clock, Assistant(sample, clock), settings)) as url:
        yield url, ids, (tmp_path / "tiny").resolve().as_posix()


def open_page(browser, server, *, axe=False):
    """A fresh context; every request must stay on the server. With `axe`, CSP is bypassed so the
    test can inject axe-core (the app's own pages never need it)."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, bypass_csp=axe, accept_downloads=True)
    page = ctx.new_page()
    page.external, page.errors, page.polls = [], [], []
    page.on("request", lambda r: None if r.url.startswith(server) else page.external.append(r.url))
    page.on("request", lambda r: page.polls.append(r.url) if r.url.endswith("/progress") else None)
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return page


def sign_in(page, server, engine, clock, user):
    with transaction(engine) as s:
        secret = issue_token(s, user, clock=clock)
    page.goto(server + "/admin/evals")
    assert "/signin" in page.url
    page.fill("#token", secret)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/evals")


def test_admin_runs_a_suite_watches_it_and_opens_the_report(setup, browser, sample, clock):
    server, ids, label = setup
    page = open_page(browser, server, axe=True)
    sign_in(page, server, sample, clock, "U-ADM")
    assert page.inner_text("#eval-runs tbody") == "No runs yet."
    page.select_option("#e-suite", label)
    assert page.input_value("#e-model") == "offline"
    page.screenshot(path=str(SHOTS / "evals-start.png"), full_page=True)
    assert axe_serious(page) == []

    page.click("button:has-text('Start the run')")
    page.wait_for_url(re.compile(r".*/admin/evals/runs/\d+$"))
    first = page.get_attribute("#eval-progress", "data-status")
    page.screenshot(path=str(SHOTS / "evals-running.png"), full_page=True)
    page.wait_for_selector("#eval-done", timeout=180_000)  # swapped in by the polling, no reload
    assert first != "running" or page.polls, "the page never polled"
    assert page.inner_text("#eval-count") == "3 of 3 scenarios run"
    rate = page.inner_text("#eval-rate")
    assert re.fullmatch(r"\d+\.\d%", rate)
    page.screenshot(path=str(SHOTS / "evals-done.png"), full_page=True)
    assert axe_serious(page) == []
    polls = len(page.polls)
    page.wait_for_timeout(2500)
    assert len(page.polls) == polls  # the finished fragment stops the polling
    run_url = page.url

    # the report, under its own CSP (a context that keeps CSP: its filter script must still run)
    report = open_page(browser, server)
    report.context.add_cookies(page.context.cookies())
    report.goto(run_url)
    report.click("#eval-report")
    report.wait_for_url("**/report.html")
    for i in ids:
        assert report.is_visible(f"details.sc:has-text('{i}')")
    report.wait_for_selector("#count:has-text('3 shown')")
    report.fill("#q", ids[0])
    report.wait_for_selector("#count:has-text('1 shown')")  # the hashed inline script runs
    report.screenshot(path=str(SHOTS / "evals-report.png"), full_page=True)
    assert report.external == [] and report.errors == [], (report.external, report.errors)

    # the list of runs: this one, with who started it and its pass rate
    page.goto(server + "/admin/evals")
    row = page.inner_text("#eval-runs tbody tr")
    assert label in row and "U-ADM" in row and rate in row and "offline" in row
    page.screenshot(path=str(SHOTS / "evals-list.png"), full_page=True)
    assert axe_serious(page) == []
    assert page.external == [] and page.errors == [], (page.external, page.errors)


def test_a_second_start_while_one_runs_says_so(setup, browser, sample, clock):
    """Two tabs of the admin: the second start, while the first runs, is refused in one line."""
    server, ids, label = setup
    page = open_page(browser, server)
    sign_in(page, server, sample, clock, "U-ADM")
    other = page.context.new_page()
    other.goto(server + "/admin/evals")
    page.select_option("#e-suite", label)
    page.click("button:has-text('Start the run')")
    page.wait_for_url(re.compile(r".*/admin/evals/runs/\d+$"))
    if page.get_attribute("#eval-progress", "data-status") == "running":
        other.select_option("#e-suite", label)
        other.click("button:has-text('Start the run')")
        other.wait_for_selector("#eval-error")
        assert other.inner_text("#eval-error").startswith("An evaluation run is already going")
        other.screenshot(path=str(SHOTS / "evals-refused.png"), full_page=True)
    page.wait_for_selector("#eval-done", timeout=180_000)
