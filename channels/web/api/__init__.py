"""The REST API, `/api/v1`: the core's services over HTTP for other systems (docs/decisions.md,
"REST API"). `install` mounts it, its problem+json errors and the offline `/docs`."""

from fastapi import APIRouter, FastAPI

from . import catalogue, docs, field, orders, problems

router = APIRouter(prefix=problems.PREFIX, responses=problems.RESPONSES)
for part in (catalogue, orders, field):
    router.include_router(part.router)


def install(app: FastAPI) -> None:
    problems.install(app)
    app.include_router(router)
    app.include_router(docs.router)
