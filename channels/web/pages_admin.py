"""The admin section: import a world from an uploaded .zip (checked first, every error shown,
confirmed, then imported all or nothing) and users' access (a new token, a revoked one, a one-time
sign-in link, their web sessions ended), each previewed and confirmed. To anyone but an admin
every /admin page answers exactly as an unknown address does, so the refusal says nothing; a
browser that is not signed in is sent to sign in, as on every page (docs/decisions.md, "Admin
pages"). Every change is audited as the admin, channel "web", at the app's clock."""

import asyncio
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from core.access import PERMISSIONS, load_actor
from core.audit import record
from core.clock import Clock
from core.db import transaction
from core.errors import DomainError, InvalidInput
from core.identities import all_users, get_user, issue_token, revoke_token
from core.world import WorldErrors, check_world, data_counts, holds_data, import_world

from .admin_import import Held, HeldUploads, UploadError, unpack_world
from .pages import CHANNEL, WebUser, checked, error_page, forbidden_csrf, render, signed_in_or_redirect
from .sessions import (
    LINK_MINUTES,
    clear_session_cookie,
    end_sessions,
    issue_link,
    open_sessions,
    session_user,
    set_session_cookie,
    start_session,
)
from .sessions import SESSION_COOKIE as COOKIE

router = APIRouter(include_in_schema=False)
HELD_MINUTES = 30  # an upload waits this long for its confirmation
MAX_ERRORS = 1000  # errors listed on the page
_ERROR = re.compile(r"(?s)(.*?):(\d+): (.*?): (.*)")


def admin_or_refused(request: Request, permission: str) -> WebUser | Response:
    """The signed-in admin; a sign-in redirect; or, for any other role, the unknown page's 404."""
    user = signed_in_or_redirect(request)
    if not isinstance(user, WebUser):
        return user
    if permission not in PERMISSIONS.get(user.role, set()):
        raise HTTPException(404)  # the same handler, status and words as an address that does not exist
    return user


@router.get("/admin")
def admin_index(request: Request) -> Response:
    user = admin_or_refused(request, "users")
    if not isinstance(user, WebUser):
        return user
    return render("admin.html", request)


# --- import a world -----------------------------------------------------------------------------


def _uploads(request: Request) -> HeldUploads:
    """The app's uploads waiting for their confirmation (made on first use)."""
    state = request.app.state
    if not hasattr(state, "admin_uploads"):
        state.admin_uploads = HeldUploads(ttl=HELD_MINUTES * 60)
    store: HeldUploads = state.admin_uploads
    return store


def _counts(request: Request) -> dict[str, int]:
    with Session(request.app.state.engine) as s:
        return data_counts(s)


def error_rows(errors: list[str]) -> list[tuple[str, str, str, str]]:
    """`file:line: column: reason` as table cells (a line that does not parse is all reason); past
    MAX_ERRORS, one last row says how many more there are (a page of 100k rows helps nobody)."""
    rows = []
    for line in errors[:MAX_ERRORS]:
        m = _ERROR.fullmatch(line)
        rows.append((m[1], m[2], m[3], m[4]) if m else ("", "", "", line))
    if len(errors) > MAX_ERRORS:
        rows.append(("", "", "", f"… and {len(errors) - MAX_ERRORS} more errors; fix these and upload again."))
    return rows


