"""Races between processes: N processes, each with its own engine and connection, wait at a
barrier and then try the same change at once, as a server's workers or two people would.

Processes are forked, so they start at once and inherit nothing they use: each makes its own
engine from the database URL (the parent's pooled connections are never touched, and a
forked child ends with os._exit, so nothing of the parent's is closed either).
"""

import multiprocessing
import traceback
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

TZ = "Asia/Kolkata"


@dataclass(frozen=True)
class Result:
    kind: str  # won | refused | error
    detail: str = ""


def _run(url: str, now: str, barrier, queue, index: int, op: str, args: tuple) -> None:
    from core.clock import Clock
    from core.db import make_engine
    from core.errors import DomainError

    engine = make_engine(url)
    clock = Clock(ZoneInfo(TZ), datetime.fromisoformat(now))
    try:
        work = OPS[op]
        prepared = work(engine, clock, *args)  # everything before the moment of truth
        with engine.connect() as conn:  # a pooled connection ready, so no one starts late
            conn.exec_driver_sql("SELECT 1")
        barrier.wait(timeout=120)
        outcome = prepared()
        queue.put((index, Result("won", str(outcome or ""))))
    except DomainError as e:
        queue.put((index, Result("refused", f"{type(e).__name__}: {e.message}")))
    except _Refused as e:  # the assistant answered, but did not do it
        queue.put((index, Result("refused", f"{e.outcome}: {e.text}")))
    except Exception:  # noqa: BLE001 - reported to the test, which fails on it
        queue.put((index, Result("error", traceback.format_exc(limit=6))))
    finally:
        engine.dispose()


def race(url: str, now: datetime, attempts: list[tuple[str, tuple]], timeout: float = 180) -> list[Result]:
    """Run every (op, args) in its own process, released together; their results in order."""
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(len(attempts)), ctx.Queue()
    procs = [
        ctx.Process(target=_run, args=(url, now.isoformat(), barrier, queue, i, op, args), daemon=True)
        for i, (op, args) in enumerate(attempts)
    ]
    for p in procs:
        p.start()
    results: dict[int, Result] = {}
    try:
        for _ in procs:
            i, r = queue.get(timeout=timeout)
            results[i] = r
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
    return [results[i] for i in range(len(attempts))]


# --- the operations: each returns a callable that does the change in one transaction ---------


def _in_transaction(engine, user: str, channel: str, fn):
    from core.access import load_actor
    from core.db import transaction

    def go():
        with transaction(engine) as s:
            return fn(s, load_actor(s, user, channel))

    return go


def _dispatch(engine, clock, user, order_no):
    from core.orders import dispatch_order

    return _in_transaction(engine, user, "race", lambda s, a: dispatch_order(s, a, clock, order_no)[2].invoice_no)


def _cancel(engine, clock, user, order_no):
    from core.orders import cancel_order

    return _in_transaction(engine, user, "race", lambda s, a: cancel_order(s, a, clock, order_no, "race").status)


def _deliver(engine, clock, user, order_no):
    from core.orders import deliver_order

    return _in_transaction(engine, user, "race", lambda s, a: deliver_order(s, a, clock, order_no).status)


def _decide(engine, clock, user, order_no, approve):
    from core.orders import decide

    return _in_transaction(
        engine, user, "race", lambda s, a: decide(s, a, clock, order_no, approve, None if approve else "race").status
    )


def _pay(engine, clock, user, customer, amount):
    from core.payments import record_payment

    return _in_transaction(
        engine, user, "race", lambda s, a: record_payment(s, a, clock, customer, Decimal(amount), "upi").amount
    )


def _order(engine, clock, user, customer, items):
    from core.orders import Item, create_order

    return _in_transaction(
        engine,
        user,
        "race",
        lambda s, a: create_order(s, a, clock, [Item(*i) for i in items], customer=customer)[0].order_no,
    )


def _link(engine, clock, user, request_id, approve):
    from core.linking import approve_link, reject_link

    decide = approve_link if approve else reject_link
    return _in_transaction(engine, user, "race", lambda s, a: (decide(s, a, request_id, clock.now()), approve)[1])


def _say(engine, clock, user, conversation, text):
    """A message to the assistant, as a channel sends it (the runtime owns its transactions)."""
    from agent.runtime import Assistant, Turn

    assistant = Assistant(engine, clock)

    def go():
        reply = assistant.handle(Turn(user, "web", conversation), text)
        if reply.outcome == "done":
            return reply.text
        raise _Refused(reply.outcome, reply.text)

    return go


def _api_post(engine, clock, token, path, body, key):
    """A POST to the REST API with an Idempotency-Key, through the real app in this process."""
    from fastapi.testclient import TestClient

    from agent.runtime import Assistant
    from channels.web.app import create_app

    client = TestClient(create_app(engine, clock, Assistant(engine, clock)))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}

    def go():
        r = client.post("/api/v1" + path, json=body, headers=headers)
        if r.status_code >= 300:
            raise _Refused(str(r.status_code), r.text)
        return r.text

    return go


class _Refused(Exception):
    def __init__(self, outcome: str, text: str):
        super().__init__(text)
        self.outcome, self.text = outcome, text


OPS = {
    "dispatch": _dispatch,
    "cancel": _cancel,
    "deliver": _deliver,
    "decide": _decide,
    "pay": _pay,
    "order": _order,
    "link": _link,
    "say": _say,
    "api_post": _api_post,
}
