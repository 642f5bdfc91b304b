"""What the assistant keeps between turns: pending confirmations and conversation memory.

Both live in the product's database, so a confirmation (a Slack button click, say) can
arrive in another process, and a conversation survives restarts.
"""

import json
import uuid
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Field, Session, SQLModel, col, select

from core.types import timestamp


class PendingAction(SQLModel, table=True):
    """A change previewed to a user and waiting for that same user's confirmation."""

    __tablename__ = "pending_action"
    id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    channel: str
    conversation: str = Field(index=True)
    tool: str
    args: str  # JSON of the validated arguments
    fingerprint: str
    preview: str
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    status: str = Field(default="pending", index=True)  # pending | done | dropped | replaced | expired | failed


class ConversationMessage(SQLModel, table=True):
    __tablename__ = "conversation_message"
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(index=True)
    conversation: str = Field(index=True)
    user_id: str
    at: datetime = timestamp()
    message: str  # a LangChain message as JSON (messages_to_dict)


def current_pending(
    session: Session, user_id: str, channel: str, conversation: str, now: datetime
) -> PendingAction | None:
    rows = session.exec(
        select(PendingAction)
        .where(
            PendingAction.user_id == user_id,
            PendingAction.channel == channel,
            PendingAction.conversation == conversation,
            PendingAction.status == "pending",
        )
        .order_by(col(PendingAction.created_at).desc())
    ).all()
    for row in rows:
        if row.expires_at <= now:
            _set_status(session, row.id, "pending", "expired")
            continue
        return row
    return None


# the table itself, for updates that must not go through the ORM (SQLModel sets __table__ on
# every table class; its type hints do not declare it)
_PENDING: Table = PendingAction.__table__  # type: ignore[attr-defined]


def put_pending(
    session: Session,
    *,
    user_id: str,
    channel: str,
    conversation: str,
    tool: str,
    args: dict,
    fingerprint: str,
    preview: str,
    now: datetime,
    ttl_minutes: int,
) -> PendingAction:
    """Store a new preview; it replaces any unconfirmed one of the same conversation."""
    t = _PENDING
    session.execute(
        update(t)
        .where(
            t.c.user_id == user_id, t.c.channel == channel, t.c.conversation == conversation, t.c.status == "pending"
        )
        .values(status="replaced")
    )
    row = PendingAction(
        id=uuid.uuid4().hex,
        user_id=user_id,
        channel=channel,
        conversation=conversation,
        tool=tool,
        args=json.dumps(args, sort_keys=True, default=str),
        fingerprint=fingerprint,
        preview=preview,
        created_at=now,
        expires_at=now + timedelta(minutes=ttl_minutes),
    )
    session.add(row)
    return row


def claim(session: Session, action_id: str, user_id: str, to: str = "done") -> bool:
    """Single use: only the first claim of a pending action by its own user succeeds."""
    t = _PENDING
    result = session.execute(
        update(t).where(t.c.id == action_id, t.c.user_id == user_id, t.c.status == "pending").values(status=to)
    )
    return cast(CursorResult, result).rowcount == 1


def _set_status(session: Session, action_id: str, old: str, new: str) -> None:
    t = _PENDING
    session.execute(update(t).where(t.c.id == action_id, t.c.status == old).values(status=new))


def load_messages(session: Session, channel: str, conversation: str, user_id: str, limit: int = 30) -> list:
    from langchain_core.messages import messages_from_dict

    rows = session.exec(
        select(ConversationMessage.message)
        .where(
            ConversationMessage.channel == channel,
            ConversationMessage.conversation == conversation,
            ConversationMessage.user_id == user_id,
        )
        .order_by(col(ConversationMessage.id).desc())
        .limit(limit)
    ).all()
    msgs = messages_from_dict([json.loads(r) for r in reversed(rows)])
    # never start the window on a tool result whose call was cut off
    while msgs and msgs[0].type == "tool":
        msgs.pop(0)
    return msgs


def save_messages(
    session: Session, channel: str, conversation: str, user_id: str, messages: list, now: datetime
) -> None:
    from langchain_core.messages import messages_to_dict

    for d in messages_to_dict(messages):
        session.add(
            ConversationMessage(
                channel=channel, conversation=conversation, user_id=user_id, at=now, message=json.dumps(d, default=str)
            )
        )
