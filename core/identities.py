"""Who a channel's caller is: the user behind a Slack id, a Telegram id or a personal access
token (only a hash of each token is stored). Linking a Telegram account is core/linking.py."""

import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select

from . import audit
from .clock import Clock
from .errors import NotFound
from .tables.parties import User

PREFIX = "dms_"


def token_hash(token: str) -> str:
    # the secret is 256 random bits, so a plain sha256 suffices (no password stretching needed)
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user_id: str, clock: Clock | None = None) -> str:
    """A new token for the user, replacing any earlier one; the caller commits the session."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    token = PREFIX + secrets.token_urlsafe(32)
    user.token_hash = token_hash(token)
    session.add(user)
    if clock is not None:
        audit.record(
            session,
            at=clock.now(),
            user_id=None,
            channel="cli",
            action="user.token_issued",
            entity="user",
            entity_id=user.id,
        )
    return token


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
