"""The audit log and the notification outbox."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from ..types import timestamp


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(index=True)
    user_id: str | None = None
    channel: str | None = None
    action: str
    entity: str
    entity_id: str = Field(index=True)
    detail: str = "{}"


class OutboxMessage(SQLModel, table=True):
    """A notification for a user that a channel will deliver."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = timestamp()
    event: str  # e.g. approval_requested, approval_escalated, order_status
    recipient: str = Field(index=True)  # user id
    payload: str = "{}"
    status: str = Field(default="pending", index=True)  # pending | delivered | failed
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp(nullable=True)
    delivered_at: datetime | None = timestamp(nullable=True)
    last_error: str | None = None
