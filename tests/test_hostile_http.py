"""Hostile HTTP input against a real uvicorn server on 127.0.0.1 (the whole app, Slack and Telegram
mounted against their local fakes): bodies limited while they stream, security headers on every
answer, token guessing limited per client address, Slack's timestamp header."""

import json
import socket
import time
from types import SimpleNamespace

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlmodel import Session, func, select

from agent.runtime import Assistant
from channels.web.app import CSP, create_app
from channels.web.auth import SignInFailures, client_key
from core.db import transaction
from core.identities import issue_token
from core.settings import ServerSettings, Settings, SlackSettings, TelegramSettings
from core.tables.audit import AuditEntry
from fake_slack import FakeSlack
from live_server import serving
from tests.fake_telegram import FakeTelegram

SLACK_SECRET, TG_SECRET = "slack-signing-secret", "tg-webhook-secret"
CHUNK = 64 * 1024


@pytest.fixture
def server(sample, clock):
    """uvicorn serving the product's app (web, Slack, Telegram) on a free port of 127.0.0.1."""
    with FakeSlack() as slack, FakeTelegram() as tg:
        settings = Settings(
            slack=SlackSettings(bot_token="xoxb-test", signing_secret=SLACK_SECRET, api_url=slack.url),
            telegram=TelegramSettings(bot_token=tg.token, webhook_secret=TG_SECRET, api_url=tg.url),
        )
        app = create_app(
            sample, clock, Assistant(sample, clock), settings, server=ServerSettings(signin_failures_per_minute=5)
        )
        with serving(app) as url:
            yield SimpleNamespace(url=url, app=app, engine=sample, clock=clock)


class Upload:
    """A chunked body of up to `total` bytes that counts what the client actually sent."""

    def __init__(self, total: int = 300 * 1024 * 1024):
        self.total, self.sent = total, 0

    def __iter__(self):
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"x" * CHUNK


def audit_rows(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(AuditEntry)).one()


# --- 1. bodies limited while streaming ---------------------------------------------------------


@pytest.mark.parametrize(
    "path,status,headers",
    [
        ("/api/chat", 413, {"Content-Type": "application/json"}),  # FastAPI reads the body before the token
        (
            "/slack/events",
            413,
            {"Content-Type": "application/json", "X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"},
        ),  # Bolt needs the body to check the signature
        ("/telegram/webhook", 413, {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
        # answered without reading the body at all: the rest of it must not be read either
        ("/api/signin", 401, {}),
        ("/telegram/webhook", 401, {"Content-Type": "application/json"}),
        ("/nowhere", 404, {}),
    ],
)
def test_a_chunked_upload_is_cut_off_at_the_limit(server, path, status, headers):
    body = Upload()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        r = client.post(path, content=iter(body), headers=headers)
    assert r.status_code == status, r.text
    assert r.request.headers["transfer-encoding"] == "chunked"  # no Content-Length to trust
    if status == 413:
        limit = 1_000_000 if path in ("/slack/events", "/telegram/webhook") else 64 * 1024
        assert r.json()["detail"] == f"The request body is too large: {path} takes at most {limit} bytes."
    # the server stopped reading and closed: far less than the 300 MB got through (socket
    # buffers on both sides hold a few MB at most)
    assert r.headers["connection"] == "close"
    assert body.sent < 32 * 1024 * 1024, f"{body.sent} bytes were sent"


def test_a_declared_length_over_the_limit_is_refused_before_reading(server):
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=10) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 300000000\r\n\r\n"
        )  # and not one byte of the body
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413 "), answer
    assert "/slack/events takes at most 1000000 bytes" in answer


def test_bodies_under_the_limit_still_work(server, sample, clock):
    with transaction(sample) as s:
        token = issue_token(s, "U-RET-101", clock=clock)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        signin = client.post("/api/signin", headers=auth)
        assert signin.status_code == 200
        text = "show my orders " + "x" * 3900  # under the chat's own 4000 characters, as one chunked body
        chunks = iter([json.dumps({"text": text}).encode()[i : i + 1000] for i in range(0, 4100, 1000)])
        r = client.post(
            "/api/chat",
            content=chunks,
            headers={**auth, "Content-Type": "application/json", "X-Chat-Session": signin.json()["session"]},
        )
        assert r.status_code == 200 and r.json()["text"]


