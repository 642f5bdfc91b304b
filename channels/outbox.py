"""Delivering the core's outbox: each row is one (event, recipient) notification.

A row is claimed by one conditional UPDATE (pending -> sending) before its sender runs,
so two workers never send it twice; a send that fails goes back to pending with an
exponential backoff, and after `max_attempts` it stays `failed` with the last error.
A worker that dies mid-send leaves the row in `sending`: once its lease has passed it is
marked failed rather than sent again (at most once; the error says so).

Routing (`route`): approval requests and escalations go to Slack (approvers work there),
falling back to Telegram; order status changes go to Telegram (customers' users),
falling back to Slack. A recipient with no linked platform among the configured senders
is marked `skipped` with the reason.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine

from core.clock import Clock
from core.outbox import claim, due, fail_abandoned, finish
from core.tables.audit import OutboxMessage
from core.tables.parties import User

log = logging.getLogger("dms.outbox")

Sender = Callable[[OutboxMessage, User], None]  # raises on failure
ChannelFor = Callable[[User, OutboxMessage], "str | None"]

MAX_ATTEMPTS = 5
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)

PREFERENCES = {
    "approval_requested": ("slack", "telegram"),
    "approval_escalated": ("slack", "telegram"),
    "outlet_request": ("slack", "telegram"),
}
DEFAULT_PREFERENCE = ("telegram", "slack")
PLATFORM_ID = {"slack": "slack_id", "telegram": "telegram_id"}


def route(user: User, message: OutboxMessage, available) -> str | None:
    """The channel to reach `user` for this event, among the `available` ones."""
    for channel in PREFERENCES.get(message.event, DEFAULT_PREFERENCE):
        if channel in available and getattr(user, PLATFORM_ID[channel], None):
            return channel
    return None


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, … at most 1 h."""
    return min(MAX_DELAY, BASE_DELAY * (2 ** max(0, attempts - 1)))


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def deliver_pending(
    engine: Engine,
    clock: Clock,
    senders: dict[str, Sender],
    channel_for: ChannelFor | None = None,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    limit: int = 100,
) -> DeliveryReport:
    """Send the outbox rows that are due; returns what happened to each."""
    channel_for = channel_for or (lambda user, msg: route(user, msg, senders.keys()))
    now = clock.now()
    report = DeliveryReport()
    report.failed.extend(fail_abandoned(engine, now))
    for msg_id in due(engine, now, limit):
        claimed = claim(engine, msg_id, now)
        if claimed is None:
            continue  # another worker has it
        message, user = claimed
        channel = channel_for(user, message) if user is not None else None
        if user is None or channel is None or channel not in senders:
            reason = "no such user" if user is None else "no linked channel for this user"
            finish(engine, msg_id, status="skipped", error=reason)
            report.skipped.append(msg_id)
            continue
        try:
            senders[channel](message, user)
        except Exception as e:  # noqa: BLE001 - any failure of the platform: retry later, keep the reason
            error = f"{channel}: {type(e).__name__}: {e}"[:500]
            if message.attempts >= max_attempts:
                finish(engine, msg_id, status="failed", error=error)
                report.failed.append(msg_id)
                log.warning("notification failed for good", extra={"outbox_id": msg_id, "error": error})
            else:
                finish(engine, msg_id, status="pending", error=error, next_attempt_at=now + backoff(message.attempts))
                report.retried.append(msg_id)
                log.info("notification will be retried", extra={"outbox_id": msg_id, "error": error})
            continue
        finish(engine, msg_id, status="delivered", error=None, delivered_at=now)
        report.delivered.append(msg_id)
        log.info(
            "notification delivered",
            extra={"outbox_id": msg_id, "channel": channel, "recipient": user.id, "event": message.event},
        )
    return report
