"""The REST API, `/api/v1`: the core's services over HTTP for other systems (docs/decisions.md,
"REST API"). `install` mounts it, its problem+json errors and the offline `/docs`."""

from urllib.parse import unquote

from fastapi import APIRouter, Depends, FastAPI, Request

from core.errors import InvalidInput

from . import catalogue, dashboard, docs, field, orders, problems, reports


def no_nul(request: Request) -> None:
    """A NUL in the path or the query is refused before it reaches a database (PostgreSQL text
    cannot hold one; SQLite would just find nothing)."""
    if "\x00" in unquote(request.url.path) or any("\x00" in v for v in request.query_params.values()):
        raise InvalidInput("The address must not contain a NUL character (%00).")


router = APIRouter(prefix=problems.PREFIX, responses=problems.RESPONSES, dependencies=[Depends(no_nul)])
for part in (catalogue, orders, field, reports):
    router.include_router(part.router)
router.include_router(dashboard.router)  # the web app's figures (bearer token or browser session)


def install(app: FastAPI) -> None:
    problems.install(app)
    app.include_router(router)
    app.include_router(docs.router)
