"""`GET /api/v1/dashboard`: the dashboard's figures as JSON, the same as the page shows for the
same filters. It takes the API's bearer token or the browser's session cookie; a retailer gets
its own account (`{"account": ...}`)."""

from typing import Any, Literal

from fastapi import APIRouter, Query
from sqlmodel import Session

from core.access import load_actor
from core.dashboard import Filters, account, dashboard

from ..dashboard_view import plain, to_json
from .base import CHANNEL, Caller, ReaderDep

router = APIRouter(tags=["dashboard"])


@router.get(
    "/dashboard",
    summary="The dashboard's figures for the caller (or a retailer's account)",
)
def get_dashboard(
    who: Caller = ReaderDep,
    region: str | None = Query(None, description="A region at any level (code or name): it and everything under it"),
    distributor: str | None = Query(
        None, description="A distributor (code or name): itself and the retailers it serves"
    ),
    period: Literal["today", "7d", "30d", "mtd"] = Query(
        "today", description="The period of the orders and revenue tiles"
    ),
) -> dict[str, Any]:
    clock = who.clock
    with Session(who.engine) as s:
        try:
            actor = load_actor(s, who.user_id, CHANNEL)
            if actor.role == "retailer":
                return {"account": plain(account(s, actor, clock))}
            f = Filters(region=region or None, distributor=distributor or None, period=period)
            return to_json(dashboard(s, actor, clock, f))
        finally:
            s.rollback()
