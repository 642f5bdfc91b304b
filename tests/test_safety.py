"""The confirmation guarantees for every tool that changes data, through agent.runtime.Assistant
with the offline planner on the sample world: a preview writes nothing; only the same user, in
the same channel and conversation, can confirm; a confirmation runs exactly once, never after
expiry, a "no" or a newer request; and refusals never reveal whether something exists."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from agent.runtime import Assistant, Turn
from core.clock import Clock
from core.state import snapshot

TTL = timedelta(minutes=15)
OTHER_USER = "U-ADM"  # may do everything: only the binding to user and conversation stops them


def later(clock: Clock, delta: timedelta) -> Clock:
    return Clock(clock.tz, clock.now() + delta)


def changes(before: dict, after: dict) -> dict:
    """What a change did, in the terms the cases below expect (stock is checked elsewhere)."""
    old = {o["order_no"]: o for o in before["orders"]}
    new = {o["order_no"]: o for o in after["orders"]}
    return {
        "new_orders": sorted((o["customer"], o["status"]) for n, o in new.items() if n not in old),
        "status": {n: (old[n]["status"], new[n]["status"]) for n in old if new[n]["status"] != old[n]["status"]},
        "new_payments": [(p["customer"], p["amount"]) for p in after["payments"] if p not in before["payments"]],
        "new_invoices": sorted(i["order_no"] for i in after["invoices"] if i not in before["invoices"]),
        "customers_changed": before["customers"] != after["customers"],
        "stock_on_hand": on_hand_changes(before, after),
    }


def on_hand_changes(before: dict, after: dict) -> dict:
    """Per batch, the change of (on hand, damaged): what stock tools and dispatch change
    (reservations only move units from available to reserved, so they are not listed)."""

    def key(s):
        return s["warehouse"], s["sku"], s["batch"]

    def value(s):
        return s["available"] + s["reserved"] + s["damaged"], s["damaged"]

    old = {key(s): value(s) for s in before["stock"]}
    new = {key(s): value(s) for s in after["stock"]}
    out = {}
    for k in old.keys() | new.keys():
        a, b = old.get(k, (0, 0)), new.get(k, (0, 0))
        if a != b:
            out[k] = (b[0] - a[0], b[1] - a[1])
    return out


def expected(new_orders=(), status=None, payments=(), invoices=(), stock=None) -> dict:
    return {
        "new_orders": sorted(new_orders),
        "status": status or {},
        "new_payments": list(payments),
        "new_invoices": sorted(invoices),
        "customers_changed": False,
        "stock_on_hand": stock or {},
    }


@dataclass
class Case:
    tool: str
    user: str
    channel: str
    request: str  # may name {order}: the order made by `setup`
    alt: str  # another change the same user may ask for (to be replaced by `request`)
    expect: Callable[[str], dict]  # the exact change of `request`, given {order}
    setup: bool = False  # needs an order waiting for approval
    order: str = field(default="")


CASES = [
    Case(
        "create_order",
        "U-MGR-KA",
        "slack",
        "Place an order for Ganesh Provisions: 2 cases of Sunleaf tea 250g",
        "record a payment of 5000 from Ganesh Provisions by UPI",
        lambda _: expected(new_orders=[("R-103", "pending_approval")]),
    ),
    Case(
        "cancel_order",
        "U-RET-101",
        "telegram",
        "cancel order SO-0905",
        "order 1 case of Sunleaf tea 250g",
        lambda _: expected(status={"SO-0905": ("confirmed", "cancelled")}),
    ),
    Case(
        "approve_order",
        "U-MGR-KA",
        "slack",
        "approve {order}",
        "record a payment of 5000 from Ganesh Provisions by UPI",
        lambda o: expected(status={o: ("pending_approval", "confirmed")}),
        setup=True,
    ),
    Case(
        "reject_order",
        "U-MGR-KA",
        "slack",
        "reject {order} because the price is wrong",
        "record a payment of 5000 from Ganesh Provisions by UPI",
        lambda o: expected(status={o: ("pending_approval", "rejected")}),
        setup=True,
    ),
    Case(
        "dispatch_order",
        "U-WH-1",
        "slack",
        "dispatch SO-0905",
        "mark SO-0904 delivered",
        lambda _: expected(
            status={"SO-0905": ("confirmed", "dispatched")},
            invoices=["SO-0905"],
            stock={("WH-BLR", "CC-200", "CC2-2610"): (-72, 0), ("WH-BLR", "GD-1L", "GD1-2608"): (-12, 0)},
        ),
    ),
    Case(
        "deliver_order",
        "U-WH-1",
        "slack",
        "mark SO-0904 delivered",
        "dispatch SO-0905",
        lambda _: expected(status={"SO-0904": ("dispatched", "delivered")}),
    ),
    Case(
        "record_payment",
        "U-MGR-KA",
        "slack",
        "record a payment of 5000 from Ganesh Provisions by UPI",
        "order 1 case of Sunleaf tea 250g for Fresh Mart",
        lambda _: expected(payments=[("R-103", "5000.00")]),
    ),
    Case(
        "adjust_stock",
        "U-WH-1",
        "slack",
        "we counted 3 fewer BR-1K in batch BR1-A at WH-BLR",
        "dispatch SO-0905",
        lambda _: expected(stock={("WH-BLR", "BR-1K", "BR1-A"): (-3, 0)}),
    ),
    Case(
        "record_damage",
        "U-WH-1",
        "slack",
        "5 pcs of BR-1K in batch BR1-B are torn, mark them damaged",
        "dispatch SO-0905",
        lambda _: expected(stock={("WH-BLR", "BR-1K", "BR1-B"): (0, 5)}),
    ),
]


@pytest.fixture(params=CASES, ids=[c.tool for c in CASES])
def case(request, sample, clock) -> Case:
    c = request.param
    order = ""
    if c.setup:  # a sales rep's order over the customer's credit limit waits for a manager
        a = Assistant(sample, clock)
        rep = Turn("U-REP-1", "slack", "setup")
        before = snapshot(sample)
        assert a.handle(rep, "Place an order for Ganesh Provisions: 2 cases of Sunleaf tea 250g").outcome == "preview"
        assert a.handle(rep, "yes").outcome == "done"
        [order] = [o["order_no"] for o in snapshot(sample)["orders"] if o not in before["orders"]]
    return Case(c.tool, c.user, c.channel, c.request.format(order=order), c.alt, c.expect, c.setup, order)


def preview(a: Assistant, turn: Turn, text: str, tool: str):
    r = a.handle(turn, text)
    assert r.outcome == "preview" and r.awaiting_confirmation, r.full_text()
    assert [c.name for c in r.tool_calls][-1] == tool
    [action_id] = {x.value for x in r.actions}
    assert [x.id for x in r.actions] == ["confirm", "cancel"] and action_id
    return action_id


def assert_nothing_runs(r, sample, state):
    assert r.outcome != "done", r.text
    assert snapshot(sample) == state


def test_preview_writes_nothing_and_yes_runs_exactly_once(case, sample, clock):
    a = Assistant(sample, clock)
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(a, turn, case.request, case.tool)
    assert snapshot(sample) == before, "the preview wrote something"
    done = a.handle(turn, "yes")
    assert done.outcome == "done" and done.tool_calls[0].name == case.tool
    after = snapshot(sample)
    assert changes(before, after) == case.expect(case.order)
    assert not a.awaiting_confirmation(turn)
    assert_nothing_runs(a.handle(turn, "yes"), sample, after)
    assert_nothing_runs(a.confirm(turn, action_id), sample, after)
    assert_nothing_runs(Assistant(sample, clock).confirm(turn, action_id), sample, after)  # another process


def test_the_button_confirms_the_same_way(case, sample, clock):
    a = Assistant(sample, clock)
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(a, turn, case.request, case.tool)
    assert a.confirm(turn, "not-" + action_id).outcome != "done" and snapshot(sample) == before
    assert a.confirm(turn, action_id).outcome == "done"
    after = snapshot(sample)
    assert changes(before, after) == case.expect(case.order)
    assert_nothing_runs(a.confirm(turn, action_id), sample, after)
    assert_nothing_runs(a.handle(turn, "yes"), sample, after)


def test_nobody_else_can_confirm(case, sample, clock):
    a = Assistant(sample, clock)
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(a, turn, case.request, case.tool)
    others = [
        Turn(OTHER_USER, case.channel, "conv-1"),  # another user in the same conversation
        Turn(OTHER_USER, case.channel, "conv-2"),  # another user elsewhere
        Turn(case.user, case.channel, "conv-2"),  # the same user in another conversation
        Turn(case.user, "cli" if case.channel != "cli" else "slack", "conv-1"),
    ]  # another channel
    for other in others:
        assert_nothing_runs(a.confirm(other, action_id), sample, before)
        assert_nothing_runs(a.handle(other, "yes"), sample, before)
        assert not a.awaiting_confirmation(other)
        a.cancel(other, action_id)  # nor drop it
    assert a.awaiting_confirmation(turn), "the owner's preview survives the others' attempts"
    assert a.confirm(turn, action_id).outcome == "done"
    assert changes(before, snapshot(sample)) == case.expect(case.order)


def test_an_expired_preview_runs_nothing(case, sample, clock):
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(Assistant(sample, clock), turn, case.request, case.tool)
    late = Assistant(sample, later(clock, TTL + timedelta(seconds=1)))
    assert not late.awaiting_confirmation(turn)
    assert_nothing_runs(late.confirm(turn, action_id), sample, before)
    assert_nothing_runs(late.handle(turn, "yes"), sample, before)
    # nor does going back in time revive it
    assert_nothing_runs(Assistant(sample, clock).confirm(turn, action_id), sample, before)


def test_a_preview_is_good_until_it_expires(case, sample, clock):
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(Assistant(sample, clock), turn, case.request, case.tool)
    assert Assistant(sample, later(clock, TTL - timedelta(minutes=1))).confirm(turn, action_id).outcome == "done"
    assert changes(before, snapshot(sample)) == case.expect(case.order)


def test_no_drops_the_preview(case, sample, clock):
    a = Assistant(sample, clock)
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(a, turn, case.request, case.tool)
    r = a.handle(turn, "no")
    assert r.outcome == "dropped" and not a.awaiting_confirmation(turn)
    assert_nothing_runs(a.handle(turn, "yes"), sample, before)
    assert_nothing_runs(a.confirm(turn, action_id), sample, before)


def test_a_new_request_replaces_the_pending_one(case, sample, clock):
    a = Assistant(sample, clock)
    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    r = a.handle(turn, case.alt)
    assert r.outcome == "preview"
    old_id = r.actions[0].value
    new_id = preview(a, turn, case.request, case.tool)
    assert new_id != old_id and snapshot(sample) == before
    assert_nothing_runs(a.confirm(turn, old_id), sample, before)
    assert a.pending_action(turn).id == new_id, "a stale button must not drop the newer preview"
    assert a.handle(turn, "yes").outcome == "done"
    assert changes(before, snapshot(sample)) == case.expect(case.order), "only the newer request ran"


# --- refusals never reveal existence ----------------------------------------------------------

ORDER_PROBES = [  # (user, channel, request, an order outside the user's scope)
    ("U-RET-101", "telegram", "show order {}", "SO-0902"),
    ("U-RET-101", "telegram", "cancel order {}", "SO-0902"),
    ("U-RET-105", "telegram", "what's the status of {}?", "SO-0905"),
    ("U-REP-1", "slack", "show order {}", "SO-0908"),
    ("U-MGR-TN", "slack", "cancel {}", "SO-0905"),
    ("U-DIST-BLR", "slack", "show order {}", "SO-0906"),
]


@pytest.mark.parametrize("user,channel,request_,hidden", ORDER_PROBES)
def test_an_out_of_scope_order_reads_like_a_missing_one(sample, clock, user, channel, request_, hidden):
    a = Assistant(sample, clock)
    before = snapshot(sample)
    seen = a.handle(Turn(user, channel, "probe-1"), request_.format(hidden))
    missing = a.handle(Turn(user, channel, "probe-2"), request_.format("SO-9999"))
    assert seen.outcome in ("refused", "answered") and not seen.awaiting_confirmation
    assert seen.full_text().replace(hidden, "#") == missing.full_text().replace("SO-9999", "#")
    assert snapshot(sample) == before


@pytest.mark.parametrize("request_", ["show me the orders of {}", "what does {} owe?"])
def test_a_retailer_learns_nothing_about_other_customers(sample, clock, request_):
    a = Assistant(sample, clock)
    texts = {
        a.handle(Turn("U-RET-101", "telegram", f"p{i}"), request_.format(name)).full_text()
        for i, name in enumerate(["Fresh Mart", "Murugan Stores", "Nowhere Traders"])
    }
    assert texts == {"You can only see your own account."}


def test_a_sales_rep_learns_nothing_about_customers_outside_the_beat(sample, clock):
    a = Assistant(sample, clock)
    seen = a.handle(Turn("U-REP-1", "slack", "p1"), "what does Murugan Stores owe?").full_text()
    missing = a.handle(Turn("U-REP-1", "slack", "p2"), "what does Zebra Stores owe?").full_text()
    assert seen.replace("Murugan Stores", "#") == missing.replace("Zebra Stores", "#")


def test_two_confirmations_at_once_run_it_once(case, sample, clock):
    """A double click reaching two processes: the claim is a single conditional update."""
    import threading

    turn = Turn(case.user, case.channel, "conv-1")
    before = snapshot(sample)
    action_id = preview(Assistant(sample, clock), turn, case.request, case.tool)
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def click():
        a = Assistant(sample, clock)  # one per process
        barrier.wait()
        outcomes.append(a.confirm(turn, action_id).outcome)

    threads = [threading.Thread(target=click) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("done") == 1, outcomes
    assert changes(before, snapshot(sample)) == case.expect(case.order)
