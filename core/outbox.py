"""The outbox's rows as delivery works them (the delivery loop and routing are channels/outbox.py).

A row is claimed by one conditional UPDATE (pending -> sending) before its sender runs, so
two workers never send it twice; `finish` closes a claimed row; a claimed row whose lease has
passed is failed by `fail_abandoned` rather than sent again (at most once)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from .db import transaction
from .tables.audit import OutboxMessage
from .tables.parties import User
from .types import rowcount

LEASE = timedelta(minutes=5)  # how long a claimed row may stay in `sending`


def due(engine: Engine, now: datetime, limit: int) -> list[int]:
    """Ids of the pending rows whose time has come, oldest first."""
    with Session(engine) as s:
        return list(
            cast(
                Sequence[int],
                s.exec(
                    select(OutboxMessage.id)
                    .where(  # primary keys: never None
                        OutboxMessage.status == "pending",
                        col(OutboxMessage.next_attempt_at).is_(None) | (col(OutboxMessage.next_attempt_at) <= now),
                    )
                    .order_by(col(OutboxMessage.id))
                    .limit(limit)
                ).all(),
            )
        )


def claim(engine: Engine, msg_id: int, now: datetime) -> tuple[OutboxMessage, User | None] | None:
    """Take a pending row for sending (one attempt more); None when another worker has it."""
    with transaction(engine) as s:
        result = s.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == msg_id, col(OutboxMessage.status) == "pending")
            .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        )
        if rowcount(result) != 1:
            return None
        message = s.get(OutboxMessage, msg_id)
        if message is None:  # claimed above, in this transaction: it is there
            return None
        user = s.get(User, message.recipient)
        s.expunge_all()
        return message, user


def finish(engine: Engine, msg_id: int, *, status: str, error: str | None, **values: object) -> None:
    with transaction(engine) as s:
        s.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == msg_id, col(OutboxMessage.status) == "sending")
            .values(status=status, last_error=error, **values)
        )


def fail_abandoned(engine: Engine, now: datetime) -> list[int]:
    """Rows left in `sending` past their lease (their sender may or may not have run) are
    marked failed, never sent again; returns their ids."""
    with transaction(engine) as s:
        ids = cast(
            Sequence[int],
            s.exec(
                select(OutboxMessage.id).where(  # primary keys: never None
                    OutboxMessage.status == "sending", col(OutboxMessage.next_attempt_at) <= now
                )
            ).all(),
        )
        if ids:
            s.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == "sending")
                .values(
                    status="failed", last_error="interrupted while sending; not retried, so it is never delivered twice"
                )
            )
        return list(ids)
