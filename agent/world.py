"""The offline planner's view of the imported world: every name people may use for a SKU,
product, brand, category, customer, region, warehouse or user, indexed once in a
`Lexicon`, plus each SKU's units, and the business's documents when there are any (so a question they
answer is not mistaken for a request). Built lazily and rebuilt when the catalogue or the
parties change (row counts are the cheap check).

A user's planner sees only the parties in that user's scope: the customers they may see
(`core.access.visible_customer_codes`), the warehouses whose stock they may see, and no user
of a customer outside it. A name or code out of scope is then exactly an unknown word: the
planner passes it on as typed (or asks about it) the same way whether the thing exists
elsewhere or not, and never offers it as a choice. Whether the user may act on what they
named is still decided by the tools and the core.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy.engine import Engine, Row
from sqlmodel import Session, col, select

from agent.nlu.lexicon import Entry, Lexicon, NameIndex, paused_gc
from core.access import Actor, visible_customer_codes
from core.catalogue import split_list
from core.errors import DomainError
from core.reorders import repeat_items
from core.settings import business_tz
from core.tables.catalogue import Brand, Category, Product, Sku, SkuUnit
from core.tables.parties import Customer, Region, User, Warehouse

if TYPE_CHECKING:
    from agent.semantic import SemanticIndex  # (loaded when first used: it brings the model runtime)

_COUNTED = (Sku, SkuUnit, Product, Brand, Category, Customer, Region, Warehouse, User)
SCOPED_KEPT = 64  # lexicons of distinct scopes kept per database


class WorldVocabulary:
    """The names (`lexicon`), each SKU's units and names, and the texts of the semantic index."""

    def __init__(
        self,
        names: NameIndex,
        units: dict[str, list[tuple[str, int]]],
        sku_names: dict[str, str],
        product_skus: dict[str, list[str]],
        sku_texts: dict[str, str] | None = None,
        lexicon: Lexicon | None = None,
        warehouses: frozenset[str] | None = None,
    ):
        self.names = names  # every entry, each name read once
        self.units = units  # SKU code -> [(unit, factor)], base first
        self.sku_names = sku_names
        self.product_skus = product_skus  # product code -> its SKU codes
        self.sku_texts = sku_texts if sku_texts is not None else {}  # for the semantic index
        self._lexicon = lexicon
        self.warehouses = warehouses  # the stock its user may see (None: all), for batch codes
        self._lock = threading.Lock()

    @property
    def entries(self) -> list[Entry]:
        """Every entry of the world (the full lexicon's own, whatever this world's scope)."""
        return self.names.entries

    @functools.cached_property
    def customer_code_prefixes(self) -> frozenset[str]:
        """The letters customer codes begin with ("R" of R-101), over the whole world: "balance of
        R-205" names a customer where a code of that shape goes, in scope or not (only the shape)."""
        return frozenset(
            m[0].upper() for e in self.entries if e.kind == "customer" and (m := re.match(r"[A-Za-z]+", e.code))
        )

    @property
    def lexicon(self) -> Lexicon:
        """The names of this world, indexed when first asked for (a scoped world's come with it)."""
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    self._lexicon = self.names.lexicon()
        return self._lexicon

    def within(self, customers: frozenset[str] | None, warehouses: frozenset[str] | None) -> WorldVocabulary:
        """This world as a user of that scope knows it: customers and warehouses outside it, and
        the users of those customers, are left out (None = no limit)."""

        def kept(e: Entry) -> bool:
            if e.kind == "customer":
                return customers is None or e.code in customers
            if e.kind == "warehouse":
                return warehouses is None or e.code in warehouses
            if e.kind == "user":
                own = e.extra.get("customer")
                return not own or customers is None or own in customers
            return True

        return WorldVocabulary(
            self.names,
            self.units,
            self.sku_names,
            self.product_skus,
            self.sku_texts,
            self.names.lexicon(kept),
            warehouses,
        )


