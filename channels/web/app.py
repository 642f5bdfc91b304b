"""`create_app`: the one HTTP server of the product. It serves the web chat and its API,
mounts the Slack and Telegram channels when their tokens are configured, and delivers the
outbox in the background through whichever of them are present.
"""

import asyncio
import importlib
import json
import logging
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.datastructures import MutableHeaders

from agent.reply import Reply
from channels.outbox import deliver_pending
from channels.ratelimit import RateLimiter
from core.settings import ServerSettings, Settings, get_settings

from . import api, chat, pages, pages_admin, pages_evals, pages_orders, pages_work
from .auth import SignInFailures, client_key
from .files import FileStore
from .logs import RequestLogMiddleware

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("dms.web")


# --- HTTP hardening: pure ASGI middlewares, so they also cover the platform channels' routes ---

MAX_BODY = 64 * 1024  # bytes; a chat message is at most 4000 characters
# Slack's interaction payloads carry the whole message they were clicked on (Block Kit, form-encoded)
BODY_LIMITS = {"/slack/events": 1_000_000, "/telegram/webhook": 1_000_000}
BODY_LIMITS["/admin/import"] = 50 * 1024 * 1024  # a zipped world (channels/web/admin_import.py)

# The web chat loads its own script and stylesheet and talks only to this server.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


