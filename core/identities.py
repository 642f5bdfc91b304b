"""Who a channel's caller is: the user behind a Slack id, a Telegram id or a personal access
token (only a hash of each token is stored). Linking a Telegram account is core/linking.py."""

import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select

from . import audit
from .access import Actor
from .clock import Clock
from .errors import InvalidInput, NotFound
from .tables.parties import User

PREFIX = "dms_"


def token_hash(token: str) -> str:
    # the secret is 256 random bits, so a plain sha256 suffices (no password stretching needed)
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user_id: str, clock: Clock | None = None, *, by: Actor | None = None) -> str:
    """A new token for the user, replacing any earlier one; the caller commits the session.
    `by`: the admin doing it from a channel (checked and audited as them); None is the server's
    command line, whose operator is trusted."""
    if by is not None:
        by.require("users", "manage users' tokens")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    token = PREFIX + secrets.token_urlsafe(32)
    user.token_hash = token_hash(token)
    session.add(user)
    if clock is not None:
        _audit(session, clock, by, "user.token_issued", user.id)
    return token


def revoke_token(session: Session, user_id: str, clock: Clock, *, by: Actor) -> bool:
    """The user's token stops working (their open web sessions do not: end them apart). An admin
    may not revoke their own from a channel (docs/decisions.md, "Admin pages"). Returns whether
    there was a token; the caller commits."""
    by.require("users", "manage users' tokens")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    if user.id == by.user_id:
        raise InvalidInput(
            "You cannot revoke your own token here (you could lock yourself out); "
            "issue yourself a new one, or ask another admin."
        )
    had = user.token_hash is not None
    user.token_hash = None
    session.add(user)
    _audit(session, clock, by, "user.token_revoked", user.id, had_token=had)
    return had


def _audit(session: Session, clock: Clock, by: Actor | None, action: str, user_id: str, **detail: object) -> None:
    audit.record(
        session,
        at=clock.now(),
        user_id=by.user_id if by else None,
        channel=by.channel if by else "cli",
        action=action,
        entity="user",
        entity_id=user_id,
        **detail,
    )


def all_users(session: Session, by: Actor) -> list[User]:
    """Every user, by id, for an admin."""
    by.require("users", "see the users")
    return list(session.exec(select(User).order_by(User.id)).all())


def user_for_token(session: Session, token: str | None) -> User | None:
    """The user holding this token, or None (unknown, revoked or malformed)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = token_hash(token)
    user = session.exec(select(User).where(User.token_hash == digest)).first()
    if user is None or not hmac.compare_digest(user.token_hash or "", digest):
        return None
    return user


def user_for_slack(session: Session, slack_id: str) -> User | None:
    return session.exec(select(User).where(User.slack_id == slack_id).order_by(User.id)).first()


def user_for_telegram(session: Session, telegram_id: int | str) -> User | None:
    return session.exec(select(User).where(User.telegram_id == str(telegram_id))).first()


def get_user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def an_admin(session: Session) -> User | None:
    """Some admin (by id), for what the command line shows with an admin's view."""
    return session.exec(select(User).where(User.role == "admin").order_by(User.id)).first()


def user_names(session: Session, ids: list[str]) -> dict[str, str]:
    """id -> name of those users that exist."""
    wanted = sorted(set(ids))
    return dict(session.exec(select(User.id, User.name).where(col(User.id).in_(wanted))).all()) if wanted else {}
