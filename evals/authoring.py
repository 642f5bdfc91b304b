"""A recorded conversation as a scenario (spec/scenarios.md) whose expectations are what was
observed: `dms chat --record FILE` writes one for an admin to review and keep as a
regression test. The `final` block comes from the snapshot diff of the conversation."""

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from .checks import new_approvals, new_items, new_orders, state_diff


@dataclass
class ObservedTurn:
    user: str
    awaiting_confirmation: bool
    outcome: str


@dataclass
class Recording:
    user: str
    world: Path
    now: datetime
    channel: str = "cli"
    turns: list[ObservedTurn] = field(default_factory=list)


def observed_final(before: dict, after: dict) -> dict:
    """The `final` checks that hold for the change from `before` to `after` (no_changes if none)."""
    if before == after:
        return {"no_changes": True}
    final: dict = {}
    orders = new_orders(before, after)
    if orders:
        final["orders_created"] = [
            {
                "customer": o["customer"],
                "warehouse": o["warehouse"],
                "status": [o["status"]],
                "total": o["total"],
                "lines": [{"sku": ln["sku"], "qty": ln["qty"], "free_qty": ln["free_qty"]} for ln in o["lines"]],
            }
            for o in orders
        ]
    was = {o["order_no"]: o for o in before.get("orders", [])}
    changed = [o for o in after.get("orders", []) if o["order_no"] in was and was[o["order_no"]] != o]
    if changed:
        final["orders_changed"] = [{"order_no": o["order_no"], "status": [o["status"]]} for o in changed]
    payments = new_items(before.get("payments", []), after.get("payments", []))
    if payments:
        final["payments_created"] = [
            {"customer": p["customer"], "amount": p["amount"], "method": p["method"]} for p in payments
        ]
    approvals = new_approvals(before, after)
    if approvals:
        customer_of = {o["order_no"]: o["customer"] for o in after.get("orders", [])}
        final["approvals_created"] = [
            {
                "order_customer": customer_of.get(a["order_no"]),
                "reasons": a["reasons"],
                "approver_role": a["approver_role"],
                "status": [a["status"]],
            }
            for a in approvals
        ]
    stock = state_diff(before, after).get("stock")
    if stock:
        rows = stock["added"] + [c["after"] for c in stock["changed"]]
        final["stock"] = [
            {k: b[k] for k in ("warehouse", "sku", "batch", "available", "reserved", "damaged")} for b in rows
        ]
    return final


def scenario_id(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", Path(path).stem).strip("-") or "recorded"


def to_scenario(rec: Recording, before: dict, after: dict, path: Path) -> dict:
    """The scenario as data; the world is written relative to the file, so the pair can move."""
    try:
        world = os.path.relpath(Path(rec.world).resolve(), Path(path).resolve().parent)
    except ValueError:  # another drive (Windows)
        world = str(Path(rec.world).resolve())
    turns = []
    for t in rec.turns:
        expect: dict = {"confirmation_requested": t.awaiting_confirmation}
        if t.outcome == "refused":
            expect["refused"] = True
        turns.append({"user": t.user, "expect": expect})
    return {
        "id": scenario_id(path),
        "world": world,
        "as": rec.user,
        "channel": rec.channel,
        "now": rec.now.isoformat(),
        "tags": ["recorded"],
        "turns": turns,
        "final": observed_final(before, after),
    }


def write_scenario(rec: Recording, before: dict, after: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Recorded with `dms chat --as {rec.user} --record` on {datetime.now().astimezone():%Y-%m-%d %H:%M}.\n"
        "# The expectations are what was observed: review them (and that the chat's database held\n"
        "# exactly this world at `now`) before keeping this scenario as a regression test.\n"
    )
    body = yaml.safe_dump(to_scenario(rec, before, after, path), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path


__all__ = ["ObservedTurn", "Recording", "observed_final", "to_scenario", "write_scenario"]
