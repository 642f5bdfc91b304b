"""What every REST route shares: the caller from the bearer token, a read in a session that is
never committed, and a change in one transaction under its `Idempotency-Key`. The routes call
the core's services as the caller (channel "api"); the core checks permission and scope."""

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Depends, HTTPException, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session

from core.access import Actor, load_actor
from core.clock import Clock
from core.db import transaction
from core.identities import user_for_token

from ..logs import request_context
from ..viewer import bearer_user, web_user
from . import idempotency

CHANNEL = "api"
T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    user_id: str
    engine: Any
    clock: Clock


# Declared as HTTP bearer auth, so OpenAPI says how to sign in and /docs offers "Authorize".
bearer = HTTPBearer(auto_error=False, description="A personal access token: `dms users token USER` prints one.")
BearerDep = Security(bearer)


def caller(request: Request, credentials: HTTPAuthorizationCredentials | None = BearerDep) -> Caller:
    """The user of `Authorization: Bearer <token>`; 401 (problem+json) otherwise."""
    user_id = None
    if credentials is not None:
        with Session(request.app.state.engine) as s:
            user = user_for_token(s, credentials.credentials.strip())
            user_id = user.id if user is not None else None
    if user_id is None:
        raise HTTPException(
            401,
            "Send a valid access token as 'Authorization: Bearer <token>' (dms users token USER prints one).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ctx = request_context.get()
    if ctx is not None:
        ctx["user"] = user_id
    return Caller(user_id, request.app.state.engine, request.app.state.clock)


CallerDep = Depends(caller)


def reader(request: Request, credentials: HTTPAuthorizationCredentials | None = BearerDep) -> Caller:
    """The bearer token's user or, with no Authorization header, the browser's signed-in session
    (the web app's report pages link their CSV and XLSX exports here); 401 otherwise."""
    uid = bearer_user(request)  # `credentials` declares the bearer scheme in OpenAPI
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
    return Caller(uid, request.app.state.engine, request.app.state.clock)


ReaderDep = Depends(reader)


def read(who: Caller, fn: Callable[[Session, Actor, Clock], T]) -> T:
    """A read as the caller, in a session that is rolled back (reads never write)."""
    with Session(who.engine) as s:
        try:
            return fn(s, load_actor(s, who.user_id, CHANNEL), who.clock)
        finally:
            s.rollback()


def read_streamed(
    who: Caller, fn: Callable[[Session, Actor, Clock], tuple[T, Iterator[bytes]]]
) -> tuple[T, Iterator[bytes]]:
    """A read whose answer is streamed (a report's file): `fn` returns what the headers need and
    the body's chunks. The session stays open while the chunks are read, then is rolled back and
    closed (also when the client goes away and the iterator is dropped). The first chunk is made
    here, before any header is sent, so a refusal or a failure up to it is an ordinary error answer."""
    s = Session(who.engine)
    try:
        value, chunks = fn(s, load_actor(s, who.user_id, CHANNEL), who.clock)
        first = next(chunks, b"")
    except BaseException:
        s.rollback()
        s.close()
        raise

    def body() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            s.rollback()
            s.close()

    return value, body()


def change(
    who: Caller,
    key: str | None,
    what: str,
    payload: BaseModel | None,
    fn: Callable[[Session, Actor, Clock], BaseModel],
    status: int = 200,
) -> JSONResponse:
    """A change as the caller in one transaction. Under an Idempotency-Key the key is claimed in
    the same transaction and the response stored with it, so a repeat (even one sent at the same
    moment) replays the first response and changes nothing. A refusal rolls back, key and all:
    nothing changed, so a retry may run again."""
    body = payload.model_dump(mode="json") if payload is not None else None
    fingerprint = hashlib.sha256(json.dumps([what, body], sort_keys=True).encode()).hexdigest()
    with transaction(who.engine) as s:
        if key is not None:
            stored = idempotency.claim(s, who.user_id, key, fingerprint, who.clock.now())
            if stored is not None:
                return JSONResponse(
                    json.loads(stored[1]), status_code=stored[0], headers={"Idempotent-Replayed": "true"}
                )
        result = jsonable_encoder(fn(s, load_actor(s, who.user_id, CHANNEL), who.clock))
        if key is not None:
            idempotency.store(s, who.user_id, key, status, json.dumps(result))
    return JSONResponse(result, status_code=status)
