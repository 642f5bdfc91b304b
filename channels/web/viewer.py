"""Who is asking: the browser's session cookie or the API's bearer token (either works for the
dashboard's JSON; the pages take the session). The core does the rest: `load_actor` gives the
Actor, and every service checks role and scope itself."""

from fastapi import Request
from sqlmodel import Session

from core.identities import user_for_token

from .logs import request_context
from .sessions import SESSION_COOKIE, WebUser, session_user


def web_user(request: Request) -> WebUser | None:
    """The signed-in browser user, or None."""
    with Session(request.app.state.engine) as s:
        user = session_user(s, request.cookies.get(SESSION_COOKIE))
    if user is not None:
        _log(user.user_id)
    return user


def bearer_user(request: Request) -> str | None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with Session(request.app.state.engine) as s:
        user = user_for_token(s, token.strip())
        uid = user.id if user is not None else None
    if uid is not None:
        _log(uid)
    return uid


def _log(user_id: str) -> None:
    ctx = request_context.get()
    if ctx is not None:
        ctx["user"] = user_id
