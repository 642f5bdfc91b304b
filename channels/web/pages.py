"""The web app's pages: sign-in and sign-out, the dashboard (server-rendered, htmx for the tiles),
a retailer's account page, and the web chat for a signed-in browser. Every figure comes from the
core as the signed-in user (`load_actor`); the pages never decide scope themselves."""

import asyncio
import hashlib
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session

from agent.runtime import MAX_MESSAGE, Turn
from agent.store import PendingAction
from core.access import Actor, load_actor
from core.clock import Clock
from core.dashboard import PERIODS, account, dashboard
from core.db import transaction
from core.errors import DomainError
from core.settings import business_tz
from tools.format import rs, words

from . import charts
from .auth import client_key
from .chat import limited, refusal, reply_json
from .dashboard_view import filter_query, filters_from, links
from .sessions import (
    CSRF_HEADER,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    WebUser,
    clear_session_cookie,
    csrf_ok,
    end_session,
    secure,
    set_session_cookie,
    start_session,
    use_link,
    user_for_token_text,
)
from .viewer import web_user

CHANNEL = "web"
T = TypeVar("T")
router = APIRouter(include_in_schema=False)
env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["rs"] = rs
env.filters["words"] = words
env.globals["bars"] = charts.bars
env.globals["hbars"] = charts.hbars
env.globals["PERIODS"] = PERIODS


def pct(value: Any) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return f"{sign}{value}%"


env.filters["pct"] = pct


def local(at: Any) -> str:
    """A timestamp in the business's time zone, as people read it."""
    return at.astimezone(business_tz()).strftime("%Y-%m-%d %H:%M")


BUCKETS = {
    "not_due": "Not yet due",
    "1-30": "1–30 days",
    "31-60": "31–60 days",
    "61-90": "61–90 days",
    "90+": "Over 90 days",
}
env.globals["local"] = local


def cell(value: Any, kind: str) -> str:
    """A report cell for people: money the Indian way, percentages with their sign, dates ISO."""
    if value is None:
        return ""
    if kind == "money":
        return rs(value)
    if kind == "percent":
        return f"{value}%"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


env.globals["cell"] = cell
env.globals["bucket_words"] = lambda k: BUCKETS.get(k, k)
env.globals["status_items"] = lambda statuses: [(words(s.status), s.count) for s in statuses]
env.globals["trend_points"] = lambda points: [(p.key, p.net) for p in points or []]


def render(name: str, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "web_user", None))
    context.setdefault("path", request.url.path)
    clock: Clock = request.app.state.clock
    context.setdefault("now", clock.now())
    html = env.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})  # private figures


