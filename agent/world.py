"""The offline planner's view of the imported world: every name people may use for a SKU,
product, brand, category, customer, region, warehouse or user, indexed once in a
`Lexicon`, plus each SKU's units, and the business's documents when there are any (so a question they
answer is not mistaken for a request). Built lazily and rebuilt when the catalogue or the
parties change (row counts are the cheap check). Scope is not decided here: tools do it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.nlu.lexicon import Entry, Lexicon
from core.catalogue import Brand, Category, Product, Sku, SkuUnit, split_list
from core.parties import Customer, Region, User, Warehouse

_COUNTED = (Sku, SkuUnit, Product, Brand, Category, Customer, Region, Warehouse, User)


@dataclass
class World:
    lexicon: Lexicon
    units: dict[str, list[tuple[str, int]]]          # SKU code -> [(unit, factor)], base first
    sku_names: dict[str, str]
    product_skus: dict[str, list[str]]               # product code -> its SKU codes
    sku_texts: dict[str, str] = field(default_factory=dict)  # for the semantic index


class WorldView:
    """Cached `World` of one database; `get()` is cheap when nothing changed."""

    def __init__(self, engine: Engine, knowledge=None):
        self.engine = engine
        self.knowledge = knowledge  # agent.knowledge.KnowledgeBase or None
        self._world: World | None = None
        self._key: tuple | None = None
        self._semantic = None
        self._semantic_key: tuple | None = None
        self._lock = threading.Lock()

    def _counts(self, s: Session) -> tuple:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in _COUNTED)

    def get(self) -> World:
        with Session(self.engine) as s:
            key = self._counts(s)
            with self._lock:
                if self._world is None or key != self._key:
                    self._world, self._key = _build(s), key
                return self._world

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


def _build(s: Session) -> World:
    products = {p.code: p for p in s.exec(select(Product))}
    brands = {b.code: b for b in s.exec(select(Brand))}
    cats = {c.code: c for c in s.exec(select(Category))}
    units: dict[str, list[tuple[str, int, int]]] = {}
    for u in s.exec(select(SkuUnit)):
        units.setdefault(u.sku, []).append((u.unit, u.factor, u.position))
    unit_map = {k: [(n, f) for n, f, _ in sorted(v, key=lambda x: x[2])] for k, v in units.items()}
    entries: list[Entry] = []
    sku_names: dict[str, str] = {}
    product_skus: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for sku in s.exec(select(Sku).order_by(Sku.code)):
        p = products.get(sku.product)
        aliases = split_list(sku.aliases)
        names = [sku.name, *aliases, sku.code] + ([sku.barcode] if sku.barcode else [])
        entries.append(Entry("sku", sku.code, names,
                             {"units": unit_map.get(sku.code, []), "product": sku.product}))
        sku_names[sku.code] = sku.name
        product_skus.setdefault(sku.product, []).append(sku.code)
        parts = [sku.name, p.name if p else "", ", ".join(aliases),
                 brands[p.brand].name if p and p.brand in brands else "",
                 cats[p.category].name if p and p.category in cats else ""]
        texts[sku.code] = ". ".join(x for x in parts if x)
    for p in products.values():
        entries.append(Entry("product", p.code, [p.name, p.code], {"skus": product_skus.get(p.code, [])}))
    entries += [Entry("brand", b.code, [b.name, b.code]) for b in brands.values()]
    entries += [Entry("category", c.code, [c.name, c.code]) for c in cats.values()]
    entries += [Entry("customer", c.code, [c.name, c.code], {"status": c.status})
                for c in s.exec(select(Customer))]
    entries += [Entry("region", r.code, [r.name, r.code]) for r in s.exec(select(Region))]
    entries += [Entry("warehouse", w.code, [w.name, w.code]) for w in s.exec(select(Warehouse))]
    entries += [Entry("user", u.id, [u.name, u.id]) for u in s.exec(select(User))]
    return World(Lexicon(entries), unit_map, sku_names, product_skus, texts)
