"""Schemes: volume, value and free-goods promotions, as table rows and as rules the quote
engine (core/quote.py) applies. Rules hold quantities already in base units."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Row, String, literal, null, type_coerce, union_all
from sqlmodel import Session, func, select

from .cache import derivation
from .errors import InvalidInput
from .pricing import PriceContext, valid_on
from .tables.catalogue import Brand, Category, Product, Sku, SkuUnit
from .tables.schemes import Scheme
from .types import DecimalText, table_of

SchemeRow = Row[*tuple[Any, ...]]  # a result row of the scheme table's columns

SCHEME_KINDS = ("volume", "value", "free_goods")


@dataclass(frozen=True)
class SchemeRule:
    """A scheme ready to apply: `min_qty` and `free_qty` are in base units."""

    code: str
    name: str
    kind: str
    sku: str | None = None
    product: str | None = None
    brand: str | None = None
    category: str | None = None
    customer_type: str | None = None
    region: str | None = None
    min_qty: int | None = None  # base units
    min_value: Decimal | None = None
    discount_pct: Decimal | None = None
    discount_flat: Decimal | None = None
    free_sku: str | None = None  # defaulted to the qualifying sku
    free_qty: int | None = None  # base units
    recursive: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    priority: int = 0
    stackable: bool = False
    # As written in the scheme, for sentences ("10 BOX", "1 BOX"), and the free SKU's base unit.
    unit: str | None = None
    unit_qty: int | None = None
    free_unit: str | None = None
    free_unit_qty: int | None = None
    free_base_unit: str = "PCS"
    base_unit: str | None = None  # the qualifying SKUs' base unit as the world names it ("KG")

    @property
    def qualifier(self) -> tuple[str, str] | None:
        """("sku"|"product"|"brand"|"category", code), or None when every line qualifies."""
        for kind in ("sku", "product", "brand", "category"):
            value = getattr(self, kind)
            if value is not None:
                return kind, value
        return None


def _base_unit(units: dict[str, int]) -> str:
    """The base unit of a SKU's {unit: factor} (the world's own name); 'units' if not known."""
    return next((u for u, f in units.items() if f == 1), "units")


def _common_base(units: dict[str, dict[str, int]]) -> str | None:
    """The one base unit every SKU of `units` has, None when they differ."""
    names = {_base_unit(u) for k, u in units.items() if not k.startswith(" ")}
    return names.pop() if len(names) == 1 else None


def _factor(units: dict[str, dict[str, int]], sku: str | None, unit: str | None, code: str, what: str) -> int:
    """Base units per `unit`: of `sku` when given, else `unit` must be a base unit (factor 1)."""
    if unit is None:
        return 1
    unit = unit.upper()
    if sku is not None:
        sku_units = units.get(sku)
        if sku_units is None:
            raise InvalidInput(f"Scheme {code}: the units of SKU {sku} are not known.")
        if unit not in sku_units:
            raise InvalidInput(
                f"Scheme {code}: {what} {unit} is not a unit of {sku} (its units are {', '.join(sku_units)})."
            )
        return sku_units[unit]
    factors = {u[unit] for u in units.values() if unit in u}
    if factors != {1}:
        raise InvalidInput(
            f"Scheme {code}: {what} {unit} must be a base unit (factor 1) when the scheme "
            f"is not for one SKU, since SKUs pack other units differently."
        )
    return 1


def rule_from_row(
    scheme: Scheme | SchemeRow, units: dict[str, dict[str, int]], base_unit: str | None = None
) -> SchemeRule:
    """A SchemeRule from a Scheme row; `units` maps sku -> {unit: factor}. `base_unit` names the
    qualifying SKUs' base unit for sentences ("200 KG or more"); by default the SKU's own, or
    the one all SKUs of `units` share."""
    code = scheme.code
    if scheme.kind not in SCHEME_KINDS:
        raise InvalidInput(f"Scheme {code}: kind {scheme.kind!r} is not one of {', '.join(SCHEME_KINDS)}.")
    min_qty = None
    if scheme.min_qty is not None:
        min_qty = scheme.min_qty * _factor(units, scheme.sku, scheme.unit, code, "unit")
    free_sku = free_qty = None
    free_base = "units"
    if base_unit is None:
        base_unit = _base_unit(units[scheme.sku]) if scheme.sku and scheme.sku in units else _common_base(units)
    if scheme.kind == "free_goods":
        free_sku = scheme.free_sku or scheme.sku
        if free_sku is None:
            raise InvalidInput(f"Scheme {code}: free goods need a free_sku when the scheme is not for one SKU.")
        if not min_qty or min_qty <= 0:
            raise InvalidInput(f"Scheme {code}: free goods need a positive min_qty.")
        if not scheme.free_qty or scheme.free_qty <= 0:
            raise InvalidInput(f"Scheme {code}: free goods need a positive free_qty.")
        free_qty = scheme.free_qty * _factor(units, free_sku, scheme.free_unit, code, "free_unit")
        free_base = _base_unit(units.get(free_sku, {}))
    elif scheme.discount_pct is None and scheme.discount_flat is None:
        raise InvalidInput(f"Scheme {code}: a {scheme.kind} scheme needs discount_pct or discount_flat.")
    if scheme.kind == "value" and scheme.min_value is None:
        raise InvalidInput(f"Scheme {code}: a value scheme needs min_value.")
    return SchemeRule(
        code=code,
        name=scheme.name,
        kind=scheme.kind,
        sku=scheme.sku,
        product=scheme.product,
        brand=scheme.brand,
        category=scheme.category,
        customer_type=scheme.customer_type,
        region=scheme.region,
        min_qty=min_qty,
        min_value=None if scheme.min_value is None else Decimal(scheme.min_value),
        discount_pct=None if scheme.discount_pct is None else Decimal(scheme.discount_pct),
        discount_flat=None if scheme.discount_flat is None else Decimal(scheme.discount_flat),
        free_sku=free_sku,
        free_qty=free_qty,
        recursive=bool(scheme.recursive),
        valid_from=scheme.valid_from,
        valid_to=scheme.valid_to,
        priority=scheme.priority or 0,
        stackable=bool(scheme.stackable),
        unit=scheme.unit,
        unit_qty=scheme.min_qty,
        free_unit=scheme.free_unit,
        free_unit_qty=scheme.free_qty,
        free_base_unit=free_base,
        base_unit=base_unit,
    )


def applicable(rule: SchemeRule, ctx: PriceContext, on: date) -> bool:
    """Valid on the date, and for this customer's type and region (or any)."""
    return (
        valid_on(rule.valid_from, rule.valid_to, on)
        and (rule.customer_type is None or rule.customer_type == ctx.customer_type)
        and (rule.region is None or rule.region in ctx.regions)
    )