class WorldView:
    """Cached `WorldVocabulary` of one database; `get()` is cheap when nothing changed."""

    def __init__(self, engine: Engine, knowledge=None):
        self.engine = engine
        self.knowledge = knowledge  # agent.knowledge.KnowledgeBase or None
        self._world: WorldVocabulary | None = None
        self._key: tuple | None = None
        self._semantic: SemanticIndex | None = None
        self._semantic_key: tuple | None = None
        self._lock = threading.Lock()
        self._scoped: OrderedDict[tuple, WorldVocabulary] = OrderedDict()

    def _counts(self, s: Session) -> tuple:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in _COUNTED)

    def get(self, actor: Actor | None = None) -> WorldVocabulary:
        """The world; with `actor`, as that user knows it (only the parties in their scope)."""
        with Session(self.engine) as s:
            key = self._counts(s)
            scope = _scope(s, actor) if actor is not None else None
            with self._lock:
                if self._world is None or key != self._key:
                    with paused_gc():
                        self._world, self._key = _build(s), key
                    self._scoped.clear()
                world = self._world
                if scope is None:
                    return world
                found = self._scoped.get(scope)
                if found is not None:
                    self._scoped.move_to_end(scope)
                    return found
        scoped = world.within(*scope)  # built outside the lock: other users need not wait
        with self._lock:
            if self._world is world:
                self._scoped[scope] = scoped
                while len(self._scoped) > SCOPED_KEPT:
                    self._scoped.popitem(last=False)
        return scoped

    def batches(self, tokens: list[str], warehouses: frozenset[str] | None = None) -> dict[str, str]:
        """Which of these code-like words are batch codes in the stock of `warehouses` (None: all):
        word -> the batch code as stored (batches come and go with every receipt, so they are
        looked up, not indexed). A batch elsewhere is no batch to this user: nothing leaks."""
        wanted = {t.upper(): t for t in tokens if t}
        if not wanted:
            return {}
        from core.tables.inventory import StockBalance

        with Session(self.engine) as s:
            stmt = select(StockBalance.batch).where(func.upper(StockBalance.batch).in_(list(wanted)))
            if warehouses is not None:
                stmt = stmt.where(col(StockBalance.warehouse).in_(sorted(warehouses)))
            found = s.exec(stmt.distinct()).all()
        return {wanted[b.upper()]: b for b in found}

    def repeated(
        self, actor: Actor | None, order_no: str | None = None, customer: str | None = None
    ) -> tuple[str, str, list[dict]] | None:
        """(order number, its day, its lines as order items in base units) of the order a reorder
        would repeat, read in the actor's scope; None when there is none to read (the reorder tool
        then says why, in the core's words)."""
        if actor is None:
            return None
        with Session(self.engine) as s:
            try:
                source, items = repeat_items(s, actor, order_no, customer)
            except DomainError:
                return None
        return (
            source.order_no,
            source.created_at.astimezone(business_tz()).date().isoformat(),
            [{"product": i.sku, "qty": int(i.qty)} for i in items],
        )

    # -- meaning search, only when names found nothing ------------------------------------
    def semantic_skus(self, query: str, k: int = 5) -> list[tuple[str, float]]:
        """(SKU code, cosine score) nearest in meaning to `query`, best first."""
        world = self.get()
        with self._lock:
            if self._semantic is None or self._semantic_key != self._key:
                from agent.semantic import SemanticIndex

                if self._semantic is None:
                    self._semantic = SemanticIndex(None)
                self._semantic.index("skus", [(c, t, {}) for c, t in sorted(world.sku_texts.items())])
                self._semantic_key = self._key
            index = self._semantic
        return [(h.id, h.score) for h in index.search("skus", query, k)]

    def knowledge_score(self, query: str) -> float:
        """How well the business's documents answer `query` (best passage cosine; 0 = none)."""
        if self.knowledge is None:
            return 0.0
        found = self.knowledge.search(query, k=1)
        return found[0].score if found else 0.0


def _scope(s: Session, actor: Actor) -> tuple[frozenset[str] | None, frozenset[str] | None] | None:
    """(customers, warehouses) the actor may see; None when that is everything (an admin)."""
    from core.stock import stock_warehouse_codes

    customers = visible_customer_codes(s, actor)
    warehouses = stock_warehouse_codes(s, actor)
    if customers is None and warehouses is None:
        return None
    return (None if customers is None else frozenset(customers), None if warehouses is None else frozenset(warehouses))


def _rows(s: Session, model, order=None) -> Sequence[Row]:
    """Every row of a table as plain rows (the same statement and order as selecting the model,
    without building an ORM object per row)."""
    stmt = select(model.__table__)
    if order is not None:
        stmt = stmt.order_by(order)
    return s.execute(stmt).all()


def _build(s: Session) -> WorldVocabulary:
    """The world's names and units; its lexicons are indexed when first asked for."""
    products = {p.code: p for p in _rows(s, Product)}
    brands = {b.code: b for b in _rows(s, Brand)}
    cats = {c.code: c for c in _rows(s, Category)}
    units: dict[str, list[tuple[str, int, int]]] = {}
    for u in _rows(s, SkuUnit):
        units.setdefault(u.sku, []).append((u.unit, u.factor, u.position))
    unit_map = {k: [(n, f) for n, f, _ in sorted(v, key=lambda x: x[2])] for k, v in units.items()}
    entries: list[Entry] = []
    sku_names: dict[str, str] = {}
    product_skus: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for sku in _rows(s, Sku, Sku.code):
        p = products.get(sku.product)
        aliases = split_list(sku.aliases)
        names = [sku.name, *aliases, sku.code] + ([sku.barcode] if sku.barcode else [])
        entries.append(Entry("sku", sku.code, names, {"units": unit_map.get(sku.code, []), "product": sku.product}))
        sku_names[sku.code] = sku.name
        product_skus.setdefault(sku.product, []).append(sku.code)
        parts = [
            sku.name,
            p.name if p else "",
            ", ".join(aliases),
            brands[p.brand].name if p and p.brand in brands else "",
            cats[p.category].name if p and p.category in cats else "",
        ]
        texts[sku.code] = ". ".join(x for x in parts if x)
    for p in products.values():
        entries.append(Entry("product", p.code, [p.name, p.code], {"skus": product_skus.get(p.code, [])}))
    entries += [Entry("brand", b.code, [b.name, b.code]) for b in brands.values()]
    entries += [Entry("category", c.code, [c.name, c.code]) for c in cats.values()]
    entries += [Entry("customer", c.code, [c.name, c.code], {"status": c.status}) for c in _rows(s, Customer)]
    entries += [Entry("region", r.code, [r.name, r.code]) for r in _rows(s, Region)]
    entries += [Entry("warehouse", w.code, [w.name, w.code]) for w in _rows(s, Warehouse)]
    entries += [Entry("user", u.id, [u.name, u.id], {"customer": u.customer}) for u in _rows(s, User)]
    return WorldVocabulary(NameIndex(entries), unit_map, sku_names, product_skus, texts)
