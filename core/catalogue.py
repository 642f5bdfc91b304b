"""The catalogue: what is sold (SKUs, their units, products, the brand and category trees) as
the rest of the core reads it, and the list and unit formats of its cells."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, select, text
from sqlmodel import Session, col

from .cache import derivation
from .tables.catalogue import Product, Sku, SkuUnit
from .types import table_of


def split_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("|") if p.strip()]


def parse_units(text: str) -> list[tuple[str, int]]:
    """`PCS=1|BOX=12` -> [("PCS", 1), ("BOX", 12)]; raises ValueError with the reason."""
    units: list[tuple[str, int]] = []
    for part in split_list(text):
        name, sep, factor = part.partition("=")
        name = name.strip().upper()
        if not sep or not name:
            raise ValueError(f"unit {part!r} is not NAME=FACTOR")
        try:
            f = int(factor.strip())
        except ValueError:
            raise ValueError(f"unit {name} factor {factor.strip()!r} is not a whole number") from None
        if f <= 0:
            raise ValueError(f"unit {name} factor must be positive")
        if any(u == name for u, _ in units):
            raise ValueError(f"unit {name} appears twice")
        units.append((name, f))
    if not units:
        raise ValueError("no units given")
    if units[0][1] != 1:
        raise ValueError(f"the first unit ({units[0][0]}) is the base unit and must have factor 1")
    return units


def format_units(units: list[tuple[str, int]]) -> str:
    return "|".join(f"{u}={f}" for u, f in units)


def sku_units(session: Session, skus: list[str]) -> dict[str, list[tuple[str, int]]]:
    """The units of those SKUs that have any, in order (from `sku_meta`)."""
    return {c: list(m.units) for c, m in sku_meta(session, skus).items() if m.units}


_PATHS = text("""
WITH RECURSIVE bchain(start, code, depth) AS (
    SELECT code, code, 0 FROM brand WHERE code IN :brands
    UNION ALL
    SELECT bchain.start, brand.parent, bchain.depth + 1 FROM bchain JOIN brand ON brand.code = bchain.code
    WHERE brand.parent IS NOT NULL AND bchain.depth < 64),
cchain(start, code, depth) AS (
    SELECT code, code, 0 FROM category WHERE code IN :categories
    UNION ALL
    SELECT cchain.start, category.parent, cchain.depth + 1 FROM cchain JOIN category ON category.code = cchain.code
    WHERE category.parent IS NOT NULL AND cchain.depth < 64)
SELECT 'b', start, code, depth FROM bchain UNION ALL SELECT 'c', start, code, depth FROM cchain
""").bindparams(bindparam("brands", expanding=True), bindparam("categories", expanding=True))


def _tree_paths(
    session: Session, brands: set[str | None], categories: set[str | None]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The path (itself, then each ancestor) of these brands and of these categories, read in
    one query; a code without a row has no path, a loop in the tree ends where it repeats."""
    steps: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for kind, start, code, depth in session.execute(
        _PATHS, {"brands": sorted(b for b in brands if b), "categories": sorted(c for c in categories if c)}
    ):
        steps.setdefault((kind, start), []).append((depth, code))
    paths: dict[str, dict[str, tuple[str, ...]]] = {"b": {}, "c": {}}
    for (kind, start), chain in steps.items():
        path: list[str] = []
        for _, code in sorted(chain):
            if code in path:
                break
            path.append(code)
        paths[kind][start] = tuple(path)
    return paths["b"], paths["c"]


@dataclass(frozen=True)
class SkuMeta:
    """What an order needs of a SKU: its row, its product's brand and category with their paths
    (itself, then each ancestor), and its units in order."""

    code: str
    name: str
    product: str | None
    tax_rate: Decimal
    allocation: str
    brand: str | None
    category: str | None
    brands: tuple[str, ...]
    categories: tuple[str, ...]
    units: tuple[tuple[str, int], ...]


# SKUs read so far under the current token, filled as they are asked for
_known: Callable[[Session], dict[str, SkuMeta]] = derivation("catalogue.sku_meta", lambda _: {})


def sku_meta(session: Session, codes: Collection[str]) -> dict[str, SkuMeta]:
    """The SKUs among `codes` that exist, from the catalogue as derived under the current
    reference token (core/cache.py); those not derived yet are read in two queries."""
    known: dict[str, SkuMeta] = _known(session)
    missing = [c for c in dict.fromkeys(codes) if c not in known]
    if missing:
        sku, product, unit = table_of(Sku), table_of(Product), table_of(SkuUnit)
        s, p, u = sku.c, product.c, unit.c
        rows: dict[str, Row[*tuple[Any, ...]]] = {}
        units: dict[str, list[tuple[str, int]]] = {}
        for r in session.execute(
            select(s.code, s.name, s.product, s.tax_rate, s.allocation, p.brand, p.category, u.unit, u.factor)
            .select_from(sku.outerjoin(product, p.code == s.product).outerjoin(unit, u.sku == s.code))
            .where(s.code.in_(missing))
            .order_by(s.code, u.position)
        ):
            rows[r.code] = r
            if r.unit is not None:
                units.setdefault(r.code, []).append((r.unit, r.factor))
        if rows:
            brand_paths, cat_paths = _tree_paths(
                session, {r.brand for r in rows.values()}, {r.category for r in rows.values()}
            )
            for code, r in rows.items():  # a SKU without a product row has no brand or category
                known[code] = SkuMeta(
                    code,
                    r.name,
                    r.product,
                    r.tax_rate,
                    r.allocation,
                    r.brand,
                    r.category,
                    brand_paths.get(r.brand, ()),
                    cat_paths.get(r.category, ()),
                    tuple(units.get(code, ())),
                )
    return {c: known[c] for c in codes if c in known}


def sku_names(session: Session, codes: list[str]) -> dict[str, str]:
    """code -> name of those SKUs that exist."""
    return {c: m.name for c, m in sku_meta(session, codes).items()}


def sku_codes(session: Session) -> list[str]:
    """Every SKU's code, sorted: the whole catalogue, for lists that page through it."""
    return list(session.scalars(select(col(Sku.code)).order_by(col(Sku.code))))


def skus_by_code(session: Session, codes: list[str]) -> list[Sku]:
    """The SKU rows of those codes that exist, in the order given."""
    return [sku for c in codes if (sku := session.get(Sku, c)) is not None]


def product_names(session: Session, codes: list[str | None]) -> dict[str, str]:
    """code -> name of those products that exist."""
    wanted = sorted({c for c in codes if c})
    return (
        dict(session.execute(select(col(Product.code), col(Product.name)).where(col(Product.code).in_(wanted))).all())
        if wanted
        else {}
    )