# --- 2. security headers ----------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answers = {
            "page": client.get("/"),
            "script": client.get("/static/chat.js"),
            "health": client.get("/health"),
            "api 401": client.post("/api/signin"),
            "missing": client.get("/nowhere"),
            "too large": client.post("/api/chat", content=b"x" * 70_000),
        }
    for name, r in answers.items():
        assert r.headers["content-security-policy"] == CSP, name
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert r.headers["referrer-policy"] == "no-referrer", name
    assert answers["api 401"].headers["cache-control"] == "no-store"
    assert answers["too large"].headers["cache-control"] == "no-store"
    assert "no-store" not in answers["script"].headers.get("cache-control", "")  # static files may be cached
    assert "'unsafe-inline'" not in CSP and "http" not in CSP


# --- 3. token guessing ------------------------------------------------------------------------


def test_token_guessing_is_limited_per_address(server, sample, clock):
    with transaction(sample) as s:
        token = issue_token(s, "U-RET-101", clock=clock)
    guesser = httpx.Client(base_url=server.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    other = httpx.Client(base_url=server.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.3"))
    with guesser, other:
        # five different wrong tokens (the server's limit here), each a 401
        for n in range(5):
            r = guesser.post(
                "/api/signin", headers={"Authorization": f"Bearer dms_guess{n}", "X-Forwarded-For": f"10.0.0.{n}"}
            )  # not believed
            assert r.status_code == 401
        # the sixth gets 429, and so does a valid token from the same address: the address waits
        for auth in ("Bearer dms_guess9", f"Bearer {token}", None):
            r = guesser.post("/api/signin", headers={"Authorization": auth} if auth else {})
            assert r.status_code == 429, r.text
            assert 1 <= int(r.headers["retry-after"]) <= 60
            assert r.json()["text"].startswith("Too many failed sign-ins from your address.")
            assert r.headers["cache-control"] == "no-store"
        # a valid token from another address is unaffected; the rest of the server too
        assert other.post("/api/signin", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert guesser.get("/health").status_code == 200


def test_the_failure_window_slides():
    t = [0.0]
    failures = SignInFailures(3, now=lambda: t[0])
    for _ in range(3):
        assert failures.wait("a") == 0
        failures.failed("a")
        t[0] += 10
    assert failures.wait("a") == 30 and failures.wait("b") == 0
    t[0] = 60.5  # the first failure (at 0) is a minute old
    assert failures.wait("a") == 0
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff") == "2001:db8::/64"
    assert client_key("127.0.0.2") != client_key("127.0.0.3")


# --- 4. Slack's timestamp header --------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "-", "12345678901234567890123"])
def test_a_bad_slack_timestamp_is_a_400(server, timestamp):
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "text": "hi"}}).encode()
    sig = SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=timestamp, body=body)
    before = audit_rows(server.engine)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        r = client.post(
            "/slack/events",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": sig,
            },
        )
    assert r.status_code == 400, r.text
    assert r.json()["detail"] == "X-Slack-Request-Timestamp must be a Unix time in seconds."
    assert audit_rows(server.engine) == before


def test_a_stale_but_well_formed_slack_timestamp_is_still_refused_by_bolt(server):
    body = b'{"type": "event_callback"}'
    ts = str(int(time.time()) - 3600)
    sig = SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        r = client.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig},
        )
    assert r.status_code == 401


def test_the_chat_page_works_under_its_csp_which_blocks_inline_script(server):
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    from test_webchat_browser import ARGS, CHROMIUM  # skips the module's way when Chromium is missing

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            console = []
            page.on("console", lambda m: console.append(m.text))
            page.goto(server.url + "/")
            page.evaluate("""() => { window.violations = [];
                document.addEventListener('securitypolicyviolation',
                                          e => window.violations.push(e.violatedDirective)); }""")
            page.fill("#token", "dms_wrong")
            page.click("#signin-button")  # the page's own script runs and talks to the server
            page.wait_for_selector("#signin-error:has-text('not accepted')")
            # an injected inline script (what an HTML injection would add) does not run
            page.evaluate("""() => { const s = document.createElement('script');
                s.textContent = 'window.injected = true'; document.body.appendChild(s); }""")
            page.wait_for_function("window.violations.length > 0")
            assert page.evaluate("window.injected") is None
            assert page.evaluate("window.violations") == ["script-src-elem"]
        finally:
            browser.close()
    assert [m for m in console if "Content Security Policy" in m and "inline" not in m] == []
