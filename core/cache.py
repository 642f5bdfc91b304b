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

This module is a registry and knows no table of its own: each module registers what it derives
(`derivation`) next to the code that reads it, by a name it owns ("parties.regions").
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar, cast

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, ExecutionContext
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlmodel import Session

REFERENCE_TABLES = ("region", "warehouse", "approval_rule", "scheme", "sku", "skuunit", "product", "brand", "category")


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
    memo: tuple[object, str | None] | None = conn.info.get(_MEMO)
    if memo is not None and memo[0] is txn:
        return memo[1]
    value: str | None = conn.execute(_TOKEN_SQL).scalar()
    conn.info[_MEMO] = (txn, value)  # holding txn keeps its identity unique while memoised
    return value


# Statements that write nothing (the core's WITH queries only read); any other one marks its
# transaction as having written. Only the first word is read: bulk statements are long.
_NOT_WRITES = frozenset({"SELECT", "WITH", "BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA"})
_FIRST_WORD = re.compile(r"\s*(\w+)")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(
    conn: Connection,
    cursor: DBAPICursor,
    statement: str,
    parameters: object,
    context: ExecutionContext | None,
    executemany: bool,
) -> None:
    first = _FIRST_WORD.match(statement)
    if first is None or first.group(1).upper() not in _NOT_WRITES:
        conn.info[_WROTE] = conn.get_transaction()


T = TypeVar("T")
_builds: dict[str, Callable[[Session], object]] = {}
_slots: "OrderedDict[str, dict[str, object]]" = OrderedDict()
_slots_lock = threading.Lock()
_KEEP = 16  # tokens whose derivations are kept (several databases in one process: tests, benchmarks)


def derivation(what: str, build: Callable[[Session], T]) -> Callable[[Session], T]:
    """Register how the module that owns `what` derives it from reference tables, and return
    its reader: `build(session)` built once per token. A name is registered once (one owner)."""
    if what in _builds:
        raise ValueError(f"the derivation {what!r} is registered twice")
    _builds[what] = build
    return lambda session: cast(T, _derived(session, what))  # what `build` returned


def _derived(session: Session, what: str) -> object:
    tok = token(session)
    if tok is None:
        return _builds[what](session)
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
        value = slot[what] = _builds[what](session)  # two threads may both build: same rows, same value
    return value
