"""The web chat API: the same assistant as every channel, behind personal access tokens.

The conversation id is derived on the server from the signed-in user and the browser
session the server handed out at sign-in, so a client can never reach another user's
conversation or confirm another user's preview.
"""

import hashlib
import re
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from agent.reply import Reply
from agent.runtime import MAX_MESSAGE, Turn
from core.identities import user_for_token

from .logs import request_context

CHANNEL = "web"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

router = APIRouter(prefix="/api")


class ChatIn(BaseModel):
    text: str = ""


class ActionIn(BaseModel):
    action_id: str = Field(min_length=1, max_length=64)  # the pending action the button stands for


def reply_json(reply: Reply, files: list[dict] | None = None) -> dict:
    """The reply as the chat shows it; `files` are its files' download links (see `kept`)."""
    table = None
    if reply.table is not None:
        table = {
            "title": reply.table.title,
            "columns": list(reply.table.columns),
            "rows": [list(r) for r in reply.table.rows],
        }
    return {
        "text": reply.text,
        "outcome": reply.outcome,
        "table": table,
        "actions": [{"id": a.id, "label": a.label, "value": a.value} for a in reply.actions],
        "awaiting_confirmation": reply.awaiting_confirmation,
        "files": files or [],
    }


def kept(request: Request, user, reply: Reply) -> dict:
    """The reply's JSON, its files kept for this user to download (GET /api/files/{id})."""
    store = request.app.state.files
    links = [
        {
            "name": f.filename,
            "media_type": f.media_type,
            "size": len(f.content),
            "url": "/api/files/" + store.put(user.id, f),
        }
        for f in reply.attachments
    ]
    return reply_json(reply, links)


def refusal(status: int, text: str, headers: dict | None = None) -> JSONResponse:
    """A refusal the chat shows like any reply: a polite sentence and nothing else."""
    return JSONResponse(reply_json(Reply(text, outcome="refused")), status_code=status, headers=headers)


def signed_in(request: Request, authorization: str | None = Header(default=None)):
    """The user of the bearer token; 401 with no data otherwise."""
    scheme, _, token = (authorization or "").partition(" ")
    user = None
    if scheme.lower() == "bearer":
        with Session(request.app.state.engine) as s:
            user = user_for_token(s, token.strip())
            if user is not None:
                s.expunge(user)
    if user is None:
        raise HTTPException(401, "Sign in with a valid access token.", headers={"WWW-Authenticate": "Bearer"})
    ctx = request_context.get()
    if ctx is not None:
        ctx["user"] = user.id
    return user


def turn_for(user, session_id: str | None) -> Turn:
    session_id = session_id or "default"
    if not SESSION_ID.match(session_id):
        raise HTTPException(400, "Bad chat session id.")
    conversation = "web-" + hashlib.sha256(f"{user.id}:{session_id}".encode()).hexdigest()[:20]
    return Turn(user.id, CHANNEL, conversation)


def limited(request: Request, user) -> JSONResponse | None:
    limiter = request.app.state.ratelimiter
    if limiter.allow(user.id):
        return None
    wait = limiter.retry_after(user.id)
    return refusal(
        429,
        f"You are sending messages faster than I can take them. Please wait {wait} second{'s' if wait != 1 else ''} "
        "and try again.",
        {"Retry-After": str(wait)},
    )


@router.post("/signin")
def signin(user=Depends(signed_in)):
    """Check a token; hand out a fresh chat session (one conversation per browser session)."""
    return {"user": {"id": user.id, "name": user.name, "role": user.role}, "session": secrets.token_urlsafe(16)}


@router.post("/chat")
def chat(body: ChatIn, request: Request, user=Depends(signed_in), x_chat_session: str | None = Header(default=None)):
    turn = turn_for(user, x_chat_session)
    if len(body.text) > MAX_MESSAGE:
        return refusal(
            413,
            f"That message is too long ({len(body.text)} characters; the limit is {MAX_MESSAGE}). "
            "Please send a shorter one.",
        )
    if (over := limited(request, user)) is not None:
        return over
    return kept(request, user, request.app.state.assistant.handle(turn, body.text))


@router.post("/confirm")
def confirm(
    body: ActionIn, request: Request, user=Depends(signed_in), x_chat_session: str | None = Header(default=None)
):
    turn = turn_for(user, x_chat_session)
    if (over := limited(request, user)) is not None:
        return over
    return kept(request, user, request.app.state.assistant.confirm(turn, body.action_id))


@router.post("/cancel")
def cancel(
    body: ActionIn, request: Request, user=Depends(signed_in), x_chat_session: str | None = Header(default=None)
):
    turn = turn_for(user, x_chat_session)
    if (over := limited(request, user)) is not None:
        return over
    return reply_json(request.app.state.assistant.cancel(turn, body.action_id))


@router.get("/files/{key}")
def download(key: str, request: Request, user=Depends(signed_in)):
    """A file of a reply, to the user it was made for; anything else is the same 404."""
    f = request.app.state.files.get(user.id, key) if len(key) <= 64 else None
    if f is None:
        raise HTTPException(404, "No such file (files are kept for 30 minutes).")
    plain = re.sub(r"[^A-Za-z0-9._ -]", "_", f.filename)
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(f.filename)}"
    return Response(f.content, media_type=f.media_type, headers={"Content-Disposition": disposition})
