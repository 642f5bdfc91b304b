"""The quote: prices, schemes, free goods, taxes and totals of an order.

One pure computation used by both the order preview and the order itself, so what a
person confirms is exactly what is booked (rules.md "Schemes", "Lines and totals").
Stages run in a fixed order: volume discounts on gross, value discounts on the net after
volume, then free goods on the ordered quantities.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from sqlmodel import Session

from .catalogue import sku_meta
from .pricing import PriceChoice
from .schemes import SchemeRule, describe
from .types import money

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class QuoteLine:
    """An ordered SKU with what the engine needs to know about it."""

    sku: str
    qty: int  # base units
    unit_price: Decimal
    tax_rate: Decimal = Decimal("0")
    product: str | None = None
    brands: tuple[str, ...] = ()  # the SKU's brand and every ancestor brand
    categories: tuple[str, ...] = ()  # its category and every ancestor category


@dataclass
class QuotedLine:
    sku: str
    qty: int
    free_qty: int
    unit_price: Decimal
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    line_total: Decimal
    tax_rate: Decimal = Decimal("0")


@dataclass(frozen=True)
class AppliedScheme:
    code: str
    kind: str
    benefit: Decimal  # money off; free goods count 0 here and are described instead
    free_sku: str | None
    free_qty: int
    description: str


@dataclass
class Quote:
    lines: list[QuotedLine] = field(default_factory=list)
    applied: list[AppliedScheme] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gross: Decimal = ZERO
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount


def qualifies(rule: SchemeRule, line: QuoteLine) -> bool:
    """Whether an ordered line counts towards (and gets) the scheme."""
    return line.qty > 0 and covers(rule, line)


def covers(rule: SchemeRule, line: QuoteLine) -> bool:
    """Whether the scheme's qualifier (a SKU, product, brand or category, or none) covers the line's SKU."""
    q = rule.qualifier
    if q is None:
        return True
    kind, code = q
    if kind == "sku":
        return line.sku == code
    if kind == "product":
        return line.product == code
    if kind == "brand":
        return code in line.brands
    return code in line.categories


def spread(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, each share rounded; the remainder goes to
    the largest share (the first of equals)."""
    if not weights:
        return []
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        shares = [ZERO] * len(weights)
        shares[0] = money(total)
        return shares
    shares = [money(total * w / whole) for w in weights]
    rest = money(total) - sum(shares, ZERO)
    if rest:
        big = max(range(len(shares)), key=lambda i: (shares[i], -i))
        shares[big] += rest
    return shares


def _label(rule: SchemeRule) -> str:
    return rule.name or describe(rule)


Candidate = tuple[SchemeRule, list[int], Decimal, int]  # rule, the lines it touches, benefit, free quantity


def _choose(candidates: list[Candidate]) -> list[Candidate]:
    """Every stackable candidate; of non-stackable ones touching the same lines only the
    highest priority (tie: larger benefit, then larger free quantity, then code)."""
    chosen = [c for c in candidates if c[0].stackable]
    taken: set[int] = set()
    for c in sorted(
        (c for c in candidates if not c[0].stackable), key=lambda c: (-c[0].priority, -c[2], -c[3], c[0].code)
    ):
        if taken.isdisjoint(c[1]):
            chosen.append(c)
            taken.update(c[1])
    return sorted(chosen, key=lambda c: (-c[0].priority, c[0].code))


