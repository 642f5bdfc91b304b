"""Outbox delivery: routing, exactly one send per (event, recipient), retries with backoff, failure."""

import json
import threading
import time
from datetime import timedelta

from sqlmodel import Session, select

from channels.notices import notice_text as message_text
from channels.outbox import backoff, deliver_pending, route
from core.access import load_actor
from core.audit import notify
from core.db import transaction
from core.orders import Item, create_order, deliver_order
from core.tables.audit import OutboxMessage
from core.tables.parties import User


class Platform:
    """Stands in for Slack or Telegram: records what it was asked to send, fails on demand."""

    def __init__(self, name: str, fail_times: int = 0, delay: float = 0.0):
        self.name, self.fail_times, self.delay = name, fail_times, delay
        self.sent: list[tuple[int, str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, message: OutboxMessage, user: User) -> None:
        time.sleep(self.delay)
        with self.lock:
            if self.fail_times > 0:
                self.fail_times -= 1
                raise ConnectionError(f"{self.name} unreachable")
            self.sent.append((message.id, user.id, message_text(message)))


def notifications(sample, clock):
    """Two real notifications from the core: an approval request and an order status change."""
    with transaction(sample) as s:
        order, _ = create_order(s, load_actor(s, "U-REP-1"), clock, [Item("CC-100", 20, "CASE")], customer="R-101")
        assert order.status == "pending_approval"  # over R-101's credit limit
    with transaction(sample) as s:
        deliver_order(s, load_actor(s, "U-WH-1"), clock, "SO-0904")
    return order.order_no


def rows(engine) -> dict[tuple[str, str], OutboxMessage]:
    with Session(engine) as s:
        return {(m.event, m.recipient): m for m in s.exec(select(OutboxMessage))}


def test_routing_prefers_slack_for_approvals_and_telegram_for_order_status(sample):
    with Session(sample) as s:
        manager, retailer, rep = s.get(User, "U-MGR-KA"), s.get(User, "U-RET-101"), s.get(User, "U-REP-1")
    approval = OutboxMessage(event="approval_requested", recipient="x")
    status = OutboxMessage(event="order_status", recipient="x")
    both = {"slack", "telegram"}
    assert route(manager, approval, both) == "slack"
    assert route(retailer, status, both) == "telegram"
    assert route(rep, approval, both) == "slack" and route(rep, status, both) == "telegram"  # rep has both ids
    assert route(rep, approval, {"telegram"}) == "telegram"  # fallback to the other linked platform
    assert route(manager, status, {"telegram"}) is None  # no telegram id, slack not configured
    assert route(retailer, approval, set()) is None


def test_each_notification_is_delivered_once_to_its_channel(sample, clock):
    order_no = notifications(sample, clock)
    slack, telegram = Platform("slack"), Platform("telegram")
    report = deliver_pending(sample, clock, {"slack": slack, "telegram": telegram})
    assert len(report.delivered) == 2 and not report.retried and not report.failed
    approval = rows(sample)[("approval_requested", "U-MGR-KA")]
    assert [(u, t) for _, u, t in slack.sent] == [
        (
            "U-MGR-KA",
            f"Order {order_no} for Anand Kirana Store, ₹33,304.32 needs your approval: credit_limit_exceeded.",
        )
    ]
    assert [(u, t) for _, u, t in telegram.sent] == [("U-RET-103", "Your order SO-0904 is now delivered, ₹4,788.00.")]
    assert approval.status == "delivered" and approval.attempts == 1 and approval.delivered_at == clock.now()
    # nothing is due any more: a second run (or the next tick) sends nothing
    again = deliver_pending(sample, clock.at(clock.now() + timedelta(hours=2)), {"slack": slack, "telegram": telegram})
    assert not again.delivered and len(slack.sent) == 1 and len(telegram.sent) == 1


def test_failures_are_retried_with_exponential_backoff_then_marked_failed(sample, clock):
    notifications(sample, clock)
    slack = Platform("slack", fail_times=99)
    telegram = Platform("telegram")
    senders = {"slack": slack, "telegram": telegram}
    now = clock.now()
    delays = []
    for attempt in range(1, 6):
        report = deliver_pending(sample, clock.at(now), senders, max_attempts=5)
        row = rows(sample)[("approval_requested", "U-MGR-KA")]
        assert row.attempts == attempt and "slack: ConnectionError: slack unreachable" in row.last_error
        if attempt < 5:
            assert row.status == "pending" and len(report.retried) == 1
            # not due before its time: a run a second early sends nothing
            early = deliver_pending(sample, clock.at(row.next_attempt_at - timedelta(seconds=1)), senders)
            assert (
                not early.retried
                and not early.failed
                and rows(sample)[("approval_requested", "U-MGR-KA")].attempts == attempt
            )
            delays.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
        else:
            assert row.status == "failed" and len(report.failed) == 1
    assert delays == [30, 60, 120, 240]
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
    # failed stays failed and visible; the telegram notification went out once, on the first run
    later = deliver_pending(sample, clock.at(now + timedelta(days=1)), senders)
    assert not later.delivered and not later.retried and slack.sent == [] and len(telegram.sent) == 1


def test_a_send_that_recovers_is_delivered_on_retry(sample, clock):
    notifications(sample, clock)
    slack = Platform("slack", fail_times=1)
    deliver_pending(sample, clock, {"slack": slack})
    report = deliver_pending(sample, clock.at(clock.now() + timedelta(seconds=30)), {"slack": slack})
    row = rows(sample)[("approval_requested", "U-MGR-KA")]
    assert report.delivered == [row.id] and row.status == "delivered" and row.attempts == 2 and len(slack.sent) == 1


def test_recipients_without_a_linked_channel_are_skipped_with_the_reason(sample, clock):
    notifications(sample, clock)
    with transaction(sample) as s:
        notify(s, at=clock.now(), event="order_status", recipient="U-NOBODY", order_no="SO-0904", status="x")
    telegram = Platform("telegram")
    report = deliver_pending(sample, clock, {"telegram": telegram})  # Slack not configured here
    got = rows(sample)
    assert got[("approval_requested", "U-MGR-KA")].status == "skipped"  # the manager has only a Slack id
    assert got[("approval_requested", "U-MGR-KA")].last_error == "no linked channel for this user"
    assert got[("order_status", "U-NOBODY")].last_error == "no such user"
    assert len(report.skipped) == 2 and [u for _, u, _ in telegram.sent] == ["U-RET-103"]


def test_concurrent_workers_send_each_notification_once(sample, clock):
    with transaction(sample) as s:
        for i in range(12):
            notify(s, at=clock.now(), event="order_status", recipient="U-RET-101", order_no=f"SO-{i}", status="x")
    telegram = Platform("telegram", delay=0.02)
    threads = [threading.Thread(target=deliver_pending, args=(sample, clock, {"telegram": telegram})) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [m for m, _, _ in telegram.sent]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert all(m.status == "delivered" and m.attempts == 1 for m in rows(sample).values())


def test_a_row_abandoned_mid_send_is_failed_not_sent_twice(sample, clock):
    with transaction(sample) as s:
        notify(s, at=clock.now(), event="order_status", recipient="U-RET-101", order_no="SO-1", status="x")
    with transaction(sample) as s:  # a worker claimed it and died
        row = s.exec(select(OutboxMessage)).one()
        row.status, row.attempts, row.next_attempt_at = "sending", 1, clock.now() + timedelta(minutes=5)
        s.add(row)
    telegram = Platform("telegram")
    assert not deliver_pending(sample, clock, {"telegram": telegram}).failed  # lease not over yet
    report = deliver_pending(sample, clock.at(clock.now() + timedelta(minutes=6)), {"telegram": telegram})
    row = rows(sample)[("order_status", "U-RET-101")]
    assert report.failed == [row.id] and row.status == "failed" and "never delivered twice" in row.last_error
    assert telegram.sent == []


def test_message_texts():
    esc = OutboxMessage(
        event="approval_escalated",
        recipient="U-ADM",
        payload=json.dumps(
            {"order_no": "SO-1", "customer": "Anand Kirana Store", "total": "150000.5", "waiting_hours": 24}
        ),
    )
    assert message_text(esc) == (
        "Order SO-1 for Anand Kirana Store, ₹1,50,000.50 has waited 24 h for approval and is escalated to you."
    )
    status = OutboxMessage(
        event="order_status", recipient="U", payload=json.dumps({"order_no": "SO-2", "status": "pending_approval"})
    )
    assert message_text(status) == "Your order SO-2 is now pending approval."


def test_the_server_delivers_the_outbox_in_the_background(sample, clock):
    from fastapi.testclient import TestClient

    from agent.runtime import Assistant
    from channels.web.app import create_app
    from core.settings import ServerSettings

    notifications(sample, clock)
    slack, telegram = Platform("slack"), Platform("telegram")
    app = create_app(
        sample,
        clock,
        Assistant(sample, clock),
        senders={"slack": slack, "telegram": telegram},
        server=ServerSettings(outbox_interval_seconds=0.05),
    )
    with TestClient(app):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(slack.sent) + len(telegram.sent) < 2:
            time.sleep(0.05)
    assert [u for _, u, _ in slack.sent] == ["U-MGR-KA"] and [u for _, u, _ in telegram.sent] == ["U-RET-103"]
    assert {m.status for m in rows(sample).values()} == {"delivered"}
