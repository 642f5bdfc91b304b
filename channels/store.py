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