def _discount_stage(
    kind: str, rules: list[SchemeRule], lines: list[QuoteLine], base: list[Decimal]
) -> tuple[list[Decimal], list[AppliedScheme]]:
    """Per-line discounts of one kind ('volume' on gross, 'value' on net) and the schemes applied."""
    candidates: list[Candidate] = []
    for rule in rules:
        if rule.kind != kind:
            continue
        idx = [i for i, line in enumerate(lines) if qualifies(rule, line)]
        if not idx:
            continue
        if kind == "volume":
            met = sum(lines[i].qty for i in idx) >= (rule.min_qty or 0)
        else:
            met = sum((base[i] for i in idx), ZERO) >= (rule.min_value or ZERO)
        if not met:
            continue
        if rule.discount_pct is not None:
            benefit = sum((money(base[i] * rule.discount_pct / HUNDRED) for i in idx), ZERO)
        else:
            benefit = min(rule.discount_flat or ZERO, sum((base[i] for i in idx), ZERO))
        candidates.append((rule, idx, benefit, 0))
    chosen = _choose(candidates)

    # Attribution: per line, a list of (scheme code, amount).
    parts: list[list[tuple[str, Decimal]]] = [[] for _ in lines]
    # Stacked percentages add up on the same base and are rounded once per line.
    pcts: dict[int, list[tuple[SchemeRule, Decimal]]] = {}
    for rule, idx, _, _ in chosen:
        if rule.discount_pct is not None:
            for i in idx:
                pcts.setdefault(i, []).append((rule, rule.discount_pct))
    for i, rps in pcts.items():
        total_pct = min(sum((pct for _, pct in rps), Decimal(0)), HUNDRED)
        amount = money(base[i] * total_pct / HUNDRED)
        for (r, _), share in zip(rps, spread(amount, [pct for _, pct in rps])):
            parts[i].append((r.code, share))
    for rule, idx, _, _ in chosen:
        if rule.discount_pct is None:
            amount = min(rule.discount_flat or ZERO, sum((base[i] for i in idx), ZERO))
            for i, share in zip(idx, spread(amount, [base[i] for i in idx])):
                parts[i].append((rule.code, share))
    # A line never gets more off than its base: trim the latest attributions.
    for i, ps in enumerate(parts):
        excess = sum((p[1] for p in ps), ZERO) - base[i]
        for j in reversed(range(len(ps))):
            if excess <= 0:
                break
            code, part = ps[j]
            cut = min(excess, part)
            ps[j] = (code, part - cut)
            excess -= cut
    per_line = [sum((p[1] for p in ps), ZERO) for ps in parts]
    benefit_of: dict[str, Decimal] = {}
    for ps in parts:
        for code, amount in ps:
            benefit_of[code] = benefit_of.get(code, ZERO) + amount
    applied = [
        AppliedScheme(
            code=r.code,
            kind=kind,
            benefit=benefit_of.get(r.code, ZERO),
            free_sku=None,
            free_qty=0,
            description=f"{_label(r)}: {benefit_of.get(r.code, ZERO)} off",
        )
        for r, _, _, _ in chosen
        if benefit_of.get(r.code, ZERO) > 0
    ]
    return per_line, applied