def _qty(n: int | None, unit: str | None, fallback: str | None = None) -> str:
    """'10 BOX'; no unit means the base unit, named as the world names it (or 'units' when the
    qualifying SKUs' base units differ)."""
    if unit:
        return f"{n} {unit.upper()}"
    return f"{n} {fallback.upper()}" if fallback else f"{n} units"


def describe(rule: SchemeRule) -> str:
    """The scheme's terms in one sentence, led by its name."""
    target = rule.sku or rule.product or rule.brand or rule.category
    on = f" of {target}" if target else ""
    if rule.kind == "free_goods":
        free_what = "" if rule.free_sku == rule.sku else f" of {rule.free_sku}"
        terms = (
            f"buy {_qty(rule.unit_qty, rule.unit, rule.base_unit)}{on}, get "
            f"{_qty(rule.free_unit_qty, rule.free_unit or rule.free_base_unit)}{free_what} free"
        )
        terms += ", for every such quantity" if rule.recursive else ", once per order"
    else:
        off = f"{rule.discount_pct}% off" if rule.discount_pct is not None else f"{rule.discount_flat} off"
        if rule.kind == "volume":
            terms = f"{off} when you buy {_qty(rule.unit_qty, rule.unit, rule.base_unit)} or more{on}"
        else:
            terms = f"{off} when the order{on} is worth {rule.min_value} or more"
    if rule.valid_to is not None:
        terms += f", until {rule.valid_to.isoformat()}"
    return f"{rule.name} ({terms})" if rule.name else terms[0].upper() + terms[1:]


# --- configuration checks ------------------------------------------------------------


