"""The one serialisation rule for every state change.

A command that changes a customer's orders or money takes row locks in this order, and only
in this order, before it reads anything it decides on:

  1. the customer row: credit checks, payments, settlement and every order status change;
  2. the order row: its status;
  3. stock balance rows, in (warehouse, sku, batch) order (core/inventory.py);
  4. number counters, last, so they are held briefly (core/counters.next_number).

What the command then reads is committed data that no other command can change until it
commits, so exactly one of N simultaneous attempts wins and the others see its result. The
status update itself is also conditional on the status read (`transition_row`), the last
line of defence if a path ever forgets the lock; unique constraints guard invoices and
delivery notes (one per order) and approvals (one per order).

PostgreSQL: SELECT ... FOR UPDATE (READ COMMITTED re-reads the row once the lock is free).
SQLite: every transaction begins IMMEDIATE (core/db.py), so writers already run one at a
time and SQLAlchemy leaves FOR UPDATE out.
"""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, SQLModel, select

from .tables.orders import Order
from .tables.parties import Customer
from .types import rowcount, table_of


def lock_customer(session: Session, code: str) -> Customer | None:
    """The customer row, locked and fresh from the database (None if there is none)."""
    return session.exec(
        select(Customer).where(Customer.code == code).with_for_update().execution_options(populate_existing=True)
    ).first()


def lock_order(session: Session, order_no: str) -> Order | None:
    """The order row, locked and fresh; its customer must be locked first (see above)."""
    return session.exec(
        select(Order).where(Order.order_no == order_no).with_for_update().execution_options(populate_existing=True)
    ).first()


def transition_row(
    session: Session,
    model: type[SQLModel],
    key_col: str,
    key: object,
    status_col: str,
    allowed_from: tuple[str, ...],
    values: dict[str, Any],
) -> bool:
    """Set `values` on the row only if its status is still one of `allowed_from`; whether it did."""
    t = table_of(model)
    result = session.execute(update(t).where(t.c[key_col] == key, t.c[status_col].in_(allowed_from)).values(**values))
    return rowcount(result) == 1