def _local(next_url: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//'): an open redirect is refused."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return "/dashboard"


def signed_in_or_redirect(request: Request) -> WebUser | RedirectResponse:
    user = web_user(request)
    if user is None:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse("/signin?" + urlencode({"next": target}), status_code=303)
    request.state.web_user = user
    return user


def as_actor(request: Request, user: WebUser, fn: Callable[[Session, Actor, Clock], T]) -> T:
    """A read as the signed-in user, in a session that is never committed (closing it rolls its
    transaction back and detaches what it read, loaded, for the template)."""
    with Session(request.app.state.engine) as s:
        return fn(s, load_actor(s, user.user_id, CHANNEL), request.app.state.clock)


async def form_of(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def checked(request: Request, user: WebUser, form: dict[str, str]) -> bool:
    """The session's CSRF token, from the form or the X-CSRF-Token header."""
    return csrf_ok(user.csrf, form.get("csrf") or request.headers.get(CSRF_HEADER))


def forbidden_csrf(request: Request) -> HTMLResponse:
    return render(
        "error.html",
        request,
        403,
        title="Form expired",
        message="This form has expired; go back, reload and try again.",
    )


def error_page(request: Request, e: DomainError, status: int = 400) -> HTMLResponse:
    return render("error.html", request, status, title="Not possible", message=e.message)


# --- sign-in and sign-out -------------------------------------------------------------------------


@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> HTMLResponse:
    if web_user(request) is not None:
        return RedirectResponse(_local(next), status_code=303)  # type: ignore[return-value]
    return _signin_page(request, next)


def _signin_page(request: Request, next_url: str | None, error: str = "", status: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    response = render("signin.html", request, status, next=_local(next_url), csrf=nonce, error=error, user=None)
    response.set_cookie(
        SIGNIN_COOKIE, nonce, max_age=1800, httponly=True, samesite="strict", secure=secure(request), path="/signin"
    )
    return response


def _signed_in(request: Request, user_id: str, next_url: str) -> RedirectResponse:
    with transaction(request.app.state.engine) as s:
        secret = start_session(s, user_id)
    response = RedirectResponse(_local(next_url), status_code=303)
    set_session_cookie(response, request, secret)
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await form_of(request)
    failures = request.app.state.signin_failures
    key = client_key((request.client.host if request.client else None) or "")
    if wait := failures.wait(key):
        return _signin_page(
            request, form.get("next"), f"Too many failed sign-ins from your address. Please wait {wait} seconds.", 429
        )
    if not csrf_ok(request.cookies.get(SIGNIN_COOKIE, ""), form.get("csrf")):
        return _signin_page(request, form.get("next"), "The sign-in form expired; please try again.", 403)
    with Session(request.app.state.engine) as s:
        user_id = user_for_token_text(s, form.get("token", ""))
    if user_id is None:
        failures.failed(key)
        return _signin_page(request, form.get("next"), "That token was not accepted.", 401)
    return _signed_in(request, user_id, form.get("next") or "/dashboard")


@router.get("/signin/link")
def signin_link_form(request: Request, t: str = "") -> HTMLResponse:
    """A one-time link opens a page with one button: the link is used by the POST, so a mail
    scanner or a link preview that fetches the address does not use it up."""
    nonce = secrets.token_urlsafe(24)
    response = render("signin_link.html", request, link=t, csrf=nonce, user=None)
    response.set_cookie(
        SIGNIN_COOKIE, nonce, max_age=1800, httponly=True, samesite="strict", secure=secure(request), path="/signin"
    )
    return response


@router.post("/signin/link")
async def signin_with_link(request: Request) -> Response:
    form = await form_of(request)
    if not csrf_ok(request.cookies.get(SIGNIN_COOKIE, ""), form.get("csrf")):
        return _signin_page(request, None, "The sign-in page expired; open the link again.", 403)
    with transaction(request.app.state.engine) as s:
        user_id = use_link(s, form.get("link", ""))
    if user_id is None:
        return _signin_page(request, None, "That sign-in link is not valid (used, expired or mistyped).", 401)
    return _signed_in(request, user_id, "/dashboard")


@router.post("/signout")
async def signout(request: Request) -> Response:
    user = web_user(request)
    form = await form_of(request)
    if user is not None and not checked(request, user, form):
        return forbidden_csrf(request)
    with transaction(request.app.state.engine) as s:
        end_session(s, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/signin", status_code=303)
    clear_session_cookie(response, request)
    return response


# --- the dashboard ---------------------------------------------------------------------------------


def _dashboard_context(request: Request, user: WebUser) -> dict[str, Any]:
    f = filters_from(dict(request.query_params))
    try:
        d = as_actor(request, user, lambda s, a, c: dashboard(s, a, c, f))
    except DomainError as e:
        return {"filters": f, "error": e.message, "d": None, "links": {}}
    return {"filters": f, "error": "", "d": d, "links": links(d), "query": urlencode(filter_query(f))}


@router.get("/dashboard")
def dashboard_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    if user.role == "retailer":
        acct = as_actor(request, user, account)
        return render("account.html", request, a=acct)
    ctx = _dashboard_context(request, user)
    return render("dashboard.html", request, 400 if ctx["error"] else 200, **ctx)


@router.get("/dashboard/tiles")
def dashboard_tiles(request: Request) -> Response:
    """The tiles alone, for htmx (filters changed, or the minute's refresh)."""
    user = web_user(request)
    if user is None:
        return HTMLResponse("", status_code=401, headers={"HX-Redirect": "/signin?next=/dashboard"})
    request.state.web_user = user
    if user.role == "retailer":
        return HTMLResponse("", status_code=403)
    ctx = _dashboard_context(request, user)
    response = render("tiles.html", request, 400 if ctx["error"] else 200, **ctx)
    response.headers["Vary"] = "HX-Request"
    return response


# --- the web chat for a signed-in browser ------------------------------------------------------------


@router.get("/chat")
def chat_page(request: Request) -> Response:
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    return render("chat.html", request)


def _turn(user: WebUser, request: Request) -> Turn:
    """One conversation per browser session (derived from the session cookie, never sent by the client)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    conversation = "web-" + hashlib.sha256(f"{user.user_id}:cookie:{cookie}".encode()).hexdigest()[:20]
    return Turn(user.user_id, CHANNEL, conversation)


# What the buttons of a preview say, from the pending action they answer (tool and arguments).
BUTTON_WORDS: dict[str, tuple[str, str]] = {
    "cancel_order": ("Yes, cancel {order}", "Keep it"),
    "approve_order": ("Yes, approve {order}", "Not now"),
    "reject_order": ("Yes, reject {order}", "Not now"),
    "dispatch_order": ("Yes, dispatch {order}", "Not yet"),
    "deliver_order": ("Yes, mark {order} delivered", "Not yet"),
    "create_order": ("Yes, place the order", "Don't place it"),
    "reorder": ("Yes, place the order", "Don't place it"),
    "suggest_order": ("Yes, place the order", "Don't place it"),
    "record_payment": ("Yes, record the payment", "Don't record it"),
    "adjust_stock": ("Yes, adjust the stock", "Leave the stock"),
    "record_damage": ("Yes, write it off", "Leave the stock"),
    "receive_stock": ("Yes, receive the stock", "Don't receive it"),
    "send_invoice": ("Yes, send it", "Don't send it"),
}


def button_words(tool: str, args: dict[str, Any]) -> tuple[str, str]:
    yes, no = BUTTON_WORDS.get(tool, ("Yes, do it", "No, leave it"))
    order = str(args.get("order_no") or args.get("order") or "the order")
    return yes.format(order=order), no


def _worded(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or []
    ids = {a["value"] for a in actions}
    if not ids:
        return body
    with Session(request.app.state.engine) as s:
        pending = {p.id: p for p in (s.get(PendingAction, i) for i in ids) if p is not None}
    for a in actions:
        p = pending.get(a["value"])
        if p is None:
            continue
        try:
            args = json.loads(p.args or "{}")
        except ValueError:
            args = {}
        yes, no = button_words(p.tool, args if isinstance(args, dict) else {})
        a["label"] = yes if a["id"] == "confirm" else no
    return body


async def _chat_call(request: Request, what: str) -> Response:
    user = web_user(request)
    if user is None:
        return refusal(401, "Your session has ended; please sign in again.")
    try:
        body = await request.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict) or not csrf_ok(user.csrf, request.headers.get(CSRF_HEADER)):
        return refusal(403, "This page has expired; please reload it.")
    turn = _turn(user, request)
    assistant = request.app.state.assistant
    if what == "chat":
        text = str(body.get("text") or "")
        if len(text) > MAX_MESSAGE:
            return refusal(413, f"That message is too long ({len(text)} characters; the limit is {MAX_MESSAGE}).")
        if (over := limited(request, user)) is not None:
            return over
        reply = await asyncio.to_thread(assistant.handle, turn, text)
    else:
        action_id = str(body.get("action_id") or "")[:64]
        if (over := limited(request, user)) is not None:
            return over
        run = assistant.confirm if what == "confirm" else assistant.cancel
        reply = await asyncio.to_thread(run, turn, action_id)
    return JSONResponse(_worded(request, reply_json(reply)))


@router.post("/web/chat")
async def web_chat(request: Request) -> Response:
    return await _chat_call(request, "chat")


@router.post("/web/confirm")
async def web_confirm(request: Request) -> Response:
    return await _chat_call(request, "confirm")


@router.post("/web/cancel")
async def web_cancel(request: Request) -> Response:
    return await _chat_call(request, "cancel")


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)  # no icon, and no 404 in the browser's console
