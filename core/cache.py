"""Reference data every order reads: the region tree, the warehouses and the approval rules,
read in one query and derived once.

Why it cannot go stale: the rows are read on every transaction (one small query), and
what is derived from them (paths, children, subtrees) is reused only while those rows are
equal to the ones it was derived from. An import (with or without replace), a change by any
service or a test writing rows directly is seen by the next transaction. Within one
transaction the rows are read once (the first caller's read serves the rest).
"""
from dataclasses import dataclass, field
from decimal import Decimal
from threading import Lock

from sqlalchemy import String, literal, literal_column, null, type_coerce, union_all
from sqlmodel import Session, select


@dataclass(frozen=True)
class ApprovalRuleRow:
    code: str
    when: str
    threshold: Decimal | None
    approver_role: str


@dataclass
class Reference:
    region_parents: dict[str, str | None]
    region_names: dict[str, str]
    region_children: dict[str | None, list[str]]
    warehouses: frozenset[str]
    approval_rules: tuple[ApprovalRuleRow, ...]  # ordered by code
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ancestors(self, region: str) -> tuple[str, ...]:
        """The region, then its parent, up to the root (nearest first)."""
        chain = self._ancestors.get(region)
        if chain is None:
            chain = _chain(self.region_parents, region)
            self._ancestors[region] = chain
        return chain


def _chain(parents: dict, code: str | None) -> tuple[str, ...]:
    chain: list[str] = []
    while code is not None and code not in chain:
        chain.append(code)
        code = parents.get(code)
    return tuple(chain)


def _derive(rows: tuple) -> Reference:
    region_parents, region_names, children = {}, {}, {}
    warehouses, rules = set(), []
    for kind, code, a, b, c in rows:
        if kind == "r":
            region_parents[code] = a
            region_names[code] = b
            children.setdefault(a, []).append(code)
        elif kind == "w":
            warehouses.add(code)
        else:  # approval rule: when, threshold (canonical decimal text), approver role
            rules.append(ApprovalRuleRow(code, a, None if b is None else Decimal(b), c))
    return Reference(
        region_parents=region_parents, region_names=region_names, region_children=children,
        warehouses=frozenset(warehouses), approval_rules=tuple(rules))


def _statement():
    from .approvals import ApprovalRule
    from .parties import Region, Warehouse

    r, w, a = (m.__table__.c for m in (Region, Warehouse, ApprovalRule))
    return union_all(
        select(literal("r").label("kind"), r.code.label("code"), r.parent, r.name, null()),
        select(literal("w"), w.code, null(), null(), null()),
        # the threshold as its stored canonical text; _derive makes it a Decimal
        select(literal("a"), a.code, a["when"], type_coerce(a.threshold, String), a.approver_role),
    ).order_by(literal_column("kind"), literal_column("code"))  # the rules by code, as the database orders


_last: tuple[tuple, Reference] | None = None
_lock = Lock()
_MEMO = "dms.reference"


def reference(session: Session) -> Reference:
    """The reference data as the session's transaction sees it."""
    global _last
    memo = session.info.get(_MEMO)
    txn = session.get_transaction()
    if memo is not None and txn is not None and memo[0] is txn:
        return memo[1]
    rows = tuple(tuple(row) for row in session.execute(_statement()))
    last = _last
    if last is not None and last[0] == rows:
        ref = last[1]
    else:
        ref = _derive(rows)
        with _lock:
            _last = (rows, ref)
    session.info[_MEMO] = (session.get_transaction(), ref)
    return ref
