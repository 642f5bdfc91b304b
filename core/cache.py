"""What the process derives from reference data, reused while the database says it is unchanged.

Reference data (the region tree, warehouses, approval rules, schemes, the catalogue) is read by
every order but changes rarely. The database keeps a token in `ref_version` that triggers
replace on any insert, update or delete of those tables (migration 0004), by any path: a
service, an import, a test writing rows or psql. Each transaction reads the token once (one
single-row query) and reuses what was derived under the same token; a new token derives
afresh. The token is random, so databases cloned from one template or re-created under the
same name never share one for different rows. `ref_version` is not a model: it is not world
data, so imports, exports and snapshots never touch it.

A transaction that has written anything derives afresh and keeps nothing: it sees its own
changes, and the token (replaced once per transaction on PostgreSQL, at its first write to a
reference table) only ever stands for committed rows.
"""
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import String, event, literal, literal_column, null, text, type_coerce, union_all
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

REFERENCE_TABLES = ("region", "warehouse", "approval_rule", "scheme", "sku", "skuunit", "product", "brand",
                    "category")


_TOKEN_SQL = text("SELECT token FROM ref_version WHERE name = 'reference'")
_MEMO = "dms.ref_token"
_WROTE = "dms.wrote"


def token(session: Session) -> str | None:
    """The reference token as this transaction sees it; None if the row is missing or the
    transaction has written (its derivations are then its own: built afresh, never kept)."""
    conn = session.connection()
    txn = conn.get_transaction()
    wrote = conn.info.get(_WROTE)
    if wrote is not None and wrote is txn:
        return None
    memo = conn.info.get(_MEMO)
    if memo is not None and memo[0] is txn:
        return memo[1]
    value = conn.execute(_TOKEN_SQL).scalar()
    conn.info[_MEMO] = (txn, value)  # holding txn keeps its identity unique while memoised
    return value


# Statements that write nothing (the core's WITH queries only read); any other one marks its
# transaction as having written. Only the first word is read: bulk statements are long.
_NOT_WRITES = frozenset({"SELECT", "WITH", "BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA"})
_FIRST_WORD = re.compile(r"\s*(\w+)")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    first = _FIRST_WORD.match(statement)
    if first is None or first.group(1).upper() not in _NOT_WRITES:
        conn.info[_WROTE] = conn.get_transaction()


T = TypeVar("T")
_slots: "OrderedDict[str, dict]" = OrderedDict()
_slots_lock = threading.Lock()
_KEEP = 16  # tokens whose derivations are kept (several databases in one process: tests, benchmarks)


def derived(session: Session, what: str, build: Callable[[Session], T]) -> T:
    """`build(session)` as derived under the current token: built once per token and `what`."""
    tok = token(session)
    if tok is None:
        return build(session)
    with _slots_lock:
        slot = _slots.get(tok)
        if slot is None:
            slot = _slots[tok] = {}
            while len(_slots) > _KEEP:
                _slots.popitem(last=False)
        else:
            _slots.move_to_end(tok)
    value = slot.get(what)
    if value is None:
        value = slot[what] = build(session)  # two threads may both build: same rows, same value
    return value


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


def _derive(rows) -> Reference:
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


def reference(session: Session) -> Reference:
    """The region tree, warehouses and approval rules as the session's transaction sees them."""
    return derived(session, "reference", lambda s: _derive(s.execute(_statement())))
