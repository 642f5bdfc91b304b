"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to."""

import contextvars
import json
import logging
import sys
import time
import uuid
from typing import Any

# a mutable dict per request, so code running in worker threads (a copied context) can add to it
request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("dms_request", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        ctx = request_context.get()
        if ctx:
            entry["request_id"] = ctx.get("request_id")
            if ctx.get("user"):
                entry["user"] = ctx["user"]
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the product's and the server's loggers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request with its id


def new_request_id(incoming: str | None) -> str:
    """Keep a caller's X-Request-ID when it is sane (a proxy's), else make one."""
    if incoming and len(incoming) <= 64 and all(c.isalnum() or c in "-_.:" for c in incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Pure ASGI: assigns the request id, returns it as X-Request-ID, logs one line per request."""

    def __init__(self, app):
        self.app = app
        self.log = logging.getLogger("dms.http")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        rid = new_request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        ctx = {"request_id": rid, "user": None}
        token = request_context.set(ctx)
        started, status = time.perf_counter(), 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_context.reset(token)
