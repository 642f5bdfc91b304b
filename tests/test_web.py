"""The web server and web chat API: tokens, chat, confirmations bound to their user, limits, logs."""

import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from agent.runtime import Assistant
from agent.store import ConversationMessage
from channels.ratelimit import RateLimiter
from channels.web.app import create_app
from channels.web.logs import JsonFormatter
from core.db import transaction
from core.identities import issue_token, user_for_token
from core.settings import ServerSettings
from core.tables.audit import AuditEntry
from core.tables.orders import Order
from core.tables.parties import User

ORDER_TEXT = "I need 20 boxes of Crunchy Cream 100g"
ROOT = Path(__file__).resolve().parents[1]


def token_for(engine, clock, user_id: str) -> str:
    with transaction(engine) as s:
        return issue_token(s, user_id, clock=clock)


def orders(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Order)).one()


class Chat:
    """One browser session of one user, talking to the API."""

    def __init__(self, client: TestClient, token: str):
        self.client = client
        self.auth = {"Authorization": f"Bearer {token}"}
        r = client.post("/api/signin", headers=self.auth)
        assert r.status_code == 200, r.text
        self.user, self.session = r.json()["user"], r.json()["session"]
        self.headers = {**self.auth, "X-Chat-Session": self.session}

    def say(self, text: str):
        return self.client.post("/api/chat", json={"text": text}, headers=self.headers)

    def press(self, button: str, action_id: str):
        return self.client.post(f"/api/{button}", json={"action_id": action_id}, headers=self.headers)


@pytest.fixture
def web(sample, clock):
    app = create_app(sample, clock, Assistant(sample, clock), server=ServerSettings(rate_limit_per_minute=20))
    with TestClient(app) as client:
        yield client


def test_health_and_request_ids(web):
    r = web.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["database"] == "ok"
    assert len(r.headers["x-request-id"]) == 32
    assert web.get("/health", headers={"X-Request-ID": "lb-42"}).headers["x-request-id"] == "lb-42"
    assert web.get("/health", headers={"X-Request-ID": "bad id\x01"}).headers["x-request-id"] != "bad id\x01"


def test_tokens_are_stored_only_as_hashes(sample, clock):
    token = token_for(sample, clock, "U-RET-101")
    with Session(sample) as s:
        user = s.get(User, "U-RET-101")
        assert user.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in user.token_hash
        assert user_for_token(s, token).id == "U-RET-101"
        assert user_for_token(s, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert user_for_token(s, user.token_hash) is None  # the stored hash is not a token
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "user.token_issued")).all()
        assert [a.entity_id for a in audit] == ["U-RET-101"]
    newer = token_for(sample, clock, "U-RET-101")
    with Session(sample) as s:
        assert user_for_token(s, token) is None and user_for_token(s, newer).id == "U-RET-101"


def test_no_token_or_a_bad_one_gets_401_and_no_data(web, sample):
    for headers in ({}, {"Authorization": "Bearer dms_not-a-token"}, {"Authorization": "Basic dXNlcjpwdw=="}):
        r = web.post("/api/chat", json={"text": "show my orders"}, headers=headers)
        assert r.status_code == 401 and r.json() == {"detail": "Sign in with a valid access token."}
        assert web.post("/api/signin", headers=headers).status_code == 401
    with Session(sample) as s:
        assert s.exec(select(func.count()).select_from(ConversationMessage)).one() == 0


def test_order_preview_confirm_in_the_web_chat(web, sample, clock):
    before = orders(sample)
    chat = Chat(web, token_for(sample, clock, "U-RET-101"))
    assert chat.user == {"id": "U-RET-101", "name": "Anand", "role": "retailer"}
    preview = chat.say(ORDER_TEXT).json()
    assert preview["outcome"] == "preview" and preview["awaiting_confirmation"]
    assert preview["table"]["columns"][0] == "Code" and preview["table"]["rows"][0][0] == "CC-100"
    assert [a["id"] for a in preview["actions"]] == ["confirm", "cancel"]
    action = preview["actions"][0]["value"]
    assert orders(sample) == before  # a preview changes nothing
    done = chat.press("confirm", action).json()
    assert done["outcome"] == "done" and "SO-" in done["text"] and done["actions"] == []
    assert orders(sample) == before + 1
    again = chat.press("confirm", action).json()  # a second click (or a replay) does nothing
    assert again["outcome"] == "answered" and "nothing waiting" in again["text"] and orders(sample) == before + 1


def test_a_confirm_button_works_only_for_the_user_who_asked(web, sample, clock):
    before = orders(sample)
    token = token_for(sample, clock, "U-RET-101")
    asker = Chat(web, token)
    action = asker.say(ORDER_TEXT).json()["actions"][0]["value"]
    other = Chat(web, token_for(sample, clock, "U-MGR-KA"))
    stolen = other.press("confirm", action).json()
    assert "nothing waiting" in stolen["text"] and "SO-" not in stolen["text"]
    # the same user in another browser session has a conversation of its own
    second_tab = Chat(web, token)
    assert "nothing waiting" in second_tab.press("confirm", action).json()["text"]
    assert orders(sample) == before
    assert asker.press("confirm", action).json()["outcome"] == "done" and orders(sample) == before + 1


