"""Who may do what: the acting user, their role and the data in their scope.

Every service calls these checks itself, so a tool, the API, the CLI and a test get the
same answer. A refusal never says whether an out-of-scope thing exists.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from .catalogue import split_list
from .errors import NotAllowed, NotFound, OutOfScope
from .parties import region_children, subtree
from .tables.field import Beat
from .tables.parties import Customer, User, Warehouse

# What each role may do (rules.md, "Who may do what"). "users.link": link a user's chat account
# (Telegram) or decide a link request; a manager only for customers in their regions.
PERMISSIONS: dict[str, set[str]] = {
    "admin": {
        "catalogue",
        "prices",
        "stock.view",
        "stock.quantities",
        "stock.adjust",
        "orders.view",
        "orders.create",
        "orders.cancel",
        "orders.approve",
        "orders.dispatch",
        "payments.view",
        "payments.record",
        "reports",
        "import",
        "users",
        "users.link",
        "evals",
        "outlets.approve",
        "field.view",
        "targets.view",
        "field",
    },  # rules.md: everything, a rep's own field work too
    "manager": {
        "catalogue",
        "prices",
        "stock.view",
        "stock.quantities",
        "stock.adjust",
        "orders.view",
        "orders.create",
        "orders.cancel",
        "orders.approve",
        "payments.view",
        "payments.record",
        "reports",
        "users.link",
        "outlets.approve",  # outlet updates and new outlets in their regions
        "field.view",
        "targets.view",
    },  # their team's field work and targets
    "sales_rep": {
        "catalogue",
        "prices",
        "stock.view",
        "stock.quantities",
        "orders.view",
        "orders.create",
        "payments.view",
        "payments.record",
        "field",
        "field.view",
        "targets.view",
    },  # rules.md: reps record
    # their customers' collections, their own day, visits and proposals ("field")
    "warehouse": {"catalogue", "stock.view", "stock.quantities", "stock.adjust", "orders.view", "orders.dispatch"},
    "distributor": {
        "catalogue",
        "prices",
        "stock.view",
        "stock.quantities",
        "orders.view",
        "orders.create",
        "orders.cancel",
        "payments.view",
        "targets.view",
    },
    "retailer": {"catalogue", "prices", "stock.view", "orders.view", "orders.create", "orders.cancel", "payments.view"},
}


@dataclass(frozen=True)
class Actor:
    """The acting user, resolved from an authenticated identity, never from a message."""

    user_id: str
    role: str
    name: str = ""
    customer: str | None = None
    regions: frozenset[str] = field(default_factory=frozenset)  # expanded subtree
    channel: str = "cli"

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, set())

    def require(self, permission: str, what: str) -> None:
        if not self.can(permission):
            raise NotAllowed(f"A {self.role.replace('_', ' ')} may not {what}.")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


_ACTOR = sa.select(col(User.id), col(User.role), col(User.name), col(User.customer), col(User.regions)).where(
    col(User.id) == bindparam("u")
)


def load_actor(session: Session, user_id: str, channel: str = "cli") -> Actor:
    user = session.execute(_ACTOR, {"u": user_id}).first()
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    regions = frozenset(subtree(region_children(session), split_list(user.regions)))
    return Actor(
        user_id=user.id, role=user.role, name=user.name, customer=user.customer, regions=regions, channel=channel
    )


def customer_in_scope(session: Session, actor: Actor, customer: Customer) -> bool:
    role = actor.role
    if role == "admin":
        return True
    if role in ("manager", "warehouse"):
        return customer.region in actor.regions
    if role == "sales_rep":
        return customer.region in actor.regions or customer.code in beat_customers(session, actor.user_id)
    if role == "distributor":
        return customer.code == actor.customer or customer.distributor == actor.customer
    if role == "retailer":
        return customer.code == actor.customer
    return False


def customer_scope(session: Session, actor: Actor) -> sa.ColumnElement[bool] | None:
    """The customers the actor may see, as a condition on `Customer`'s columns (None: every
    customer, for an admin). Queries over many rows join or sub-select on it instead of sending
    thousands of codes; `visible_customer_codes` lists what it selects."""
    role = actor.role
    if role == "admin":
        return None
    if role in ("manager", "warehouse", "sales_rep"):
        cond: sa.ColumnElement[bool] = col(Customer.region).in_(sorted(actor.regions)) if actor.regions else sa.false()
        if role == "sales_rep":
            beat = beat_customers(session, actor.user_id)
            if beat:
                cond = sa.or_(cond, col(Customer.code).in_(sorted(beat)))
        return cond
    if role == "distributor":
        # as customer_in_scope reads it, a distributor without a customer included
        return sa.or_(col(Customer.distributor) == actor.customer, col(Customer.code) == actor.customer)
    return col(Customer.code) == actor.customer if actor.customer else sa.false()


def beat_customers(session: Session, rep_id: str) -> set[str]:
    """The customers on a sales rep's beats (in their scope wherever they are)."""
    out: set[str] = set()
    for codes in session.exec(select(Beat.customers).where(Beat.sales_rep == rep_id)).all():
        out.update(split_list(codes))
    return out


def visible_customer_codes(session: Session, actor: Actor) -> set[str] | None:
    """Codes of the customers the actor may see; None means every customer (admin)."""
    cond = customer_scope(session, actor)
    return None if cond is None else set(session.execute(sa.select(col(Customer.code)).where(cond)).scalars())


def get_customer(session: Session, actor: Actor, code: str) -> Customer:
    """The customer if the actor may see it; the same NotFound otherwise (no leak)."""
    customer = session.get(Customer, code)
    if customer is None:
        raise NotFound(f"No customer {code!r} that you can see.")
    if not customer_in_scope(session, actor, customer):
        raise OutOfScope(f"No customer {code!r} that you can see.")
    return customer


def visible_warehouse_codes(session: Session, actor: Actor) -> set[str] | None:
    """Warehouses whose stock the actor may see; None means all."""
    if actor.role == "admin":
        return None
    if actor.role in ("manager", "warehouse", "sales_rep"):
        return (
            set(session.exec(select(Warehouse.code).where(col(Warehouse.region).in_(actor.regions))).all())
            if actor.regions
            else set()
        )
    if actor.role == "distributor":
        codes = set(session.exec(select(Warehouse.code).where(Warehouse.owner == actor.customer)).all())
        own = session.get(Customer, actor.customer) if actor.customer else None
        if own:
            codes.add(own.warehouse)
        return codes
    own = session.get(Customer, actor.customer) if actor.customer else None
    return {own.warehouse} if own else set()
