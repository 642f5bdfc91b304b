"""Parties: the region tree and warehouses as reference data, and the customer and user vocabulary."""

from dataclasses import dataclass, field

from sqlalchemy import literal, literal_column, null, union_all
from sqlmodel import Session, col, select

from .cache import derivation
from .tables.parties import Customer, Region, Warehouse
from .types import table_of

CUSTOMER_TYPES = ("distributor", "wholesaler", "retailer", "modern_trade")
CUSTOMER_STATUSES = ("active", "pending", "blocked")
ROLES = ("admin", "manager", "sales_rep", "warehouse", "distributor", "retailer")


@dataclass
class Reference:
    """The region tree and the warehouses, as one transaction sees them."""

    region_parents: dict[str, str | None]
    region_names: dict[str, str]
    region_children: dict[str | None, list[str]]
    warehouses: frozenset[str]
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ancestors(self, region: str) -> tuple[str, ...]:
        """The region, then its parent, up to the root (nearest first)."""
        chain = self._ancestors.get(region)
        if chain is None:
            chain = _chain(self.region_parents, region)
            self._ancestors[region] = chain
        return chain


def _chain(parents: dict[str, str | None], code: str | None) -> tuple[str, ...]:
    chain: list[str] = []
    while code is not None and code not in chain:
        chain.append(code)
        code = parents.get(code)
    return tuple(chain)


def _derive(session: Session) -> Reference:
    r, w = table_of(Region).c, table_of(Warehouse).c
    rows = session.execute(
        union_all(  # one query for both
            select(literal("r").label("kind"), r.code.label("code"), r.parent, r.name),
            select(literal("w"), w.code, null(), null()),
        ).order_by(literal_column("kind"), literal_column("code"))
    )
    region_parents: dict[str, str | None] = {}
    region_names: dict[str, str] = {}
    children: dict[str | None, list[str]] = {}
    warehouses: set[str] = set()
    for kind, code, parent, name in rows:
        if kind == "r":
            region_parents[code] = parent
            region_names[code] = name
            children.setdefault(parent, []).append(code)
        else:
            warehouses.add(code)
    return Reference(
        region_parents=region_parents,
        region_names=region_names,
        region_children=children,
        warehouses=frozenset(warehouses),
    )


_reference = derivation("parties.reference", _derive)


def reference(session: Session) -> Reference:
    """The region tree and warehouses as the session's transaction sees them."""
    return _reference(session)


def region_children(session: Session) -> dict[str | None, list[str]]:
    """parent -> child region codes (shared reference data: do not modify)."""
    return reference(session).region_children


def subtree(children: dict[str | None, list[str]], roots: list[str]) -> set[str]:
    """Every region under `roots`, the roots included."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        stack.extend(children.get(code, []))
    return seen


def ancestors(session: Session, region: str) -> list[str]:
    """The region, then its parent, up to the root (nearest first)."""
    return list(reference(session).ancestors(region))


def region_names(session: Session) -> dict[str, str]:
    """code -> name of every region (shared reference data: do not modify)."""
    return reference(session).region_names


def customer_names(session: Session, codes: set[str] | list[str]) -> dict[str, str]:
    """code -> name of those customers that exist (for lists the actor may already see)."""
    wanted = sorted(set(codes))
    return (
        dict(session.execute(select(Customer.code, Customer.name).where(col(Customer.code).in_(wanted))).all())
        if wanted
        else {}
    )