def test_cancel_drops_the_preview(web, sample, clock):
    before = orders(sample)
    chat = Chat(web, token_for(sample, clock, "U-RET-101"))
    action = chat.say(ORDER_TEXT).json()["actions"][1]["value"]
    assert chat.press("cancel", action).json()["outcome"] == "dropped"
    assert "nothing waiting" in chat.press("confirm", action).json()["text"] and orders(sample) == before


def test_oversized_messages_are_refused_with_a_reply(web, sample, clock):
    chat = Chat(web, token_for(sample, clock, "U-RET-101"))
    r = chat.say("x" * 4001)
    assert r.status_code == 413 and r.json()["outcome"] == "refused"
    assert r.json()["text"].startswith("That message is too long (4001 characters; the limit is 4000)")
    huge = web.post(
        "/api/chat",
        content=b'{"text": "' + b"y" * 70000 + b'"}',
        headers={**chat.headers, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    with Session(sample) as s:
        assert s.exec(select(func.count()).select_from(ConversationMessage)).one() == 0
    assert chat.say("show my orders").status_code == 200


def test_each_user_is_rate_limited_politely(sample, clock):
    app = create_app(sample, clock, Assistant(sample, clock), server=ServerSettings(rate_limit_per_minute=3))
    with TestClient(app) as client:
        chat = Chat(client, token_for(sample, clock, "U-RET-101"))
        assert [chat.say("show my orders").status_code for _ in range(3)] == [200, 200, 200]
        r = chat.say("show my orders")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["outcome"] == "refused" and "faster than I can take them" in r.json()["text"]
        other = Chat(client, token_for(sample, clock, "U-RET-102"))
        assert other.say("show my orders").status_code == 200  # buckets are per user


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(per_minute=2, now=lambda: now[0])
    assert [limiter.allow("u") for _ in range(3)] == [True, True, False]
    assert limiter.retry_after("u") == 30 and limiter.allow("v")
    now[0] = 30.0
    assert limiter.allow("u") and not limiter.allow("u")


def test_request_logs_are_json_lines_with_the_request_id_and_user(web, sample, clock):
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(JsonFormatter().format(record))
    logger = logging.getLogger("dms.http")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        chat = Chat(web, token_for(sample, clock, "U-RET-101"))
        web.post("/api/chat", json={"text": "show my orders"}, headers={**chat.headers, "X-Request-ID": "req-7"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    entry = [json.loads(x) for x in lines if '"req-7"' in x][0]
    assert entry["msg"] == "request" and entry["path"] == "/api/chat" and entry["status"] == 200
    assert entry["request_id"] == "req-7" and entry["user"] == "U-RET-101" and entry["ms"] >= 0


def test_the_page_is_served_without_any_external_resource(web):
    page = web.get("/")
    assert page.status_code == 200 and 'id="token"' in page.text
    assets = [web.get("/static/chat.js"), web.get("/static/chat.css")]
    assert all(a.status_code == 200 for a in assets)
    for text in [page.text, *(a.text for a in assets)]:
        assert "http://" not in text and "https://" not in text and "innerHTML" not in text


def test_configured_platform_channels_are_mounted_and_deliver(sample, clock, monkeypatch):
    sent = []
    router = APIRouter()

    @router.get("/fake/ping")
    def ping():
        return {"pong": True}

    built = []

    def build_slack(assistant, engine, clock_, settings):
        built.append((assistant, engine))
        return router, lambda message, user: sent.append(user.id)

    monkeypatch.setitem(sys.modules, "channels.slack", types.SimpleNamespace(build_slack=build_slack))
    monkeypatch.setitem(sys.modules, "channels.telegram", types.SimpleNamespace(build_telegram=lambda *a: None))
    assistant = Assistant(sample, clock)
    app = create_app(sample, clock, assistant)
    with TestClient(app) as client:
        assert client.get("/fake/ping").json() == {"pong": True}
        assert client.get("/health").json()["channels"] == ["web", "slack"]  # telegram: not configured
    assert built == [(assistant, sample)] and set(app.state.senders) == {"slack"}


def test_users_token_command(sample, monkeypatch):
    from channels.cli_serve import users_app
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(users_app, ["token", "U-RET-101"])
        missing = CliRunner().invoke(users_app, ["token", "U-NOBODY"])
    finally:
        get_settings.cache_clear()
    assert ok.exit_code == 0, ok.output
    token = ok.output.strip()
    with Session(sample) as s:
        assert user_for_token(s, token).id == "U-RET-101"
    assert missing.exit_code == 1 and "No user 'U-NOBODY'" in missing.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.db  # the server imports the demo world into a new database
def test_dms_serve_imports_the_demo_world_into_a_new_database_and_serves(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DMS_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}",
        "DMS_DATA_DIR": str(tmp_path),
        "DMS_NOW": "2026-11-20T10:30:00+05:30",
    }
    code = "import typer; from channels.cli_serve import serve; typer.run(serve)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert health is not None and health.json()["database"] == "ok", proc.stderr.read() if proc.poll() else ""
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert "imported" in out and f"web chat: http://127.0.0.1:{port}/" in out and "dms users token" in out
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(e.get("path") == "/health" and e.get("request_id") for e in logs)
    assert (tmp_path / "knowledge").is_dir()  # the demo world's knowledge kept beside the database
