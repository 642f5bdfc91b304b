"""Errors of the REST API as problem+json (RFC 9457): type, title, status and a one-line detail
a person can act on, never a traceback. The core's DomainError subclasses decide the status;
a thing out of scope and one that does not exist answer alike (the core words both the same)."""

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from core.errors import DomainError, InvalidInput, NotAllowed, NotFound

PREFIX = "/api/v1"
MEDIA = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Sign in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
}


# The body of every error, as OpenAPI shows it (each route lists the statuses it may answer).
SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "One line saying what to change."},
    },
}
RESPONSES: dict[int | str, dict] = {
    status: {"description": TITLES[status], "content": {MEDIA: {"schema": SCHEMA}}}
    for status in (401, 403, 404, 409, 422, 429)
}


def problem(status: int, detail: str, kind: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {
        "type": f"/api/v1/problems/{kind or TITLES.get(status, 'error').lower().replace(' ', '-')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def domain_status(e: DomainError) -> int:
    if isinstance(e, NotFound):  # OutOfScope is one: the same 404 and the same words
        return 404
    if isinstance(e, NotAllowed):
        return 403
    if isinstance(e, InvalidInput):
        return 422
    return 409  # invalid transitions, stock, a blocked customer, no price: the world says no


def domain_problem(e: DomainError) -> JSONResponse:
    status = domain_status(e)
    # every NotFound is "not-found", whatever its subclass, so the type leaks nothing either
    return problem(status, e.message, "not-found" if status == 404 else e.code.replace("_", "-"))


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith(PREFIX):
        return await request_validation_exception_handler(request, exc)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid"}
    detail = f"{_field(tuple(first.get('loc', ())))}: {first.get('msg', 'invalid')}."
    if len(errors) > 1:
        detail += f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} in the request.)"
    return problem(422, detail, "invalid-request")


async def on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(PREFIX):
        return await http_exception_handler(request, exc)
    return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))


async def on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return domain_problem(exc)


def install(app) -> None:
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(DomainError, on_domain)
