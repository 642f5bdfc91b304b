"""Writing the audit log and the notification outbox."""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from .tables.audit import AuditEntry, OutboxMessage


def record(
    session: Session,
    *,
    at: datetime,
    user_id: str | None,
    channel: str | None,
    action: str,
    entity: str,
    entity_id: str,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            user_id=user_id,
            channel=channel,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=json.dumps(detail, default=str, sort_keys=True),
        )
    )


def notify(session: Session, *, at: datetime, event: str, recipient: str, **payload: Any) -> None:
    session.add(
        OutboxMessage(
            created_at=at,
            event=event,
            recipient=recipient,
            next_attempt_at=at,
            payload=json.dumps(payload, default=str, sort_keys=True),
        )
    )