def free_quantity(rule: SchemeRule, qty: int) -> int:
    """Free base units for a qualifying quantity: ⌊Q/N⌋·M when recursive, else M once Q ≥ N."""
    n, m = rule.min_qty or 0, rule.free_qty or 0
    if n <= 0 or m <= 0 or qty < n:
        return 0
    return (qty // n) * m if rule.recursive else m


def _free_stage(
    rules: list[SchemeRule], lines: list[QuoteLine], free_cap: dict[str, int] | None
) -> tuple[list[tuple[SchemeRule, str, int]], list[str]]:
    price_of: dict[str, Decimal] = {}
    for line in lines:
        price_of.setdefault(line.sku, line.unit_price)
    candidates: list[Candidate] = []
    for rule in rules:
        if rule.kind != "free_goods" or not rule.free_sku:
            continue
        idx = [i for i, line in enumerate(lines) if qualifies(rule, line)]
        free = free_quantity(rule, sum(lines[i].qty for i in idx))
        if free > 0:
            candidates.append((rule, idx, free * price_of.get(rule.free_sku, ZERO), free))
    gifts: list[tuple[SchemeRule, str, int]] = []
    notes: list[str] = []
    left = dict(free_cap) if free_cap is not None else None
    for rule, _, _, free in _choose(candidates):
        free_sku = cast(str, rule.free_sku)  # the candidates are the rules with a free SKU
        given = free
        if left is not None:
            given = max(0, min(free, left.get(free_sku, 0)))
            left[free_sku] = left.get(free_sku, 0) - given
        unit = rule.free_base_unit.lower()
        if given < free:
            notes.append(
                f"{_label(rule)}: only {given} {unit} of {free_sku} can be given free from "
                f"stock, instead of {free} {unit}."
                if given
                else f"{_label(rule)}: there is no stock of {free_sku} left to give the {free} {unit} free."
            )
        if given > 0:
            gifts.append((rule, free_sku, given))
    return gifts, notes


def quote(lines: list[QuoteLine], rules: list[SchemeRule], free_cap: dict[str, int] | None = None) -> Quote:
    """Price an order. `rules` are the applicable schemes; `free_cap` is how much of each SKU
    stock can give free beyond the ordered quantity (None = unlimited; a missing SKU = none)."""
    gross = [money(line.qty * line.unit_price) for line in lines]
    volume, applied_vol = _discount_stage("volume", rules, lines, gross)
    after_volume = [g - d for g, d in zip(gross, volume)]
    value, applied_val = _discount_stage("value", rules, lines, after_volume)
    gifts, notes = _free_stage(rules, lines, free_cap)

    out: list[QuotedLine] = []
    for line, g, dv, dval in zip(lines, gross, volume, value):
        discount = dv + dval
        net = g - discount
        tax = money(net * line.tax_rate / HUNDRED)
        out.append(
            QuotedLine(
                sku=line.sku,
                qty=line.qty,
                free_qty=0,
                unit_price=money(line.unit_price),
                gross=g,
                discount=discount,
                net=net,
                tax=tax,
                line_total=net + tax,
                tax_rate=line.tax_rate,
            )
        )
    applied_free = []
    for rule, free_sku, given in gifts:
        target = next((ql for ql in out if ql.sku == free_sku), None)
        if target is None:  # a free SKU that was not ordered gets a line of its own
            target = QuotedLine(
                sku=free_sku,
                qty=0,
                free_qty=0,
                unit_price=ZERO,
                gross=ZERO,
                discount=ZERO,
                net=ZERO,
                tax=ZERO,
                line_total=ZERO,
            )
            out.append(target)
        target.free_qty += given
        applied_free.append(
            AppliedScheme(
                code=rule.code,
                kind="free_goods",
                benefit=ZERO,
                free_sku=free_sku,
                free_qty=given,
                description=f"{_label(rule)}: {given} {rule.free_base_unit.lower()} of {free_sku} free",
            )
        )

    q = Quote(lines=out, applied=applied_vol + applied_val + applied_free, notes=notes)
    q.gross = sum((ql.gross for ql in out), ZERO)
    q.discount = sum((ql.discount for ql in out), ZERO)
    q.tax = sum((ql.tax for ql in out), ZERO)
    q.total = sum((ql.line_total for ql in out), ZERO)
    return q


def quote_lines(session: Session, items: list[tuple[str, int]], prices: dict[str, PriceChoice]) -> list[QuoteLine]:
    """QuoteLines for (sku, qty in base units) items priced by `prices` (from pricing.prices_for)."""
    skus = sku_meta(session, [sku for sku, _ in items])
    out = []
    for sku, qty in items:
        meta = skus[sku]
        out.append(
            QuoteLine(
                sku=sku,
                qty=qty,
                unit_price=prices[sku].price,
                tax_rate=meta.tax_rate,
                product=meta.product,
                brands=meta.brands,
                categories=meta.categories,
            )
        )
    return out


def schemes_touching(session: Session, rules: list[SchemeRule], skus: list[str]) -> list[SchemeRule]:
    """Those of `rules` whose qualifier covers one of `skus` (a brand's scheme touches its SKUs)."""
    metas = sku_meta(session, skus)
    lines = [
        QuoteLine(c, 1, ZERO, product=m.product, brands=m.brands, categories=m.categories) for c, m in metas.items()
    ]
    return [r for r in rules if any(covers(r, line) for line in lines)]
