"""The one serialisation rule for every state change.

A command that changes a customer's orders or money takes row locks in this order, and only
in this order, before it reads anything it decides on:

  1. the customer row: credit checks, payments, settlement and every order status change;
  2. the order row: its status;
  3. stock balance rows, in (warehouse, sku, batch) order (core/inventory.py);
  4. number counters, last, so they are held briefly (core/orders.next_number).

What the command then reads is committed data that no other command can change until it
commits, so exactly one of N simultaneous attempts wins and the others see its result. The
status update itself is also conditional on the status read (`transition_row`), the last
line of defence if a path ever forgets the lock; unique constraints guard invoices and
delivery notes (one per order) and approvals (one per order).

PostgreSQL: SELECT ... FOR UPDATE (READ COMMITTED re-reads the row once the lock is free).
SQLite: every transaction begins IMMEDIATE (core/db.py), so writers already run one at a
time and SQLAlchemy leaves FOR UPDATE out.
"""
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from .audit import AuditEntry
from .errors import InvalidTransition
from .settings import business_tz


def lock_customer(session: Session, code: str):
    """The customer row, locked and fresh from the database (None if there is none)."""
    from .parties import Customer

    return session.exec(select(Customer).where(Customer.code == code).with_for_update()
                        .execution_options(populate_existing=True)).first()


def lock_order(session: Session, order_no: str):
    """The order row, locked and fresh; its customer must be locked first (see above)."""
    from .orders import Order

    return session.exec(select(Order).where(Order.order_no == order_no).with_for_update()
                        .execution_options(populate_existing=True)).first()


def transition_row(session: Session, model, key_col, key: str, status_col, allowed_from: tuple[str, ...],
                   values: dict) -> bool:
    """Set `values` on the row only if its status is still one of `allowed_from`; whether it did."""
    t = model.__table__
    result = session.execute(update(t).where(t.c[key_col] == key, t.c[status_col].in_(allowed_from))
                             .values(**values))
    return result.rowcount == 1


def refused_transition(session: Session, order_no: str, status: str, to: str) -> InvalidTransition:
    """Why an order cannot move to `to`, naming who put it where it is and when, if known
    ("SO-0917 was already dispatched by Ravi at 10:42")."""
    from .parties import User

    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "order", AuditEntry.entity_id == order_no,
                                                  AuditEntry.action == f"order.{status}")
                         .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).first()
    word, wanted = status.replace("_", " "), to.replace("_", " ")
    if status == "pending_approval":
        word = "waiting for approval"
    if entry is None:
        return InvalidTransition(f"Order {order_no} is {word}; it cannot be {wanted}.")
    user = session.get(User, entry.user_id) if entry.user_id else None
    by = f" by {user.name}" if user else ""
    already = "already " if status == to else ""
    tail = "." if status == to else f"; it cannot be {wanted} now."
    return InvalidTransition(f"{order_no} was {already}{word}{by} {_when(entry.at)}{tail}")


def _when(at: datetime) -> str:
    local = (at if at.tzinfo else at.replace(tzinfo=business_tz())).astimezone(business_tz())
    return f"on {local.day} {local:%b} at {local:%H:%M}"
