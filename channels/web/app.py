"""`create_app`: the one HTTP server of the product. It serves the web chat and its API,
mounts the Slack and Telegram channels when their tokens are configured, and delivers the
outbox in the background through whichever of them are present.
"""
import asyncio
import importlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text

from channels.outbox import deliver_pending
from channels.ratelimit import RateLimiter

from . import chat
from .logs import RequestLogMiddleware

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("dms.web")


class ServerSettings(BaseSettings):
    """The server's own knobs (DMS_*), beside the product's core settings."""

    model_config = SettingsConfigDict(env_prefix="DMS_", extra="ignore")
    rate_limit_per_minute: int = 20
    outbox_interval_seconds: float = 10.0
    outbox_max_attempts: int = 5


def make_assistant(engine, clock, settings):
    """The assistant over this engine, with the knowledge kept beside the database when present."""
    from agent.runtime import Assistant
    from channels.cli_chat import knowledge_dir
    kb = None
    if knowledge_dir().is_dir():
        from agent.knowledge import KnowledgeBase
        from agent.semantic import SemanticIndex
        kb = KnowledgeBase(SemanticIndex(settings.data_dir / "chroma"))
        kb.load(knowledge_dir())
    return Assistant(engine, clock, model=settings.model, knowledge=kb)


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
            report = await asyncio.to_thread(deliver_pending, st.engine, st.clock, st.senders,
                                             max_attempts=st.server.outbox_max_attempts)
            if report.delivered or report.failed or report.retried:
                log.info("outbox run", extra={"delivered": len(report.delivered), "retried": len(report.retried),
                                              "failed": len(report.failed), "skipped": len(report.skipped)})
        except Exception:
            log.exception("outbox run failed")
        await asyncio.sleep(st.server.outbox_interval_seconds)


def create_app(engine=None, clock=None, assistant=None, settings=None, *, senders: dict | None = None,
               server: ServerSettings | None = None) -> FastAPI:
    """The server app. Anything not given is built from the environment; `senders` adds or
    replaces notification senders (tests, other platforms)."""
    from core.app import make_clock, open_database
    from core.settings import get_settings

    settings = settings or get_settings()
    server = server or ServerSettings()
    engine = engine if engine is not None else open_database(settings=settings)
    clock = clock or make_clock(settings)
    assistant = assistant or make_assistant(engine, clock, settings)
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
                try:
                    await task
                except asyncio.CancelledError:
                    pass

    app = FastAPI(title="dms", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.engine, app.state.clock, app.state.assistant = engine, clock, assistant
    app.state.settings, app.state.server, app.state.senders = settings, server, platform_senders
    app.state.ratelimiter = RateLimiter(server.rate_limit_per_minute)
    app.add_middleware(RequestLogMiddleware)
    app.include_router(chat.router)
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
        except Exception as e:
            log.warning("health: database unreachable: %s", e)
            database = "error"
        body = {"status": "ok" if database == "ok" else "error", "database": database,
                "channels": ["web", *sorted(platform_senders)]}
        return JSONResponse(body, status_code=200 if database == "ok" else 503)

    return app
