"""What the channels keep: events already processed (platform retries)."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from core.types import timestamp


class ProcessedEvent(SQLModel, table=True):
    """A platform event handled once: Slack retries and duplicate Telegram update ids are skipped."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("channel", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    event_id: str
    at: datetime = timestamp()


def first_time(session: Session, channel: str, event_id: str, now: datetime) -> bool:
    """Record an event id; False if it was already processed (the caller skips it)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(channel=channel, event_id=event_id, at=now))
            session.flush()
        return True
    except IntegrityError:
        return False


class IdempotentRequest(SQLModel, table=True):
    """A POST of the REST API under an `Idempotency-Key`: the first response, replayed for a
    repeat. The unique (user, key) makes two simultaneous requests with one key serialise on the
    insert: the second waits for the first's transaction and then finds its response."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: str
    key: str
    fingerprint: str  # method, path and body of the first request
    status: int = 0
    body: str = ""  # the JSON response
    at: datetime = timestamp()


class WebSession(SQLModel, table=True):
    """A browser's sign-in (`kind` "session": the cookie's secret, hashed) or a one-time sign-in
    link not yet used (`kind` "link"). Each expires; a link is deleted when it is used, a session
    when its user signs out. `csrf` is the session's form token (channels/web/sessions.py)."""

    __tablename__ = "web_session"
    key_hash: str = Field(primary_key=True)  # sha256 of the secret; the secret itself is never stored
    kind: str = Field(index=True)  # session | link
    user_id: str = Field(index=True)
    csrf: str = ""
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp(index=True)
