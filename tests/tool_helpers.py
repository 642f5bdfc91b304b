"""Calling tools and core services as a user of the sample world, the way the runtime does:
reads and previews in a session that is rolled back, changes in one committed transaction."""

from sqlalchemy import text
from sqlmodel import Session

from core.access import load_actor
from core.db import transaction
from tools.base import ToolContext
from tools.registry import get_tool

# Every table a change of these capabilities could touch.
TABLES = (
    "orders",
    "order_line",
    "order_scheme",
    "order_allocation",
    "stock_balance",
    "stock_movement",
    "approval",
    "payment",
    "invoice",
    "delivery_note",
    "audit_entry",
    "outbox",
    "counter",
    "customer",
)


def rows(engine) -> dict:
    """Every row of TABLES, as comparable tuples: a preview must leave them all as they were."""
    with engine.connect() as conn:
        return {t: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {t}"))) for t in TABLES}


def run(engine, clock, user, name, channel="cli", **args):
    with Session(engine) as s:
        try:
            return get_tool(name).run(ToolContext(s, load_actor(s, user, channel), clock), args)
        finally:
            s.rollback()


def preview(engine, clock, user, name, channel="cli", **args):
    with Session(engine) as s:
        try:
            return get_tool(name).preview(ToolContext(s, load_actor(s, user, channel), clock), args)
        finally:
            s.rollback()


def execute(engine, clock, user, name, fingerprint, channel="cli", **args):
    with transaction(engine) as s:
        return get_tool(name).execute(ToolContext(s, load_actor(s, user, channel), clock), args, fingerprint)


def act(engine, clock, user, fn, channel="cli"):
    """A core service call as `user`, in one committed transaction: fn(session, actor, clock)."""
    with transaction(engine) as s:
        return fn(s, load_actor(s, user, channel), clock)


def read(engine, clock, user, fn):
    """A core read as `user`, never committed: fn(session, actor, clock). Closing the session
    rolls its transaction back and keeps what was loaded readable."""
    with Session(engine) as s:
        return fn(s, load_actor(s, user), clock)