async def send_json(send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    extra = {k.lower(): v for k, v in (headers or {}).items()}
    raw = [(b"content-type", extra.pop("content-type", "application/json").encode())]
    raw += [(b"content-length", str(len(data)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Request bodies are counted as they arrive, so a chunked upload (no Content-Length)
    cannot make the server buffer more than the limit: past it the app gets an error from
    `receive` and whatever it answers is replaced by 413. An answer given before a chunked body
    was read to its end (413, or a 401 that never looked at it) closes the connection: uvicorn
    would otherwise go on reading, and discarding, the rest of the body, however long."""

    def __init__(self, app, default: int = MAX_BODY, limits: dict[str, int] | None = None):
        self.app, self.default, self.limits = app, default, limits or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default)
        too_large = {"detail": f"The request body is too large: {scope['path']} takes at most {limit} bytes."}
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            return await send_json(send, 413, too_large, {"connection": "close"})
        # a declared length is at most the limit here, so what uvicorn would drain is bounded
        unread = b"transfer-encoding" in headers
        received, exceeded, started = 0, False, False

        async def counting_receive():
            nonlocal received, exceeded, unread
            if exceeded:
                raise _TooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                unread = message.get("more_body", False)
                if received > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message):
            nonlocal started
            if exceeded:  # the app's own answer to the error it got; ours is 413
                return
            if message["type"] == "http.response.start":
                started = True
                if unread:
                    MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await send_json(send, 413, too_large, {"connection": "close"})


class SecurityHeadersMiddleware:
    """The same security headers on every answer; API answers are never cached."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if api:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SignInLimitMiddleware:
    """Token guessing: every 401 of the API (a missing, unknown or revoked bearer token) counts
    against the client's address; after `per_minute` of them in a minute the address gets 429
    on the API, whatever token it sends, until the oldest failure is a minute old. Failures are
    counted when their answer is known, so parallel guesses sent before the first answer are
    not cut short (tokens hold 256 random bits; this limit keeps guessing noisy and cheap)."""

    def __init__(self, app, failures: SignInFailures):
        self.app, self.failures = app, failures

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        key = client_key((scope.get("client") or ("",))[0])
        if wait := self.failures.wait(key):
            text = f"Too many failed sign-ins from your address. Please wait {wait} second{'s' if wait != 1 else ''} and try again."
            if scope["path"].startswith("/api/v1/"):  # the REST API answers in problem+json
                problem = {"type": "/api/v1/problems/too-many-requests", "title": "Too many requests"}
                body, media = {**problem, "status": 429, "detail": text}, "application/problem+json"
                return await send_json(send, 429, body, {"retry-after": str(wait), "content-type": media})
            return await send_json(
                send, 429, chat.reply_json(Reply(text, outcome="refused")), {"retry-after": str(wait)}
            )
        status = 0

        async def watch(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 401:
            self.failures.failed(key)


def platform_channels(assistant, engine, clock, settings) -> tuple[list, dict]:
    """Routers and notification senders of the channels that are installed and configured."""
    routers, senders = [], {}
    for name in ("slack", "telegram"):
        try:
            module = importlib.import_module(f"channels.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"channels.{name}":
                log.error("channel %s cannot be loaded: %s", name, e)
            continue
        except Exception:  # a broken channel module must not take the web chat down with it
            log.exception("channel %s cannot be loaded", name)
            continue
        build = getattr(module, f"build_{name}", None)
        built = build(assistant, engine, clock, settings) if build else None
        if built is None:  # its tokens are not configured
            continue
        router, sender = built
        if router is not None:
            routers.append(router)
        if sender is not None:
            senders[name] = sender
        log.info("channel %s enabled", name)
    return routers, senders


async def outbox_loop(app: FastAPI) -> None:
    """Deliver due notifications every few seconds; one failing run never stops the loop."""
    st = app.state
    while True:
        try:
            report = await asyncio.to_thread(
                deliver_pending, st.engine, st.clock, st.senders, max_attempts=st.server.outbox_max_attempts
            )
            if report.delivered or report.failed or report.retried:
                log.info(
                    "outbox run",
                    extra={
                        "delivered": len(report.delivered),
                        "retried": len(report.retried),
                        "failed": len(report.failed),
                        "skipped": len(report.skipped),
                    },
                )
        except Exception:
            log.exception("outbox run failed")
        await asyncio.sleep(st.server.outbox_interval_seconds)


def create_app(
    engine,
    clock,
    assistant,
    settings: Settings | None = None,
    *,
    senders: dict | None = None,
    server: ServerSettings | None = None,
) -> FastAPI:
    """The server app over a built engine, clock and assistant (`wiring.build_server` builds them
    from the settings). The platform channels come from `settings` (default: the process's);
    `server` replaces its server section; `senders` adds or replaces notification senders
    (tests, other platforms)."""
    settings = settings or get_settings()
    server = server or settings.server
    routers, platform_senders = platform_channels(assistant, engine, clock, settings)
    platform_senders.update(senders or {})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        task = asyncio.create_task(outbox_loop(app)) if app.state.senders else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(title="dms", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.engine, app.state.clock, app.state.assistant = engine, clock, assistant
    app.state.settings, app.state.server, app.state.senders = settings, server, platform_senders
    app.state.ratelimiter = RateLimiter(server.rate_limit_per_minute)
    app.state.files = FileStore()  # files of the web chat's replies, for their user to download
    # the last added runs first: logged, then headers, then the body limit, then sign-in limits
    app.state.signin_failures = SignInFailures(server.signin_failures_per_minute)  # also the sign-in form
    app.add_middleware(SignInLimitMiddleware, failures=app.state.signin_failures)
    app.add_middleware(BodyLimitMiddleware, limits=BODY_LIMITS)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.include_router(chat.router)
    app.include_router(pages.router)  # sign-in, the dashboard and the web chat for a signed-in browser
    app.include_router(pages_orders.router)  # /orders/new: before /orders/{order_no} takes the path
    app.include_router(pages_work.router)  # orders, approvals, stock, customers, reports
    app.include_router(pages_evals.router)  # /admin/evals: evaluation runs, for admins
    app.include_router(pages_admin.router)  # /admin: import a world, users' tokens and sessions
    api.install(app)  # /api/v1, its problem+json errors, /openapi.json and the offline /docs
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html")

    @app.get("/health")
    def health():
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = "ok"
        except Exception as e:  # noqa: BLE001 - whatever the driver raises, the answer is 503 "database: error"
            log.warning("health: database unreachable: %s", e)
            database = "error"
        body = {
            "status": "ok" if database == "ok" else "error",
            "database": database,
            "channels": ["web", *sorted(platform_senders)],
        }
        return JSONResponse(body, status_code=200 if database == "ok" else 503)

    return app
