"""`Idempotency-Key` on the REST API's POSTs, over channels.store.IdempotentRequest."""

from datetime import datetime, timedelta

from fastapi import Header
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from channels.store import IdempotentRequest
from core.errors import InvalidInput

KeyHeader = Header(
    default=None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    description="Any unique text per change (e.g. a UUID): a repeat returns the first response and changes nothing.",
)


# How long a key replays its first response: a client retries within minutes, and a day covers a
# retry after an outage (as the common APIs do). An older key is a new request.
KEEP = timedelta(hours=24)


class KeyReused(InvalidInput):
    code = "idempotency_key_reused"


def _stored(session: Session, user_id: str, key: str) -> IdempotentRequest | None:
    q = select(IdempotentRequest).where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key)
    return session.exec(q.execution_options(populate_existing=True)).first()


def claim(session: Session, user_id: str, key: str, fingerprint: str, now: datetime) -> tuple[int, str] | None:
    """Claim the key for this request in the caller's transaction: None when it is new (go on),
    else the first response (status, JSON). Of two simultaneous claims, the second insert waits
    for the first's transaction (the unique index) and then reads what it stored. The caller's
    keys older than `KEEP` are purged first, so the table holds about a day of their changes."""
    session.execute(
        delete(IdempotentRequest).where(
            col(IdempotentRequest.user_id) == user_id, col(IdempotentRequest.at) < now - KEEP
        )
    )
    row = _stored(session, user_id, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(IdempotentRequest(user_id=user_id, key=key, fingerprint=fingerprint, at=now))
                session.flush()
            return None
        except IntegrityError:
            row = _stored(session, user_id, key)
            if row is None:  # the other request was refused and rolled back: nothing to replay
                raise InvalidInput("Idempotency-Key: a request with this key was running; send it again.") from None
    if row.fingerprint != fingerprint:
        raise KeyReused("Idempotency-Key: this key was used for a different request; use a new key for a new change.")
    return row.status, row.body


def store(session: Session, user_id: str, key: str, status: int, body: str) -> None:
    row = _stored(session, user_id, key)
    assert row is not None  # claimed in this transaction
    row.status, row.body = status, body
    session.add(row)
