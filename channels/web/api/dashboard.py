"""`GET /api/v1/dashboard`: the dashboard's figures as JSON, the same as the page shows for the
same filters. It takes the API's bearer token or the browser's session cookie; a retailer gets
its own account (`{"account": ...}`)."""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlmodel import Session

from core.access import load_actor
from core.dashboard import Filters, account, dashboard

from ..dashboard_view import plain, to_json
from ..viewer import bearer_user, web_user
from .base import BearerDep

router = APIRouter(tags=["dashboard"])
CHANNEL = "api"


def _who(request: Request) -> str:
    uid = bearer_user(request)
    if uid is None and not request.headers.get("authorization"):
        user = web_user(request)
        uid = user.user_id if user is not None else None
    if uid is None:
        raise HTTPException(
            401,
            "Send a valid access token as 'Authorization: Bearer <token>' (dms users token USER prints one), "
            "or sign in in the browser.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return uid


@router.get(
    "/dashboard",
    summary="The dashboard's figures for the caller (or a retailer's account)",
)
def get_dashboard(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = BearerDep,
    region: str | None = Query(None, description="A region at any level (code or name): it and everything under it"),
    distributor: str | None = Query(
        None, description="A distributor (code or name): itself and the retailers it serves"
    ),
    period: Literal["today", "7d", "30d", "mtd"] = Query(
        "today", description="The period of the orders and revenue tiles"
    ),
) -> dict[str, Any]:
    uid = _who(request)  # `credentials` declares the bearer scheme in OpenAPI; _who reads the header itself
    engine, clock = request.app.state.engine, request.app.state.clock
    with Session(engine) as s:
        try:
            actor = load_actor(s, uid, CHANNEL)
            if actor.role == "retailer":
                return {"account": plain(account(s, actor, clock))}
            f = Filters(region=region or None, distributor=distributor or None, period=period)
            return to_json(dashboard(s, actor, clock, f))
        finally:
            s.rollback()