def _import_page(request: Request, status: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("error", "")
    ctx.setdefault("errors", [])
    return render("admin_import.html", request, status, counts=_counts(request), **ctx)


def _folder(tmp: str, filename: str) -> Path:
    """The world's folder, named after the upload (the audit names the world by its folder)."""
    folder = Path(tmp) / (re.sub(r"[^\w.-]", "_", Path(filename).stem)[:60].lstrip(".") or "world")
    folder.mkdir()
    return folder


def _checked_upload(data: bytes, filename: str, clock: Clock) -> tuple[list[str], dict[str, int], list[str]]:
    """(errors, rows per file, warnings) of a zipped world; UploadError for the zip itself."""
    with tempfile.TemporaryDirectory(prefix="dms-upload-") as tmp:
        folder = _folder(tmp, filename)
        notes = unpack_world(data, folder)
        check = check_world(folder, clock=clock)
    return check.errors, check.rows, notes + check.warnings


def _imported(request: Request, held: Held, replace: bool, user: WebUser) -> tuple[dict[str, int], list[str]]:
    engine, clock = request.app.state.engine, request.app.state.clock
    with tempfile.TemporaryDirectory(prefix="dms-upload-") as tmp:
        folder = _folder(tmp, held.filename)
        notes = unpack_world(held.data, folder)
        report = import_world(engine, folder, clock=clock, replace=replace, user_id=user.user_id, channel=CHANNEL)
    return report.counts, notes + report.warnings


@router.get("/admin/import")
def import_form(request: Request) -> Response:
    user = admin_or_refused(request, "import")
    if not isinstance(user, WebUser):
        return user
    return _import_page(request)


@router.post("/admin/import")
async def import_upload(request: Request) -> Response:
    """Two steps: the upload is checked (nothing written) and held; the confirmation imports it."""
    user = admin_or_refused(request, "import")
    if not isinstance(user, WebUser):
        return user
    async with request.form() as form:  # its spooled file is removed when the block ends
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("world")
        if not checked(request, user, fields):
            return forbidden_csrf(request)
        replace = fields.get("replace") == "yes"
        if fields.get("confirm"):
            return await _confirmed(request, user, fields, replace)
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _import_page(request, 400, error="Choose the world's .zip file to upload.")
        data = await upload.read()
        name = Path(upload.filename).name
    try:
        errors, rows, warnings = await asyncio.to_thread(_checked_upload, data, name, request.app.state.clock)
    except UploadError as e:
        return _import_page(request, 400, error=str(e), filename=name)
    if errors:
        return _import_page(request, 422, errors=error_rows(errors), total=len(errors), filename=name)
    with Session(request.app.state.engine) as s:
        counts, occupied = data_counts(s), holds_data(s)
    if occupied and not replace:
        return _import_page(
            request,
            409,
            filename=name,
            error="The database already holds data; tick “replace the current data” to replace it with this world.",
        )
    key = _uploads(request).put(user.user_id, name, data)
    return render(
        "admin_import_confirm.html",
        request,
        key=key,
        filename=name,
        rows=rows,
        warnings=warnings,
        counts=counts,
        replace=replace,
    )


async def _confirmed(request: Request, user: WebUser, fields: dict[str, str], replace: bool) -> Response:
    if fields.get("confirm") != "yes":
        return _import_page(request, 400, error="Tick the box to confirm, or choose Cancel.")
    held = _uploads(request).take(user.user_id, fields.get("key", ""))
    if held is None:
        return _import_page(request, 410, error="That upload has expired or was already imported; upload it again.")
    try:
        counts, warnings = await asyncio.to_thread(_imported, request, held, replace, user)
    except UploadError as e:
        return _import_page(request, 400, error=str(e), filename=held.filename)
    except WorldErrors as e:  # the data changed since the check (another import, say)
        return _import_page(request, 422, errors=error_rows(e.errors), total=len(e.errors), filename=held.filename)
    signed_in, secret = _signed_in_again(request, user)
    response = render(
        "admin_import_done.html",
        request,
        user=signed_in,
        was=user,
        filename=held.filename,
        imported=counts,
        warnings=warnings,
    )
    if secret:
        set_session_cookie(response, request, secret)
    elif signed_in is None:
        clear_session_cookie(response, request)
    return response


def _signed_in_again(request: Request, admin: WebUser) -> tuple[WebUser | None, str]:
    """A replace deletes every web session, the admin's too: when the new world has an admin of
    the same id, the same browser gets a new session (the person just proved they are that
    admin), so nobody is locked out of a world whose users have no tokens yet. Else (None, "")."""
    engine = request.app.state.engine
    with Session(engine) as s:
        still = session_user(s, request.cookies.get(COOKIE))
    if still is not None:
        return still, ""
    with transaction(engine) as s:
        again = get_user(s, admin.user_id)
        if again is None or again.role != "admin":
            return None, ""
        secret = start_session(s, again.id)
    with Session(engine) as s:
        return session_user(s, secret), secret


# --- users and their access -----------------------------------------------------------------------

ACTIONS = {
    "token": "Issue a new access token",
    "revoke": "Revoke the access token",
    "link": "Create a one-time sign-in link",
    "sessions": "End the web sessions",
}


@router.get("/admin/users")
def users_page(request: Request) -> Response:
    user = admin_or_refused(request, "users")
    if not isinstance(user, WebUser):
        return user
    with Session(request.app.state.engine) as s:
        users = all_users(s, load_actor(s, user.user_id, CHANNEL))
        open_ = open_sessions(s)
    return render("admin_users.html", request, users=users, open=open_, actions=ACTIONS)


@router.post("/admin/users")
async def user_action(request: Request) -> Response:
    """First POST: what the action will do; the second, with `confirm=yes`, does it."""
    user = admin_or_refused(request, "users")
    if not isinstance(user, WebUser):
        return user
    async with request.form() as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not checked(request, user, fields):
        return forbidden_csrf(request)
    action, target = fields.get("action", ""), fields.get("user", "").strip()
    if action not in ACTIONS:
        return error_page(
            request, InvalidInput("Choose what to do: a new token, revoke, a sign-in link or end sessions.")
        )
    with Session(request.app.state.engine) as s:
        who = next((u for u in all_users(s, load_actor(s, user.user_id, CHANNEL)) if u.id == target), None)
        open_ = open_sessions(s).get(target, 0)
    if who is None:
        return error_page(request, InvalidInput(f"No user {target!r}."), 404)
    if fields.get("confirm") != "yes":
        return render(
            "admin_user_confirm.html",
            request,
            who=who,
            action=action,
            label=ACTIONS[action],
            open=open_,
            minutes=LINK_MINUTES,
        )
    try:
        secret = _do(request, user, action, who.id)
    except DomainError as e:
        return error_page(request, e, 409)
    if action == "sessions" and who.id == user.user_id:  # the admin signed themself out everywhere
        response = render("admin_user_done.html", request, user=None, who=who, action=action, secret="", ended=True)
        clear_session_cookie(response, request)
        return response
    shown = secret
    if action == "link":
        shown = str(request.base_url).rstrip("/") + "/signin/link?t=" + secret
    return render("admin_user_done.html", request, who=who, action=action, secret=shown, minutes=LINK_MINUTES)


def _do(request: Request, admin: WebUser, action: str, user_id: str) -> str:
    """The action in one transaction, audited as the admin; returns the secret to show once."""
    clock: Clock = request.app.state.clock
    with transaction(request.app.state.engine) as s:
        actor = load_actor(s, admin.user_id, CHANNEL)
        if action == "token":
            return issue_token(s, user_id, clock, by=actor)
        if action == "revoke":
            revoke_token(s, user_id, clock, by=actor)
            return ""
        actor.require("users", "manage users' access")
        if action == "link":
            secret = issue_link(s, user_id)
            _audit(s, clock, admin, "user.signin_link_issued", user_id)
            return secret
        ended = end_sessions(s, user_id)
        _audit(s, clock, admin, "user.sessions_ended", user_id, sessions=ended)
        return ""


def _audit(s: Session, clock: Clock, admin: WebUser, action: str, user_id: str, **detail: Any) -> None:
    record(
        s,
        at=clock.now(),
        user_id=admin.user_id,
        channel=CHANNEL,
        action=action,
        entity="user",
        entity_id=user_id,
        **detail,
    )