def _overlap(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _dates_overlap(a: SchemeRule, b: SchemeRule) -> bool:
    lo = max(a.valid_from or date.min, b.valid_from or date.min)
    hi = min(a.valid_to or date.max, b.valid_to or date.max)
    return lo <= hi


def check_conflicts(rules: list[SchemeRule]) -> list[str]:
    """Configuration worth a warning at import: non-stackable schemes of one kind with the
    same priority that can meet on the same lines, where only the benefit decides."""
    return [message for _, _, message in scheme_conflicts(rules)]


def scheme_conflicts(rules: list[SchemeRule]) -> list[tuple[SchemeRule, SchemeRule, str]]:
    """`check_conflicts` with the two schemes of each warning (a, b by code)."""
    out = []
    rules = sorted(rules, key=lambda r: r.code)
    for i, a in enumerate(rules):
        for b in rules[i + 1 :]:
            if a.kind != b.kind or a.stackable or b.stackable or a.priority != b.priority:
                continue
            qa, qb = a.qualifier, b.qualifier
            if not (qa is None or qb is None or qa == qb):
                continue  # different qualifiers: may still overlap through the trees; not certain
            if not (
                _overlap(a.customer_type, b.customer_type) and _overlap(a.region, b.region) and _dates_overlap(a, b)
            ):
                continue
            out.append(
                (
                    a,
                    b,
                    f"Schemes {a.code} and {b.code} are both non-stackable "
                    f"{a.kind.replace('_', ' ')} schemes with priority {a.priority} that can apply "
                    f"to the same lines on the same dates: only one will apply, chosen by the larger "
                    f"benefit. Give them different priorities, or make one stackable, to decide "
                    f"explicitly.",
                )
            )
    return out


def schemes_for(session: Session, ctx: PriceContext, on: date) -> list[SchemeRule]:
    """The schemes that apply to this customer on `on`, ordered by code."""
    rows, rules = _scheme_rules(session)  # derived once per reference token (core/cache.py)
    out = []
    for row in rows:  # by code
        if not valid_on(row.valid_from, row.valid_to, on):
            continue
        rule = rules[row.code]
        if isinstance(rule, InvalidInput):  # a row that cannot be applied: say so, as it is met
            raise InvalidInput(rule.message)
        if applicable(rule, ctx, on):
            out.append(rule)
    return out


def running_schemes(session: Session, on: date) -> list[SchemeRule]:
    """Every scheme valid on `on`, whoever it is for, ordered by code (staff asking in general)."""
    rows, rules = _scheme_rules(session)
    out = []
    for row in rows:
        if valid_on(row.valid_from, row.valid_to, on):
            rule = rules[row.code]
            if isinstance(rule, InvalidInput):
                raise InvalidInput(rule.message)
            out.append(rule)
    return out


def _build_scheme_rules(session: Session) -> tuple[tuple[SchemeRow, ...], dict[str, "SchemeRule | InvalidInput"]]:
    """Every scheme row (by code) and its rule, or the reason it is not a valid rule."""
    t, u = table_of(Scheme), table_of(SkuUnit)
    # Decimal columns as their stored text; rule_from_row makes them Decimals.
    cols = [type_coerce(c, String).label(c.name) if isinstance(c.type, DecimalText) else c for c in t.c]
    rows = tuple(session.execute(select(*cols).order_by(t.c.code)))
    # The units of every SKU a scheme names, and, per unit named by a scheme that is not for one
    # SKU (it must be a base unit everywhere), its largest factor under a pseudo key no SKU
    # code can take. Literal lists, so the SKUs' rows are found by key.
    named = sorted({c for row in rows for c in (row.sku, row.free_sku) if c})
    loose = sorted({row.unit.upper() for row in rows if row.unit and not row.sku})
    parts = []
    if named:
        parts.append(select(u.c.sku, u.c.unit, u.c.factor, u.c.position).where(u.c.sku.in_(named)))
    if loose:
        parts.append(
            select(type_coerce(null(), String), u.c.unit, func.max(u.c.factor), literal(-1))
            .where(u.c.unit.in_(loose))
            .group_by(u.c.unit)
        )
    unit_rows = tuple(tuple(r) for r in session.execute(union_all(*parts))) if parts else ()
    units: dict[str, dict[str, int]] = {}
    for sku, unit, factor, _ in sorted(unit_rows, key=lambda r: (r[0] is None, r[0] or "", r[3])):
        units.setdefault(sku if sku is not None else f" unit {unit}", {})[unit] = factor
    bases = _qualifier_bases(session, rows) if rows else {}
    rules: dict[str, SchemeRule | InvalidInput] = {}
    for row in rows:
        try:
            rules[row.code] = rule_from_row(row, units, _one(bases.get(_qualifier_of(row), set())))
        except InvalidInput as e:
            rules[row.code] = e
    return rows, rules


def _qualifier_of(row: SchemeRow) -> tuple[str, str | None]:
    for kind in ("sku", "product", "brand", "category"):
        if getattr(row, kind):
            return kind, getattr(row, kind)
    return "all", None


def _one(names: set[str]) -> str:
    return next(iter(names)) if len(names) == 1 else "units"


def _qualifier_bases(session: Session, rows: tuple[SchemeRow, ...]) -> dict[tuple[str, str | None], set[str]]:
    """The base unit names of the SKUs each kind of qualifier covers (a brand or category with
    everything under it), so scheme sentences name the world's unit ("200 KG or more")."""
    unit_t, sku_t, product_t = table_of(SkuUnit), table_of(Sku), table_of(Product)
    u, k, p = unit_t.c, sku_t.c, product_t.c
    out: dict[tuple[str, str | None], set[str]] = {}
    parents = {
        kind: dict(session.execute(select(m.code, m.parent)).all())
        for kind, m in (("brand", Brand), ("category", Category))
    }
    for sku, base, product, brand, category in session.execute(
        sa.select(k.code, u.unit, k.product, p.brand, p.category)
        .select_from(sku_t.join(unit_t, u.sku == k.code).outerjoin(product_t, p.code == k.product))
        .where(u.position == 0)
    ):
        out.setdefault(("sku", sku), set()).add(base)
        out.setdefault(("product", product), set()).add(base)
        out.setdefault(("all", None), set()).add(base)
        for kind, code in (("brand", brand), ("category", category)):
            seen = set()
            while code and code not in seen:  # the node and every ancestor
                seen.add(code)
                out.setdefault((kind, code), set()).add(base)
                code = parents[kind].get(code)
    return out


_scheme_rules = derivation("schemes.rules", _build_scheme_rules)
