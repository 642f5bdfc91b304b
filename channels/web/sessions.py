"""Browser sign-in: a server-side session behind an HTTP-only cookie, a CSRF token per session,
and one-time sign-in links.

- Signing in takes a personal access token (`dms users token USER`) or a one-time link
  (`dms users signin-link USER`, valid for `LINK_MINUTES`, used once). Either starts a session:
  a random secret in the `dms_session` cookie (HttpOnly, SameSite=Lax, Secure over https), of
  which only the sha256 is stored, with its expiry (`SESSION_HOURS`) and its CSRF token.
- Every form POST carries the session's CSRF token (a hidden `csrf` field, or the `X-CSRF-Token`
  header from scripts); the sign-in form itself is guarded by a double-submit cookie.
- Signing out deletes the session row, so the cookie is worthless afterwards.

Expiry runs on the wall clock (UTC), not the business clock: a fixed `DMS_NOW` must not make a
session last forever or expire at once."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, delete, func, select

from channels.store import WebSession
from core.identities import get_user, user_for_token

SESSION_COOKIE = "dms_session"
SIGNIN_COOKIE = "dms_signin"  # the sign-in form's double-submit token
SESSION_HOURS = 12
LINK_MINUTES = 15
CSRF_HEADER = "x-csrf-token"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def wall_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebUser:
    user_id: str
    name: str
    role: str
    customer: str | None
    csrf: str

    @property
    def id(self) -> str:  # as a User: the chat's rate limiter keys on `.id`
        return self.user_id


def start_session(session: Session, user_id: str, now: datetime | None = None) -> str:
    """A new session for the user; returns the cookie's secret. The caller commits."""
    now = now or wall_now()
    secret = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            key_hash=_hash(secret),
            kind="session",
            user_id=user_id,
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    _purge(session, now)
    return secret


def issue_link(session: Session, user_id: str, now: datetime | None = None) -> str:
    """A one-time sign-in secret for the user (the CLI prints it as a link). The caller commits."""
    if get_user(session, user_id) is None:
        from core.errors import NotFound

        raise NotFound(f"No user {user_id!r}.")
    now = now or wall_now()
    secret = "dmsl_" + secrets.token_urlsafe(32)
    session.add(
        WebSession(
            key_hash=_hash(secret),
            kind="link",
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(minutes=LINK_MINUTES),
        )
    )
    return secret


def use_link(session: Session, secret: str, now: datetime | None = None) -> str | None:
    """The user of a one-time link, which is used up whatever happens next; None if unknown,
    already used or expired. The caller commits."""
    if not secret or len(secret) > 200:
        return None
    now = now or wall_now()
    row = session.get(WebSession, _hash(secret), with_for_update=True)
    if row is None or row.kind != "link":
        return None
    session.delete(row)
    session.flush()
    return row.user_id if row.expires_at > now else None


def user_for_token_text(session: Session, token: str) -> str | None:
    user = user_for_token(session, token.strip())
    return user.id if user is not None else None


def session_user(session: Session, secret: str | None, now: datetime | None = None) -> WebUser | None:
    """The signed-in user of a session cookie, or None (no cookie, unknown, ended or expired)."""
    if not secret or len(secret) > 200:
        return None
    row = session.get(WebSession, _hash(secret))
    if row is None or row.kind != "session" or row.expires_at <= (now or wall_now()):
        return None
    user = get_user(session, row.user_id)
    if user is None:
        return None
    return WebUser(user.id, user.name, user.role, user.customer, row.csrf)


def end_session(session: Session, secret: str | None) -> None:
    if secret:
        session.exec(delete(WebSession).where(col(WebSession.key_hash) == _hash(secret)))


def _purge(session: Session, now: datetime) -> None:
    session.exec(delete(WebSession).where(col(WebSession.expires_at) <= now))


def end_sessions(session: Session, user_id: str) -> int:
    """End every web session of the user (their cookies are worthless afterwards); returns how
    many were open. Unused sign-in links stay: they are ended by use or expiry. The caller commits."""
    rows = session.exec(select(WebSession).where(WebSession.user_id == user_id, WebSession.kind == "session")).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def open_sessions(session: Session, now: datetime | None = None) -> dict[str, int]:
    """user id -> how many unexpired web sessions they have."""
    rows = session.exec(
        select(WebSession.user_id, func.count())
        .where(WebSession.kind == "session", col(WebSession.expires_at) > (now or wall_now()))
        .group_by(col(WebSession.user_id))
    ).all()
    return {user_id: int(n) for user_id, n in rows}


def sessions_of(session: Session, user_id: str) -> int:
    return len(
        session.exec(select(WebSession).where(WebSession.user_id == user_id, WebSession.kind == "session")).all()
    )


def secure(request: Request) -> bool:
    """Cookies are Secure when the browser reached us over https (directly or through a trusted proxy)."""
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(expected) and given is not None and hmac.compare_digest(expected.encode(), given.encode())
